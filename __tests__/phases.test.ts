/**
 * The key's whole life as phases: stage (the new key is trusted before it signs), promote (it
 * signs, the old key stays a fallback), retire (old keys leave on time) and auto (one daily cron
 * that decides from GitHub's own timestamps), each against the emulator with real sealed writes.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { parseKeyList } from '../src/keys/fallbacks.js'
import { fingerprint } from '../src/keys/fingerprint.js'
import { generateKey } from '../src/keys/key.js'
import { rotate } from '../src/rotation/rotate.js'
import { RotationFailure } from '../src/rotation/rotation-failure.js'
import {
  daysAgo,
  emulatedGitHub,
  inputsWith,
  REPOSITORY,
  secretWrites,
  servicesFor,
  stopEmulator
} from './helpers.js'

const scope = { repository: REPOSITORY }
let github: GitHubEmulator
let oldKey: string
let olderKey: string

beforeEach(async () => {
  github = await emulatedGitHub()
  oldKey = generateKey(50, 'urlsafe')
  olderKey = generateKey(50, 'urlsafe')
  github.setSecret(scope, 'SECRET_KEY', oldKey, daysAgo(40))
  github.setSecret(scope, 'SECRET_KEY_FALLBACKS', olderKey, daysAgo(40))
})
afterEach(() => stopEmulator(github))

const key = () => github.secret(scope, 'SECRET_KEY')?.value ?? ''
const fallbacks = () => parseKeyList(github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? '')

/** A run handed the secrets as GitHub holds them now, as a scheduled run is. */
async function run(phase: string, given: Record<string, string> = {}) {
  const inputs = inputsWith({
    'current-key': key(),
    'current-fallbacks': github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? '',
    phase,
    ...given
  })
  const services = servicesFor(github, inputs)
  return { report: await rotate(inputs, services), log: services.log }
}

async function failure(promise: Promise<unknown>): Promise<RotationFailure> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught
  )
  expect(error).toBeInstanceOf(RotationFailure)
  return error as RotationFailure
}

/** Moves both secrets' updated_at `days` into the past, as if that much time had gone by. */
function age(days: number): void {
  for (const name of ['SECRET_KEY', 'SECRET_KEY_FALLBACKS']) {
    const stored = github.secret(scope, name)
    if (stored) github.setSecret(scope, name, stored.value, daysAgo(days))
  }
}

const openIssues = () => github.issues(REPOSITORY).filter((issue) => issue.state === 'open')

describe('stage', () => {
  it('writes the new key as the first fallback and leaves SECRET_KEY alone', async () => {
    const { report } = await run('stage')
    expect(secretWrites(github)).toEqual(['PUT SECRET_KEY_FALLBACKS'])
    expect(key()).toBe(oldKey)
    const [staged, ...rest] = fallbacks()
    expect(rest).toEqual([olderKey])
    expect(staged).toMatch(/^[A-Za-z0-9_-]{50}$/)
    expect(report).toMatchObject({
      phase: 'stage',
      rotated: false,
      keyFingerprint: fingerprint(staged),
      signingKeyFingerprint: fingerprint(oldKey),
      previousKeyFingerprint: undefined
    })
  })

  it('cuts the old keys behind the staged key to max-fallbacks, which never counts the staged key', async () => {
    await run('stage', { 'max-fallbacks': '0' })
    expect(fallbacks()).toHaveLength(1)
    expect(fallbacks()).not.toContain(olderKey)
  })

  it('opens an issue that says the key was staged and records its fingerprint, never the key', async () => {
    await run('rotate', { 'min-age-days': '0' })
    const { report } = await run('stage')
    const [rotated, stagedIssue] = github.issues(REPOSITORY)
    expect(rotated.state).toBe('closed')
    expect(rotated.comments.join()).toMatch(/A new key `sha256:[0-9a-f]{12}` is staged/)
    expect(stagedIssue.title).toMatch(/^Staged a new SECRET_KEY of the repository/)
    expect(stagedIssue.body).toContain(
      `<!-- rotate-django-secret-key staged=${report.keyFingerprint} signing=${fingerprint(key())} -->`
    )
    expect(stagedIssue.body).toMatch(/Deploy, so that every instance/)
    expect(stagedIssue.body).toMatch(/phase: promote/)
    for (const secret of [key(), ...fallbacks()]) expect(stagedIssue.body).not.toContain(secret)
  })

  it('replaces a staged key that was never promoted', async () => {
    await run('stage')
    const first = fallbacks()[0]
    const { report } = await run('stage')
    expect(fallbacks()).toEqual([expect.any(String), olderKey])
    expect(fallbacks()).not.toContain(first)
    expect(report.droppedFingerprints).toHaveLength(1)
    expect(openIssues()).toHaveLength(1)
  })

  it('waits while the key is younger than min-age-days, and writes nothing', async () => {
    age(3)
    const { report } = await run('stage', { 'min-age-days': '30' })
    expect(report.phase).toBeUndefined()
    expect(report.rotated).toBe(false)
    expect(report.skipReason).toMatch(/min-age-days is 30/)
    expect(secretWrites(github)).toEqual([])
  })

  it('needs a key to stage next to', async () => {
    github = await emulatedGitHub().then(async (fresh) => {
      await github.stop()
      return fresh
    })
    const error = await failure(run('stage'))
    expect(error.message).toMatch(/SECRET_KEY does not exist yet.*run once with phase: rotate/)
    expect(secretWrites(github)).toEqual([])
  })
})

