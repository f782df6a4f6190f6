/** Retries of what GitHub says is retryable, bounded; never a retry of a final answer. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { createGitHubRequest } from '../src/github/github-client.js'
import { generateKey } from '../src/keys/key.js'
import { rotate } from '../src/rotation/rotate.js'
import {
  emulatedGitHub,
  inputsWith,
  recordingLog,
  REPOSITORY,
  servicesFor,
  stopEmulator
} from './helpers.js'

let github: GitHubEmulator
let oldKey: string
beforeEach(async () => {
  github = await emulatedGitHub()
  oldKey = generateKey(50, 'urlsafe')
  github.setSecret({ repository: REPOSITORY }, 'SECRET_KEY', oldKey)
})
afterEach(() => stopEmulator(github))

const keyWrites = () =>
  github.requests.filter(
    (request) => request.method === 'PUT' && request.path.endsWith('/SECRET_KEY')
  )
const publicKeyReads = () =>
  github.requests.filter((request) => request.path.endsWith('/public-key'))

async function rotation() {
  const inputs = inputsWith({ 'current-key': oldKey })
  const services = servicesFor(github, inputs)
  const result = await rotate(inputs, services).catch((error: Error) => error)
  return { result, warnings: services.log.warnings }
}

describe('retries', () => {
  it('retries a 502 and finishes', async () => {
    github.fail({ method: 'PUT', path: /\/SECRET_KEY$/, status: 502, times: 2 })
    const { result } = await rotation()
    expect(result).toMatchObject({ rotated: true })
    expect(keyWrites().map((request) => request.status)).toEqual([502, 502, 204])
  })

  it('gives up after four tries of a request that keeps failing', async () => {
    github.fail({ method: 'GET', path: /\/public-key$/, status: 500 })
    const { result } = await rotation()
    expect(result).toBeInstanceOf(Error)
    expect(publicKeyReads()).toHaveLength(4)
  })

  it('waits out a secondary rate limit (403 with retry-after)', async () => {
    github.fail({
      method: 'GET',
      path: /\/public-key$/,
      status: 403,
      times: 1,
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '2' }
    })
    const { result, warnings } = await rotation()
    expect(result).toMatchObject({ rotated: true })
    expect(warnings.join('\n')).toMatch(
      /secondary rate limit answered GET .*public-key: trying again in 2 s/
    )
  })

  it('waits out a primary rate limit (x-ratelimit-remaining: 0)', async () => {
    github.fail({
      method: 'PUT',
      path: /\/SECRET_KEY_FALLBACKS$/,
      status: 403,
      times: 1,
      message: 'API rate limit exceeded for installation ID 1.',
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1)
      }
    })
    const { result, warnings } = await rotation()
    expect(result).toMatchObject({ rotated: true })
    expect(warnings.join('\n')).toMatch(/primary rate limit answered PUT/)
  })

  it('retries a 429 that carries retry-after', async () => {
    github.fail({
      method: 'GET',
      path: /\/SECRET_KEY$/,
      status: 429,
      times: 1,
      message: 'You have exceeded a secondary rate limit.',
      headers: { 'retry-after': '1' }
    })
    expect((await rotation()).result).toMatchObject({ rotated: true })
  })

  it('does not wait an hour: a long rate limit fails the run, and nothing is written', async () => {
    github.fail({
      method: 'GET',
      path: /\/public-key$/,
      status: 403,
      message: 'You have exceeded a secondary rate limit.',
      headers: { 'retry-after': '3600' }
    })
    const { result, warnings } = await rotation()
    expect(result).toBeInstanceOf(Error)
    expect(warnings.join('\n')).toMatch(/not waiting 3600 s more; giving up/)
    expect(keyWrites()).toEqual([])
  })

  it.each([400, 401, 403, 404, 422])('never retries a %i', async (status) => {
    github.fail({ method: 'GET', path: /\/public-key$/, status })
    await rotation()
    expect(publicKeyReads()).toHaveLength(1)
  })
})

/** A secondary rate limit on the public key read that asks for a wait of `seconds`. */
function rateLimitPublicKey(seconds: number, times?: number): void {
  github.fail({
    method: 'GET',
    path: /\/public-key$/,
    status: 403,
    times,
    message: 'You have exceeded a secondary rate limit.',
    headers: { 'retry-after': String(seconds) }
  })
}

describe('rate limits are waited out, bounded in count and in length', () => {
  it('waits out a rate limit twice', async () => {
    rateLimitPublicKey(1, 2)
    const { result } = await rotation()
    expect(result).toMatchObject({ rotated: true })
    expect(publicKeyReads().map((request) => request.status)).toEqual([403, 403, 200])
  })

  it('gives up after the second wait: three tries in all, and nothing is written', async () => {
    rateLimitPublicKey(1)
    const { result, warnings } = await rotation()
    expect(result).toBeInstanceOf(Error)
    expect(publicKeyReads()).toHaveLength(3)
    expect(warnings.join('\n')).toMatch(/trying again in 1 s[^]*not waiting 1 s more; giving up/)
    expect(keyWrites()).toEqual([])
  })

  it('waits as long as 60 s', async () => {
    rateLimitPublicKey(60, 1)
    const { result, warnings } = await rotation()
    expect(result).toMatchObject({ rotated: true })
    expect(warnings.join('\n')).toMatch(/trying again in 60 s/)
  })

  it('does not wait 61 s: the run fails at once, and nothing is written', async () => {
    rateLimitPublicKey(61, 1)
    const { result, warnings } = await rotation()
    expect(result).toBeInstanceOf(Error)
    expect(publicKeyReads()).toHaveLength(1)
    expect(warnings.join('\n')).toMatch(/not waiting 61 s more; giving up/)
    expect(keyWrites()).toEqual([])
  })
})

describe('the request time limit', () => {
  let silent: Server
  let arrived: number
  beforeEach(async () => {
    arrived = 0
    // Accepts every request and never answers it, like a stalled connection to the API.
    silent = createServer(() => void arrived++)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  })
  afterEach(async () => {
    silent.closeAllConnections()
    await new Promise((resolve) => silent.close(resolve))
  })

  it('ends each try after 30 s and gives up after four, so a run never hangs', async () => {
    const limits: number[] = []
    const request = createGitHubRequest('rotation-token', {
      log: recordingLog(),
      baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      retryBaseMilliseconds: 1,
      // The limit the client asks for is recorded; the signal fires after 10 ms to keep the test short.
      abortAfter: (milliseconds) => {
        limits.push(milliseconds)
        return AbortSignal.timeout(10)
      }
    })
    await expect(
      request('GET /repos/{owner}/{repo}/actions/secrets/public-key', {
        owner: 'octo-org',
        repo: 'django-app'
      })
    ).rejects.toThrow()
    expect(arrived).toBe(4)
    expect(limits).toEqual([30_000, 30_000, 30_000, 30_000])
  })
})
