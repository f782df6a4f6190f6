/**
 * The audit trail never breaks: what would make the rotation issue fail is found before anything
 * is written, the previous issue stays open when the new one cannot be opened, and only a trusted
 * author's issue can be taken for the previous rotation issue.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { generateKey } from '../src/keys/key.js'
import { rotate } from '../src/rotation/rotate.js'
import { rotationIssueMarker } from '../src/reporting/rotation-issue.js'
import { repositoryScope } from '../src/github/scope.js'
import {
  daysAgo,
  emulatedGitHub,
  inputsWith,
  REPOSITORY,
  secretWrites,
  servicesFor,
  stopEmulator
} from './helpers.js'

const repository = { repository: REPOSITORY }
const marker = rotationIssueMarker(
  repositoryScope({ owner: 'octo-org', repo: 'django-app' }),
  'SECRET_KEY'
)
let github: GitHubEmulator

beforeEach(async () => {
  github = await emulatedGitHub()
  github.setSecret(repository, 'SECRET_KEY', generateKey(50, 'urlsafe'), daysAgo(30))
})
afterEach(() => stopEmulator(github))

/** A rotation handed the secrets as GitHub holds them now. */
function rotation(given: Record<string, string> = {}) {
  const inputs = inputsWith({
    'current-key': github.secret(repository, 'SECRET_KEY')?.value ?? '',
    'current-fallbacks': github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '',
    ...given
  })
  return rotate(inputs, servicesFor(github, inputs))
}

async function openIssueAs(token: string, body: string, labels: string[] = []): Promise<void> {
  const response = await fetch(`${github.url}/repos/${REPOSITORY}/issues`, {
    method: 'POST',
    headers: { authorization: `token ${token}` },
    body: JSON.stringify({ title: 'Rotated SECRET_KEY', body, labels })
  })
  expect(response.status).toBe(201)
}

describe('checks before anything is written', () => {
  it('stops on an assignee GitHub would refuse, naming the input, and writes nothing', async () => {
    github.addAssignable(REPOSITORY, 'alice')
    await expect(rotation({ 'issue-assignees': 'alice, nobody' })).rejects.toThrow(
      /^Input "issue-assignees" names "nobody", who cannot be assigned to issues in octo-org\/django-app .*Remove them from issue-assignees.* Nothing was written/
    )
    expect(secretWrites(github)).toEqual([])
    expect(github.issues(REPOSITORY)).toEqual([])
  })

  it('passes the label probe only on "already_exists", not on any 422', async () => {
    github.fail({
      method: 'POST',
      path: /\/labels$/,
      status: 422,
      message: 'Validation Failed',
      errors: [{ resource: 'Label', code: 'invalid', field: 'name' }]
    })
    await expect(rotation()).rejects.toThrow(
      /Could not check that rotation issues can be opened .*HTTP 422 \(Validation Failed: name invalid\)/
    )
    expect(secretWrites(github)).toEqual([])
  })

  it('stops an issue token without push access, whose labels GitHub would drop', async () => {
    github.addToken('outsider', { kind: 'pat', issues: 'write', push: false, login: 'mallory' })
    await expect(rotation({ 'issue-token': 'outsider' })).rejects.toThrow(
      /Could not check that rotation issues can be opened .*HTTP 403/
    )
    expect(secretWrites(github)).toEqual([])
  })

  it('passes the label probe when the label exists in another case', async () => {
    await rotation({ 'issue-labels': 'Secret-Rotation' })
    expect((await rotation({ 'issue-labels': 'secret-rotation' })).issue?.number).toBe(2)
    expect(github.labels(REPOSITORY)).toEqual(['Secret-Rotation'])
  })
})

describe('when the new rotation issue cannot be opened', () => {
  it('reopens the previous one, and says so', async () => {
    await rotation()
    github.fail({ method: 'POST', path: /\/issues$/, status: 500 })
    const report = await rotation()
    expect(report.rotated).toBe(true)
    const [previous] = github.issues(REPOSITORY)
    expect(previous.state).toBe('open')
    expect(previous.comments.at(-1)).toMatch(
      /^Reopened: the rotation of \S+ .*could not open its own issue/
    )
    expect(report.issueProblem).toMatch(
      /Could not open the rotation issue .* The previous rotation issue #1 was reopened and stays open\./
    )
    expect(report.closedIssue).toBeUndefined()
  })
})

describe('the previous rotation issue', () => {
  beforeEach(() => {
    github.addToken('outsider', {
      kind: 'pat',
      issues: 'write',
      push: false,
      login: 'mallory',
      association: 'NONE'
    })
    github.addToken('maintainer', { kind: 'pat', issues: 'write', association: 'MEMBER' })
  })

  it("is never an outsider's issue that carries the public marker, even without a label filter", async () => {
    await openIssueAs('outsider', `${marker}\nplease close me`, ['secret-rotation'])
    const report = await rotation({ 'issue-labels': '' })
    const [planted] = github.issues(REPOSITORY)
    expect(planted.state).toBe('open')
    expect(planted.comments).toEqual([])
    expect(report.closedIssue).toBeUndefined()
  })

  it("can be a repository member's issue", async () => {
    await openIssueAs('maintainer', `${marker}\nopened by hand`)
    const report = await rotation({ 'issue-labels': '' })
    expect(report.closedIssue?.number).toBe(1)
  })
})

describe('a dry run', () => {
  it('checks the issue token with a probe that writes nothing, and lists what it could not verify', async () => {
    await rotation()
    github.addToken('read-only-secrets', { kind: 'pat', secrets: 'read', actions: 'read' })
    const before = github.requests.length
    const report = await rotation({ 'dry-run': 'true', token: 'read-only-secrets' })
    const sent = github.requests.slice(before)
    // The one request that is not a read is the label probe on a label that exists: refused.
    expect(sent.filter((request) => request.method !== 'GET')).toEqual([
      expect.objectContaining({ method: 'POST', path: `/repos/${REPOSITORY}/labels`, status: 422 })
    ])
    // Outside a workflow run (as here) the stale-key check cannot run either.
    expect(report.unverified).toEqual([
      expect.stringMatching(/^that "token" may write secrets: /),
      'that current-key is not stale: the action is not running in a workflow run'
    ])
    expect(github.issues(REPOSITORY)).toHaveLength(1)
  })

  it('stops when the issue token cannot write issues', async () => {
    await rotation()
    github.addToken('issues-read', { kind: 'app', issues: 'read', actions: 'read' })
    await expect(rotation({ 'dry-run': 'true', 'issue-token': 'issues-read' })).rejects.toThrow(
      /Could not check that rotation issues can be opened .*HTTP 403 .*"issue-token" input lacks "Issues: write"/
    )
  })

  it('says it could not check the issue token when there is no label to probe without writing', async () => {
    const report = await rotation({ 'dry-run': 'true' })
    expect(report.unverified).toEqual([
      expect.stringMatching(/^that "token" may write secrets/),
      expect.stringMatching(/^that current-key is not stale/),
      'that "issue-token" may open issues: the label "secret-rotation" does not exist yet, and creating it would be a write'
    ])
    expect(github.requests.every((request) => request.method === 'GET')).toBe(true)
  })
})
