import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { parseKeyList } from '../src/keys/fallbacks.js'
import { fingerprint } from '../src/keys/fingerprint.js'
import { generateKey } from '../src/keys/key.js'
import { rotate } from '../src/rotation/rotate.js'
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
let github: GitHubEmulator
let oldKey: string

beforeEach(async () => {
  github = await emulatedGitHub()
  oldKey = generateKey(50, 'django')
  github.setSecret(repository, 'SECRET_KEY', oldKey, daysAgo(30))
})
afterEach(() => stopEmulator(github))

describe('a repository rotation', () => {
  it('writes a new key and keeps the old key as the first fallback', async () => {
    const inputs = inputsWith({ 'current-key': oldKey })
    const services = servicesFor(github, inputs)
    const report = await rotate(inputs, services)

    const newKey = github.secret(repository, 'SECRET_KEY')?.value ?? ''
    expect(newKey).toMatch(/^[A-Za-z0-9_-]{50}$/)
    expect(parseKeyList(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '')).toEqual([
      oldKey
    ])
    expect(report).toMatchObject({
      rotated: true,
      keyFingerprint: fingerprint(newKey),
      previousKeyFingerprint: fingerprint(oldKey),
      keptFallbackFingerprints: [fingerprint(oldKey)],
      writes: [
        { name: 'SECRET_KEY_FALLBACKS', result: 'created' },
        { name: 'SECRET_KEY', result: 'updated' }
      ]
    })
    expect(services.log.masked).toEqual([newKey])
  })

  it('writes the fallbacks before the key', async () => {
    await rotate(inputsWith({ 'current-key': oldKey }), servicesFor(github, inputsWith({})))
    expect(secretWrites(github)).toEqual(['PUT SECRET_KEY_FALLBACKS', 'PUT SECRET_KEY'])
  })

  it('reads the public key once and sends independent reads together', async () => {
    // The emulator answers no read until the public key, the key's metadata and the previous-issue
    // lookup have all arrived. A client that waited for one answer before sending the next read
    // would get its first answer only when the hold gives up, after the others: the request log
    // then shows an answer before an arrival, however loaded the machine is.
    const firstRound = [/\/public-key$/, /\/secrets\/SECRET_KEY$/, /\/issues$/]
    const arrived = new Set<RegExp>()
    let allArrived: () => void = () => undefined
    const hold = new Promise<void>((resolve) => (allArrived = resolve))
    github.beforeAnswer = async ({ method, path }) => {
      if (method !== 'GET') return
      for (const read of firstRound) if (read.test(path)) arrived.add(read)
      if (arrived.size === firstRound.length) allArrived()
      await Promise.race([hold, new Promise((resolve) => setTimeout(resolve, 5_000).unref())])
    }
    await rotate(inputsWith({ 'current-key': oldKey }), servicesFor(github, inputsWith({})))

    const reads = github.requests.filter((request) => request.method === 'GET')
    expect(reads.filter((request) => request.path.endsWith('/public-key'))).toHaveLength(1)
    const together = reads.filter((request) => firstRound.some((read) => read.test(request.path)))
    expect(together).toHaveLength(firstRound.length)
    // Every one of them arrived before any of them was answered.
    const lastArrival = Math.max(...together.map((request) => request.start))
    const firstAnswer = Math.min(...together.map((request) => request.end))
    expect(lastArrival).toBeLessThan(firstAnswer)
  })

  it('rolls the list: the oldest key falls off at max-fallbacks', async () => {
    const older = [generateKey(50, 'hex'), generateKey(50, 'hex')]
    github.setSecret(repository, 'SECRET_KEY_FALLBACKS', older.join(','))
    const inputs = inputsWith({
      'current-key': oldKey,
      'current-fallbacks': older.join(','),
      'max-fallbacks': '2',
      'fallbacks-format': 'json'
    })
    const report = await rotate(inputs, servicesFor(github, inputs))
    expect(JSON.parse(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '')).toEqual([
      oldKey,
      older[0]
    ])
    expect(report.droppedFingerprints).toEqual([fingerprint(older[1])])
  })

  it('creates the key on the first run in a repository that has neither, and stores no empty list', async () => {
    await github.stop()
    github = await emulatedGitHub()
    const inputs = inputsWith({})
    const report = await rotate(inputs, servicesFor(github, inputs))
    expect(report.writes).toEqual([{ name: 'SECRET_KEY', result: 'created' }])
    expect(report.previousKeyFingerprint).toBeUndefined()
    expect(github.secret(repository, 'SECRET_KEY_FALLBACKS')).toBeUndefined()
  })

  it('refuses to rotate away a key it was not given, and writes nothing', async () => {
    const inputs = inputsWith({})
    await expect(rotate(inputs, servicesFor(github, inputs))).rejects.toThrow(
      /Input "current-key" is empty but the SECRET_KEY secret exists .* revoke-previous: true/
    )
    expect(secretWrites(github)).toEqual([])
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(oldKey)
  })

  it('drops every old key with revoke-previous, even one it was not given', async () => {
    github.setSecret(repository, 'SECRET_KEY_FALLBACKS', generateKey(50, 'hex'), daysAgo(30))
    const inputs = inputsWith({ 'revoke-previous': 'true' })
    const report = await rotate(inputs, servicesFor(github, inputs))
    expect(github.secret(repository, 'SECRET_KEY')?.value).not.toBe(oldKey)
    // An empty list is not stored: the fallbacks secret is deleted.
    expect(github.secret(repository, 'SECRET_KEY_FALLBACKS')).toBeUndefined()
    expect(report.revoked).toBe(true)
    expect(report.writes).toEqual([
      { name: 'SECRET_KEY_FALLBACKS', result: 'deleted' },
      { name: 'SECRET_KEY', result: 'updated' }
    ])
    const [issue] = github.issues(REPOSITORY)
    expect(issue.body).toMatch(/revoked on purpose/)
    expect(issue.body).toContain(
      '| Dropped keys | whatever `SECRET_KEY` held, which this run was not given; whatever `SECRET_KEY_FALLBACKS` held, which this run was not given |'
    )
  })

  it('refuses an empty current-fallbacks while the fallbacks secret exists, and writes nothing', async () => {
    const fallback = generateKey(50, 'hex')
    github.setSecret(repository, 'SECRET_KEY_FALLBACKS', fallback, daysAgo(30))
    const inputs = inputsWith({ 'current-key': oldKey, 'max-fallbacks': '3' })
    // Latency makes the overlap of requests sent together visible, with a margin for a busy machine.
    github.latencyMs = 200
    await expect(rotate(inputs, servicesFor(github, inputs))).rejects.toThrow(
      /^Input "current-fallbacks" is empty but the SECRET_KEY_FALLBACKS secret exists in the repository octo-org\/django-app: .*Pass current-fallbacks: \$\{\{ secrets.SECRET_KEY_FALLBACKS \}\}, or set revoke-previous: true .* Nothing was written/
    )
    expect(secretWrites(github)).toEqual([])
    expect(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value).toBe(fallback)
    // The fallbacks secret's metadata is read in the first round, together with the public key.
    const reads = github.requests.filter((request) => request.method === 'GET')
    const fallbacksRead = reads.find((request) => request.path.endsWith('/SECRET_KEY_FALLBACKS'))
    const publicKeyRead = reads.find((request) => request.path.endsWith('/public-key'))
    expect(fallbacksRead && publicKeyRead && fallbacksRead.start < publicKeyRead.end).toBe(true)
  })

  it('names every dropped key by its fingerprint in the issue', async () => {
    const older = [generateKey(50, 'hex'), generateKey(50, 'hex')]
    github.setSecret(repository, 'SECRET_KEY_FALLBACKS', older.join(','), daysAgo(30))
    const inputs = inputsWith({ 'current-key': oldKey, 'current-fallbacks': older.join(',') })
    await rotate(inputs, servicesFor(github, inputs))
    expect(github.issues(REPOSITORY)[0].body).toContain(
      `| Dropped keys | 2 old keys no longer accepted: \`${fingerprint(older[0])}\`, \`${fingerprint(older[1])}\` |`
    )
  })

  it('plans everything and writes nothing in a dry run', async () => {
    const inputs = inputsWith({ 'current-key': oldKey, 'dry-run': 'true' })
    const report = await rotate(inputs, servicesFor(github, inputs))
    expect(report).toMatchObject({
      rotated: false,
      dryRun: true,
      keptFallbackFingerprints: [fingerprint(oldKey)]
    })
    expect(github.requests.filter((request) => request.method !== 'GET')).toEqual([])
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(oldKey)
    expect(github.issues(REPOSITORY)).toEqual([])
  })

  it('leaves the old key in both places when the key write fails', async () => {
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/, status: 500 })
    const inputs = inputsWith({ 'current-key': oldKey })
    await expect(rotate(inputs, servicesFor(github, inputs))).rejects.toThrow(
      /Could not write SECRET_KEY .*HTTP 500.* SECRET_KEY_FALLBACKS was written; SECRET_KEY was not and still holds the old key/
    )
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(oldKey)
    expect(parseKeyList(github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '')[0]).toBe(
      oldKey
    )
    expect(github.issues(REPOSITORY)).toEqual([])
  })
})

