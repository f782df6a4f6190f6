import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from '@jest/globals'
import { parse } from 'yaml'
import type { GitHubEmulator } from '../emulator/github.js'
import { ROOT } from '../emulator/runner.js'
import { createGitHubRequest } from '../src/github/github-client.js'
import type { GitHubRequest } from '../src/github/github-request.js'
import { readInputs, type Inputs } from '../src/inputs.js'
import { IssuesApi } from '../src/github/issues-api.js'
import type { Log } from '../src/log.js'
import type { Trigger } from '../src/rotation/report.js'
import type { RotationServices } from '../src/rotation/rotate.js'
import { RunsApi } from '../src/github/runs-api.js'
import { SecretsApi } from '../src/github/secrets-api.js'

export {
  daysAgo,
  emulatedGitHub,
  REPOSITORY,
  ROTATION_TOKEN,
  RUN_ID,
  runQueued,
  seedExistingKey,
  WORKFLOW_TOKEN
} from '../emulator/scenario.js'
import { REPOSITORY, ROTATION_TOKEN, WORKFLOW_TOKEN } from '../emulator/scenario.js'

const defaults = Object.fromEntries(
  Object.entries(
    (
      parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
        inputs: Record<string, { default?: string }>
      }
    ).inputs
  ).map(([name, input]) => [name, input.default ?? ''])
)

/**
 * Parses inputs exactly as the action does, with action.yml's defaults for the rest: trimmed
 * unless read with `trimWhitespace: false`, as `core.getInput` does.
 */
export function inputsWith(given: Record<string, string>): Inputs {
  const values: Record<string, string> = {
    ...defaults,
    repository: REPOSITORY,
    'issue-token': WORKFLOW_TOKEN,
    token: ROTATION_TOKEN,
    ...given
  }
  return readInputs((name, options) => {
    const value = values[name] ?? ''
    return options?.trimWhitespace === false ? value : value.trim()
  })
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

/** Stops an emulator after a test, once every response it sent has kept to GitHub's schemas. */
export async function stopEmulator(github: GitHubEmulator): Promise<void> {
  expect(github.schemaViolations).toEqual([])
  await github.stop()
}