describe('promote', () => {
  it('makes the staged key SECRET_KEY in three writes and keeps the old key as the first fallback', async () => {
    await run('stage')
    const staged = fallbacks()[0]
    const from = github.writtenSecrets(scope).length
    const { report } = await run('promote')
    expect(github.writtenSecrets(scope).slice(from)).toEqual([
      { name: 'SECRET_KEY_FALLBACKS', value: `${oldKey},${staged}` },
      { name: 'SECRET_KEY', value: staged },
      { name: 'SECRET_KEY_FALLBACKS', value: oldKey }
    ])
    expect(report).toMatchObject({
      phase: 'promote',
      rotated: true,
      keyFingerprint: fingerprint(staged),
      previousKeyFingerprint: fingerprint(oldKey),
      keptFallbackFingerprints: [fingerprint(oldKey)]
    })
  })

  it('keeps the old key even with max-fallbacks: 0, since instances deployed before still sign with it', async () => {
    await run('stage', { 'max-fallbacks': '0' })
    await run('promote', { 'max-fallbacks': '0' })
    expect(fallbacks()).toEqual([oldKey])
  })

  it('closes the stage issue, even with close-previous-issue: false', async () => {
    await run('stage')
    await run('promote', { 'close-previous-issue': 'false' })
    const [stagedIssue, promoted] = github.issues(REPOSITORY)
    expect(stagedIssue.state).toBe('closed')
    expect(stagedIssue.comments.join()).toMatch(/was promoted and signs now/)
    expect(promoted.state).toBe('open')
    expect(promoted.title).toMatch(/^Promoted the staged SECRET_KEY/)
    expect(promoted.body).not.toMatch(/staged=sha256/)
  })

  it('refuses when no key was staged, and writes nothing', async () => {
    const error = await failure(run('promote'))
    expect(error.message).toMatch(
      /No staged key to promote.*Run phase: stage, deploy, then promote/
    )
    expect(error.message).toMatch(/Nothing was written/)
    expect(secretWrites(github)).toEqual([])
  })

  it('refuses a current-fallbacks that does not hold the staged key (a stale input), and writes nothing', async () => {
    await run('stage')
    const writes = secretWrites(github).length
    const error = await failure(run('promote', { 'current-fallbacks': olderKey }))
    expect(error.message).toMatch(
      /Input "current-fallbacks" does not hold the key staged in #1 \(sha256:[0-9a-f]{12}\): it is stale/
    )
    expect(secretWrites(github)).toHaveLength(writes)
  })

  it('never makes an older key SECRET_KEY again once another key signs', async () => {
    await run('stage')
    const staged = fallbacks()[0]
    // Someone set a new key by hand after the stage; the staged key is older than it now.
    const handSet = generateKey(50, 'urlsafe')
    github.setSecret(scope, 'SECRET_KEY', handSet)
    const error = await failure(run('promote'))
    expect(error.message).toMatch(/SECRET_KEY is no longer the key .* was staged over/)
    expect(key()).toBe(handSet)
    expect(fallbacks()[0]).toBe(staged)
  })

  it('after a promote, a second promote finds no staged key', async () => {
    await run('stage')
    await run('promote')
    const error = await failure(run('promote'))
    expect(error.message).toMatch(/No staged key to promote/)
  })
})

