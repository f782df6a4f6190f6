import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { reportFailure } from '../src/reporting/failure-issue.js'
import { IssuesApi } from '../src/github/issues-api.js'
import { describeSecretsState, RotationFailure } from '../src/rotation/rotation-failure.js'
import { repositoryScope } from '../src/github/scope.js'
import { emulatedGitHub, REPOSITORY, requestTo, WORKFLOW_TOKEN, stopEmulator } from './helpers.js'

const names = { secretName: 'SECRET_KEY', fallbacksSecretName: 'SECRET_KEY_FALLBACKS' }
const scope = repositoryScope({ owner: 'octo-org', repo: 'django-app' })
const trigger = {
  event: 'schedule',
  actor: 'octocat',
  runUrl: 'https://github.com/octo-org/django-app/actions/runs/1'
}

describe('describeSecretsState', () => {
  const keepsOldKey = { ...names, fallbacksPlan: { keepsOldKey: true, count: 1 } }
  const keepsNone = { ...names, fallbacksPlan: { keepsOldKey: false, count: 0 } }

  it('says the app is safe in each state a failure can leave when the old key is kept', () => {
    expect(describeSecretsState([], names)).toMatch(/^Nothing was written: .* safe as it stands\.$/)
    expect(
      describeSecretsState([{ name: 'SECRET_KEY_FALLBACKS', result: 'updated' }], keepsOldKey)
    ).toMatch(
      /SECRET_KEY_FALLBACKS was written; SECRET_KEY was not and still holds the old key, which is also the first fallback/
    )
    expect(
      describeSecretsState(
        [
          { name: 'SECRET_KEY_FALLBACKS', result: 'updated' },
          { name: 'SECRET_KEY', result: 'updated' }
        ],
        keepsOldKey
      )
    ).toMatch(/were both written: the rotation itself is complete/)
  })

  it('never claims the old key is a fallback when the fallbacks were emptied', () => {
    for (const result of ['deleted', 'updated'] as const) {
      const state = describeSecretsState([{ name: 'SECRET_KEY_FALLBACKS', result }], keepsNone)
      expect(state).not.toMatch(/first fallback|the app is safe/)
      expect(state).toMatch(
        result === 'deleted'
          ? /^SECRET_KEY_FALLBACKS was emptied \(deleted: an empty list is not stored\)\. SECRET_KEY was not written and still holds the old key, so the app keeps working with it, but a redeploy now loads no fallback/
          : /^SECRET_KEY_FALLBACKS was written and holds no key\./
      )
    }
    expect(
      describeSecretsState(
        [
          { name: 'SECRET_KEY_FALLBACKS', result: 'deleted' },
          { name: 'SECRET_KEY', result: 'updated' }
        ],
        keepsNone
      )
    ).toMatch(
      /complete\. Redeploy so the app loads the new key, after which the old key no longer validates\.$/
    )
  })

  it('says when a fallbacks write is in doubt, and what it holds either way', () => {
    expect(
      describeSecretsState([{ name: 'SECRET_KEY_FALLBACKS', result: 'unknown' }], keepsOldKey)
    ).toMatch(
      /^Whether SECRET_KEY_FALLBACKS was written is unknown: .*\(if it was, it starts with the old key\)\. SECRET_KEY was not written and still holds the old key/
    )
  })
})

describe('reportFailure', () => {
  let github: GitHubEmulator
  beforeEach(async () => {
    github = await emulatedGitHub()
  })
  afterEach(() => stopEmulator(github))

  it('opens one issue per scope and comments on it for every later failure', async () => {
    const issues = new IssuesApi(requestTo(github, WORKFLOW_TOKEN))
    const failure = new RotationFailure(
      'Could not write SECRET_KEY: GitHub answered HTTP 500.',
      scope,
      [],
      names
    )
    const readme = 'https://github.com/octo-tools/rotate/blob/v1/README.md#when-things-go-wrong'
    const first = await reportFailure(issues, failure, trigger, '2026-11-01T04:17:00Z', readme)
    const second = await reportFailure(issues, failure, trigger, '2026-11-02T04:17:00Z', readme)
    expect(second).toEqual(first)
    const [issue] = github.issues(REPOSITORY)
    expect(issue.labels).toEqual(['secret-rotation-failure'])
    expect(issue.body).toMatch(/\*\*The SECRET_KEY rotation of 2026-11-01T04:17:00Z failed\*\*/)
    expect(issue.body).toContain(
      `the README's [When things go wrong](${readme}) lists each message`
    )
    expect(issue.comments).toEqual([
      expect.stringMatching(/rotation of 2026-11-02T04:17:00Z failed/)
    ])
  })
})
