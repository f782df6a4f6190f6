import type { Phase } from './plan.js'
import type { SecretWrite } from './report.js'
import type { SecretScope } from '../github/scope.js'

export interface SecretNames {
  readonly secretName: string
  readonly fallbacksSecretName: string
  /** The phase that was writing; one-step rotate when undefined or `auto` (nothing decided yet). */
  readonly phase?: Phase
}

/** What a failure report needs to say where the secrets stand. Never a key or a token. */
export interface SecretsStateContext extends SecretNames {
  /** What the fallbacks write puts in place; undefined when the run failed before planning it. */
  readonly fallbacksPlan?: {
    /** True when the key in use (the old key) is the first fallback written. */
    readonly keepsOldKey: boolean
    /** How many keys the fallbacks secret holds once written. */
    readonly count: number
  }
}

/**
 * A rotation that failed after its inputs were valid. Its message says what failed and then where
 * the secrets stand, so the step's error alone tells a user whether the app is safe.
 */
export class RotationFailure extends Error {
  /** What was written before the failure. */
  readonly writes: readonly SecretWrite[]
  /**
   * Copied field by field: a failure is rendered into issues and summaries, so it must not hold
   * the inputs (tokens, keys) even when it is handed the whole inputs object.
   */
  readonly names: SecretsStateContext

  constructor(
    /** What failed and why, without the state of the secrets. */
    readonly reason: string,
    readonly scope: SecretScope,
    writes: readonly SecretWrite[],
    context: SecretsStateContext,
    options?: ErrorOptions
  ) {
    super(`${reason} ${describeSecretsState(writes, context)}`, options)
    this.name = 'RotationFailure'
    this.writes = [...writes]
    // Only what the report needs: a caller may pass a larger object (the inputs, say).
    this.names = {
      secretName: context.secretName,
      fallbacksSecretName: context.fallbacksSecretName,
      ...(context.phase ? { phase: context.phase } : {}),
      ...(context.fallbacksPlan ? { fallbacksPlan: { ...context.fallbacksPlan } } : {})
    }
  }
}

/**
 * Where the secrets stand after a failure, and whether the app is safe, derived from what was
 * written. The key secret is written last, so until it is, it holds the old key; whether that key
 * is also a fallback depends on the plan (max-fallbacks 0 and revoke-previous empty the list).
 */
export function describeSecretsState(
  writes: readonly SecretWrite[],
  context: SecretsStateContext
): string {
  const { secretName: key, fallbacksSecretName: fallbacks, fallbacksPlan: plan } = context
  const resultOf = (name: string) => writes.find((write) => write.name === name)?.result
  const done = (name: string) => {
    const result = resultOf(name)
    return result !== undefined && result !== 'planned' && result !== 'unknown'
  }
  const keyResult = resultOf(key)
  const fallbacksResult = resultOf(fallbacks)

  if (!done(key) && keyResult !== 'unknown' && !done(fallbacks) && fallbacksResult !== 'unknown') {
    return `Nothing was written: ${key} and ${fallbacks} are as they were, and the app is safe as it stands.`
  }
  const phase = context.phase
  if (phase === 'stage' || phase === 'promote' || phase === 'retire') {
    // The plans of these phases keep every state they pass through mutually valid (plan.ts).
    const written = writes
      .filter((write) => write.result !== 'planned' && write.result !== 'unknown')
      .map((write) => write.name)
    const unknown = writes.filter((write) => write.result === 'unknown').map((write) => write.name)
    const stopped =
      written.length === 0
        ? `The ${phase} wrote nothing for certain`
        : `The ${phase} stopped after ${written.length} of its writes (${written.join(', then ')})`
    const doubt =
      unknown.length > 0 ? `, and whether GitHub applied the next (${unknown[0]}) is unknown` : ''
    return (
      `${stopped}${doubt}. Every state it passes through accepts the signing key of every other, so instances ` +
      "deployed before, during or after it keep each other's sessions valid. Run the workflow again with phase: " +
      `${phase} (or auto) to finish it.`
    )
  }
  const held = fallbacksContent(fallbacks, plan, fallbacksResult === 'deleted')
  if (keyResult === 'unknown') {
    return (
      `${held} Whether ${key} now holds the new key is unknown: GitHub's answer to that write was lost and the ` +
      `secret's metadata could not tell. Do not start another rotation yet: look at ${key}'s "Last updated" time under ` +
      'Settings → Secrets. If it is the time of this run, the rotation is complete: redeploy before any later rotation, ' +
      `which would otherwise drop the key the app still uses. If it is older, ${key} still holds the old key: run the ` +
      'workflow again to finish the rotation.'
    )
  }
  if (fallbacksResult === 'unknown') {
    const ifWritten = plan?.keepsOldKey
      ? 'if it was, it starts with the old key'
      : `if it was, it holds ${plan?.count ? 'the planned keys but not the old key' : 'no key anymore'}`
    return (
      `Whether ${fallbacks} was written is unknown: GitHub's answer to that write was lost and the secret's metadata ` +
      `could not tell (${ifWritten}). ${key} was not written and still holds the old key, the one the app uses, so ` +
      'the app works as it stands. Run the workflow again to finish the rotation.'
    )
  }
  if (!done(key)) {
    if (plan?.keepsOldKey) {
      return (
        `${fallbacks} was written; ${key} was not and still holds the old key, which is also the first ` +
        'fallback: the app is safe as it stands, before or after a redeploy. Run the workflow again to finish the rotation.'
      )
    }
    return (
      `${held} ${key} was not written and still holds the old key, so the app keeps working with it` +
      (plan?.count === 0
        ? ", but a redeploy now loads no fallback: values signed with earlier keys stop validating, as this run's settings asked. "
        : '. ') +
      'Run the workflow again to finish the rotation.'
    )
  }
  return (
    `${fallbacks} and ${key} were both written: the rotation itself is complete. Redeploy so the app loads the new key` +
    (plan && !plan.keepsOldKey ? ', after which the old key no longer validates.' : '.')
  )
}

/** What the fallbacks secret holds after its write, in one sentence. */
function fallbacksContent(
  name: string,
  plan: SecretsStateContext['fallbacksPlan'],
  deleted: boolean
): string {
  if (deleted) return `${name} was emptied (deleted: an empty list is not stored).`
  if (!plan) return `${name} was written.`
  if (plan.keepsOldKey) return `${name} was written and starts with the old key.`
  return plan.count === 0
    ? `${name} was written and holds no key.`
    : `${name} was written with ${plan.count} earlier key${plan.count === 1 ? '' : 's'}, not the old key.`
}