describe('an environment rotation', () => {
  it("writes the environment's secrets and leaves the repository's alone", async () => {
    github.addEnvironment(REPOSITORY, 'production')
    const production = { repository: REPOSITORY, environment: 'production' }
    const envKey = generateKey(50, 'urlsafe')
    github.setSecret(production, 'SECRET_KEY', envKey)
    const inputs = inputsWith({ 'current-key': envKey, environment: 'production' })
    const report = await rotate(inputs, servicesFor(github, inputs))
    expect(parseKeyList(github.secret(production, 'SECRET_KEY_FALLBACKS')?.value ?? '')).toEqual([
      envKey
    ])
    expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(oldKey)
    expect(report.scope.label).toBe('environment "production" of octo-org/django-app')
  })

  it('explains an environment that does not exist', async () => {
    const inputs = inputsWith({ 'current-key': oldKey, environment: 'staging' })
    await expect(rotate(inputs, servicesFor(github, inputs))).rejects.toThrow(
      /the environment "staging" does not exist/
    )
    expect(secretWrites(github)).toEqual([])
  })
})

describe('the rotation issue', () => {
  it('logs fingerprints, the trigger and the next steps, and never a key', async () => {
    github.addAssignable(REPOSITORY, 'alice')
    github.addAssignable(REPOSITORY, 'bob')
    const inputs = inputsWith({ 'current-key': oldKey, 'issue-assignees': 'alice, bob' })
    const report = await rotate(inputs, servicesFor(github, inputs))
    const [issue] = github.issues(REPOSITORY)
    expect(report.issue).toEqual({ number: 1, url: `https://github.com/${REPOSITORY}/issues/1` })
    expect(issue.labels).toEqual(['secret-rotation'])
    expect(issue.assignees).toEqual(['alice', 'bob'])
    expect(issue.body).toContain(report.keyFingerprint)
    expect(issue.body).toContain(fingerprint(oldKey))
    expect(issue.body).toContain('`schedule` by octocat')
    expect(issue.body).not.toContain('@octocat')
    expect(issue.body).toContain('/actions/runs/4242')
    expect(issue.body).toMatch(/Redeploy/)
    for (const key of [oldKey, github.secret(repository, 'SECRET_KEY')?.value ?? '']) {
      expect(`${issue.title}${issue.body}`).not.toContain(key)
    }
  })

  it('closes the previous rotation issue of the same scope only', async () => {
    github.addEnvironment(REPOSITORY, 'production')
    const production = inputsWith({ environment: 'production' })
    await rotate(production, servicesFor(github, production))
    let inputs = inputsWith({ 'current-key': oldKey })
    await rotate(inputs, servicesFor(github, inputs))
    inputs = inputsWith({
      'current-key': github.secret(repository, 'SECRET_KEY')?.value ?? '',
      'current-fallbacks': github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? ''
    })
    await rotate(inputs, servicesFor(github, inputs))

    const [environmentIssue, first, second] = github.issues(REPOSITORY)
    expect(environmentIssue.state).toBe('open')
    expect(first).toMatchObject({ state: 'closed', stateReason: 'completed' })
    expect(first.comments[0]).toMatch(/Superseded by the rotation of/)
    expect(second.state).toBe('open')
    expect(second.body).toContain('| Previous rotation | #2 |')
  })

  it('leaves the previous issue open with close-previous-issue: false', async () => {
    for (let round = 0; round < 2; round++) {
      const inputs = inputsWith({
        'current-key': github.secret(repository, 'SECRET_KEY')?.value ?? '',
        'current-fallbacks': github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '',
        'close-previous-issue': 'false'
      })
      await rotate(inputs, servicesFor(github, inputs))
    }
    expect(github.issues(REPOSITORY).map((issue) => issue.state)).toEqual(['open', 'open'])
  })

  it('opens no issue with open-issue: false', async () => {
    const inputs = inputsWith({ 'current-key': oldKey, 'open-issue': 'false' })
    const report = await rotate(inputs, servicesFor(github, inputs))
    expect(report.issue).toBeUndefined()
    expect(github.issues(REPOSITORY)).toEqual([])
  })

  it('stops before writing anything when the issue token cannot write issues', async () => {
    github.addToken('no-issues', { kind: 'app', actions: 'read' })
    const inputs = inputsWith({ 'current-key': oldKey, 'issue-token': 'no-issues' })
    await expect(rotate(inputs, servicesFor(github, inputs))).rejects.toThrow(
      /Could not check that rotation issues can be opened .*HTTP 403 .*"issue-token" input lacks "Issues: write"/
    )
    expect(secretWrites(github)).toEqual([])
  })

  it('keeps the rotation when the issue cannot be opened, and says why', async () => {
    github.fail({ method: 'POST', path: /\/issues$/, status: 500 })
    const inputs = inputsWith({ 'current-key': oldKey })
    const services = servicesFor(github, inputs)
    const report = await rotate(inputs, services)
    expect(report.rotated).toBe(true)
    expect(report.issueProblem).toMatch(/Could not open the rotation issue .*HTTP 500/)
    expect(services.log.warnings.join('\n')).toMatch(/The secrets were rotated, but/)
    expect(github.secret(repository, 'SECRET_KEY')?.value).not.toBe(oldKey)
  })
})

