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
import { SecretsApi } from './github/secrets-api.js'
import { mappedStack } from './stack-traces.js'
import { renderFailureSummary, renderSummary } from './reporting/summary.js'

/** The action's entry point: the one place that talks to the runner and sets the step's result. */
export async function run(): Promise<void> {
  let inputs: Inputs
  try {
    inputs = readInputs((name) => core.getInput(name))
  } catch (error) {
    core.setFailed((error as Error).message)
    return
  }
  maskKeys(inputs)
  const trigger = currentTrigger()
  // The workflow's own token (issue-token) opens issues and reads this run; `token` writes secrets.
  const workflowRequest = createGitHubRequest(inputs.issueToken || inputs.token, { log: runnerLog })
  const issues = new IssuesApi(workflowRequest)
  try {
    const report = await rotate(inputs, {
      secrets: new SecretsApi(createGitHubRequest(inputs.token, { log: runnerLog })),
      issues,
      runs: new RunsApi(workflowRequest),
      log: runnerLog,
      trigger
    })
    setOutputs(report)
    await writeSummary(renderSummary(report))
    if (report.issueProblem && inputs.failOnIssueError) {
      core.setFailed(
        `The secrets were rotated, but fail-on-issue-error is true: ${report.issueProblem}`
      )
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    core.setFailed(message)
    if (!(error instanceof RotationFailure)) {
      // Not a failure the action foresaw: the stack is what a bug report needs.
      if (error instanceof Error) core.info(mappedStack(error))
      return
    }
    await writeSummary(renderFailureSummary(error))
    if (inputs.issueOnFailure && !inputs.dryRun) await openFailureIssue(issues, error, trigger)
  }
}

/** The job summary is a report, not the result: failing to write it must not hide the outcome. */
async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${(error as Error).message}`)
  }
}

async function openFailureIssue(
  issues: IssuesApi,
  failure: RotationFailure,
  trigger: Trigger
): Promise<void> {
  try {
    const issue = await reportFailure(issues, failure, trigger, new Date().toISOString())
    core.info(`Reported the failure in issue #${issue.number}: ${issue.url}`)
  } catch (error) {
    // The step has failed already with the rotation's own error; this must not replace it.
    const explained = explainGitHubError(
      error,
      'open the failure issue',
      failure.scope,
      'issue-token'
    ).message
    core.warning(`Could not report the failure in an issue either: ${explained}`)
  }
}

/**
 * Masks every key the inputs hold, each on its own: the runner masks `secrets.*` values as a
 * whole, and a structured value (a list of keys) is masked poorly that way.
 */
function maskKeys(inputs: Inputs): void {
  for (const key of [inputs.currentKey, ...inputs.currentFallbacks])
    if (key !== '') core.setSecret(key)
}

function currentTrigger(): Trigger {
  const { owner, repo } = context.repo
  return {
    event: context.eventName,
    actor: context.actor,
    runUrl: `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`,
    run:
      Number.isSafeInteger(context.runId) && context.runId > 0
        ? { repository: { owner, repo }, id: context.runId }
        : undefined
  }
}

const runnerLog: Log = {
  info: core.info,
  warning: core.warning,
  group: core.group,
  mask: core.setSecret
}

function setOutputs(report: RotationReport): void {
  core.setOutput('rotated', report.rotated)
  core.setOutput('rotated-at', report.rotated ? report.rotatedAt : '')
  core.setOutput('key-fingerprint', report.keyFingerprint)
  core.setOutput('previous-key-fingerprint', report.previousKeyFingerprint ?? '')
  core.setOutput('fallbacks-count', report.keptFallbackFingerprints.length)
  core.setOutput('issue-number', report.issue?.number ?? '')
  core.setOutput('issue-url', report.issue?.url ?? '')
}
