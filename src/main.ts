import * as core from '@actions/core'
import { context } from '@actions/github'
import { reportFailure } from './reporting/failure-issue.js'
import { createGitHubRequest } from './github/github-client.js'
import { explainGitHubError } from './github/github-errors.js'
import { readInputs, type Inputs } from './inputs.js'
import { IssuesApi } from './github/issues-api.js'
import type { Log } from './log.js'
import type { RotationReport, Trigger } from './rotation/report.js'
import { rotate } from './rotation/rotate.js'
import { RotationFailure } from './rotation/rotation-failure.js'
import { RunsApi } from './github/runs-api.js'
import { withRunnerDefaults } from './runner-defaults.js'
import { SecretsApi } from './github/secrets-api.js'
import { maskableParts, SecretScrubber } from './reporting/scrubber.js'
import { mappedStack } from './stack-traces.js'
import { renderFailureSummary, renderSummary } from './reporting/summary.js'

/** The inputs that hold a secret: masked and scrubbed as given, before they are even checked. */
const SECRET_INPUTS = ['token', 'issue-token', 'current-key', 'current-fallbacks'] as const

/** The action's entry point: the one place that talks to the runner and sets the step's result. */
export async function run(): Promise<void> {
  // Every text this run sends out (log, annotations, summary, issues) passes through the scrubber,
  // and every secret it masks is registered with it.
  const scrubber = new SecretScrubber()
  const log = runnerLog(scrubber)
  const fail = (message: string): void => core.setFailed(scrubber.scrub(message))
  // Before anything else, even before the inputs are checked: a token or key given by mistake (a
  // PEM block as token, a key with a line break) must not show in the error that refuses it.
  for (const name of SECRET_INPUTS) log.mask(core.getInput(name, { trimWhitespace: false }))
  let inputs: Inputs
  try {
    inputs = readInputs(
      withRunnerDefaults((name, options) => core.getInput(name, options), process.env, log)
    )
  } catch (error) {
    fail((error as Error).message)
    return
  }
  maskKeys(inputs, log)
  const trigger = currentTrigger()
  // The workflow's own token (issue-token) opens issues and reads this run; `token` writes secrets.
  const workflowRequest = scrubber.scrubRequests(
    createGitHubRequest(inputs.issueToken || inputs.token, { log })
  )
  const issues = new IssuesApi(workflowRequest)
  try {
    const report = await rotate(inputs, {
      secrets: new SecretsApi(createGitHubRequest(inputs.token, { log })),
      issues,
      runs: new RunsApi(workflowRequest),
      log,
      trigger
    })
    setOutputs(report)
    await writeSummary(scrubber.scrub(renderSummary(report)), log)
    if (report.issueProblem && inputs.failOnIssueError) {
      fail(`The secrets were rotated, but fail-on-issue-error is true: ${report.issueProblem}`)
    }
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
    if (!(error instanceof RotationFailure)) {
      // Not a failure the action foresaw: the stack is what a bug report needs.
      if (error instanceof Error) log.info(mappedStack(error))
      return
    }
    await writeSummary(scrubber.scrub(renderFailureSummary(error)), log)
    if (inputs.issueOnFailure && !inputs.dryRun) await openFailureIssue(issues, error, trigger, log)
  }
}

/** The job summary is a report, not the result: failing to write it must not hide the outcome. */
async function writeSummary(markdown: string, log: Log): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write()
  } catch (error) {
    log.warning(`Could not write the job summary: ${(error as Error).message}`)
  }
}

async function openFailureIssue(
  issues: IssuesApi,
  failure: RotationFailure,
  trigger: Trigger,
  log: Log
): Promise<void> {
  try {
    const issue = await reportFailure(
      issues,
      failure,
      trigger,
      new Date().toISOString(),
      readmeUrl()
    )
    log.info(`Reported the failure in issue #${issue.number}: ${issue.url}`)
  } catch (error) {
    // The step has failed already with the rotation's own error; this must not replace it.
    const explained = explainGitHubError(
      error,
      'open the failure issue',
      failure.scope,
      'issue-token'
    ).message
    log.warning(`Could not report the failure in an issue either: ${explained}`)
  }
}

/**
 * Masks every key the inputs hold, each on its own: the runner masks `secrets.*` values as a
 * whole, and a structured value (a list of keys) is masked poorly that way.
 */
function maskKeys(inputs: Inputs, log: Log): void {
  for (const key of [inputs.currentKey, ...inputs.currentFallbacks]) log.mask(key)
}

/**
 * The README of the action's own repository and ref (GITHUB_ACTION_REPOSITORY and
 * GITHUB_ACTION_REF, set by the runner for the step), at its section on failures. An action used
 * as `uses: ./` has neither: it lives in the workflow's repository.
 */
function readmeUrl(): string {
  const repository =
    process.env.GITHUB_ACTION_REPOSITORY || `${context.repo.owner}/${context.repo.repo}`
  const ref = process.env.GITHUB_ACTION_REF || 'HEAD'
  return `${context.serverUrl}/${repository}/blob/${ref}/README.md#when-things-go-wrong`
}

function currentTrigger(): Trigger {
  const { owner, repo } = context.repo
  return {
    // Always set on a runner; a local tool (@github/local-action) leaves them out unless its .env
    // names them, and the issue still needs text for them.
    event: context.eventName ?? 'local run',
    actor: context.actor ?? 'unknown',
    runUrl: `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`,
    run:
      Number.isSafeInteger(context.runId) && context.runId > 0
        ? { repository: { owner, repo }, id: context.runId }
        : undefined
  }
}

/** The runner's log, through the scrubber; a masked secret is also scrubbed from everything else. */
function runnerLog(scrubber: SecretScrubber): Log {
  return {
    info: (message) => core.info(scrubber.scrub(message)),
    warning: (message) => core.warning(scrubber.scrub(message)),
    group: (name, body) => core.group(scrubber.scrub(name), body),
    mask: (secret) => {
      for (const part of maskableParts(secret)) core.setSecret(part)
      scrubber.add(secret)
    }
  }
}

function setOutputs(report: RotationReport): void {
  core.setOutput('phase', report.phase ?? '')
  core.setOutput('rotated', report.rotated)
  core.setOutput('rotated-at', report.rotated ? report.rotatedAt : '')
  core.setOutput('key-fingerprint', report.keyFingerprint)
  core.setOutput('previous-key-fingerprint', report.previousKeyFingerprint ?? '')
  core.setOutput('fallbacks-count', report.keptFallbackFingerprints.length)
  core.setOutput('issue-number', report.issue?.number ?? '')
  core.setOutput('issue-url', report.issue?.url ?? '')
}
