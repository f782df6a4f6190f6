/**
 * Writes GitHub applied but whose answer never came back (a reset, a timeout): the run asks the
 * secret's metadata what happened instead of reporting "not written", and never opens an issue
 * twice.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { parseKeyList } from '../src/keys/fallbacks.js'
import { generateKey } from '../src/keys/key.js'
import { rotate } from '../src/rotation/rotate.js'
import type { Trigger } from '../src/rotation/report.js'
import { RotationFailure } from '../src/rotation/rotation-failure.js'
import {
  daysAgo,
  emulatedGitHub,
  inputsWith,
  REPOSITORY,
  RUN_ID,
  servicesFor,
  stopEmulator
} from './helpers.js'

const repository = { repository: REPOSITORY }
const thisRun = { run: { repository: { owner: 'octo-org', repo: 'django-app' }, id: RUN_ID } }
let github: GitHubEmulator
let oldKey: string

beforeEach(async () => {
  github = await emulatedGitHub()
  oldKey = generateKey(50, 'urlsafe')
  github.setSecret(repository, 'SECRET_KEY', oldKey, daysAgo(30))
})
afterEach(() => stopEmulator(github))

function rotation(given: Record<string, string> = {}, trigger: Partial<Trigger> = thisRun) {
  const inputs = inputsWith({ 'current-key': oldKey, ...given })
  const services = servicesFor(github, inputs, undefined, trigger)
  return { services, result: rotate(inputs, services) }
}

describe('a write whose answer was lost', () => {
  it('learns from the metadata that the key was written, and reports the rotation as done', async () => {
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/, loseAnswer: true })
    const { services, result } = rotation()
    const report = await result
    expect(report.rotated).toBe(true)
    expect(report.writes).toEqual([
      { name: 'SECRET_KEY_FALLBACKS', result: 'created' },
      { name: 'SECRET_KEY', result: 'updated' }
    ])
    expect(github.secret(repository, 'SECRET_KEY')?.value).not.toBe(oldKey)
    expect(services.log.warnings.join('\n')).toMatch(
      /GitHub's answer to the SECRET_KEY write was lost .*the secret's metadata shows the write was applied/
    )
    expect(github.requests.filter((request) => request.answerLost).length).toBeGreaterThan(0)
  })

  it('goes on to the key when the fallbacks write was applied but its answer lost', async () => {
    github.fail({ method: 'PUT', path: /\/SECRET_KEY_FALLBACKS$/, loseAnswer: true })
    const report = await rotation().result
    expect(report.rotated).toBe(true)
    expect(parseKeyList(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '')).toEqual([
      oldKey
    ])
  })

  it('says the write did not happen when the metadata shows it, and the old key is intact', async () => {
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/, drop: true })
    const error = await rotation().result.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RotationFailure)
    expect((error as Error).message).toMatch(
      /SECRET_KEY's metadata shows GitHub did not apply it\. SECRET_KEY_FALLBACKS was written; SECRET_KEY was not and still holds the old key/
    )
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(oldKey)
  })

  it('says plainly when it cannot tell, and warns against rotating again before a redeploy', async () => {
    // Written in the same second as the write and no run to compare with: one-second timestamps
    // cannot tell. The emulated clock stands still so that both stamps fall in that second.
    const second = new Date()
    github.now = () => second
    github.setSecret(repository, 'SECRET_KEY', oldKey, second)
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/, loseAnswer: true })
    const error = await rotation({}, {}).result.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RotationFailure)
    expect((error as RotationFailure).writes).toEqual([
      { name: 'SECRET_KEY_FALLBACKS', result: 'created' },
      { name: 'SECRET_KEY', result: 'unknown' }
    ])
    expect((error as Error).message).toMatch(
      /^Could not confirm the SECRET_KEY write for the repository octo-org\/django-app: GitHub answered HTTP 500 \(.*\)\. Whether GitHub applied the write is unknown.* Whether SECRET_KEY now holds the new key is unknown.*Do not start another rotation yet.*redeploy before any later rotation/
    )
    expect((error as Error).message).not.toMatch(
      /SECRET_KEY was not and still holds the old key|run the workflow again\. Whether/
    )
  })
})

describe('a deletion whose answer was lost', () => {
  it('learns from the metadata that the emptied fallbacks secret is gone, and goes on', async () => {
    github.setSecret(repository, 'SECRET_KEY_FALLBACKS', generateKey(50, 'hex'), daysAgo(30))
    github.fail({ method: 'DELETE', path: /\/SECRET_KEY_FALLBACKS$/, loseAnswer: true })
    const report = await rotation({ 'revoke-previous': 'true' }).result
    expect(report.writes).toEqual([
      { name: 'SECRET_KEY_FALLBACKS', result: 'deleted' },
      { name: 'SECRET_KEY', result: 'updated' }
    ])
    expect(github.secret(repository, 'SECRET_KEY_FALLBACKS')).toBeUndefined()
  })

  it('says the fallbacks are as they were when the deletion did not happen', async () => {
    github.setSecret(repository, 'SECRET_KEY_FALLBACKS', generateKey(50, 'hex'), daysAgo(30))
    github.fail({ method: 'DELETE', path: /\/SECRET_KEY_FALLBACKS$/, status: 503 })
    const error = await rotation({ 'revoke-previous': 'true' }).result.catch(
      (caught: unknown) => caught
    )
    expect((error as Error).message).toMatch(
      /SECRET_KEY_FALLBACKS's metadata shows GitHub did not apply it\. Nothing was written/
    )
  })
})

describe('an issue whose answer was lost', () => {
  it('opens one rotation issue, never two', async () => {
    github.fail({ method: 'POST', path: /\/issues$/, loseAnswer: true, times: 1 })
    const report = await rotation().result
    expect(github.issues(REPOSITORY)).toHaveLength(1)
    expect(report.issue?.number).toBe(1)
    expect(report.issueProblem).toBeUndefined()
  })

  it('posts again once when the issue was not opened after all', async () => {
    github.fail({ method: 'POST', path: /\/issues$/, drop: true, times: 1 })
    const report = await rotation().result
    expect(github.issues(REPOSITORY)).toHaveLength(1)
    expect(report.issue?.number).toBe(1)
  })
})
