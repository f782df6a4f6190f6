import type { GitHubRequest } from '../github/github-request.js'
import { markdownText } from './markdown.js'

/** What takes a secret's place in a text that leaves the runner; the runner's own mask shows ***. */
const REDACTED = '***'
/**
 * A line of a multi-line secret (a PEM block's base64 lines) shorter than this is not removed on
 * its own: "-----" or a two-letter line would otherwise blank out ordinary words.
 */
const SHORTEST_SECRET_LINE = 8
/** The request parameters a person reads: an issue's title and body, a comment's body. */
const PUBLISHED_PARAMETERS = ['title', 'body'] as const

/**
 * Removes every input secret (the tokens, the current key, each fallback, the new key) from text
 * that leaves the runner: issues, comments, the job summary, annotations and the step's error.
 *
 * The runner's `::add-mask::` hides secrets in the log only; an issue or a summary is written by
 * the action itself, so it must remove them itself. A secret is also removed in the forms a
 * message may quote it in: JSON-escaped, escaped as workflow-command data or as Markdown, and line
 * by line.
 */
export class SecretScrubber {
  private readonly secrets = new Set<string>()

  /** Registers a secret; empty values and duplicates are ignored. */
  add(secret: string): void {
    for (const part of maskableParts(secret)) {
      for (const form of quotedForms(part)) this.secrets.add(form)
    }
  }

  /** `text` with every registered secret replaced by ***. */
  scrub(text: string): string {
    // Longest first, so that a secret containing another is removed whole.
    const secrets = [...this.secrets].sort((a, b) => b.length - a.length)
    return secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join(REDACTED), text)
  }

  /**
   * A request function that scrubs what a person will read (issue titles and bodies, comment
   * bodies) before it is sent; every other parameter is sent as it is.
   */
  scrubRequests(request: GitHubRequest): GitHubRequest {
    return (route, parameters) => {
      if (parameters === undefined) return request(route, parameters)
      const scrubbed = { ...parameters }
      for (const name of PUBLISHED_PARAMETERS) {
        const value = scrubbed[name]
        if (typeof value === 'string') scrubbed[name] = this.scrub(value)
      }
      return request(route, scrubbed)
    }
  }
}

/**
 * The values to mask for one secret: the secret itself and, when it spans lines (a PEM block, a
 * list of keys one per line), each line long enough to be a secret on its own, since a message
 * may quote a single line of it.
 */
export function maskableParts(secret: string): string[] {
  if (secret.trim() === '') return []
  const lines = secret
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= SHORTEST_SECRET_LINE)
  return [...new Set([secret, ...(/[\r\n]/.test(secret) ? lines : [])])]
}

/**
 * The secret as it is, and as JSON, workflow-command and Markdown escaping would quote it: the
 * issues and the summary escape a message before the scrubber sees it.
 */
function quotedForms(secret: string): string[] {
  return [
    secret,
    markdownText(secret),
    JSON.stringify(secret).slice(1, -1),
    secret.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  ]
}
