import { describeRotation, markdownTable, type RotationReport } from './report.js'

/** The job summary: one table a reviewer reads at a glance, then anything that needs attention. */
export function renderSummary(report: RotationReport): string {
  const heading = report.dryRun
    ? `## Dry run: ${report.secretName} would be rotated`
    : `## ${report.secretName} rotated`
  const rows = describeRotation(report)
  if (report.issue) rows.push(['Rotation issue', `#${report.issue.number} (${report.issue.url})`])
  if (report.closedIssue) rows.push(['Closed issue', `#${report.closedIssue.number}`])
  const lines = [heading, '', markdownTable(rows)]
  if (report.dryRun) lines.push('', 'Nothing was written and no issue was opened.')
  if (report.issueProblem) {
    lines.push(
      '',
      `> [!WARNING]`,
      `> The secrets were rotated, but the rotation issue failed: ${report.issueProblem}`
    )
  }
  return `${lines.join('\n')}\n`
}
