/**
 * The bundled dist/index.js, run in a child process exactly as the runner runs it, against the
 * GitHub API emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { ACTION_REF, ACTION_REPOSITORY, runAction, type ActionRun } from '../emulator/runner.js'
import { maskedFirst, maskedValues, unmaskedAppearances } from '../emulator/runner-log.js'
import { parseKeyList } from '../src/keys/fallbacks.js'
import { fingerprint } from '../src/keys/fingerprint.js'
import { generateKey } from '../src/keys/key.js'
import { APP_PRIVATE_KEY, BAD_INPUTS } from './bad-inputs.js'
import {
  daysAgo,
  runQueued,
  emulatedGitHub,
  REPOSITORY,
  ROTATION_TOKEN,
  secretWrites,
  WORKFLOW_TOKEN,
  stopEmulator
} from './helpers.js'

const repository = { repository: REPOSITORY }
let github: GitHubEmulator
let oldKey: string
let oldFallback: string

beforeEach(async () => {
  github = await emulatedGitHub()
  oldKey = generateKey(50, 'django')
  oldFallback = generateKey(50, 'django')
  github.setSecret(repository, 'SECRET_KEY', oldKey, daysAgo(30))
  github.setSecret(repository, 'SECRET_KEY_FALLBACKS', oldFallback, daysAgo(30))
})
afterEach(() => stopEmulator(github))

function run(
  inputs: Record<string, string>,
  runner: Partial<Parameters<typeof runAction>[0]> = {}
): Promise<ActionRun> {
  return runAction({
    ...runner,
    apiUrl: github.url,
    repository: REPOSITORY,
    githubToken: WORKFLOW_TOKEN,
    inputs: {
      token: ROTATION_TOKEN,
      'current-key': oldKey,
      'current-fallbacks': oldFallback,
      ...inputs
    }
  })
}

/** GitHub refuses the fallbacks write; 422 is final, so the run does not wait out a 5xx backoff. */
function rejectFallbacksWrite(): void {
  github.fail({
    method: 'PUT',
    path: /\/SECRET_KEY_FALLBACKS$/,
    status: 422,
    message: 'Validation Failed'
  })
}

/** Every place a key could leak: the log outside its mask, the outputs, the summary, the issues. */
function leaks(result: ActionRun, keys: string[]): string[] {
  const issues = JSON.stringify(github.issues(REPOSITORY))
  return keys.flatMap((key) => [
    ...unmaskedAppearances(result.stdout, key).map((where) => `log ${where}`),
    ...(result.stderr.includes(key) ? ['stderr'] : []),
    ...(JSON.stringify(result.outputs).includes(key) ? ['outputs'] : []),
    ...(result.summary.includes(key) ? ['summary'] : []),
    ...(issues.includes(key) ? ['issues'] : [])
  ])
}

