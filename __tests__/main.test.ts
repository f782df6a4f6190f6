/**
 * main.ts's run() in this process, in the environment the runner gives a step, against the GitHub
 * API emulator. The end-to-end tests run the same code inside dist/index.js; these let coverage
 * and mutation testing, which cannot see into a child process, see main.ts too.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import type { GitHubEmulator } from '../emulator/github.js'
import { readStepFiles, stepEnvironment, type StepFiles } from '../emulator/runner.js'
import { maskedFirst } from '../emulator/runner-log.js'
import { generateKey } from '../src/keys/key.js'
// Not through ./helpers.js: it imports @actions/github, which must first see the step's environment.
import {
  daysAgo,
  emulatedGitHub,
  REPOSITORY,
  ROTATION_TOKEN,
  RUN_ID,
  WORKFLOW_TOKEN
} from '../emulator/scenario.js'

const repository = { repository: REPOSITORY }
const SERVER_URL = 'https://github.example.com'
let github: GitHubEmulator
let work: string
let run: () => Promise<void>
const environmentBefore = { ...process.env }

// @actions/github reads the API address and the run's context once, when it is first imported.
beforeAll(async () => {
  github = await emulatedGitHub()
  work = mkdtempSync(join(tmpdir(), 'main-run-'))
  Object.assign(process.env, step({}).env)
  ;({ run } = await import('../src/main.js'))
})
afterAll(async () => {
  process.env = environmentBefore
  rmSync(work, { recursive: true, force: true })
  expect(github.schemaViolations).toEqual([])
  await github.stop()
})

let oldKey: string
let oldFallback: string
beforeEach(() => {
  oldKey = generateKey(50, 'urlsafe')
  oldFallback = generateKey(50, 'urlsafe')
  github.setSecret(repository, 'SECRET_KEY', oldKey, daysAgo(30))
  github.setSecret(repository, 'SECRET_KEY_FALLBACKS', oldFallback, daysAgo(30))
})
afterEach(() => {
  process.exitCode = undefined
})

function step(inputs: Record<string, string>): { env: Record<string, string>; files: StepFiles } {
  return stepEnvironment(
    {
      apiUrl: github.url,
      repository: REPOSITORY,
      githubToken: WORKFLOW_TOKEN,
      runId: RUN_ID,
      serverUrl: SERVER_URL,
      inputs
    },
    work
  )
}

/** Runs the action's entry point as a step with these inputs; returns what the step left. */
async function runStep(given: Record<string, string>) {
  const { env, files } = step({
    token: ROTATION_TOKEN,
    'current-key': oldKey,
    'current-fallbacks': oldFallback,
    ...given
  })
  Object.assign(process.env, env)
  const printed: string[] = []
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed.push(String(chunk))
    return true
  })
  try {
    await run()
  } finally {
    write.mockRestore()
  }
  const exitCode = process.exitCode
  process.exitCode = undefined
  return { exitCode, stdout: printed.join(''), ...readStepFiles(files) }
}

describe("main's run()", () => {
  it('masks the input keys first, rotates, sets the outputs and links this run', async () => {
    const result = await runStep({})
    expect(result.exitCode).toBeUndefined()
    expect(maskedFirst(result.stdout)).toEqual(expect.arrayContaining([oldKey, oldFallback]))
    expect(result.outputs).toMatchObject({ rotated: 'true', 'fallbacks-count': '1' })
    const runRow = `| Run | ${SERVER_URL}/${REPOSITORY}/actions/runs/${RUN_ID} |`
    expect(github.issues(REPOSITORY).at(-1)?.body).toContain(runRow)
    expect(result.summary).toContain(runRow)
  })

  it('stops a run whose key changed after it was queued, and writes nothing', async () => {
    github.setSecret(repository, 'SECRET_KEY', oldKey, new Date())
    const writes = () => github.requests.filter((request) => request.method === 'PUT').length
    const before = writes()
    const result = await runStep({})
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/::error::SECRET_KEY changed at .* after this run was queued/)
    expect(writes()).toBe(before)
  })

  it('reports a failure in an issue, except in a dry run', async () => {
    const writesSince = (from: number) =>
      github.requests.slice(from).filter((request) => request.method !== 'GET')
    let from = github.requests.length
    const dry = await runStep({ token: WORKFLOW_TOKEN, 'dry-run': 'true' })
    expect(dry.exitCode).toBe(1)
    expect(writesSince(from)).toEqual([])
    from = github.requests.length
    const real = await runStep({ token: WORKFLOW_TOKEN })
    expect(real.exitCode).toBe(1)
    expect(real.stdout).toMatch(/Reported the failure in issue #\d+/)
    expect(writesSince(from).map((request) => request.method)).toContain('POST')
  })

  it('refuses bad input before any request', async () => {
    const before = github.requests.length
    const result = await runStep({ 'max-fallbacks': 'many' })
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/::error::.*Input "max-fallbacks" must be a whole number/)
    expect(github.requests).toHaveLength(before)
  })
})
