import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { decideFreshness } from '../src/rotation/freshness.js'
import { generateKey } from '../src/keys/key.js'
import { rotate } from '../src/rotation/rotate.js'
import {
  daysAgo,
  emulatedGitHub,
  inputsWith,
  REPOSITORY,
  RUN_ID,
  secretWrites,
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
  github.setSecret(repository, 'SECRET_KEY', oldKey, daysAgo(40))
})
afterEach(() => stopEmulator(github))

function queueRun(createdAt: Date, runStartedAt = createdAt, runAttempt = 1): void {
  github.addRun(REPOSITORY, {
    id: RUN_ID,
    createdAt: createdAt.toISOString(),
    runStartedAt: runStartedAt.toISOString(),
    runAttempt
  })
}

describe('overlapping and stale runs', () => {
  it('stops without writing when the key changed after this run was queued, and gives the times', async () => {
    queueRun(new Date(Date.now() - 120_000))
    const rotatedMeanwhile = generateKey(50, 'urlsafe')
    github.setSecret(repository, 'SECRET_KEY', rotatedMeanwhile, new Date(Date.now() - 60_000))
    const inputs = inputsWith({ 'current-key': oldKey })
    await expect(rotate(inputs, servicesFor(github, inputs, undefined, thisRun))).rejects.toThrow(
      /SECRET_KEY changed at \S+Z, after this run was queued at \S+Z, so the current-key this run was given is stale.* Nothing was written/
    )
    expect(secretWrites(github)).toEqual([])
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(rotatedMeanwhile)
  })

  it('does not rotate twice when a re-run follows an attempt that already rotated', async () => {
    const queued = new Date(Date.now() - 600_000)
    queueRun(queued)
    let inputs = inputsWith({ 'current-key': oldKey })
    await rotate(inputs, servicesFor(github, inputs, undefined, thisRun))
    const rotatedKey = github.secret(repository, 'SECRET_KEY')?.value ?? ''

    queueRun(queued, new Date(Date.now() + 1000), 2)
    inputs = inputsWith({ 'current-key': rotatedKey, 'current-fallbacks': oldKey })
    const report = await rotate(inputs, servicesFor(github, inputs, undefined, thisRun))
    expect(report.rotated).toBe(false)
    expect(report.skipReason).toMatch(/an earlier attempt of this run rotated it already/)
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(rotatedKey)
    expect(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value).toBe(oldKey)
  })

  it('rotates when the key is older than the run', async () => {
    queueRun(new Date(Date.now() - 60_000))
    const inputs = inputsWith({ 'current-key': oldKey })
    expect((await rotate(inputs, servicesFor(github, inputs, undefined, thisRun))).rotated).toBe(
      true
    )
  })

  it('stops when the key changed in the same second the run was queued', async () => {
    // GitHub's one-second timestamps cannot order the two: the guard must fail safe.
    const second = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000)
    queueRun(second)
    github.setSecret(repository, 'SECRET_KEY', oldKey, new Date(second.getTime() + 900))
    const inputs = inputsWith({ 'current-key': oldKey })
    await expect(rotate(inputs, servicesFor(github, inputs, undefined, thisRun))).rejects.toThrow(
      /so the current-key this run was given is stale/
    )
    expect(secretWrites(github)).toEqual([])
  })

  it('says in the issue that staleness was not checked, and the closing comment claims nothing more', async () => {
    const first = inputsWith({ 'current-key': oldKey })
    queueRun(new Date(Date.now() - 60_000))
    await rotate(first, servicesFor(github, first, undefined, thisRun))
    expect(github.issues(REPOSITORY)[0].body).toMatch(
      /\| Stale-key check \| passed: SECRET_KEY last changed at \S+Z, before this run was queued at \S+Z \|/
    )

    github.addToken('no-actions', { kind: 'app', issues: 'write' })
    const second = inputsWith({
      'current-key': github.secret(repository, 'SECRET_KEY')?.value ?? '',
      'current-fallbacks': github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '',
      'issue-token': 'no-actions'
    })
    await rotate(second, servicesFor(github, second, undefined, thisRun))
    const [previous, latest] = github.issues(REPOSITORY)
    expect(latest.body).toMatch(
      /> \[!WARNING\]\n> Staleness was not checked: this workflow run could not be read/
    )
    expect(latest.body).toMatch(/\| Stale-key check \| \*\*not checked\*\*: /)
    expect(previous.state).toBe('closed')
    expect(previous.comments[0]).toMatch(/Staleness was not checked .*compare that fingerprint/)
    expect(previous.comments[0]).not.toMatch(/The key this issue logged/)
  })

  it('goes on, with a warning, when the run cannot be read', async () => {
    github.addToken('no-actions', { kind: 'app', issues: 'write' })
    queueRun(new Date())
    const inputs = inputsWith({ 'current-key': oldKey, 'issue-token': 'no-actions' })
    const services = servicesFor(github, inputs, undefined, thisRun)
    expect((await rotate(inputs, services)).rotated).toBe(true)
    expect(services.log.warnings.join('\n')).toMatch(
      /a stale current-key cannot be detected: give the workflow permissions: actions: read/
    )
  })
})

