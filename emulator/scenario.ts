/**
 * The example every demonstration shares: the repository, tokens and workflow run of the README's
 * scheduled workflow, on the GitHub API emulator, and a way to run the bundled action as a new run.
 * The tests, the sandbox and the benchmark all start from here.
 */
import { generateKey } from '../src/keys/key.js'
import { startGitHubEmulator, type GitHubEmulator } from './github.js'
import { runAction, type ActionRun } from './runner.js'

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
export async function emulatedGitHub(port = 0): Promise<GitHubEmulator> {
  const github = await startGitHubEmulator(port)
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

/**
 * Seeds SECRET_KEY with a Django-style key set a month ago by hand, the way most projects start,
 * and returns that key. It exists only in this emulator.
 */
export function seedExistingKey(github: GitHubEmulator): string {
  const key = generateKey(50, 'django')
  github.setSecret({ repository: REPOSITORY }, 'SECRET_KEY', key, daysAgo(30))
  return key
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
  const scope = { repository: REPOSITORY }
  // GitHub's timestamps have one-second resolution and the action stops on a tie, so a run that
  // is handed the key written in this very second is queued, as far as timestamps go, after it.
  const written = Date.parse(
    github.secret(scope, 'SECRET_KEY')?.updatedAt ?? '1970-01-01T00:00:00Z'
  )
  const queued = new Date(Math.max(Date.now(), written + 1000)).toISOString()
  github.addRun(REPOSITORY, { id: runId, createdAt: queued, runStartedAt: queued, runAttempt: 1 })
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
