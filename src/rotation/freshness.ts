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

const DAY_MILLISECONDS = 24 * 60 * 60 * 1000

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
        'current-key this run was given is stale and rotating would drop the key in use. ' +
        'Start a new run: it is given the new value. (A concurrency group on the workflow keeps rotations from overlapping. ' +
        "A change in the same second as the run counts as after it: GitHub's timestamps have one-second resolution.)"
    }
  }
  const ageDays = (options.now.getTime() - updated) / DAY_MILLISECONDS
  if (ageDays < options.minAgeDays) {
    return {
      decision: 'skip',
      reason: `${secretName} was updated ${ageDays.toFixed(1)} days ago (${keyUpdatedAt}); min-age-days is ${options.minAgeDays}: not rotating yet.`
    }
  }
  return { decision: 'rotate' }
}