describe('retire', () => {
  it('waits until the fallbacks were written retire-after-days ago, and writes nothing before', async () => {
    await run('stage')
    await run('promote')
    age(13)
    const { report } = await run('retire', { 'retire-after-days': '14' })
    expect(report.phase).toBeUndefined()
    expect(report.skipReason).toMatch(
      /SECRET_KEY_FALLBACKS was written 13\.0 days ago .* retire-after-days is 14/
    )
    expect(fallbacks()).toEqual([oldKey])
  })

  it('then rewrites the fallbacks without the old keys, never writes SECRET_KEY, and records it in the promote issue', async () => {
    await run('stage')
    await run('promote')
    const signing = key()
    age(14)
    const from = github.requests.length
    const { report } = await run('retire', { 'retire-after-days': '14' })
    // The list is empty now, and an empty list is never stored: the secret is deleted.
    expect(
      github.requests
        .slice(from)
        .filter((request) => request.method !== 'GET' && request.path.includes('/secrets/'))
        .map((request) => `${request.method} ${request.path.split('/').at(-1)}`)
    ).toEqual(['DELETE SECRET_KEY_FALLBACKS'])
    expect(key()).toBe(signing)
    expect(github.secret(scope, 'SECRET_KEY_FALLBACKS')).toBeUndefined()
    expect(report).toMatchObject({ phase: 'retire', rotated: false })
    expect(report.droppedFingerprints).toEqual([fingerprint(oldKey)])
    const promoted = github.issues(REPOSITORY)[1]
    expect(report.issue?.number).toBe(promoted.number)
    expect(promoted.comments.at(-1)).toMatch(
      /^Retired at .*: 1 old key was removed from SECRET_KEY_FALLBACKS, which now holds no key/
    )
    expect(github.issues(REPOSITORY)).toHaveLength(2)
  })

  it('keeps a staged key', async () => {
    await run('stage')
    const staged = fallbacks()[0]
    age(30)
    await run('retire', { 'retire-after-days': '14' })
    expect(fallbacks()).toEqual([staged])
    expect(key()).toBe(oldKey)
  })

  it('opens an issue for the retirement when no rotation issue is open', async () => {
    const { report } = await run('retire', { 'retire-after-days': '1' })
    const [issue] = github.issues(REPOSITORY)
    expect(report.issue?.number).toBe(issue.number)
    expect(issue.title).toMatch(/^Retired old keys of SECRET_KEY_FALLBACKS of the repository/)
    expect(issue.body).not.toContain(olderKey)
  })

  it('skips when there is no old key', async () => {
    await github.stop()
    github = await emulatedGitHub()
    github.setSecret(scope, 'SECRET_KEY', oldKey, daysAgo(40))
    const { report } = await run('retire', { 'retire-after-days': '1' })
    expect(report.skipReason).toMatch(/holds no old key to retire/)
    expect(secretWrites(github)).toEqual([])
  })
})

