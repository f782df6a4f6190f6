import { nextFallbacks } from '../keys/fallbacks.js'

/**
 * What to write, and in which order, for each phase of a key's life: pure functions from the keys
 * GitHub holds now to a list of writes, each with the state it leaves behind. The executor
 * (execute.ts) carries a plan out; nothing here talks to GitHub.
 *
 * The invariant every phase but one-step `rotate` keeps: a deploy may pick up the secrets between
 * any two writes while instances started before the run still serve, so every two states among
 * "before the run", "after each write" and "final" accept each other's signing key (a's
 * SECRET_KEY is SECRET_KEY or a fallback in b, and the other way round).
 */

/** The two secrets as Django reads them: the signing key and the fallbacks, newest first. */
export interface KeyState {
  readonly key: string
  readonly fallbacks: readonly string[]
}

/** One PUT: which secret, and the whole state it leaves (the value written is read from it). */
export interface PlannedWrite {
  readonly secret: 'key' | 'fallbacks'
  readonly leaves: KeyState
}

export const PHASES = ['rotate', 'stage', 'promote', 'retire', 'auto'] as const
export type Phase = (typeof PHASES)[number]
/** What a run can do once `auto` has decided. */
export type WritingPhase = Exclude<Phase, 'auto'>

export type PlanRequest =
  | {
      readonly phase: 'rotate'
      readonly newKey: string
      readonly maxFallbacks: number
      readonly revokePrevious: boolean
    }
  | {
      readonly phase: 'stage'
      readonly newKey: string
      readonly maxFallbacks: number
      /** A staged key that was never promoted: the new one replaces it, it never signed anything. */
      readonly replacing?: string
    }
  | { readonly phase: 'promote'; readonly staged: string; readonly maxFallbacks: number }
  | { readonly phase: 'retire'; readonly staged?: string }

/**
 * The writes that take `state` to the phase's final state, in order. A phase planned from any
 * state one of its own earlier runs left behind plans only what is still missing, so a re-run after
 * a failure completes the phase; writes that would change nothing are left out.
 */
export function planWrites(state: KeyState, request: PlanRequest): PlannedWrite[] {
  switch (request.phase) {
    case 'rotate':
      return planRotate(state, request.newKey, request.maxFallbacks, request.revokePrevious)
    case 'stage':
      return planStage(state, request.newKey, request.maxFallbacks, request.replacing)
    case 'promote':
      return planPromote(state, request.staged, request.maxFallbacks)
    case 'retire':
      return planRetire(state, request.staged)
  }
}

/** The state after the last write of a plan, or `state` itself when there is nothing to write. */
export function finalState(state: KeyState, writes: readonly PlannedWrite[]): KeyState {
  return writes.at(-1)?.leaves ?? state
}

/**
 * One-step rotation, Django's own procedure: the old key to the front of the fallbacks, then the
 * new key. The fallbacks go first so a run that dies between the two leaves the old key as
 * SECRET_KEY and as the first fallback. Exempt from the invariant: the new key signs before any
 * instance was told to trust it, so a rolling deploy can log users out (the README says so).
 */
function planRotate(
  state: KeyState,
  newKey: string,
  maxFallbacks: number,
  revokePrevious: boolean
): PlannedWrite[] {
  const { kept: fallbacks } = nextFallbacks({
    currentKey: state.key,
    currentFallbacks: state.fallbacks,
    newKey,
    maxFallbacks,
    revokePrevious
  })
  return [
    { secret: 'fallbacks', leaves: { key: state.key, fallbacks } },
    { secret: 'key', leaves: { key: newKey, fallbacks } }
  ]
}

/**
 * Stage: the new key becomes the first fallback, trusted by every instance deployed from now on
 * while SECRET_KEY keeps signing. The old keys behind it are cut to max-fallbacks; the staged key
 * does not count against it, or max-fallbacks 0 could never stage. One write, and SECRET_KEY is
 * the same before and after it, so the invariant holds trivially.
 */
function planStage(
  state: KeyState,
  newKey: string,
  maxFallbacks: number,
  replacing: string | undefined
): PlannedWrite[] {
  const old = distinct(state.fallbacks, [state.key, newKey, replacing ?? '']).slice(0, maxFallbacks)
  return [{ secret: 'fallbacks', leaves: { key: state.key, fallbacks: [newKey, ...old] } }]
}

/**
 * Promote: the staged key S signs and the old key K becomes the first fallback. Three writes,
 * because no shorter order keeps the invariant:
 *
 * 1. fallbacks := [K, S, ...]. Before it, fallbacks are [S, ...]: K is SECRET_KEY, S a fallback.
 *    Writing the key first would leave (S, [S, ...]), where K is nowhere and sessions K signed are
 *    rejected; writing the final fallbacks [K, ...] first would drop S from a state that must
 *    accept the final SECRET_KEY. So this write carries both, and K and S stay valid everywhere.
 * 2. SECRET_KEY := S. Every earlier state holds S as a fallback, and this one holds K.
 * 3. fallbacks := [K, ...] without S, which now signs: keeping it there would waste a slot and make
 *    the list look as if S were still staged. K stays even with max-fallbacks 0, because
 *    instances deployed before this run sign with K; only retire drops it.
 *
 * From a state an interrupted promote left behind, the same targets are reached with the writes
 * still missing. Only S is ever written to SECRET_KEY, so no re-run makes an older key sign again.
 */
function planPromote(state: KeyState, staged: string, maxFallbacks: number): PlannedWrite[] {
  const signing = state.key !== staged
  const oldKey = signing ? state.key : (state.fallbacks.find((key) => key !== staged) ?? '')
  const older = distinct(state.fallbacks, [oldKey, staged])
  const kept = [oldKey, ...older].filter((key) => key !== '').slice(0, Math.max(1, maxFallbacks))
  const final: KeyState = { key: staged, fallbacks: kept }
  const writes: PlannedWrite[] = []
  let current = state
  const write = (secret: PlannedWrite['secret'], leaves: KeyState): void => {
    if (sameState(current, leaves)) return
    writes.push({ secret, leaves })
    current = leaves
  }
  if (signing) {
    write('fallbacks', {
      key: state.key,
      fallbacks: [...kept.slice(0, 1), staged, ...kept.slice(1)]
    })
    write('key', { key: staged, fallbacks: current.fallbacks })
  }
  write('fallbacks', final)
  return writes
}

/** Retire: rewrite the fallbacks without the old keys, keeping a staged key. Never writes SECRET_KEY. */
function planRetire(state: KeyState, staged: string | undefined): PlannedWrite[] {
  const kept = staged !== undefined && state.fallbacks[0] === staged ? [staged] : []
  if (sameList(kept, state.fallbacks)) return []
  return [{ secret: 'fallbacks', leaves: { key: state.key, fallbacks: kept } }]
}

/** True when every two of `states` accept each other's signing key (see the invariant above). */
export function acceptEachOther(states: readonly KeyState[]): boolean {
  const accepts = (state: KeyState, key: string): boolean =>
    key === '' || state.key === key || state.fallbacks.includes(key)
  return states.every((a) => states.every((b) => accepts(b, a.key)))
}

/** `keys` without empty entries, duplicates or any of `excluded`, order kept. */
function distinct(keys: readonly string[], excluded: readonly string[]): string[] {
  return keys.filter(
    (key, index) => key !== '' && !excluded.includes(key) && keys.indexOf(key) === index
  )
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, index) => key === b[index])
}

function sameState(a: KeyState, b: KeyState): boolean {
  return a.key === b.key && sameList(a.fallbacks, b.fallbacks)
}
