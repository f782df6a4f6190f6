/**
 * The write-order promise, proven by fault injection: every request the action makes is failed
 * once, failed every time, or has its connection dropped, and afterwards the old key must still be
 * valid, every secret must hold a valid key list, the result must say what was written, and a
 * re-run must finish the rotation without losing a key.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import type { Fault, GitHubEmulator } from '../emulator/github.js'
import { isListableKey, parseKeyList } from '../src/keys/fallbacks.js'
import { djangoKeyProblems } from '../src/keys/key.js'
import { rotate } from '../src/rotation/rotate.js'
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
let github: GitHubEmulator
afterEach(() => stopEmulator(github))

const held = () => ({
  key: github.secret(repository, 'SECRET_KEY')?.value ?? '',
  fallbacks: github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? ''
})

/** One rotation as a real run: queued now, handed the secrets as they are, attempt `attempt`. */
async function runRotation(attempt = 1, queuedAt = new Date()) {
  const { key, fallbacks } = held()
  github.addRun(REPOSITORY, {
    id: RUN_ID,
    createdAt: queuedAt.toISOString(),
    runStartedAt: new Date().toISOString(),
    runAttempt: attempt
  })
  const inputs = inputsWith({
    'current-key': key,
    'current-fallbacks': fallbacks,
    'max-fallbacks': '2'
  })
  const services = servicesFor(github, inputs, undefined, {
    run: { repository: { owner: 'octo-org', repo: 'django-app' }, id: RUN_ID }
  })
  return rotate(inputs, services)
}

/** A repository that was rotated once a month ago, so that every kind of request happens. */
async function rotatedRepository(): Promise<GitHubEmulator> {
  github = await emulatedGitHub()
  github.now = () => daysAgo(30)
  github.setSecret(
    repository,
    'SECRET_KEY',
    'k'.repeat(10) + 'first-key-of-the-project-0123456789abcdefghij',
    daysAgo(31)
  )
  await runRotation(1, daysAgo(30))
  github.now = () => new Date()
  return github
}

/** Every (method, path) a full rotation sends, from a clean run's request log. */
async function requestKinds(): Promise<{ method: string; path: string }[]> {
  await rotatedRepository()
  const from = github.requests.length
  await runRotation()
  const kinds = github.requests.slice(from).map(({ method, path }) => ({ method, path }))
  await github.stop()
  return kinds.filter(
    (kind, index) =>
      kinds.findIndex((other) => other.method === kind.method && other.path === kind.path) === index
  )
}

function expectValidKeyLists(): void {
  const { key, fallbacks } = held()
  expect(djangoKeyProblems(key)).toEqual([])
  expect(parseKeyList(fallbacks).every(isListableKey)).toBe(true)
}

const modes: [string, Omit<Fault, 'method' | 'path'>][] = [
  ['a 500 once', { status: 500, times: 1 }],
  ['a dropped connection once', { drop: true, times: 1 }],
  ['a 500 every time', { status: 500 }],
  ['a 503 every time', { status: 503 }]
]

describe('faults on every request', () => {
  it('covers every request a full rotation makes', async () => {
    const kinds = (await requestKinds()).map(
      ({ method, path }) => `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{n}')}`
    )
    expect(kinds).toEqual(
      expect.arrayContaining([
        'GET /repos/octo-org/django-app/actions/secrets/public-key',
        'GET /repos/octo-org/django-app/actions/secrets/SECRET_KEY',
        'GET /repos/octo-org/django-app/actions/secrets/SECRET_KEY_FALLBACKS',
        'GET /repos/octo-org/django-app/actions/runs/{n}',
        'GET /repos/octo-org/django-app/issues',
        'POST /repos/octo-org/django-app/labels',
        'PUT /repos/octo-org/django-app/actions/secrets/SECRET_KEY_FALLBACKS',
        'PUT /repos/octo-org/django-app/actions/secrets/SECRET_KEY',
        'POST /repos/octo-org/django-app/issues',
        'POST /repos/octo-org/django-app/issues/{n}/comments',
        'PATCH /repos/octo-org/django-app/issues/{n}'
      ])
    )
    expect(kinds).toHaveLength(11)
  })

  it('never loses the old key, always says what was written, and a re-run finishes the rotation', async () => {
    const kinds = await requestKinds()
    const outcomes: string[] = []
    for (const kind of kinds) {
      for (const [modeName, mode] of modes) {
        await rotatedRepository()
        const before = held()
        github.fail({ method: kind.method, path: new RegExp(`^${kind.path}$`), ...mode })
        let failure: RotationFailure | undefined
        try {
          await runRotation()
        } catch (error) {
          expect(error).toBeInstanceOf(RotationFailure)
          failure = error as RotationFailure
        }
        const after = held()
        const label = `${kind.method} ${kind.path} with ${modeName}`

        // (a) the old key is still SECRET_KEY or the first fallback.
        expect([after.key, parseKeyList(after.fallbacks)[0]]).toContain(before.key)
        // (b) every secret holds a valid key list.
        expectValidKeyLists()
        // (c) the result says exactly what was written.
        const keyWritten = after.key !== before.key
        const fallbacksWritten = after.fallbacks !== before.fallbacks
        if (failure) {
          expect(keyWritten).toBe(false)
          expect(failure.message).toContain(
            fallbacksWritten
              ? 'SECRET_KEY_FALLBACKS was written; SECRET_KEY was not and still holds the old key'
              : 'Nothing was written'
          )
          // (d) a re-run of the failed job is handed the secrets as they are now, and finishes.
          github.clearFaults()
          const rerun = await runRotation(2, new Date(Date.now() - 60_000))
          expect(rerun.rotated).toBe(true)
          expect(parseKeyList(held().fallbacks)[0]).toBe(before.key)
          expectValidKeyLists()
        } else {
          expect(keyWritten && fallbacksWritten).toBe(true)
          expect(parseKeyList(after.fallbacks)[0]).toBe(before.key)
        }
        outcomes.push(`${label}: ${failure ? 'failed safely, re-run finished' : 'rotated'}`)
        await github.stop()
      }
    }
    // Transient faults are retried away; faults that persist on a read or a write stop the run.
    expect(
      outcomes.filter((outcome) => outcome.includes('once') && !outcome.endsWith('rotated'))
    ).toEqual([])
    expect(
      outcomes.filter((outcome) => /PUT .* every time: failed safely/.test(outcome))
    ).toHaveLength(4)
    // 44 rotations and their re-runs: a loaded machine needs more than the default 30 s.
  }, 180_000)
})
