import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { startGitHubEmulator, type GitHubEmulator } from '../emulator/github.js'
import { ROOT, runAction, type ActionRun } from '../emulator/runner.js'
import { createGitHubRequest } from '../src/github-client.js'
import type { GitHubRequest } from '../src/github-request.js'
import { readInputs, type Inputs } from '../src/inputs.js'
import { IssuesApi } from '../src/issues-api.js'
import type { Log } from '../src/log.js'
import type { Trigger } from '../src/report.js'
import type { RotationServices } from '../src/rotate.js'
import { RunsApi } from '../src/runs-api.js'
import { SecretsApi } from '../src/secrets-api.js'

export const REPOSITORY = 'octo-org/django-app'
/** A fine-grained token with what the README asks for. */
export const ROTATION_TOKEN = 'rotation-token'
/** The workflow's GITHUB_TOKEN with `permissions: issues: write`: no secrets permission at all. */
export const WORKFLOW_TOKEN = 'workflow-token'

/** The workflow run the end-to-end tests run in (the runner emulator's default GITHUB_RUN_ID). */
export const RUN_ID = 4242

export function daysAgo(days: number): Date {
  return new Date(Date.now() - days * 24 * 60 * 60 * 1000)
}

/**
 * An emulated GitHub with the repository, the two tokens of the README's workflow, and this
 * workflow run, queued a minute ago.
 */
export async function emulatedGitHub(): Promise<GitHubEmulator> {
  const github = await startGitHubEmulator()
  github.addRepository(REPOSITORY)
  const queued = new Date(Date.now() - 60_000).toISOString()
  github.addRun(REPOSITORY, { id: RUN_ID, createdAt: queued, runStartedAt: queued, runAttempt: 1 })
  github.addToken(ROTATION_TOKEN, {
    kind: 'pat',
    secrets: 'write',
    environments: 'write',
    actions: 'read'
  })
  github.addToken(WORKFLOW_TOKEN, { kind: 'app', issues: 'write', actions: 'read' })
  return github
}

const defaults = Object.fromEntries(
  Object.entries(
    (
      parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
        inputs: Record<string, { default?: string }>
      }
    ).inputs
  ).map(([name, input]) => [name, input.default ?? ''])
)

/** Parses inputs exactly as the action does, with action.yml's defaults for the rest. */
export function inputsWith(given: Record<string, string>): Inputs {
  const values: Record<string, string> = {
    ...defaults,
    repository: REPOSITORY,
    'issue-token': WORKFLOW_TOKEN,
    token: ROTATION_TOKEN,
    ...given
  }
  return readInputs((name) => (values[name] ?? '').trim())
}

/** Octokit, as the action builds it, pointed at the emulator. */
export function requestTo(
  github: GitHubEmulator,
  token: string,
  log: Pick<Log, 'warning'> = recordingLog()
): GitHubRequest {
  return createGitHubRequest(token, { log, baseUrl: github.url, retryBaseMilliseconds: 1 })
}

export interface RecordingLog extends Log {
  readonly lines: string[]
  readonly warnings: string[]
  readonly masked: string[]
}

export function recordingLog(): RecordingLog {
  const lines: string[] = []
  const warnings: string[] = []
  const masked: string[] = []
  return {
    lines,
    warnings,
    masked,
    info: (message) => void lines.push(message),
    warning: (message) => void warnings.push(message),
    group: async (name, body) => {
      lines.push(`[${name}]`)
      return body()
    },
    mask: (secret) => void masked.push(secret)
  }
}

export function servicesFor(
  github: GitHubEmulator,
  inputs: Inputs,
  log = recordingLog(),
  trigger: Partial<Trigger> = {}
): RotationServices & { log: RecordingLog } {
  const workflow = requestTo(github, inputs.issueToken || inputs.token, log)
  return {
    secrets: new SecretsApi(requestTo(github, inputs.token, log)),
    issues: new IssuesApi(workflow),
    runs: new RunsApi(workflow),
    log,
    trigger: {
      event: 'schedule',
      actor: 'octocat',
      runUrl: `https://github.com/${REPOSITORY}/actions/runs/4242`,
      ...trigger
    }
  }
}

/** The writes GitHub saw, in order, as `METHOD secret-name`. */
export function secretWrites(github: GitHubEmulator): string[] {
  return github.requests
    .filter((request) => request.method === 'PUT' && request.status < 300)
    .map((request) => `PUT ${decodeURIComponent(request.path.split('/').at(-1) ?? '')}`)
}

let nextRunId = 5000

/**
 * Runs the bundled action as a new workflow run: queued now and handed the secrets as GitHub holds
 * them at that moment, as the runner does.
 */
export async function runQueued(
  github: GitHubEmulator,
  inputs: Record<string, string> = {}
): Promise<ActionRun> {
  const runId = nextRunId++
  const queued = new Date().toISOString()
  github.addRun(REPOSITORY, { id: runId, createdAt: queued, runStartedAt: queued, runAttempt: 1 })
  const scope = { repository: REPOSITORY }
  return runAction({
    apiUrl: github.url,
    repository: REPOSITORY,
    githubToken: WORKFLOW_TOKEN,
    runId,
    inputs: {
      token: ROTATION_TOKEN,
      'current-key': github.secret(scope, 'SECRET_KEY')?.value ?? '',
      'current-fallbacks': github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? '',
      ...inputs
    }
  })
}
