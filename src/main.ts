import * as core from '@actions/core'
import { context, getOctokit } from '@actions/github'
import type { GitHubRequest } from './github-request.js'
import { readInputs, type Inputs } from './inputs.js'
import { IssuesApi } from './issues-api.js'
import type { Log } from './log.js'
import type { RotationReport } from './report.js'
import { rotate } from './rotate.js'
import { SecretsApi } from './secrets-api.js'
import { renderSummary } from './summary.js'

/** The action's entry point: the one place that talks to the runner and sets the step's result. */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs((name) => core.getInput(name))
    maskKeys(inputs)
    const report = await rotate(inputs, {
      secrets: new SecretsApi(requestWith(inputs.token)),
      issues: new IssuesApi(requestWith(inputs.issueToken)),
      log: runnerLog,
      trigger: {
        event: context.eventName,
        actor: context.actor,
        runUrl: `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`
      }
    })
    setOutputs(report)
    await core.summary.addRaw(renderSummary(report)).write()
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
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

/** Builds the client on first use: a run that never opens an issue never needs its token. */
function requestWith(token: string): GitHubRequest {
  let octokit: ReturnType<typeof getOctokit> | undefined
  return (route, parameters) => (octokit ??= getOctokit(token)).request(route, parameters)
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
