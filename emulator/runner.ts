/**
 * Runs the bundled action the way the Actions runner does: a child `node dist/index.js` with the
 * inputs as INPUT_* variables (action.yml's defaults filled in), the GITHUB_* variables, an event
 * file, and GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files that are read back afterwards.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Where the emulated workflow takes the action from: `uses: octo-tools/rotate-django-secret-key@v1`. */
export const ACTION_REPOSITORY = 'octo-tools/rotate-django-secret-key'
export const ACTION_REF = 'v1'

export interface RunOptions {
  readonly apiUrl: string
  /** Inputs by their action.yml names; the rest take action.yml's defaults. */
  readonly inputs: Readonly<Record<string, string>>
  /** The repository the workflow runs in (GITHUB_REPOSITORY). */
  readonly repository: string
  /** The workflow's GITHUB_TOKEN, which `${{ github.token }}` defaults resolve to. */
  readonly githubToken?: string
  readonly runId?: number
  /** GITHUB_SERVER_URL: https://github.com, or a GitHub Enterprise Server's address. */
  readonly serverUrl?: string
  readonly eventName?: string
  readonly actor?: string
  /** The script to run; the committed bundle by default. */
  readonly entry?: string
}

export interface ActionRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
  readonly outputs: Readonly<Record<string, string>>
  readonly summary: string
  /** Milliseconds from spawn to exit. */
  readonly milliseconds: number
  /** When the process was spawned, in this process's performance.now() milliseconds. */
  readonly spawnedAt: number
}

interface ActionDefinition {
  inputs: Record<string, { default?: string }>
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionDefinition

/** The environment a step's process starts with: the runner's variables and nothing of this shell's. */
export function runnerBaseEnvironment(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin' }
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const work = mkdtempSync(join(tmpdir(), 'action-run-'))
  try {
    const { env, files } = stepEnvironment(options, work)
    const started = performance.now()
    const { exitCode, stdout, stderr } = await spawnNode(
      [options.entry ?? join(ROOT, 'dist', 'index.js')],
      env
    )
    return {
      exitCode,
      stdout,
      stderr,
      ...readStepFiles(files),
      milliseconds: performance.now() - started,
      spawnedAt: started
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

export interface StepFiles {
  readonly output: string
  readonly summary: string
  readonly event: string
}

/**
 * The environment the runner gives a step (its variables, the inputs as INPUT_*), with the event,
 * output and summary files it points to created empty in `work`.
 */
export function stepEnvironment(
  options: Omit<RunOptions, 'entry'>,
  work: string
): { env: Record<string, string>; files: StepFiles } {
  const files = {
    output: join(work, 'output'),
    summary: join(work, 'summary'),
    event: join(work, 'event.json')
  }
  writeFileSync(files.output, '')
  writeFileSync(files.summary, '')
  writeFileSync(files.event, JSON.stringify({ repository: { full_name: options.repository } }))
  const env: Record<string, string> = {
    ...runnerBaseEnvironment(),
    RUNNER_TEMP: work,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: options.serverUrl ?? 'https://github.com',
    GITHUB_GRAPHQL_URL: `${options.apiUrl}/graphql`,
    GITHUB_REPOSITORY: options.repository,
    GITHUB_EVENT_NAME: options.eventName ?? 'schedule',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_ACTOR: options.actor ?? 'octocat',
    GITHUB_RUN_ID: String(options.runId ?? 4242),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_WORKFLOW: 'Rotate SECRET_KEY',
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    // The action's own repository and ref, as for a step with `uses: owner/name@ref`.
    GITHUB_ACTION_REPOSITORY: ACTION_REPOSITORY,
    GITHUB_ACTION_REF: ACTION_REF,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary
  }
  for (const [name, definition] of Object.entries(action.inputs)) {
    const given = options.inputs[name]
    const value = given ?? resolveDefault(definition.default ?? '', options)
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  for (const name of Object.keys(options.inputs)) {
    if (!(name in action.inputs)) throw new Error(`action.yml has no input "${name}"`)
  }
  return { env, files }
}

/** What a step left in its output and summary files. */
export function readStepFiles(files: StepFiles): Pick<ActionRun, 'outputs' | 'summary'> {
  return {
    outputs: parseOutputFile(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8')
  }
}

function resolveDefault(value: string, options: RunOptions): string {
  return value
    .replace('${{ github.repository }}', options.repository)
    .replace('${{ github.token }}', options.githubToken ?? '')
}

/**
 * The Node.js that runs the action: ACTION_NODE when set (CI sets it to Node 24, the version
 * action.yml declares), else the one running this process.
 */
export const ACTION_NODE = process.env.ACTION_NODE || process.execPath

/** Runs node with `args` and collects what it prints. */
export function spawnNode(
  args: readonly string[],
  env: Record<string, string>
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ACTION_NODE, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }))
  })
}

/** Reads `name<<delimiter` blocks, the form @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[index])
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], index + 1)
      outputs[heredoc[1]] = lines.slice(index + 1, end).join('\n')
      index = end
    } else if (lines[index].includes('=')) {
      const at = lines[index].indexOf('=')
      outputs[lines[index].slice(0, at)] = lines[index].slice(at + 1)
    }
  }
  return outputs
}
