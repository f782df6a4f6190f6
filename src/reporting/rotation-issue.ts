import type { NewIssue } from '../github/issues-api.js'
import {
  describeRotation,
  markdownTable,
  previousKeyStatus,
  type RotationReport
} from '../rotation/report.js'
import type { SecretScope } from '../github/scope.js'
import { markerValue, withoutMentions } from './markdown.js'

/**
 * A hidden line that ties an issue to one scope and key secret, so that the next rotation finds
 * and closes exactly its predecessor and never another scope's.
 */
export function rotationIssueMarker(scope: SecretScope, secretName: string): string {
  return `<!-- rotate-django-secret-key scope=${markerValue(scope.id)} secret=${secretName} -->`
}

/** The issue that logs a rotation: what changed, where, by whom, and what the team does next. */
export function renderRotationIssue(
  report: RotationReport,
  options: { labels: readonly string[]; assignees: readonly string[]; previous?: number }
): NewIssue {
  // Date and time to the second, so that two rotations on one day have titles of their own.
  const when = `${report.rotatedAt.slice(0, 10)} at ${report.rotatedAt.slice(11, 19)} UTC`
  const rows = describeRotation(report)
  // Naming the previous issue puts a cross-reference into its timeline, which links the two
  // without waiting for this issue's number.
  if (options.previous !== undefined) rows.push(['Previous rotation', `#${options.previous}`])
  const next = report.revoked
    ? [
        '1. Redeploy now. The old key was revoked on purpose: once the app runs with the new key, every session, password reset link and signed value made before this rotation is invalid.',
        '2. Check that nothing else (a worker, a cron job, another service) still uses the old key.'
      ]
    : [
        '1. Redeploy so that the app loads the new `SECRET_KEY` and `SECRET_KEY_FALLBACKS`. Until then it keeps using the old key, which stays valid.',
        '2. Sessions, password reset links and signed values made with the previous key keep working while it is a fallback (Django 4.1.8 or later).',
        '3. Code that signs with `SECRET_KEY` directly (many JWT libraries, direct `salted_hmac` calls) does not read fallbacks: its tokens made with the old key stop validating.'
      ]
  return {
    title: withoutMentions(`Rotated ${report.secretName} of the ${report.scope.label} on ${when}`),
    body: [
      rotationIssueMarker(report.scope, report.secretName),
      `${report.secretName} was rotated at ${report.rotatedAt}. This issue holds fingerprints only, never a key.`,
      '',
      ...(report.staleCheck.status === 'not checked'
        ? [
            '> [!WARNING]',
            `> Staleness was not checked: ${report.staleCheck.detail}. If another rotation ran meanwhile, the previous key below may not be the one the app used.`,
            ''
          ]
        : []),
      markdownTable(rows),
      '',
      '### What to do next',
      '',
      ...next
    ].join('\n'),
    labels: options.labels,
    assignees: options.assignees
  }
}

/**
 * The comment that closes the previous rotation issue. It names the key the new rotation replaced
 * by its fingerprint and claims nothing more: without the stale-key check, that key may not be
 * the one this issue logged.
 */
export function renderSupersededComment(report: RotationReport): string {
  const replaced =
    report.previousKeyFingerprint === undefined
      ? 'It was given no previous key.'
      : `The key it replaced, \`${report.previousKeyFingerprint}\`, is ${previousKeyStatus(report)}.`
  const unchecked =
    report.staleCheck.status === 'not checked'
      ? ` Staleness was not checked (${report.staleCheck.detail}): compare that fingerprint with the new key this issue logged.`
      : ''
  return (
    `Superseded by the rotation of ${report.rotatedAt} (${report.trigger.runUrl}); its issue mentions this ` +
    `one, see the timeline below. ${replaced}${unchecked}`
  )
}
