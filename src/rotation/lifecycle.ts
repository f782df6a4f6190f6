/**
 * Where a key is in its life (staged, being promoted, or neither) and what `phase: auto` does
 * next. Pure: the facts come from the inputs, GitHub's own `updated_at` of the two secrets and the
 * stage record, never from a clock or a store of this action's own.
 */
import { fingerprint } from '../keys/fingerprint.js'
import type { KeyState, WritingPhase } from './plan.js'

/**
 * What a stage remembers, kept as a hidden line in its rotation issue: the fingerprints (never the
 * keys) of the staged key and of the key that was signing when it was staged. No permission beyond
 * "issues: write" is needed, and the promote that closes the issue ends the record.
 */
export interface StageRecord {
  readonly staged: string
  readonly signing: string
  /** The issue that holds the record. */
  readonly issueNumber: number
}

/**
 * `signing=withheld` when the signing key fails Django's rules: its fingerprint is never published
 * (keys/fingerprint.ts), so for such a key the record cannot tell whether SECRET_KEY changed since.
 */
const STAGE_RECORD =
  /<!-- rotate-django-secret-key staged=(sha256:[0-9a-f]{12}) signing=(sha256:[0-9a-f]{12}|withheld) -->/

/** The hidden line a stage issue carries, from the two keys' fingerprints. */
export function stageRecordLine(stagedFingerprint: string, signingFingerprint: string): string {
  const signing = signingFingerprint.startsWith('sha256:') ? signingFingerprint : 'withheld'
  return `<!-- rotate-django-secret-key staged=${stagedFingerprint} signing=${signing} -->`
}

/** The stage record an issue body holds, if any. */
export function readStageRecord(body: string, issueNumber: number): StageRecord | undefined {
  const match = STAGE_RECORD.exec(body)
  return match ? { staged: match[1], signing: match[2], issueNumber } : undefined
}

export type Staging =
  | { readonly status: 'none' }
  /** The staged key is the first fallback and the key it was staged over still signs. */
  | { readonly status: 'staged'; readonly key: string; readonly record: StageRecord }
  /** A promote of this key started and has writes or its issue still to do. */
  | { readonly status: 'promoting'; readonly key: string; readonly record: StageRecord }
  /** The record does not match the keys this run was given: stale inputs, or keys changed by hand. */
  | { readonly status: 'mismatch'; readonly reason: string; readonly record: StageRecord }

/** Reads the staged key's status from the keys this run holds and the stage record. */
export function stagingOf(state: KeyState, record: StageRecord | undefined): Staging {
  if (!record) return { status: 'none' }
  const key = [state.key, ...state.fallbacks].find((entry) => fingerprint(entry) === record.staged)
  const where = `the key staged in #${record.issueNumber} (${record.staged})`
  if (key === undefined) {
    return {
      status: 'mismatch',
      record,
      reason:
        `Input "current-fallbacks" does not hold ${where}: it is stale or the fallbacks were changed by hand. ` +
        'Pass current-fallbacks: ${{ secrets.SECRET_KEY_FALLBACKS }} from a run started after the stage, or stage a new key'
    }
  }
  if (state.key === key) return { status: 'promoting', key, record }
  if (record.signing !== 'withheld' && fingerprint(state.key) !== record.signing) {
    // A key that signed after this one was staged is newer: promoting would make an older key sign.
    return {
      status: 'mismatch',
      record,
      reason:
        `SECRET_KEY is no longer the key ${where} was staged over (${record.signing}): it changed since, and an ` +
        'older key is never made SECRET_KEY again. Stage a new key'
    }
  }
  if (state.fallbacks[0] === key) return { status: 'staged', key, record }
  // An interrupted promote: its first write put the signing key in front of the staged one.
  if (state.fallbacks[0] === state.key) return { status: 'promoting', key, record }
  return {
    status: 'mismatch',
    record,
    reason: `Input "current-fallbacks" does not hold ${where} as its first entry: stage a new key`
  }
}

export type Decision =
  { readonly phase: WritingPhase } | { readonly phase: undefined; readonly skipReason: string }

const DAY_MILLISECONDS = 24 * 60 * 60 * 1000
/**
 * A daily cron does not fire at the same second every day (GitHub delays scheduled runs under
 * load), so an age counts as reached an hour early: `promote-after-days: 1` promotes at the next
 * day's run, not the one after it.
 */
