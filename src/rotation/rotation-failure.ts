import type { SecretWrite } from './report.js'
import type { SecretScope } from '../github/scope.js'

export interface SecretNames {
  readonly secretName: string
  readonly fallbacksSecretName: string
}

/**
 * A rotation that failed after its inputs were valid. Its message says what failed and then where
 * the secrets stand, so the step's error alone tells a user whether the app is safe.
 */
export class RotationFailure extends Error {
  /** What was written before the failure. */
  readonly writes: readonly SecretWrite[]

  constructor(
    /** What failed and why, without the state of the secrets. */
    readonly reason: string,
    readonly scope: SecretScope,
    writes: readonly SecretWrite[],
    readonly names: SecretNames,
    options?: ErrorOptions
  ) {
    super(`${reason} ${describeSecretsState(writes, names)}`, options)
    this.name = 'RotationFailure'
    this.writes = [...writes]
  }
}

/**
 * Where the secrets stand after a failure, and whether the app is safe. The write order makes the
 * answer "safe" in every case: the key secret is written last, so until it is, it holds the old key.
 */
export function describeSecretsState(
  writes: readonly SecretWrite[],
  { secretName, fallbacksSecretName }: SecretNames
): string {
  const written = writes.filter((write) => write.result !== 'planned').map((write) => write.name)
  if (written.length === 0) {
    return `Nothing was written: ${secretName} and ${fallbacksSecretName} are as they were, and the app is safe as it stands.`
  }
  if (!written.includes(secretName)) {
    return (
      `${fallbacksSecretName} was written; ${secretName} was not and still holds the old key, which is also the first ` +
      'fallback: the app is safe as it stands, before or after a redeploy. Run the workflow again to finish the rotation.'
    )
  }
  return `${fallbacksSecretName} and ${secretName} were both written: the rotation itself is complete. Redeploy so the app loads the new key.`
}