describe('the bundled action', () => {
  it('rotates, sets every output, writes the summary and opens the issue', async () => {
    const result = await run({ 'max-fallbacks': '2', 'fallbacks-format': 'json' })
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)

    const newKey = github.secret(repository, 'SECRET_KEY')?.value ?? ''
    expect(JSON.parse(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '')).toEqual([
      oldKey,
      oldFallback
    ])
    expect(result.outputs).toEqual({
      phase: 'rotate',
      rotated: 'true',
      'rotated-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      'key-fingerprint': fingerprint(newKey),
      'previous-key-fingerprint': fingerprint(oldKey),
      'fallbacks-count': '2',
      'issue-number': '1',
      'issue-url': `https://github.com/${REPOSITORY}/issues/1`
    })
    expect(result.summary).toContain('## SECRET_KEY rotated')
    expect(result.summary).toContain(`| New key | \`${fingerprint(newKey)}\` |`)
    expect(github.issues(REPOSITORY)[0].title).toMatch(
      /^Rotated SECRET_KEY of the repository octo-org\/django-app on \d{4}-\d\d-\d\d at \d\d:\d\d:\d\d UTC$/
    )
    expect(result.stdout).toMatch(
      /::group::Writing the secrets\nSECRET_KEY_FALLBACKS updated\nSECRET_KEY updated\n::endgroup::/
    )
  })

  it('masks every key before anything could print it, and never writes one anywhere', async () => {
    const result = await run({})
    const newKey = github.secret(repository, 'SECRET_KEY')?.value ?? ''
    const keys = [oldKey, oldFallback, newKey]
    expect(maskedValues(result.stdout)).toEqual(expect.arrayContaining(keys))
    expect(leaks(result, keys)).toEqual([])
  })

  it('refuses every bad input at once, before any request, naming the input', async () => {
    for (const [name, value, message, together] of BAD_INPUTS) {
      const result = await run({ ...together, [name]: value })
      expect({ name, exitCode: result.exitCode }).toEqual({ name, exitCode: 1 })
      // One error and nothing after it: the run stops where the inputs are refused.
      expect({ name, errors: result.stdout.match(/^::error::/gm) }).toEqual({
        name,
        errors: ['::error::']
      })
      expect(result.stdout).toMatch(/^::error::Invalid input; nothing was written:.*$/m)
      expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^::error::Invalid input/)
      expect({ name, stderr: result.stderr }).toEqual({ name, stderr: '' })
      expect(result.summary).toBe('')
      expect(result.stdout.replace(/%0A/g, '\n')).toMatch(message)
    }
    expect(github.requests).toEqual([])
    expect(github.issues(REPOSITORY)).toEqual([])
  }, 300_000)

  it('refuses bad input before any request and names the input', async () => {
    const result = await run({ 'max-fallbacks': 'many' })
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain(
      '::error::Invalid input; nothing was written:%0A- Input "max-fallbacks" must be a whole number from 0 to 20, got "many"'
    )
    expect(github.requests).toEqual([])
  })

  it("explains the workflow's GITHUB_TOKEN passed as token, and writes nothing", async () => {
    const result = await run({ token: WORKFLOW_TOKEN })
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(
      /::error::Could not read the secrets public key .*HTTP 403 \(Resource not accessible by integration\).*GITHUB_TOKEN can never write secrets/
    )
    expect(secretWrites(github)).toEqual([])
  })

  it('leaves the old key in both places it was when the key write fails with a 500', async () => {
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/, status: 500 })
    const result = await run({})
    expect(result.exitCode).toBe(1)
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(oldKey)
    expect(parseKeyList(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '')).toEqual([
      oldKey
    ])
    expect(result.stdout).toMatch(
      /::error::Could not write SECRET_KEY .* SECRET_KEY_FALLBACKS was written; SECRET_KEY was not and still holds the old key/
    )
    const [failureIssue] = github.issues(REPOSITORY)
    expect(failureIssue.labels).toEqual(['secret-rotation-failure'])
    expect(failureIssue.body).toMatch(/the app is safe as it stands/)
    expect(leaks(result, [oldKey, oldFallback])).toEqual([])
  }, 60_000)

  it('writes nothing and opens nothing in a dry run', async () => {
    const result = await run({ 'dry-run': 'true' })
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toMatchObject({ rotated: 'false', 'rotated-at': '', 'issue-number': '' })
    expect(result.summary).toContain('## Dry run: SECRET_KEY would be rotated')
    expect(github.requests.every((request) => request.method === 'GET')).toBe(true)
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(oldKey)
  })

  it('reports failures in one issue, with a comment for each later failure', async () => {
    rejectFallbacksWrite()
    for (const attempt of [1, 2]) {
      const result = await run({})
      expect(result.exitCode).toBe(1)
      expect(result.summary).toContain('## SECRET_KEY rotation failed')
      expect(result.stdout).toContain(`Reported the failure in issue #1`)
      expect(github.issues(REPOSITORY)).toHaveLength(1)
      expect(github.issues(REPOSITORY)[0].comments).toHaveLength(attempt - 1)
    }
    const [issue] = github.issues(REPOSITORY)
    expect(issue.title).toBe('SECRET_KEY rotation failed for the repository octo-org/django-app')
    // The README of the action's own repository and ref, at the section that lists each message.
    expect(issue.body).toContain(
      `[When things go wrong](https://github.com/${ACTION_REPOSITORY}/blob/${ACTION_REF}/README.md#when-things-go-wrong)`
    )
    expect(issue.body).toMatch(
      /Nothing was written: SECRET_KEY and SECRET_KEY_FALLBACKS are as they were, and the app is safe/
    )
    expect(issue.comments[0]).toMatch(/How to recover/)
  })

  it('opens no failure issue with issue-on-failure: false', async () => {
    rejectFallbacksWrite()
    expect((await run({ 'issue-on-failure': 'false' })).exitCode).toBe(1)
    expect(github.issues(REPOSITORY)).toEqual([])
  })

  it('lets the rotation stand when the issue fails, and fails the step only when asked', async () => {
    // GitHub answers 410 when issues are disabled in the repository.
    github.fail({
      method: 'POST',
      path: /\/issues$/,
      status: 410,
      message: 'Issues are disabled for this repo'
    })
    const standing = await run({})
    expect(standing.exitCode).toBe(0)
    expect(standing.outputs).toMatchObject({ rotated: 'true', 'issue-number': '' })
    expect(standing.stdout).toMatch(
      /::warning::The secrets were rotated, but: Could not open the rotation issue/
    )
    expect(standing.summary).toMatch(/> \[!WARNING\]\n> The secrets were rotated, but/)

    // A new run, handed the secrets as the first run left them.
    const strict = await runQueued(github, { 'fail-on-issue-error': 'true' })
    expect(strict.exitCode).toBe(1)
    expect(strict.outputs.rotated).toBe('true')
    expect(strict.stdout).toMatch(
      /::error::The secrets were rotated, but fail-on-issue-error is true/
    )
  })

  it('refuses whitespace around the current key, which no fallbacks format can keep', async () => {
    const result = await run({ 'current-key': `${oldKey}\n` })
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(
      /::error::Invalid input; nothing was written:%0A- Input "current-key" has whitespace before or after the key/
    )
    expect(github.requests).toEqual([])
  })

  it('refuses a GitHub App private key passed as a token, and publishes no part of it', async () => {
    for (const name of ['token', 'issue-token']) {
      const result = await run({ [name]: APP_PRIVATE_KEY })
      expect(result.exitCode).toBe(1)
      expect(result.stdout).toContain(
        `::error::Invalid input; nothing was written:%0A- Input "${name}" holds a private key`
      )
      expect(result.stdout).toContain('actions/create-github-app-token')
      const shown = result.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n')
      for (const line of APP_PRIVATE_KEY.split('\n').slice(1, -1)) {
        expect(`${shown}${result.stderr}${result.summary}`).not.toContain(line)
      }
      expect(maskedValues(result.stdout)).toEqual(expect.arrayContaining([APP_PRIVATE_KEY]))
    }
    expect(github.requests).toEqual([])
  })

  it('scrubs every input secret that a message quotes from the error, the summary and the failure issue', async () => {
    // A proxy or GitHub itself may quote what it was sent; whatever quotes a secret, it leaves as ***.
    github.fail({
      method: 'PUT',
      path: /\/SECRET_KEY_FALLBACKS$/,
      status: 422,
      message: `Rejected ${oldKey} and ${oldFallback} sent with ${ROTATION_TOKEN} by ${WORKFLOW_TOKEN}`
    })
    const result = await run({})
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(
      /::error::Could not write SECRET_KEY_FALLBACKS .*Rejected \*\*\* and \*\*\* sent with \*\*\* by \*\*\*/
    )
    expect(result.summary).toMatch(/Rejected \*\*\* and \*\*\* sent with \*\*\* by \*\*\*/)
    const [failureIssue] = github.issues(REPOSITORY)
    expect(failureIssue.body).toMatch(/Rejected \*\*\* and \*\*\* sent with \*\*\* by \*\*\*/)
    expect(leaks(result, [oldKey, oldFallback, ROTATION_TOKEN, WORKFLOW_TOKEN])).toEqual([])
  })

  it('warns about a current key that fails security.W009, and replaces it', async () => {
    const weak = `django-insecure-${generateKey(50, 'hex')}`
    github.setSecret(repository, 'SECRET_KEY', weak, daysAgo(30))
    const result = await run({ 'current-key': weak })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(
      /::warning::Input "current-key" fails Django's security.W009 \(it starts with "django-insecure-"/
    )
    expect(parseKeyList(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '')[0]).toBe(
      weak
    )
  })

  it('tolerates whitespace around the fallbacks list and other values, as the runner trims inputs', async () => {
    const result = await run({
      'current-fallbacks': `\n ${oldFallback} \n`,
      'max-fallbacks': ' 2 '
    })
    expect(result.exitCode).toBe(0)
    expect(parseKeyList(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '')).toEqual([
      oldKey,
      oldFallback
    ])
  })

  it('refuses an empty current-fallbacks while the fallbacks secret exists, and writes nothing', async () => {
    const result = await run({ 'current-fallbacks': '' })
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(
      /::error::Input "current-fallbacks" is empty but the SECRET_KEY_FALLBACKS secret exists .*revoke-previous: true/
    )
    expect(secretWrites(github)).toEqual([])
  })

  it('reports a key write whose answer was lost as done, once its metadata shows it', async () => {
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/, loseAnswer: true })
    const result = await run({})
    expect(result.exitCode).toBe(0)
    expect(result.outputs.rotated).toBe('true')
    expect(github.secret(repository, 'SECRET_KEY')?.value).not.toBe(oldKey)
    expect(result.stdout).toMatch(/::warning::GitHub's answer to the SECRET_KEY write was lost/)
    expect(github.issues(REPOSITORY)).toHaveLength(1)
  })

  it('says the fallbacks were emptied, not that the old key is a fallback, when revoking fails half-way', async () => {
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/, status: 422, message: 'Validation Failed' })
    const result = await run({ 'revoke-previous': 'true', 'max-fallbacks': '0' })
    expect(result.exitCode).toBe(1)
    expect(github.secret(repository, 'SECRET_KEY_FALLBACKS')).toBeUndefined()
    const [failureIssue] = github.issues(REPOSITORY)
    expect(failureIssue.body).toMatch(
      /SECRET_KEY_FALLBACKS was emptied .*SECRET_KEY was not written and still holds the old key/
    )
    expect(failureIssue.body).not.toMatch(/first fallback|the app is safe/)
  })

  it('stops before writing when an assignee cannot be assigned', async () => {
    const result = await run({ 'issue-assignees': 'nobody' })
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(
      /::error::Input "issue-assignees" names "nobody", who cannot be assigned/
    )
    expect(secretWrites(github)).toEqual([])
  })

  it('lists in the log and the summary what a dry run could not verify', async () => {
    const result = await run({ 'dry-run': 'true' })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(
      /::warning::Not verified by this dry run: that "token" may write secrets/
    )
    expect(result.summary).toMatch(
      /### Not verified by this dry run\n\n- that "token" may write secrets: .*\n- that "issue-token" may open issues: the label "secret-rotation" does not exist yet/
    )
  })

  it('catches a failure to open the failure issue, and keeps the rotation error', async () => {
    rejectFallbacksWrite()
    github.fail({
      method: 'POST',
      path: /\/issues$/,
      status: 403,
      message: 'Resource not accessible by integration'
    })
    const result = await run({})
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/::error::Could not write SECRET_KEY_FALLBACKS /)
    expect(result.stdout).toMatch(
      /::warning::Could not report the failure in an issue either: Could not open the failure issue .*HTTP 403/
    )
  })
})

