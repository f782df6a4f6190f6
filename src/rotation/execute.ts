import { describeAnswer, explainGitHubError } from '../github/github-errors.js'
import { outcomeUnknown } from '../github/github-request.js'
import { formatKeyList, type FallbacksFormat } from '../keys/fallbacks.js'
import { sealSecret } from '../keys/seal.js'
import type { SecretScope } from '../github/scope.js'
import type { PublicKey, SecretMetadata, SecretsApi, WriteResult } from '../github/secrets-api.js'
import type { Log } from '../log.js'
import { confirmWrite } from './confirm-write.js'
import type { PlannedWrite } from './plan.js'
import type { SecretWrite } from './report.js'

export interface WriteTarget {
  readonly secrets: SecretsApi
  readonly scope: SecretScope
  readonly publicKey: PublicKey
  readonly secretName: string
  readonly fallbacksSecretName: string
  readonly fallbacksFormat: FallbacksFormat
  readonly log: Log
  /** Each secret's metadata before this run wrote anything; undefined when it did not exist. */
  readonly before: Readonly<Record<string, SecretMetadata | undefined>>
  /** When this run was queued, by GitHub's clock, for confirming a write whose answer was lost. */
  readonly runCreatedAt?: string
  readonly now: () => Date
}

/** One request a planned write becomes: a PUT, or a DELETE for an empty fallbacks list. */
export interface WriteStep {
  readonly name: string
  readonly kind: 'write' | 'delete'
  readonly value: string
  /** The secret's metadata before this step, when known: only for the first step on a secret. */
  readonly before: SecretMetadata | undefined
  /** True when an earlier step of this run changed the secret, so `before` is not known. */
  readonly rewrite: boolean
}

/** The secret a planned write goes to. */
export function secretNameOf(
  write: PlannedWrite,
  target: Pick<WriteTarget, 'secretName' | 'fallbacksSecretName'>
): string {
  return write.secret === 'key' ? target.secretName : target.fallbacksSecretName
}

/**
 * The requests a plan becomes. An empty list is never stored: the fallbacks secret is deleted,
 * or left absent when it does not exist, so an existing fallbacks secret always holds keys.
 */
export function stepsOf(
  writes: readonly PlannedWrite[],
  target: Pick<WriteTarget, 'secretName' | 'fallbacksSecretName' | 'fallbacksFormat' | 'before'>
): WriteStep[] {
  const exists: Record<string, boolean> = {}
  const touched = new Set<string>()
  const steps: WriteStep[] = []
  for (const write of writes) {
    const name = secretNameOf(write, target)
    exists[name] ??= target.before[name] !== undefined
    const empty = write.secret === 'fallbacks' && write.leaves.fallbacks.length === 0
    if (empty && !exists[name]) continue
    steps.push({
      name,
      kind: empty ? 'delete' : 'write',
      value:
        write.secret === 'key'
          ? write.leaves.key
          : formatKeyList(write.leaves.fallbacks, target.fallbacksFormat),
      before: touched.has(name) ? undefined : target.before[name],
      rewrite: touched.has(name)
    })
    exists[name] = !empty
    touched.add(name)
  }
  return steps
}

/**
 * Carries out the steps of a plan: every value is sealed first, so nothing is written unless all
 * of it can be, then the requests go out one at a time in the plan's order, each only once the one
 * before it was answered. `done` records each completed write as it happens, so a failure can say
 * exactly where the secrets stand. When GitHub's answer to a write is lost, the secret's metadata
 * tells whether it was applied; `fail` turns what went wrong into the run's failure.
 */
export async function executeSteps(
  steps: readonly WriteStep[],
  target: WriteTarget,
  done: SecretWrite[],
  fail: (message: string, cause: unknown) => Error
): Promise<void> {
  const sealed = await Promise.all(
    steps.map((step) =>
      step.kind === 'delete' ? undefined : sealSecret(step.value, target.publicKey.key)
    )
  )
  for (const [index, step] of steps.entries()) {
    const encryptedValue = sealed[index]
    const sentAt = target.now()
    const request = (): Promise<WriteResult> =>
      encryptedValue === undefined
        ? target.secrets.delete(target.scope, step.name)
        : target.secrets.write(target.scope, step.name, {
            encryptedValue,
            keyId: target.publicKey.keyId
          })
    const result = await request().catch(async (error: unknown) => {
      const explained = explainGitHubError(
        error,
        `write ${step.name}`,
        target.scope,
        'token'
      ).message
      if (!outcomeUnknown(error)) throw fail(explained, error)
      // GitHub may have applied the write and lost the answer: ask the secret, never guess. A
      // secret this run wrote once already has no known earlier stamp to compare with.
      const outcome = step.rewrite
        ? 'unknown'
        : await confirmWrite(target.secrets, target.scope, {
            ...step,
            runCreatedAt: target.runCreatedAt,
            sentAt
          })
      if (outcome === 'applied') {
        target.log.warning(
          `GitHub's answer to the ${step.name} write was lost (${describeAnswer(error)}), but the ` +
            "secret's metadata shows the write was applied: going on."
        )
        return appliedResult(step)
      }
      if (outcome === 'not applied') {
        throw fail(`${explained} ${step.name}'s metadata shows GitHub did not apply it.`, error)
      }
      // No advice to run again here: the state that follows says what to check first.
      done.push({ name: step.name, result: 'unknown' })
      throw fail(
        `Could not confirm the ${step.name} write for the ${target.scope.label}: ${describeAnswer(error)}. ` +
          `Whether GitHub applied the write is unknown: ${step.name}'s metadata could not tell.`,
        error
      )
    })
    done.push({ name: step.name, result })
    target.log.info(`${step.name} ${result}`)
  }
}

/** What GitHub would have answered to a write that its metadata shows was applied. */
function appliedResult(step: WriteStep): WriteResult {
  if (step.kind === 'delete') return 'deleted'
  return step.before ? 'updated' : 'created'
}
