/**
 * Runs the action from its TypeScript sources through GitHub's own `@github/local-action`, the
 * tool action authors debug with.
 *
 *   npm run local-action                                  # against a fresh, seeded emulator
 *   npm run local-action -- --input dry-run=true          # the same, with inputs of your own
 *   npm run local-action -- --real-repository [--dotenv .env]
 *
 * By default nothing real is touched: the project's GitHub API emulator is started and seeded, the
 * run's variables and inputs are written to a throwaway .env file, and afterwards what the
 * emulator holds is checked (a new SECRET_KEY, the old key first in SECRET_KEY_FALLBACKS, no key
 * in the log). `repository` and `issue-token` are deliberately left to their defaults, which
 * local-action passes unexpanded: the action then reads GITHUB_REPOSITORY and GITHUB_TOKEN.
 *
 * local-action reads GITHUB_API_URL when it loads, before it reads its .env file, so a
 * GITHUB_API_URL in .env is ignored; this script passes it in local-action's own environment.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, parseEnv } from 'node:util'
import type { GitHubEmulator } from '../emulator/github.js'
import { ROOT } from '../emulator/runner.js'
import {
  emulatedGitHub,
  REPOSITORY,
  ROTATION_TOKEN,
  RUN_ID,
  seedExistingKey,
  WORKFLOW_TOKEN
} from '../emulator/scenario.js'
import { parseKeyList } from '../src/keys/fallbacks.js'
import { fingerprint } from '../src/keys/fingerprint.js'

const { values } = parseArgs({
  options: {
    'real-repository': { type: 'boolean', default: false },
    dotenv: { type: 'string', default: '.env' },
    input: { type: 'string', multiple: true, default: [] }
  }
})

process.exitCode = values['real-repository']
  ? await againstRealRepository(values.dotenv)
  : await againstEmulator(values.input)

async function againstEmulator(extraInputs: readonly string[]): Promise<number> {
  const github = await emulatedGitHub()
  const work = mkdtempSync(join(tmpdir(), 'local-action-'))
  try {
    const previousKey = seedExistingKey(github)
    const inputs: Record<string, string> = {
      token: ROTATION_TOKEN,
      'current-key': previousKey,
      ...Object.fromEntries(extraInputs.map(splitInput))
    }
    const environment: Record<string, string> = {
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_TOKEN: WORKFLOW_TOKEN,
      GITHUB_RUN_ID: String(RUN_ID),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_ACTOR: 'octocat',
      GITHUB_SERVER_URL: 'https://github.com',
      ...Object.fromEntries(
        Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])
      )
    }
    const envFile = join(work, '.env')
    writeFileSync(
      envFile,
      Object.entries(environment)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}\n`)
        .join('')
    )
    console.log(`Emulated GitHub at ${github.url}, repository ${REPOSITORY}; nothing real is used.`)
    const { exitCode, output } = await localAction(envFile, github.url, work)
    if (exitCode !== 0) {
      console.error(`local-action exited with ${exitCode}`)
      return 1
    }
    return checkRotation(github, previousKey, inputs, output)
  } finally {
    rmSync(work, { recursive: true, force: true })
    await github.stop()
  }
}

/** Says what the emulator now holds, and whether it is what a rotation must leave. */
function checkRotation(
  github: GitHubEmulator,
  previousKey: string,
  inputs: Record<string, string>,
  output: string
): number {
  const scope = { repository: REPOSITORY }
  const key = github.secret(scope, 'SECRET_KEY')?.value ?? ''
  const fallbacks = parseKeyList(github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? '')
  const keys = [previousKey, key, ...fallbacks]
  const problems = [
    ...(inputs['dry-run'] === 'true'
      ? key === previousKey
        ? []
        : ['a dry run changed SECRET_KEY']
      : [
          ...(key !== previousKey ? [] : ['SECRET_KEY was not replaced']),
          ...(fallbacks[0] === previousKey ? [] : ['the old key is not the first fallback'])
        ]),
    ...(keys.some((secret) => output.includes(secret)) ? ['a key reached the log'] : []),
    ...github.schemaViolations
  ]
  console.log(
    `\nThe emulator now holds SECRET_KEY ${fingerprint(key)} (was ${fingerprint(previousKey)}), ` +
      `SECRET_KEY_FALLBACKS [${fallbacks.map(fingerprint).join(', ')}], ` +
      `${github.issues(REPOSITORY).length} issue(s).`
  )
  if (problems.length > 0) {
    console.error(`The local run went wrong: ${problems.join('; ')}`)
    return 1
  }
  console.log('The rotation through @github/local-action kept the previous key valid.')
  return 0
}

