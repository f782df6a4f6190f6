/**
 * `npm run local-action` runs the action through GitHub's own @github/local-action, as a new user
 * would, from the TypeScript sources: against a seeded emulator by default, and against the
 * GitHub that a .env file names only with --real-repository.
 */
import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../emulator/runner.js'
import { parseKeyList } from '../src/keys/fallbacks.js'
import {
  emulatedGitHub,
  REPOSITORY,
  ROTATION_TOKEN,
  RUN_ID,
  seedExistingKey,
  WORKFLOW_TOKEN
} from './helpers.js'
import { stopEmulator } from './helpers.js'

function npmRun(
  args: readonly string[]
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const environment = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(GITHUB_|INPUT_|NODE_OPTIONS)/.test(name))
    )
    const child = spawn('npm', ['run', '--silent', ...args], {
      cwd: ROOT,
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }))
  })
}

describe('npm run local-action', () => {
  it('completes a rotation against the emulator with nothing set by hand', async () => {
    const run = await npmRun(['local-action'])
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    // local-action passes the expression defaults literally; the action falls back to the environment.
    expect(run.stdout).toContain(
      'Input "repository" is the unexpanded expression "${{ github.repository }}", as when run outside an Actions runner'
    )
    expect(run.stdout).toContain('Opened rotation issue #1')
    expect(run.stdout).toMatch(/'rotated' +│ 'true'/)
    expect(run.stdout).toContain(
      'The rotation through @github/local-action kept the previous key valid.'
    )
  }, 180_000)

  it('passes inputs of your own, and a dry run writes nothing', async () => {
    const run = await npmRun(['local-action', '--', '--input', 'dry-run=true'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/'rotated' +│ 'false'/)
    expect(run.stdout).not.toContain('SECRET_KEY updated')
  }, 180_000)

  it('uses a real repository only when asked, with a warning, honouring GITHUB_API_URL from .env', async () => {
    // The "real" GitHub here is an emulator the test owns, named only in the .env file.
    const github = await emulatedGitHub()
    const work = mkdtempSync(join(tmpdir(), 'local-action-env-'))
    try {
      const key = seedExistingKey(github)
      const envFile = join(work, '.env')
      writeFileSync(
        envFile,
        [
          `GITHUB_API_URL=${github.url}`,
          `GITHUB_REPOSITORY=${REPOSITORY}`,
          `GITHUB_TOKEN=${WORKFLOW_TOKEN}`,
          `GITHUB_RUN_ID=${RUN_ID}`,
          `INPUT_TOKEN=${ROTATION_TOKEN}`,
          `INPUT_CURRENT-KEY='${key}'`,
          ''
        ].join('\n')
      )
      const run = await npmRun(['local-action', '--', '--real-repository', '--dotenv', envFile])
      expect(run.stderr).toContain(`WARNING: this run writes REAL secrets of ${REPOSITORY}`)
      expect(run.stderr).toContain('Use a sandbox repository and a throwaway token')
      expect(run.exitCode).toBe(0)
      const scope = { repository: REPOSITORY }
      expect(github.secret(scope, 'SECRET_KEY')?.value).not.toBe(key)
      expect(parseKeyList(github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? '')).toEqual([key])
    } finally {
      rmSync(work, { recursive: true, force: true })
      await stopEmulator(github)
    }
  }, 180_000)

  it('refuses a key in .env that holds "#" outside quotes, which local-action would cut short', async () => {
    const work = mkdtempSync(join(tmpdir(), 'local-action-env-'))
    try {
      const envFile = join(work, '.env')
      writeFileSync(envFile, `INPUT_TOKEN=${ROTATION_TOKEN}\nINPUT_CURRENT-KEY=abc#def\n`)
      const run = await npmRun(['local-action', '--', '--real-repository', '--dotenv', envFile])
      expect(run.exitCode).toBe(2)
      expect(run.stderr).toContain('the value of INPUT_CURRENT-KEY holds "#" and is not quoted')
      expect(run.stdout).not.toContain('Running Action')
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }, 60_000)

  it('refuses --real-repository without an env file', async () => {
    const run = await npmRun([
      'local-action',
      '--',
      '--real-repository',
      '--dotenv',
      join(tmpdir(), 'no-such-dir', '.env')
    ])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('does not exist: copy .env.example to')
  }, 60_000)

  it('fails when the action fails, against a real repository', async () => {
    const github = await emulatedGitHub()
    const work = mkdtempSync(join(tmpdir(), 'local-action-env-'))
    try {
      const envFile = join(work, '.env')
      writeFileSync(
        envFile,
        `GITHUB_API_URL=${github.url}\nGITHUB_REPOSITORY=${REPOSITORY}\nGITHUB_TOKEN=${WORKFLOW_TOKEN}\n` +
          'INPUT_TOKEN=not-a-token\n'
      )
      const run = await npmRun(['local-action', '--', '--real-repository', '--dotenv', envFile])
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toMatch(/^::error::.*401/m)
      expect(github.secret({ repository: REPOSITORY }, 'SECRET_KEY')).toBeUndefined()
    } finally {
      rmSync(work, { recursive: true, force: true })
      await stopEmulator(github)
    }
  }, 180_000)
})
