/** The emulator must answer like GitHub, or every other test proves nothing. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import sodium from 'libsodium-wrappers'
import type { GitHubEmulator } from '../emulator/github.js'
import { sealSecret } from '../src/keys/seal.js'
import {
  emulatedGitHub,
  REPOSITORY,
  ROTATION_TOKEN,
  WORKFLOW_TOKEN,
  stopEmulator
} from './helpers.js'

let github: GitHubEmulator
beforeEach(async () => {
  github = await emulatedGitHub()
})
afterEach(() => stopEmulator(github))

async function call(
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${github.url}${path}`, {
    method,
    headers: token === undefined ? {} : { authorization: `token ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  return {
    status: response.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
  }
}

const secrets = `/repos/${REPOSITORY}/actions/secrets`

describe('the GitHub API emulator', () => {
  it('answers 401 Bad credentials for an unknown token', async () => {
    expect(await call('GET', `${secrets}/public-key`, 'nope')).toMatchObject({
      status: 401,
      body: { message: 'Bad credentials' }
    })
    expect((await call('GET', `${secrets}/public-key`, undefined)).status).toBe(401)
  })

  it('answers 403 "by integration" to the workflow token on secrets, as GitHub does', async () => {
    expect(await call('GET', `${secrets}/public-key`, WORKFLOW_TOKEN)).toMatchObject({
      status: 403,
      body: { message: 'Resource not accessible by integration' }
    })
  })

  it('answers 404 for a repository the token cannot see', async () => {
    github.addToken('other-repo', { secrets: 'write', repositories: ['octo-org/other'] })
    expect((await call('GET', `${secrets}/public-key`, 'other-repo')).status).toBe(404)
  })

  it('opens sealed values with the scope key, 201 on create and 204 on update', async () => {
    const { key_id, key } = (await call('GET', `${secrets}/public-key`, ROTATION_TOKEN)).body as {
      key_id: string
      key: string
    }
    const put = async (value: string) =>
      call('PUT', `${secrets}/MY_SECRET`, ROTATION_TOKEN, {
        encrypted_value: await sealSecret(value, key),
        key_id
      })
    expect((await put('first')).status).toBe(201)
    expect((await put('second')).status).toBe(204)
    expect(github.secret({ repository: REPOSITORY }, 'my_secret')?.value).toBe('second')
    expect((await call('GET', `${secrets}/MY_SECRET`, ROTATION_TOKEN)).body).toEqual({
      name: 'MY_SECRET',
      created_at: expect.any(String),
      updated_at: expect.any(String)
    })
  })

  it("rejects URL-safe base64, a stale key_id and a value sealed for another key, as GitHub's schema and API do", async () => {
    await sodium.ready
    const { keyId: key_id, key } = github.publicKey({ repository: REPOSITORY })
    const sealed = await sealSecret('x'.repeat(200), key)
    const urlSafe = sealed.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    expect(
      (await call('PUT', `${secrets}/A`, ROTATION_TOKEN, { encrypted_value: urlSafe, key_id }))
        .status
    ).toBe(422)
    expect(
      (
        await call('PUT', `${secrets}/A`, ROTATION_TOKEN, {
          encrypted_value: sealed,
          key_id: 'old'
        })
      ).status
    ).toBe(422)
    const stranger = sodium.to_base64(
      sodium.crypto_box_keypair().publicKey,
      sodium.base64_variants.ORIGINAL
    )
    expect(
      (
        await call('PUT', `${secrets}/A`, ROTATION_TOKEN, {
          encrypted_value: await sealSecret('x', stranger),
          key_id
        })
      ).status
    ).toBe(422)
    expect((await call('PUT', `${secrets}/A`, ROTATION_TOKEN, { key_id })).status).toBe(422)
    expect(
      (
        await call('PUT', `${secrets}/GITHUB_A`, ROTATION_TOKEN, {
          encrypted_value: sealed,
          key_id
        })
      ).status
    ).toBe(422)
    expect(github.secret({ repository: REPOSITORY }, 'A')).toBeUndefined()
  })

  it('keeps a separate keypair per environment and 404s an unknown one', async () => {
    github.addEnvironment(REPOSITORY, 'production')
    const environment = `/repos/${REPOSITORY}/environments/production/secrets/public-key`
    const repositoryKey = (await call('GET', `${secrets}/public-key`, ROTATION_TOKEN)).body.key
    expect((await call('GET', environment, ROTATION_TOKEN)).body.key).not.toBe(repositoryKey)
    expect(
      (await call('GET', environment.replace('production', 'staging'), ROTATION_TOKEN)).status
    ).toBe(404)
  })

  it('creates labels with the issue and filters issues by label and state', async () => {
    const created = await call('POST', `/repos/${REPOSITORY}/issues`, WORKFLOW_TOKEN, {
      title: 'T',
      body: 'B',
      labels: ['secret-rotation']
    })
    expect(created).toMatchObject({ status: 201, body: { number: 1, state: 'open' } })
    expect(github.labels(REPOSITORY)).toEqual(['secret-rotation'])
    expect(
      (await call('POST', `/repos/${REPOSITORY}/issues`, WORKFLOW_TOKEN, { body: 'no title' }))
        .status
    ).toBe(422)
    expect(
      (
        (await call('GET', `/repos/${REPOSITORY}/issues?labels=other`, WORKFLOW_TOKEN))
          .body as unknown as unknown[]
      ).length
    ).toBe(0)
    await call('PATCH', `/repos/${REPOSITORY}/issues/1`, WORKFLOW_TOKEN, {
      state: 'closed',
      state_reason: 'completed'
    })
    expect(
      (
        (await call('GET', `/repos/${REPOSITORY}/issues?state=open`, WORKFLOW_TOKEN))
          .body as unknown as unknown[]
      ).length
    ).toBe(0)
  })

  it('injects faults: a status for a number of requests, or a dropped connection', async () => {
    github.fail({ method: 'GET', path: /public-key$/, status: 502, times: 1 })
    expect((await call('GET', `${secrets}/public-key`, ROTATION_TOKEN)).status).toBe(502)
    expect((await call('GET', `${secrets}/public-key`, ROTATION_TOKEN)).status).toBe(200)
    github.fail({ method: 'GET', path: /public-key$/, drop: true, times: 1 })
    await expect(call('GET', `${secrets}/public-key`, ROTATION_TOKEN)).rejects.toThrow()
  })

  it('stamps times with one-second resolution, as GitHub does', async () => {
    github.setSecret(
      { repository: REPOSITORY },
      'SECRET_KEY',
      'x',
      new Date('2026-06-30T11:00:00.987Z')
    )
    expect((await call('GET', `${secrets}/SECRET_KEY`, ROTATION_TOKEN)).body.updated_at).toBe(
      '2026-06-30T11:00:00Z'
    )
    const created = await call('POST', `/repos/${REPOSITORY}/issues`, WORKFLOW_TOKEN, {
      title: 'T'
    })
    expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('refuses a label over 50 characters, on its own or with an issue', async () => {
    const long = 'l'.repeat(51)
    const label = await call('POST', `/repos/${REPOSITORY}/labels`, WORKFLOW_TOKEN, { name: long })
    expect(label).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'name', message: 'name is too long (maximum is 50 characters)' }] }
    })
    const issue = await call('POST', `/repos/${REPOSITORY}/issues`, WORKFLOW_TOKEN, {
      title: 'T',
      labels: [long]
    })
    expect(issue.status).toBe(422)
    expect(github.issues(REPOSITORY)).toEqual([])
    expect(
      (await call('POST', `/repos/${REPOSITORY}/labels`, WORKFLOW_TOKEN, { name: 'l'.repeat(50) }))
        .status
    ).toBe(201)
  })

  it('answers whether a user can be assigned, and refuses an issue for one who cannot', async () => {
    github.addAssignable(REPOSITORY, 'Alice')
    expect((await call('GET', `/repos/${REPOSITORY}/assignees/alice`, WORKFLOW_TOKEN)).status).toBe(
      204
    )
    expect((await call('GET', `/repos/${REPOSITORY}/assignees/bob`, WORKFLOW_TOKEN)).status).toBe(
      404
    )
    const refused = await call('POST', `/repos/${REPOSITORY}/issues`, WORKFLOW_TOKEN, {
      title: 'T',
      assignees: ['alice', 'bob']
    })
    expect(refused).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'assignees', code: 'invalid', value: 'bob' }] }
    })
  })

  it('matches label filters and existing labels regardless of case', async () => {
    await call('POST', `/repos/${REPOSITORY}/issues`, WORKFLOW_TOKEN, {
      title: 'T',
      labels: ['Secret-Rotation']
    })
    const found = await call(
      'GET',
      `/repos/${REPOSITORY}/issues?labels=secret-rotation`,
      WORKFLOW_TOKEN
    )
    expect((found.body as unknown as unknown[]).length).toBe(1)
    expect(
      await call('POST', `/repos/${REPOSITORY}/labels`, WORKFLOW_TOKEN, { name: 'SECRET-ROTATION' })
    ).toMatchObject({ status: 422, body: { errors: [{ code: 'already_exists' }] } })
    expect(github.labels(REPOSITORY)).toEqual(['Secret-Rotation'])
  })

  it('drops the labels and assignees of an issue opened without push access, and names its author', async () => {
    github.addAssignable(REPOSITORY, 'alice')
    github.addToken('outsider', {
      kind: 'pat',
      issues: 'write',
      push: false,
      login: 'mallory',
      association: 'NONE'
    })
    const created = await call('POST', `/repos/${REPOSITORY}/issues`, 'outsider', {
      title: 'T',
      labels: ['secret-rotation'],
      assignees: ['alice']
    })
    expect(created).toMatchObject({
      status: 201,
      body: {
        labels: [],
        assignees: [],
        user: { login: 'mallory', type: 'User' },
        author_association: 'NONE'
      }
    })
    const bot = await call('POST', `/repos/${REPOSITORY}/issues`, WORKFLOW_TOKEN, { title: 'T' })
    expect(bot.body.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' })
  })

  it('applies a write and then loses its answer', async () => {
    const { keyId: key_id, key } = github.publicKey({ repository: REPOSITORY })
    github.fail({ method: 'PUT', path: /\/LOST$/, loseAnswer: true, times: 1 })
    await expect(
      call('PUT', `${secrets}/LOST`, ROTATION_TOKEN, {
        encrypted_value: await sealSecret('applied', key),
        key_id
      })
    ).rejects.toThrow()
    expect(github.secret({ repository: REPOSITORY }, 'LOST')?.value).toBe('applied')
    expect(github.requests.at(-1)).toMatchObject({ method: 'PUT', status: 201, answerLost: true })
  })

  it('deletes a secret, and answers 404 for one that does not exist', async () => {
    github.setSecret({ repository: REPOSITORY }, 'GONE', 'x')
    expect((await call('DELETE', `${secrets}/GONE`, ROTATION_TOKEN)).status).toBe(204)
    expect(github.secret({ repository: REPOSITORY }, 'GONE')).toBeUndefined()
    expect((await call('DELETE', `${secrets}/GONE`, ROTATION_TOKEN)).status).toBe(404)
  })
})
