import { describeRotation, markdownTable, type RotationReport } from '../rotation/report.js'
import type { WritingPhase } from '../rotation/plan.js'
import { describeSecretsState, type RotationFailure } from '../rotation/rotation-failure.js'
import { markdownText } from './markdown.js'

const HEADINGS: Record<WritingPhase, [string, string]> = {
  rotate: [' rotated', ' would be rotated'],
  stage: [': new key staged', ': a new key would be staged'],
  promote: [': staged key promoted', ': the staged key would be promoted'],
  retire: [': old fallbacks retired', ': old fallbacks would be retired']
}

/** The job summary: one table a reviewer reads at a glance, then anything that needs attention. */
export function renderSummary(report: RotationReport): string {
  if (report.skipReason) {
    return `## ${report.secretName} not rotated\n\n${markdownText(report.skipReason)}\n`
  }
  const [done, wouldBe] = HEADINGS[report.phase ?? 'rotate']
  const heading = report.dryRun
    ? `## Dry run: ${report.secretName}${wouldBe}`
    : `## ${report.secretName}${done}`
  const rows = describeRotation(report)
  if (report.issue) rows.push(['Rotation issue', `#${report.issue.number} (${report.issue.url})`])
  if (report.closedIssue) rows.push(['Closed issue', `#${report.closedIssue.number}`])
  const lines = [heading, '', markdownTable(rows)]
  if (report.dryRun) lines.push('', 'Nothing was written and no issue was opened.')
  if (report.unverified && report.unverified.length > 0) {
    lines.push(
      '',
      '### Not verified by this dry run',
      '',
      ...report.unverified.map((item) => `- ${markdownText(item)}`)
    )
  }
  if (report.issueProblem) {
    lines.push(
      '',
      '> [!WARNING]',
      `> The secrets were rotated, but: ${markdownText(report.issueProblem)}`
    )
  }
  return `${lines.join('\n')}\n`
}

/** The job summary of a failed rotation: what failed and where the secrets stand. */
export function renderFailureSummary(failure: RotationFailure): string {
  return [
    `## ${failure.names.secretName} rotation failed`,
    '',
    '> [!CAUTION]',
    `> ${markdownText(failure.reason).replace(/\n/g, '\n> ')}`,
    '',
    describeSecretsState(failure.writes, failure.names),
    ''
  ].join('\n')
}
