import {
  FALLBACKS_FORMATS,
  isListableKey,
  parseKeyList,
  type FallbacksFormat
} from './keys/fallbacks.js'
import { KEY_ALPHABETS, MAX_KEY_LENGTH, MIN_KEY_LENGTH, type KeyAlphabet } from './keys/key.js'
import type { Repository } from './github/scope.js'

/** Every input of action.yml, read once, parsed and checked. */
export interface Inputs {
  readonly token: string
  readonly currentKey: string
  readonly currentFallbacks: readonly string[]
  readonly secretName: string
  readonly fallbacksSecretName: string
  readonly repository: Repository
  /** Empty for the repository's own secrets. */
  readonly environment: string
  readonly maxFallbacks: number
  readonly keyLength: number
  readonly keyAlphabet: KeyAlphabet
  readonly fallbacksFormat: FallbacksFormat
  readonly revokePrevious: boolean
  readonly dryRun: boolean
  readonly openIssue: boolean
  readonly issueToken: string
  readonly issueLabels: readonly string[]
  readonly issueAssignees: readonly string[]
  readonly closePreviousIssue: boolean
  readonly minAgeDays: number
  readonly issueOnFailure: boolean
  readonly failOnIssueError: boolean
}

/** Reads one input by its action.yml name; `core.getInput` (which trims) in the action. */
export type InputReader = (name: string) => string

const MAX_FALLBACKS = 20
const MAX_MIN_AGE_DAYS = 3650
/** GitHub's limit for one secret value. */
const MAX_SECRET_BYTES = 48 * 1024
/** GitHub's rules for secret names (docs.github.com/actions/security-guides/using-secrets-in-github-actions). */
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const REPOSITORY = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/
const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, false: false }
/** GitHub refuses a longer label name, and with it the whole issue. */
const MAX_LABEL_LENGTH = 50

/**
 * Parses every input and checks them together. All problems are reported at once, each naming the
 * input, what was given (never a key) and what is allowed, before any request is made.
 */
export function readInputs(read: InputReader): Inputs {
  const problems: string[] = []
  const check = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse()
    } catch (error) {
      problems.push((error as Error).message)
      return fallback
    }
  }

  const token = check(
    () => required(read, 'token', 'a token with "Secrets: write"; see the README\'s Permissions'),
    ''
  )
  const currentKey = check(() => key(read, 'current-key'), '')
  const currentFallbacks = check(() => keyList(read, 'current-fallbacks'), [])
  const secretName = check(() => secretNameInput(read, 'secret-name'), 'SECRET_KEY')
  const fallbacksSecretName = check(
    () => secretNameInput(read, 'fallbacks-secret-name'),
    'SECRET_KEY_FALLBACKS'
  )
  if (secretName.toUpperCase() === fallbacksSecretName.toUpperCase()) {
    problems.push(
      `Inputs "secret-name" and "fallbacks-secret-name" must name different secrets, got "${read('secret-name')}" ` +
        `and "${read('fallbacks-secret-name')}" (GitHub ignores case in secret names)`
    )
  }
  const repository = check(() => repositoryInput(read), { owner: '', repo: '' })
  const environment = check(() => environmentInput(read), '')
  const maxFallbacks = check(() => wholeNumber(read, 'max-fallbacks', 0, MAX_FALLBACKS), 1)
  const keyLength = check(
    () => wholeNumber(read, 'key-length', MIN_KEY_LENGTH, MAX_KEY_LENGTH),
    MIN_KEY_LENGTH
  )
  const keyAlphabet = check(
    () => oneOf(read, 'key-alphabet', Object.keys(KEY_ALPHABETS) as KeyAlphabet[]),
    'urlsafe'
  )
  const fallbacksFormat = check(() => oneOf(read, 'fallbacks-format', FALLBACKS_FORMATS), 'csv')
  const revokePrevious = check(() => boolean(read, 'revoke-previous'), false)
  const dryRun = check(() => boolean(read, 'dry-run'), false)
  const openIssue = check(() => boolean(read, 'open-issue'), true)
  const issueToken = read('issue-token')
  if (openIssue && issueToken === '') {
    problems.push(
      'Input "issue-token" is empty while "open-issue" is true: pass a token with "issues: write", or set open-issue: false'
    )
  }
  const issueLabels = check(() => labelList(read), [])
  const closePreviousIssue = check(() => boolean(read, 'close-previous-issue'), true)
  const minAgeDays = check(() => wholeNumber(read, 'min-age-days', 0, MAX_MIN_AGE_DAYS), 0)
  const issueOnFailure = check(() => boolean(read, 'issue-on-failure'), true)
  const failOnIssueError = check(() => boolean(read, 'fail-on-issue-error'), false)

  if (problems.length > 0) {
    throw new Error(`Invalid input; nothing was written:\n- ${problems.join('\n- ')}`)
  }
  return {
    token,
    currentKey,
    currentFallbacks,
    secretName,
    fallbacksSecretName,
    repository,
    environment,
    maxFallbacks,
    keyLength,
    keyAlphabet,
    fallbacksFormat,
    revokePrevious,
    dryRun,
    openIssue,
    issueToken,
    issueLabels,
    issueAssignees: list(read('issue-assignees')),
    closePreviousIssue,
    minAgeDays,
    issueOnFailure,
    failOnIssueError
  }
}

