import { createHash } from 'node:crypto'
import { djangoKeyProblems } from './key.js'

/**
 * A short, stable name for a key that reveals nothing usable about it: `sha256:` and the first 12
 * hex characters of its SHA-256. Logs, outputs, summaries and issues show this, never the key.
 */
export function fingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)}`
}

/** What is published instead of the fingerprint of a key that fails Django's rules. */
export const WITHHELD_FINGERPRINT = 'weak key, fingerprint withheld'

/**
 * The fingerprint to publish (issues, summary, outputs, log) for a key the user brought. A
 * fingerprint is an unsalted hash: for a strong key it reveals nothing, but a key that fails
 * Django's security.W009 / W025 (short, repetitive, a django-insecure- key) can be guessed, and
 * its fingerprint would let anyone confirm a guess offline while the key still signs as a
 * fallback. Such a key gets WITHHELD_FINGERPRINT instead.
 */
export function publishedFingerprint(key: string): string {
  return djangoKeyProblems(key).length > 0 ? WITHHELD_FINGERPRINT : fingerprint(key)
}