describe('what a rotation must never get wrong', () => {
  it('masks the new key before anything is written', async () => {
    const inputs = inputsWith({ 'current-key': oldKey })
    const services = servicesFor(github, inputs)
    const writesWhenMasked: number[] = []
    const log = {
      ...services.log,
      mask: (secret: string) => {
        writesWhenMasked.push(github.requests.filter((request) => request.method === 'PUT').length)
        services.log.mask(secret)
      }
    }
    await rotate(inputs, { ...services, log })
    expect(services.log.masked).toEqual([github.secret(repository, 'SECRET_KEY')?.value])
    expect(writesWhenMasked).toEqual([0])
  })

  it.each([
    [403, 'Resource not accessible by personal access token'],
    [500, 'Server Error']
  ])(
    "stops when the key secret's metadata read fails with %i, and writes nothing",
    async (status, message) => {
      github.fail({ method: 'GET', path: /\/secrets\/SECRET_KEY$/, status, message })
      // With an empty current-key, taking the error for "no such secret" would lose the key.
      const inputs = inputsWith({})
      await expect(rotate(inputs, servicesFor(github, inputs))).rejects.toThrow(
        new RegExp(`Could not read the SECRET_KEY secret's metadata .*HTTP ${status}`)
      )
      expect(secretWrites(github)).toEqual([])
      expect(github.secret(repository, 'SECRET_KEY')?.value).toBe(oldKey)
    }
  )

  it('warns about python-decouple for key-alphabet django with csv, whatever the draw', async () => {
    const warningsWith = async (format: string) => {
      const inputs = inputsWith({
        'current-key': github.secret(repository, 'SECRET_KEY')?.value ?? '',
        'current-fallbacks': github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? '',
        'key-alphabet': 'django',
        'fallbacks-format': format
      })
      const services = servicesFor(github, inputs)
      await rotate(inputs, services)
      return services.log.warnings.join('\n')
    }
    github.setSecret(repository, 'SECRET_KEY', generateKey(50, 'urlsafe'))
    expect(await warningsWith('csv')).toMatch(
      /key-alphabet django puts "#" into most keys, and python-decouple's Csv\(\) cuts/
    )
    expect(await warningsWith('json')).not.toMatch(/python-decouple/)
  })
})
