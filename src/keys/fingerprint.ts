import { createHash } from 'node:crypto'

/**
 * A short, stable name for a key that reveals nothing usable about it: `sha256:` and the first 12
 * hex characters of its SHA-256. Logs, outputs, summaries and issues show this, never the key.
 */
export function fingerprint(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)}`
}