describe('auto', () => {
  const daily = { 'min-age-days': '30', 'promote-after-days': '1', 'retire-after-days': '14' }

  it('lives a whole life from the secrets own timestamps: stage, wait, promote, wait, retire, wait', async () => {
    const phases: (string | undefined)[] = []
    const day = async (): Promise<void> => {
      const { report } = await run('auto', daily)
      phases.push(report.phase)
    }
    await day() // key 40 days old: stage
    await day() // staged just now: wait
    age(1)
    await day() // stage a day old: promote
    age(2)
    await day() // key 2 days old, fallbacks 2 days old: wait
    age(14)
    await day() // fallbacks 14 days old: retire
    await day() // nothing old left: wait
    age(30)
    await day() // key 30 days old: stage again
    expect(phases).toEqual(['stage', undefined, 'promote', undefined, 'retire', undefined, 'stage'])
    expect(
      github.issues(REPOSITORY).map((issue) => [issue.title.split(' of ')[0], issue.state])
    ).toEqual([
      ['Staged a new SECRET_KEY', 'closed'],
      ['Promoted the staged SECRET_KEY', 'closed'],
      ['Staged a new SECRET_KEY', 'open']
    ])
  })

  it("promotes at the next day's run even when that run fires half an hour early, not a day later", async () => {
    await run('stage')
    const stored = github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? ''
    github.setSecret(scope, 'SECRET_KEY_FALLBACKS', stored, daysAgo(23.5 / 24))
    expect((await run('auto', daily)).report.phase).toBe('promote')
  })

  it('waits when the stage is less than a day old by more than the hour a scheduled run may drift', async () => {
    await run('stage')
    const stored = github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? ''
    github.setSecret(scope, 'SECRET_KEY_FALLBACKS', stored, daysAgo(22 / 24))
    const { report } = await run('auto', daily)
    expect(report.phase).toBeUndefined()
    expect(report.skipReason).toMatch(/was staged 0\.9 days ago .*promote-after-days is 1: waiting/)
  })

  it('says in one line why it waits', async () => {
    age(3)
    const { report, log } = await run('auto', daily)
    expect(report.skipReason).toBe(
      'SECRET_KEY is 3.0 days old (min-age-days 30) and the old fallbacks were written 3.0 days ago ' +
        '(retire-after-days 14): nothing to do today.'
    )
    expect(log.lines).toContain(`Not rotating: ${report.skipReason}`)
  })

  it('finishes a promote that stopped part-way without waiting', async () => {
    await run('stage')
    const staged = fallbacks()[0]
    age(1)
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/ })
    await failure(run('auto', daily))
    github.clearFaults()
    // The first write of the promote refreshed the fallbacks' updated_at: no stage age counts now.
    const { report } = await run('auto', daily)
    expect(report.phase).toBe('promote')
    expect(key()).toBe(staged)
    expect(fallbacks()).toEqual([oldKey])
  })

  it('lets neither stage nor retire start while a promote has writes to finish', async () => {
    await run('stage')
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/ })
    await failure(run('promote'))
    github.clearFaults()
    for (const [phase, given] of [
      ['stage', {}],
      ['retire', { 'retire-after-days': '1' }]
    ] as const) {
      const error = await failure(run(phase, given))
      expect(error.message).toMatch(
        /The promote of the key staged in #1 \(sha256:[0-9a-f]{12}\) has not finished: run phase: promote \(or auto\)/
      )
    }
  })

  it('stops when the stage record does not match the keys it was given', async () => {
    await run('stage')
    const error = await failure(run('auto', { ...daily, 'current-fallbacks': olderKey }))
    expect(error.message).toMatch(/does not hold the key staged in #1/)
  })

  it('reports in a dry run what it would do, and writes nothing', async () => {
    await run('stage')
    age(2)
    const writes = secretWrites(github).length
    const { report } = await run('auto', { ...daily, 'dry-run': 'true' })
    expect(report).toMatchObject({ phase: 'promote', dryRun: true, rotated: false })
    expect(report.writes.map((write) => `${write.name} ${write.result}`)).toEqual([
      'SECRET_KEY_FALLBACKS planned',
      'SECRET_KEY planned',
      'SECRET_KEY_FALLBACKS planned'
    ])
    expect(secretWrites(github)).toHaveLength(writes)
  })
})

describe('the stale-run guard', () => {
  it('stops a phase whose current-fallbacks predate a write to the fallbacks secret, and writes nothing', async () => {
    const given = {
      'current-key': key(),
      'current-fallbacks': github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? ''
    }
    github.addRun(REPOSITORY, {
      id: 77,
      createdAt: daysAgo(1 / 24).toISOString(),
      runStartedAt: daysAgo(1 / 24).toISOString(),
      runAttempt: 1
    })
    // Another run staged a key after this one was queued with the old values.
    await run('stage')
    const writes = secretWrites(github).length
    const inputs = inputsWith({ ...given, phase: 'retire', 'retire-after-days': '1' })
    const services = servicesFor(github, inputs, undefined, {
      run: { repository: { owner: 'octo-org', repo: 'django-app' }, id: 77 }
    })
    const error = await failure(rotate(inputs, services))
    expect(error.message).toMatch(
      /SECRET_KEY_FALLBACKS changed at .*, after this run was queued at .*, so the current-fallbacks this run was given is stale/
    )
    expect(secretWrites(github)).toHaveLength(writes)
  })
})

describe('inputs that do not fit the phase', () => {
  it.each([
    [
      { phase: 'stage', 'revoke-previous': 'true' },
      /"revoke-previous" is true while "phase" is stage/
    ],
    [
      { phase: 'promote', 'open-issue': 'false' },
      /"open-issue" is false while "phase" is promote.*remembers which key it staged/
    ],
    [{ phase: 'auto', 'open-issue': 'false' }, /"open-issue" is false while "phase" is auto/]
  ])('refuses %j before any request', (given, message) => {
    expect(() => inputsWith(given)).toThrow(message)
  })

  it('retires with open-issue: false, keeping nothing staged (no stage can exist without its issue)', async () => {
    await run('retire', { 'retire-after-days': '1', 'open-issue': 'false' })
    expect(fallbacks()).toEqual([])
    expect(github.issues(REPOSITORY)).toEqual([])
  })
})
