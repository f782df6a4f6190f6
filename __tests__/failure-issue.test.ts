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
  it('says the app is safe in each state a failure can leave', () => {
    expect(describeSecretsState([], names)).toMatch(/^Nothing was written: .* safe as it stands\.$/)
    expect(
      describeSecretsState([{ name: 'SECRET_KEY_FALLBACKS', result: 'updated' }], names)
    ).toMatch(
      /SECRET_KEY_FALLBACKS was written; SECRET_KEY was not and still holds the old key, which is also the first fallback/
    )
    expect(
      describeSecretsState(
        [
          { name: 'SECRET_KEY_FALLBACKS', result: 'updated' },
          { name: 'SECRET_KEY', result: 'updated' }
        ],
        names
      )
    ).toMatch(/were both written: the rotation itself is complete/)
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
    const first = await reportFailure(issues, failure, trigger, '2026-11-01T04:17:00Z')
    const second = await reportFailure(issues, failure, trigger, '2026-11-02T04:17:00Z')
    expect(second).toEqual(first)
    const [issue] = github.issues(REPOSITORY)
    expect(issue.labels).toEqual(['secret-rotation-failure'])
    expect(issue.body).toMatch(/\*\*The SECRET_KEY rotation of 2026-11-01T04:17:00Z failed\*\*/)
    expect(issue.comments).toEqual([
      expect.stringMatching(/rotation of 2026-11-02T04:17:00Z failed/)
    ])
  })
})
