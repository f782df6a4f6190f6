import {
  FALLBACKS_FORMATS,
  formatKeyList,
  isListableKey,
  nextFallbacks,
  parseKeyList,
  type FallbacksFormat
} from './keys/fallbacks.js'
import { KEY_ALPHABETS, MAX_KEY_LENGTH, MIN_KEY_LENGTH, type KeyAlphabet } from './keys/key.js'
import type { Repository } from './github/scope.js'
import { PHASES, type Phase } from './rotation/plan.js'

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
  readonly phase: Phase
  readonly promoteAfterDays: number
  /** 0 means old keys are never retired. */
  readonly retireAfterDays: number
}

/**
 * Reads one input by its action.yml name; `core.getInput` in the action, which trims unless told
 * `trimWhitespace: false`.
 */
export type InputReader = (name: string, options?: { trimWhitespace?: boolean }) => string

const MAX_FALLBACKS = 20
const MAX_MIN_AGE_DAYS = 3650
/** GitHub's limit for one secret value. */
const MAX_SECRET_BYTES = 48 * 1024
/** GitHub's rules for secret names (docs.github.com/actions/security-guides/using-secrets-in-github-actions). */
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/**
 * GitHub's rules for an account (owner) name: at most 39 letters, digits and hyphens, not starting
 * with a hyphen. New accounts may not end with a hyphen or hold two in a row, but older accounts
 * do, and managed users' logins end in "_shortcode"; those are accepted so that no real owner is
 * refused.
 */
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/
/** GitHub's rules for a repository name: at most 100 letters, digits, ".", "-" and "_", and not "." or "..". */
const REPOSITORY_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/
/** GitHub's limit for an environment name. */
const MAX_ENVIRONMENT_LENGTH = 255
/** A PEM block: what a GitHub App's private key looks like, the usual mistake for its token. */
const PEM_BLOCK = '-----BEGIN'
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
    () =>
      tokenInput(
        'token',
        required(read, 'token', 'a token with "Secrets: write"; see the README\'s Permissions')
      ),
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
  const issueToken = check(() => tokenInput('issue-token', read('issue-token')), '')
  if (openIssue && read('issue-token') === '') {
    problems.push(
      'Input "issue-token" is empty while "open-issue" is true: pass a token with "issues: write", or set open-issue: false'
    )
  }
  const issueLabels = check(() => labelList(read), [])
  const closePreviousIssue = check(() => boolean(read, 'close-previous-issue'), true)
  const minAgeDays = check(() => wholeNumber(read, 'min-age-days', 0, MAX_MIN_AGE_DAYS), 0)
  const issueOnFailure = check(() => boolean(read, 'issue-on-failure'), true)
  const failOnIssueError = check(() => boolean(read, 'fail-on-issue-error'), false)
  const phase = check(() => oneOf(read, 'phase', PHASES), 'rotate')
  const promoteAfterDays = check(
    () => wholeNumber(read, 'promote-after-days', 0, MAX_MIN_AGE_DAYS),
    1
  )
  const retireAfterDays = check(
    () => wholeNumber(read, 'retire-after-days', 0, MAX_MIN_AGE_DAYS),
    0
  )
  problems.push(...phaseProblems({ phase, revokePrevious, openIssue, retireAfterDays }))

  const fallbacksProblem = writtenFallbacksProblem({
    currentKey,
    currentFallbacks,
    maxFallbacks,
    revokePrevious,
    fallbacksFormat
  })
  if (fallbacksProblem) problems.push(fallbacksProblem)

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
    failOnIssueError,
    phase,
    promoteAfterDays,
    retireAfterDays
  }
}

/** Inputs that each make sense alone but not with the phase. */
function phaseProblems(given: {
  phase: Phase
  revokePrevious: boolean
  openIssue: boolean
  retireAfterDays: number
}): string[] {
  const problems: string[] = []
  if (given.revokePrevious && given.phase !== 'rotate') {
    problems.push(
      `Input "revoke-previous" is true while "phase" is ${given.phase}: revoking drops every old key at once, ` +
        'which only phase: rotate does. Set phase: rotate to revoke, or revoke-previous: false'
    )
  }
  // The stage issue is where the action remembers which key it staged (README "Rolling deploys").
  if (!given.openIssue && ['stage', 'promote', 'auto'].includes(given.phase)) {
    problems.push(
      `Input "open-issue" is false while "phase" is ${given.phase}: the rotation issue of a stage is where the ` +
        'action remembers which key it staged, so promote can check it. Set open-issue: true (issue-token needs ' +
        '"issues: write"), or use phase: rotate'
    )
  }
  if (given.phase === 'retire' && given.retireAfterDays === 0) {
    problems.push(
      'Input "retire-after-days" is 0 (never) while "phase" is retire: set how many days old keys stay valid ' +
        'after the fallbacks were last written, e.g. 14'
    )
  }
  return problems
}

function required(read: InputReader, name: string, hint: string): string {
  const value = read(name)
  if (value === '') throw new Error(`Input "${name}" is required: pass ${hint}`)
  return value
}

/**
 * A token goes into an HTTP header, and a header that holds a line break is refused with an error
 * that quotes it. A GitHub App's private key (a PEM block) given instead of the App's token is the
 * usual way that happens; no GitHub token holds whitespace or anything but printable ASCII.
 */
