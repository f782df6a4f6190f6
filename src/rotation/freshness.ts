import { plural } from './report.js'

/** When this workflow run was queued and started, from GET /repos/{owner}/{repo}/actions/runs/{run_id}. */
export interface RunTiming {
  readonly createdAt: string
  readonly runStartedAt: string
  readonly runAttempt: number
}

export type Freshness =
  | { readonly decision: 'rotate' }
  /** Not a failure: the step succeeds with rotated=false. */
  | { readonly decision: 'skip'; readonly reason: string }
  /** A conflict someone must look at: the step fails, nothing is written. */
  | { readonly decision: 'stop'; readonly reason: string }

const HOUR_MILLISECONDS = 60 * 60 * 1000
const DAY_MILLISECONDS = 24 * HOUR_MILLISECONDS

/**
 * A GitHub timestamp in whole seconds since the epoch. GitHub's timestamps have one-second
 * resolution, so two events in the same second cannot be ordered: comparisons made with this
 * treat a tie as "maybe after", which for the stale-key guard means stop.
 */
export function wholeSeconds(timestamp: string): number {
  return Math.floor(Date.parse(timestamp) / 1000)
}

/**
 * Decides whether the key this run holds may be rotated. GitHub hands a run its secrets when the
 * run is queued (environment secrets when the job starts), so a key secret updated after that
 * means `current-key` is stale: rotating would push out the key the app really uses.
 */
export function decideFreshness(options: {
  readonly secretName: string
  /** The input that holds that secret's value; `current-key` unless told. */
  readonly inputName?: string
  /** undefined when the key secret does not exist yet. */
  readonly keyUpdatedAt?: string
  /** undefined when the run could not be read (outside Actions, or no actions: read). */
  readonly run?: RunTiming
  readonly minAgeDays: number
  readonly now: Date
}): Freshness {
  const { secretName, keyUpdatedAt, run } = options
  if (keyUpdatedAt === undefined) return { decision: 'rotate' }
  const updated = Date.parse(keyUpdatedAt)
  // A tie (the same second) may be an update after the run was queued: the guard fails safe.
  if (run && wholeSeconds(keyUpdatedAt) >= wholeSeconds(run.createdAt)) {
    if (run.runAttempt > 1 && wholeSeconds(keyUpdatedAt) < wholeSeconds(run.runStartedAt)) {
      return {
        decision: 'skip',
        reason:
          `${secretName} was updated at ${keyUpdatedAt}, after this run was queued (${run.createdAt}) and before ` +
          `this attempt started (${run.runStartedAt}): an earlier attempt of this run rotated it already. Rotating ` +
          'again would push out the key the deployed app may still use.'
      }
    }
    return {
      decision: 'stop',
      reason:
        `${secretName} changed at ${keyUpdatedAt}, after this run was queued at ${run.createdAt}, so the ` +
        `${options.inputName ?? 'current-key'} this run was given is stale and rotating would drop the key in use. ` +
        'Start a new run: it is given the new value. (A concurrency group on the workflow keeps rotations from overlapping. ' +
        "A change in the same second as the run counts as after it: GitHub's timestamps have one-second resolution.)"
    }
  }
  const age = options.now.getTime() - updated
  // With min-age-days 0 nothing is too young, not even a key GitHub's clock dates a moment after
  // this machine's.
  if (options.minAgeDays > 0 && age < options.minAgeDays * DAY_MILLISECONDS) {
    return {
      decision: 'skip',
      reason: `${secretName} was updated ${describeAge(age)} ago (${keyUpdatedAt}); min-age-days is ${options.minAgeDays}: not rotating yet.`
    }
  }
  return { decision: 'rotate' }
}

/**
 * Whole days and hours, rounded down: a key 29.96 days old is "29 days and 23 hours" old, never
 * "30.0 days" next to a min-age-days of 30.
 */
function describeAge(milliseconds: number): string {
  // A secret updated after `now` (clocks a little apart) is 0 days old, not -1 day and 23 hours.
  const age = Math.max(0, milliseconds)
  const days = Math.floor(age / DAY_MILLISECONDS)
  const hours = Math.floor((age % DAY_MILLISECONDS) / HOUR_MILLISECONDS)
  return `${plural(days, 'day')} and ${plural(hours, 'hour')}`
}