describe('the bundled action wires', () => {
  it('the masks of the input keys before it prints anything else', async () => {
    const result = await run({})
    expect(result.exitCode).toBe(0)
    expect(maskedFirst(result.stdout)).toEqual(expect.arrayContaining([oldKey, oldFallback]))
  })

  it('the stale-key check to this run: a key updated after the run was queued stops it', async () => {
    github.setSecret(repository, 'SECRET_KEY', oldKey, new Date())
    const result = await run({})
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(
      /::error::SECRET_KEY changed at \S+Z, after this run was queued at \S+Z, so the current-key this run was given is stale/
    )
    expect(secretWrites(github)).toEqual([])
  })

  it("a stop when the key secret's metadata cannot be read, even with current-key empty", async () => {
    github.fail({
      method: 'GET',
      path: /\/secrets\/SECRET_KEY$/,
      status: 403,
      message: 'Resource not accessible by personal access token'
    })
    const result = await run({ 'current-key': '', 'current-fallbacks': '' })
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/::error::Could not read the SECRET_KEY secret's metadata/)
    expect(secretWrites(github)).toEqual([])
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(oldKey)
  })

  it('no failure issue in a dry run', async () => {
    const result = await run({ 'dry-run': 'true', token: WORKFLOW_TOKEN })
    expect(result.exitCode).toBe(1)
    expect(result.summary).toContain('## SECRET_KEY rotation failed')
    expect(github.requests.filter((request) => request.method !== 'GET')).toEqual([])
    expect(github.issues(REPOSITORY)).toEqual([])
  })

  it("this run's address into the issue and the summary, on the workflow's own server", async () => {
    const serverUrl = 'https://github.example.com'
    const queued = new Date(Date.now() - 60_000).toISOString()
    github.addRun(REPOSITORY, {
      id: 987654,
      createdAt: queued,
      runStartedAt: queued,
      runAttempt: 1
    })
    const result = await run({}, { runId: 987654, serverUrl })
    expect(result.exitCode).toBe(0)
    const runRow = `| Run | ${serverUrl}/${REPOSITORY}/actions/runs/987654 |`
    expect(github.issues(REPOSITORY)[0].body).toContain(runRow)
    expect(result.summary).toContain(runRow)
  })
})
