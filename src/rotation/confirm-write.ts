import type { SecretMetadata, SecretsApi } from '../github/secrets-api.js'
import type { SecretScope } from '../github/scope.js'
import { wholeSeconds } from './freshness.js'

/** How far the runner's clock may be from GitHub's when the run's own time is not known. */
const CLOCK_MARGIN_SECONDS = 60

/** What a secret write whose answer was lost really did. */
export type WriteOutcome = 'applied' | 'not applied' | 'unknown'

/**
 * Learns from the secret's metadata whether a write (or a deletion) whose answer was lost was
 * applied. GitHub never returns a value, but it stamps every write with `updated_at`, in whole
 * seconds: a stamp later than the one read before the write means it was applied; an unchanged
 * stamp older than this run means it was not (anything this run writes is stamped no earlier
 * than the run was queued, or, when the run could not be read, than a minute before the write
 * was sent by the runner's clock, a margin far above the skew of a synchronised clock). Anything
 * else, and a failed read, is `unknown`: the run then says so instead of guessing.
 */
export async function confirmWrite(
  secrets: SecretsApi,
  scope: SecretScope,
  write: {
    readonly name: string
    readonly kind: 'write' | 'delete'
    /** The metadata read before the write; undefined when the secret did not exist. */
    readonly before: SecretMetadata | undefined
    /** When this run was queued, by GitHub's clock; undefined when the run could not be read. */
    readonly runCreatedAt?: string
    /** When the write was sent, by the runner's clock. */
    readonly sentAt: Date
  }
): Promise<WriteOutcome> {
  let after: SecretMetadata | undefined
  try {
    after = await secrets.metadata(scope, write.name)
  } catch {
    return 'unknown'
  }
  const { before } = write
  if (write.kind === 'delete') {
    if (after === undefined) return 'applied'
    return before !== undefined && after.updatedAt === before.updatedAt ? 'not applied' : 'unknown'
  }
  if (after === undefined) return 'not applied'
  if (before === undefined) return 'applied'
  const [was, is] = [wholeSeconds(before.updatedAt), wholeSeconds(after.updatedAt)]
  if (is > was) return 'applied'
  const notBefore =
    write.runCreatedAt === undefined
      ? Math.floor(write.sentAt.getTime() / 1000) - CLOCK_MARGIN_SECONDS
      : wholeSeconds(write.runCreatedAt)
  return is === was && was < notBefore ? 'not applied' : 'unknown'
}