function required(read: InputReader, name: string, hint: string): string {
  const value = read(name)
  if (value === '') throw new Error(`Input "${name}" is required: pass ${hint}`)
  return value
}

function key(read: InputReader, name: string): string {
  const value = read(name)
  if (value === '') return ''
  if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
    throw new Error(
      `Input "${name}" is larger than GitHub's 48 KB limit for a secret: pass the key itself`
    )
  }
  if (!isListableKey(value)) {
    throw new Error(
      `Input "${name}" holds a space, comma, quote, backslash or non-ASCII character, so it cannot be kept ` +
        'as a fallback: pass exactly the key Django reads, or rotate once with revoke-previous: true (this logs everyone out)'
    )
  }
  return value
}

function keyList(read: InputReader, name: string): string[] {
  const value = read(name)
  if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
    throw new Error(
      `Input "${name}" is larger than GitHub's 48 KB limit for a secret: pass the fallbacks secret itself`
    )
  }
  let keys: string[]
  try {
    keys = parseKeyList(value)
  } catch (error) {
    throw new Error(
      `Input "${name}" cannot be read as a key list: ${(error as Error).message}. Pass a JSON array of strings, ` +
        'one key per line, or comma-separated keys',
      { cause: error }
    )
  }
  const position = keys.findIndex((entry) => !isListableKey(entry))
  if (position !== -1) {
    throw new Error(
      `Input "${name}" entry ${position + 1} holds a space, quote, backslash or non-ASCII character and cannot be a ` +
        'key: pass the fallbacks exactly as the secret holds them'
    )
  }
  return keys
}

function secretNameInput(read: InputReader, name: string): string {
  const value = read(name)
  if (!SECRET_NAME.test(value) || /^GITHUB_/i.test(value)) {
    throw new Error(
      `Input "${name}" must be a GitHub secret name (letters, digits and _, not starting with a digit or ` +
        `GITHUB_), got "${value}"`
    )
  }
  return value.toUpperCase()
}

function repositoryInput(read: InputReader): Repository {
  const value = read('repository')
  const match = REPOSITORY.exec(value)
  if (!match) {
    throw new Error(`Input "repository" must be owner/name, like octo-org/app, got "${value}"`)
  }
  return { owner: match[1], repo: match[2] }
}

function environmentInput(read: InputReader): string {
  const value = read('environment')
  // GitHub's limit for environment names; control characters cannot be typed into its UI either.
  if (value.length > 255 || /[\p{Cc}]/u.test(value)) {
    throw new Error(
      'Input "environment" must be an environment name of at most 255 printable characters'
    )
  }
  return value
}

function wholeNumber(read: InputReader, name: string, min: number, max: number): number {
  const value = read(name)
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!(number >= min && number <= max)) {
    throw new Error(`Input "${name}" must be a whole number from ${min} to ${max}, got "${value}"`)
  }
  return number
}

function oneOf<T extends string>(read: InputReader, name: string, allowed: readonly T[]): T {
  const value = read(name)
  const found = allowed.find((option) => option === value.toLowerCase())
  if (found === undefined) {
    throw new Error(`Input "${name}" must be one of ${allowed.join(', ')}, got "${value}"`)
  }
  return found
}

function boolean(read: InputReader, name: string): boolean {
  const value = read(name)
  const parsed = BOOLEANS[value.toLowerCase()]
  if (parsed === undefined) throw new Error(`Input "${name}" must be true or false, got "${value}"`)
  return parsed
}

function labelList(read: InputReader): string[] {
  const labels = list(read('issue-labels'))
  const long = labels.find((label) => label.length > MAX_LABEL_LENGTH)
  if (long !== undefined) {
    throw new Error(
      `Input "issue-labels" holds a label of ${long.length} characters ("${long}"); GitHub allows at most ` +
        `${MAX_LABEL_LENGTH} and would refuse the rotation issue: shorten it`
    )
  }
  return labels
}

function list(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '')
}