async function againstRealRepository(envFile: string): Promise<number> {
  if (!existsSync(envFile)) {
    console.error(
      `${envFile} does not exist: copy .env.example to ${envFile} and fill it in, or pass --dotenv`
    )
    return 2
  }
  const text = readFileSync(envFile, 'utf8')
  const unquoted = unquotedKeyWithComment(text)
  if (unquoted) {
    console.error(
      `${envFile}: the value of ${unquoted} holds "#" and is not quoted, so local-action would read ` +
        `only what comes before the "#" and the action would keep a wrong old key: put the value in ` +
        `single quotes, ${unquoted}='…'`
    )
    return 2
  }
  const settings = parseEnv(text) as Record<string, string | undefined>
  const apiUrl = settings.GITHUB_API_URL || 'https://api.github.com'
  console.error(
    [
      '',
      `WARNING: this run writes REAL secrets of ${settings.GITHUB_REPOSITORY ?? settings['INPUT_REPOSITORY'] ?? 'the repository in ' + envFile}`,
      `through ${apiUrl}. Use a sandbox repository and a throwaway token that can reach nothing else:`,
      'a rotation replaces SECRET_KEY, and an app that still reads the old value logs everyone out.',
      ''
    ].join('\n')
  )
  const work = mkdtempSync(join(tmpdir(), 'local-action-'))
  const { exitCode, output } = await localAction(envFile, apiUrl, work).finally(() =>
    rmSync(work, { recursive: true, force: true })
  )
  // local-action exits 0 even when the action fails; the failure is the ::error:: it printed.
  return exitCode !== 0 || /^::error[ :]/m.test(output) ? 1 : 0
}

/**
 * Runs local-action on src/main.ts, echoing and collecting what it prints, then prints the job
 * summary the action wrote into `work` (local-action has nowhere to show it, and the action needs
 * GITHUB_STEP_SUMMARY as on a runner; a GITHUB_STEP_SUMMARY in the .env file still wins).
 */
async function localAction(
  envFile: string,
  apiUrl: string,
  work: string
): Promise<{ exitCode: number; output: string }> {
  const summary = join(work, 'summary.md')
  writeFileSync(summary, '')
  const result = await spawnLocalAction(envFile, {
    GITHUB_API_URL: apiUrl,
    GITHUB_STEP_SUMMARY: summary
  })
  const written = readFileSync(summary, 'utf8').trim()
  if (written !== '') console.log(`Job summary (Markdown):\n\n${written}\n`)
  return result
}

function spawnLocalAction(
  envFile: string,
  runnerEnvironment: Record<string, string>
): Promise<{ exitCode: number; output: string }> {
  // Only this machine's own variables: a GITHUB_* or INPUT_* of the shell (or of a CI runner
  // running this script) must not leak into the emulated run.
  const environment = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(GITHUB_|INPUT_|RUNNER_|ACTIONS_)/.test(name))
  )
  const bin = join(ROOT, 'node_modules', '.bin', 'local-action')
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['.', 'src/main.ts', envFile], {
      cwd: ROOT,
      env: { ...environment, ...runnerEnvironment, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    const echo = (chunk: Buffer, to: NodeJS.WriteStream): void => {
      output += chunk.toString('utf8')
      to.write(chunk)
    }
    child.stdout.on('data', (chunk: Buffer) => echo(chunk, process.stdout))
    child.stderr.on('data', (chunk: Buffer) => echo(chunk, process.stderr))
    child.on('error', reject)
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output }))
  })
}

/**
 * The name of a key input whose unquoted value holds "#": local-action's .env reader (dotenv) reads
 * it as the start of a comment, and most Django keys hold one.
 */
function unquotedKeyWithComment(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const match = /^\s*(INPUT_CURRENT-KEY|INPUT_CURRENT-FALLBACKS)\s*=\s*(.*)$/.exec(line)
    if (match && !/^['"`]/.test(match[2]) && match[2].includes('#')) return match[1]
  }
  return undefined
}

function splitInput(given: string): [string, string] {
  const at = given.indexOf('=')
  if (at < 1) {
    console.error(`--input must be name=value, like --input dry-run=true, got "${given}"`)
    process.exit(2)
  }
  return [given.slice(0, at), given.slice(at + 1)]
}