describe('min-age-days', () => {
  it('skips a key younger than min-age-days, with a one-line reason and no issue', async () => {
    github.setSecret(repository, 'SECRET_KEY', oldKey, daysAgo(10))
    const inputs = inputsWith({ 'current-key': oldKey, 'min-age-days': '30' })
    const services = servicesFor(github, inputs)
    const report = await rotate(inputs, services)
    expect(report).toMatchObject({ rotated: false, writes: [] })
    expect(report.skipReason).toMatch(
      /^SECRET_KEY was updated 10 days and 0 hours ago \(\S+\); min-age-days is 30: not rotating yet\.$/
    )
    expect(secretWrites(github)).toEqual([])
    expect(github.issues(REPOSITORY)).toEqual([])
  })

  it('rotates a key older than min-age-days', async () => {
    const inputs = inputsWith({ 'current-key': oldKey, 'min-age-days': '30' })
    expect((await rotate(inputs, servicesFor(github, inputs))).rotated).toBe(true)
  })

  it('never holds back revoke-previous', async () => {
    github.setSecret(repository, 'SECRET_KEY', oldKey, new Date())
    queueRun(daysAgo(1))
    const inputs = inputsWith({ 'revoke-previous': 'true', 'min-age-days': '30' })
    expect((await rotate(inputs, servicesFor(github, inputs, undefined, thisRun))).rotated).toBe(
      true
    )
  })
})

describe('decideFreshness', () => {
  const now = new Date('2026-06-30T12:00:00Z')
  it('says how old a key one minute short of min-age-days is, rounded down, never "30.0 days"', () => {
    const decision = decideFreshness({
      secretName: 'K',
      keyUpdatedAt: '2026-05-31T12:01:00Z',
      minAgeDays: 30,
      now
    })
    expect(decision).toEqual({
      decision: 'skip',
      reason:
        'K was updated 29 days and 23 hours ago (2026-05-31T12:01:00Z); min-age-days is 30: not rotating yet.'
    })
  })

  it('rotates with min-age-days 0 a key GitHub dates a moment after this machine’s clock', () => {
    expect(
      decideFreshness({ secretName: 'K', keyUpdatedAt: '2026-06-30T12:00:01Z', minAgeDays: 0, now })
    ).toEqual({ decision: 'rotate' })
  })

  it('says 0 days of a key updated a moment after now, as clocks drift apart', () => {
    const decision = decideFreshness({
      secretName: 'K',
      keyUpdatedAt: '2026-06-30T12:00:01Z',
      minAgeDays: 1,
      now
    })
    expect(decision).toMatchObject({
      reason: expect.stringMatching(/updated 0 days and 0 hours ago/)
    })
  })

  it('rotates a key that does not exist yet', () => {
    expect(decideFreshness({ secretName: 'K', minAgeDays: 30, now })).toEqual({
      decision: 'rotate'
    })
  })

  it('treats an update in the same second as the run was queued as stale', () => {
    const run = {
      createdAt: '2026-06-30T11:00:00Z',
      runStartedAt: '2026-06-30T11:00:00Z',
      runAttempt: 1
    }
    const decision = decideFreshness({
      secretName: 'K',
      keyUpdatedAt: '2026-06-30T11:00:00Z',
      run,
      minAgeDays: 0,
      now
    })
    expect(decision.decision).toBe('stop')
  })

  it.each([
    [
      'during the first attempt (not an earlier attempt)',
      '2026-06-30T11:00:00Z',
      '2026-06-30T11:00:00Z',
      1
    ],
    ['after a re-run started', '2026-06-30T10:00:00Z', '2026-06-30T11:00:00Z', 2]
  ])('treats an update %s as stale', (_case, createdAt, runStartedAt, runAttempt) => {
    const run = { createdAt, runStartedAt, runAttempt }
    const decision = decideFreshness({
      secretName: 'K',
      keyUpdatedAt: '2026-06-30T11:30:00Z',
      run,
      minAgeDays: 0,
      now
    })
    expect(decision.decision).toBe('stop')
  })
})