const SCHEDULE_SLACK_DAYS = 1 / 24

/** How old a secret is, in days; shown with one decimal. */
export function ageInDays(updatedAt: string, now: Date): number {
  return (now.getTime() - Date.parse(updatedAt)) / DAY_MILLISECONDS
}

/** True when `age` days reach `days`, within the slack a scheduled run's jitter needs. */
function reached(age: number, days: number): boolean {
  return age + SCHEDULE_SLACK_DAYS >= days
}

export interface LifeFacts {
  readonly staging: Staging
  readonly secretName: string
  readonly fallbacksSecretName: string
  /** undefined when the secret does not exist. */
  readonly keyUpdatedAt?: string
  readonly fallbacksUpdatedAt?: string
  /** True when the fallbacks hold a key that is not staged. */
  readonly hasOldKeys: boolean
  readonly minAgeDays: number
  readonly promoteAfterDays: number
  readonly retireAfterDays: number
  readonly now: Date
}

/**
 * `phase: auto`, for one daily cron: finish or promote a staged key once it is old enough, else
 * stage when the key is old enough, else retire old fallbacks once they are old enough, else wait.
 * A record that does not match the keys stops the run (its reason says why), as a promote would.
 */
export function decidePhase(facts: LifeFacts): Decision {
  const { staging, now } = facts
  if (staging.status === 'mismatch') throw new Error(staging.reason)
  if (staging.status === 'promoting') return { phase: 'promote' }
  const fallbacksAge = facts.fallbacksUpdatedAt ? ageInDays(facts.fallbacksUpdatedAt, now) : 0
  if (staging.status === 'staged') {
    if (reached(fallbacksAge, facts.promoteAfterDays)) return { phase: 'promote' }
    return {
      phase: undefined,
      skipReason:
        `the key ${staging.record.staged} was staged ${fallbacksAge.toFixed(1)} days ago (${facts.fallbacksSecretName} ` +
        `updated ${facts.fallbacksUpdatedAt}); promote-after-days is ${facts.promoteAfterDays}: waiting for every instance to trust it.`
    }
  }
  if (facts.keyUpdatedAt === undefined) {
    throw new Error(
      `${facts.secretName} does not exist yet, so there is nothing to stage a key next to: run once with ` +
        'phase: rotate to create the first key, then phase: auto'
    )
  }
  const keyAge = ageInDays(facts.keyUpdatedAt, now)
  if (reached(keyAge, facts.minAgeDays)) return { phase: 'stage' }
  const retiring = facts.retireAfterDays > 0 && facts.hasOldKeys
  if (retiring && reached(fallbacksAge, facts.retireAfterDays)) return { phase: 'retire' }
  const keyPart = `${facts.secretName} is ${keyAge.toFixed(1)} days old (min-age-days ${facts.minAgeDays})`
  const retirePart = !facts.hasOldKeys
    ? 'there are no old fallbacks to retire'
    : facts.retireAfterDays === 0
      ? 'retire-after-days is 0, so old fallbacks are never retired'
      : `the old fallbacks were written ${fallbacksAge.toFixed(1)} days ago (retire-after-days ${facts.retireAfterDays})`
  return { phase: undefined, skipReason: `${keyPart} and ${retirePart}: nothing to do today.` }
}

/** `phase: retire`: only once the fallbacks secret was last written `retireAfterDays` ago. */
export function decideRetire(facts: LifeFacts): Decision {
  if (!facts.hasOldKeys) {
    return {
      phase: undefined,
      skipReason: `${facts.fallbacksSecretName} holds no old key to retire.`
    }
  }
  const age = facts.fallbacksUpdatedAt ? ageInDays(facts.fallbacksUpdatedAt, facts.now) : Infinity
  if (reached(age, facts.retireAfterDays)) return { phase: 'retire' }
  return {
    phase: undefined,
    skipReason:
      `${facts.fallbacksSecretName} was written ${age.toFixed(1)} days ago (${facts.fallbacksUpdatedAt}); ` +
      `retire-after-days is ${facts.retireAfterDays}: its old keys may still verify live sessions.`
  }
}
