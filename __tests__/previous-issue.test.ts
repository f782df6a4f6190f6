/**
 * Which issue a rotation closes as its predecessor: the newest open issue of its scope, found with
 * one request however busy the repository's issue list is, and never a pull request.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { generateKey } from '../src/keys/key.js'
import { rotate } from '../src/rotation/rotate.js'
import {
  emulatedGitHub,
  inputsWith,
  REPOSITORY,
  requestTo,
  servicesFor,
  stopEmulator,
  WORKFLOW_TOKEN
} from './helpers.js'

const repository = { repository: REPOSITORY }
let github: GitHubEmulator

beforeEach(async () => {
  github = await emulatedGitHub()
  github.setSecret(repository, 'SECRET_KEY', generateKey(50, 'urlsafe'))
})
afterEach(() => stopEmulator(github))

/** One scheduled rotation, handed the key GitHub holds now; returns its issue's number. */
async function rotation(given: Record<string, string> = {}): Promise<number | undefined> {
  const inputs = inputsWith({
    'current-key': github.secret(repository, 'SECRET_KEY')?.value ?? '',
    'current-fallbacks': github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '',
    ...given
  })
  return (await rotate(inputs, servicesFor(github, inputs))).issue?.number
}

const issue = (number: number) => github.issues(REPOSITORY)[number - 1]
const superseded = (number: number) =>
  issue(number).comments.filter((comment) => comment.startsWith('Superseded'))

function seed(count: number, seeded: Parameters<GitHubEmulator['addIssue']>[1]): void {
  for (let index = 0; index < count; index++) github.addIssue(REPOSITORY, seeded)
}

describe('the previous rotation issue', () => {
  it('is never a pull request, even one that quotes the rotation issue', async () => {
    const first = (await rotation()) ?? 0
    const pull = github.addIssue(REPOSITORY, {
      title: 'Document the rotation',
      body: issue(first).body,
      labels: ['secret-rotation'],
      pullRequest: true
    })
    await rotation()
    expect(issue(first).state).toBe('closed')
    expect(issue(pull)).toMatchObject({ state: 'open', comments: [] })
  })

  it('is found by its label among more than a page of other open issues', async () => {
    const first = (await rotation()) ?? 0
    seed(150, { title: 'A bug report', body: 'Steps to reproduce' })
    await rotation()
    expect(issue(first).state).toBe('closed')
  })

  it('is found among many newer rotation issues of other scopes', async () => {
    const first = (await rotation()) ?? 0
    seed(60, {
      title: 'Rotated SECRET_KEY of another environment',
      body: '<!-- rotate-django-secret-key scope=environment:elsewhere secret=SECRET_KEY -->',
      labels: ['secret-rotation']
    })
    await rotation()
    expect(issue(first).state).toBe('closed')
  })

  it('is the newest open one by creation, even when an older one was commented on since', async () => {
    const [first, second, third] = [
      await rotation({ 'close-previous-issue': 'false' }),
      await rotation({ 'close-previous-issue': 'false' }),
      await rotation({ 'close-previous-issue': 'false' })
    ] as number[]
    const later = new Date(Date.now() + 60_000)
    github.now = () => later
    await requestTo(github, WORKFLOW_TOKEN)(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { owner: 'octo-org', repo: 'django-app', issue_number: first, body: 'Redeployed.' }
    )
    await rotation()
    expect(superseded(third)).toHaveLength(1)
    expect([first, second, third].map((number) => issue(number).state)).toEqual([
      'open',
      'open',
      'closed'
    ])
  })

  it('is an open one: a newer issue someone closed by hand is left alone', async () => {
    const first = (await rotation({ 'close-previous-issue': 'false' })) ?? 0
    const second = (await rotation({ 'close-previous-issue': 'false' })) ?? 0
    await requestTo(github, WORKFLOW_TOKEN)('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: 'octo-org',
      repo: 'django-app',
      issue_number: second,
      state: 'closed'
    })
    await rotation()
    expect(issue(first).state).toBe('closed')
    expect(superseded(first)).toHaveLength(1)
    expect(superseded(second)).toEqual([])
  })
})