describe('decideFreshness at the edges', () => {
  const decide = (options: {
    keyUpdatedAt: string
    run?: { createdAt: string; runStartedAt: string; runAttempt: number }
    minAgeDays?: number
    now?: string
  }) =>
    decideFreshness({
      secretName: 'SECRET_KEY',
      keyUpdatedAt: options.keyUpdatedAt,
      run: options.run,
      minAgeDays: options.minAgeDays ?? 0,
      now: new Date(options.now ?? '2026-06-30T12:00:00Z')
    }).decision

  it('stops a first attempt that waited in the queue while the key changed: no earlier attempt rotated', () => {
    const run = {
      createdAt: '2026-06-30T10:00:00Z',
      runStartedAt: '2026-06-30T11:00:00Z',
      runAttempt: 1
    }
    expect(decide({ keyUpdatedAt: '2026-06-30T10:30:00Z', run })).toBe('stop')
  })

  it('skips a re-run only for an update strictly before the attempt started; a tie stops', () => {
    const run = {
      createdAt: '2026-06-30T10:00:00Z',
      runStartedAt: '2026-06-30T11:00:00Z',
      runAttempt: 2
    }
    expect(decide({ keyUpdatedAt: '2026-06-30T10:59:59Z', run })).toBe('skip')
    expect(decide({ keyUpdatedAt: '2026-06-30T11:00:00Z', run })).toBe('stop')
  })

  it('rotates a key exactly min-age-days old, and skips one a second younger', () => {
    expect(decide({ keyUpdatedAt: '2026-05-31T12:00:00Z', minAgeDays: 30 })).toBe('rotate')
    expect(decide({ keyUpdatedAt: '2026-05-31T12:00:01Z', minAgeDays: 30 })).toBe('skip')
  })

  it('holds to min-age-days when the run was read and the key is older than the run', () => {
    const run = {
      createdAt: '2026-06-30T11:59:00Z',
      runStartedAt: '2026-06-30T11:59:00Z',
      runAttempt: 1
    }
    expect(decide({ keyUpdatedAt: '2026-06-20T12:00:00Z', run, minAgeDays: 30 })).toBe('skip')
    expect(decide({ keyUpdatedAt: '2026-05-20T12:00:00Z', run, minAgeDays: 30 })).toBe('rotate')
  })

  it("measures the key's age on the clock it is given, not the machine's", () => {
    const decision = decideFreshness({
      secretName: 'SECRET_KEY',
      keyUpdatedAt: '2020-01-21T00:00:00Z',
      minAgeDays: 30,
      now: new Date('2020-01-31T00:00:00Z')
    })
    expect(decision).toEqual({
      decision: 'skip',
      reason: expect.stringMatching(/^SECRET_KEY was updated 10 days and 0 hours ago/)
    })
  })
})
