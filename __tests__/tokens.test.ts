/** Wrong tokens and missing setup: one clear error each, naming cause and fix, and nothing written. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { generateKey } from '../src/keys/key.js'
import { rotate } from '../src/rotation/rotate.js'
import {
  emulatedGitHub,
  inputsWith,
  REPOSITORY,
  secretWrites,
  servicesFor,
  WORKFLOW_TOKEN,
  stopEmulator
} from './helpers.js'

let github: GitHubEmulator
let oldKey: string
beforeEach(async () => {
  github = await emulatedGitHub()
  github.addEnvironment(REPOSITORY, 'production')
  github.addToken('secrets-only', { kind: 'pat', secrets: 'write' })
  github.addToken('other-repository', {
    kind: 'pat',
    secrets: 'write',
    repositories: ['octo-org/other']
  })
  github.addToken('read-only', { kind: 'pat', secrets: 'read' })
  github.addToken('no-issues', { kind: 'app', actions: 'read' })
  oldKey = generateKey(50, 'urlsafe')
  github.setSecret({ repository: REPOSITORY }, 'SECRET_KEY', oldKey)
})
afterEach(() => stopEmulator(github))

describe('wrong tokens and missing setup', () => {
  it.each([
    [
      "the workflow's GITHUB_TOKEN as token",
      { token: WORKFLOW_TOKEN },
      /HTTP 403 \(Resource not accessible by integration\)\. The "token" input lacks "Secrets: write" on octo-org\/django-app\. The workflow's GITHUB_TOKEN can never write secrets/
    ],
    [
      'a token without Environments: write for an environment',
      { token: 'secrets-only', environment: 'production' },
      /environment "production" of octo-org\/django-app: GitHub answered HTTP 403 .*lacks "Secrets: write" and "Environments: write"/
    ],
    [
      'an environment that does not exist',
      { environment: 'staging' },
      /Likely causes: the environment "staging" does not exist \(create it under Settings → Environments/
    ],
    [
      'a repository the token cannot see',
      { token: 'other-repository' },
      /HTTP 404 .*Likely causes: the "repository" input is wrong; the "token" input's repository access does not include octo-org\/django-app/
    ],
    [
      'an expired or bad token',
      { token: 'expired' },
      /HTTP 401 \(Bad credentials\)\. The "token" input is expired, revoked or mistyped/
    ],
    [
      'a token that can read but not write secrets',
      { token: 'read-only' },
      /Could not write SECRET_KEY_FALLBACKS .*HTTP 403.*lacks "Secrets: write"/
    ],
    [
      'an issue token without issues: write',
      { 'issue-token': 'no-issues' },
      /HTTP 403 .*"issue-token" input lacks "Issues: write" \(in a workflow: permissions: issues: write\)/
    ]
  ])('%s', async (_case, given, message) => {
    const inputs = inputsWith({ 'current-key': oldKey, ...given })
    await expect(rotate(inputs, servicesFor(github, inputs))).rejects.toThrow(message)
    expect(secretWrites(github)).toEqual([])
    expect(github.secret({ repository: REPOSITORY }, 'SECRET_KEY')?.value).toBe(oldKey)
  })
})