function tokenInput(name: string, value: string): string {
  if (value.includes(PEM_BLOCK)) {
    throw new Error(
      `Input "${name}" holds a private key ("${PEM_BLOCK} ... PRIVATE KEY"), not a token: that is the GitHub App's ` +
        'private key. Pass the token actions/create-github-app-token makes from it: ' +
        `${name}: \${{ steps.app-token.outputs.token }}`
    )
  }
  if (/\s/.test(value)) {
    throw new Error(
      `Input "${name}" holds whitespace (a space or a line break), which no GitHub token does: pass the token ` +
        'alone, a GitHub App token from actions/create-github-app-token or a personal access token'
    )
  }
  if (!/^[\x21-\x7e]*$/.test(value)) {
    throw new Error(
      `Input "${name}" holds a character no GitHub token has (a control or non-ASCII character): pass the token alone`
    )
  }
  return value
}

/**
 * A key is read exactly as the secret holds it: Django signs with the whole value, whitespace
 * included, so a trimmed copy kept as a fallback would not be the key the app signs with.
 */
function key(read: InputReader, name: string): string {
  const value = read(name, { trimWhitespace: false })
  if (value === '') return ''
  if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
    throw new Error(
      `Input "${name}" is larger than GitHub's 48 KB limit for a secret: pass the key itself`
    )
  }
  if (value.trim() !== value) {
    throw new Error(
      `Input "${name}" has whitespace before or after the key (a line break at its end?). Django signs with the ` +
        'value exactly as the secret holds it, and no fallbacks format can carry that whitespace: set the secret to ' +
        'the key alone and redeploy, then rotate; or rotate once with revoke-previous: true and current-key empty ' +
        '(this logs everyone out)'
    )
  }
  if (!isListableKey(value)) {
    throw new Error(
      `Input "${name}" holds a space, comma, quote, backslash or non-ASCII character, so it cannot be kept as a ` +
        'fallback: pass exactly the key Django reads, or rotate once with revoke-previous: true and ' +
        'current-key empty (this logs everyone out)'
    )
  }
  return value
}

/**
 * Read without trimming like a key; the list formats' own separators (commas, line breaks) may
 * have whitespace around them, but a key with whitespace inside is refused.
 */
function keyList(read: InputReader, name: string): string[] {
  const value = read(name, { trimWhitespace: false })
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
  const [owner, repo, ...rest] = value.split('/')
  if (rest.length > 0 || repo === undefined || !OWNER.test(owner) || !REPOSITORY_NAME.test(repo)) {
    throw new Error(
      `Input "repository" must be owner/name, like octo-org/app (an owner of letters, digits and hyphens not ` +
        `starting with a hyphen; a name of letters, digits, ".", "-" and "_", not "." or ".."), got ` +
        `"${printable(value)}"`
    )
  }
  return { owner, repo }
}

function environmentInput(read: InputReader): string {
  const value = read('environment')
  // "." and ".." would be read as path segments of the request URL, and control characters cannot
  // be typed into GitHub's settings page; neither can name an environment.
  if (value.length > MAX_ENVIRONMENT_LENGTH || /\p{Cc}/u.test(value) || /^\.{1,2}$/.test(value)) {
    throw new Error(
      `Input "environment" must be an environment name of at most ${MAX_ENVIRONMENT_LENGTH} printable ` +
        `characters, not "." or "..", got "${printable(value.slice(0, 80))}"${value.length > 80 ? '…' : ''}`
    )
  }
  return value
}

/**
 * GitHub refuses a secret value over 48 KB, and only once the first secret is being written. The
 * list this rotation writes is known from the inputs alone (the new key is never in it), so a list
 * that GitHub or the next run would refuse is refused here, before any request.
 */
function writtenFallbacksProblem(options: {
  currentKey: string
  currentFallbacks: readonly string[]
  maxFallbacks: number
  revokePrevious: boolean
  fallbacksFormat: FallbacksFormat
}): string | undefined {
  const { kept } = nextFallbacks({ ...options, newKey: '' })
  const written = formatKeyList(kept, options.fallbacksFormat)
  const bytes = Buffer.byteLength(written)
  if (bytes > MAX_SECRET_BYTES) {
    return (
      `Inputs "current-key" and "current-fallbacks" with max-fallbacks ${options.maxFallbacks} make a fallbacks ` +
      `list of ${bytes} bytes, over GitHub's 48 KB (${MAX_SECRET_BYTES} bytes) limit for a secret: lower max-fallbacks`
    )
  }
  // A csv or lines list whose first key starts with "[" and whose last key ends with "]" reads as
  // JSON; the next run would refuse or misread it, so it is refused while nothing is written yet.
  if (!readsBackAs(written, kept)) {
    return (
      `Inputs "current-key" and "current-fallbacks" make a fallbacks list that, written as ${options.fallbacksFormat}, ` +
      'would read back as a JSON list (its first key starts with "[" and its last key ends with "]"): set fallbacks-format: json'
    )
  }
  return undefined
}

function readsBackAs(written: string, keys: readonly string[]): boolean {
  try {
    return parseKeyList(written).join('\n') === keys.join('\n')
  } catch {
    return false
  }
}

/** A value quoted in a message, with control characters shown as escapes so that none reach a log. */
function printable(value: string): string {
  return value.replace(
    /\p{Cc}/gu,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
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
