import type { NewIssue } from '../github/issues-api.js'
import {
  describeRotation,
  markdownTable,
  previousKeyStatus,
  type RotationReport
} from '../rotation/report.js'
import type { SecretScope } from '../github/scope.js'
import { markerValue, withoutMentions } from './markdown.js'
import { stageRecordLine } from '../rotation/lifecycle.js'

/**
 * A hidden line that ties an issue to one scope and key secret, so that the next rotation finds
 * and closes exactly its predecessor and never another scope's.
 */
export function rotationIssueMarker(scope: SecretScope, secretName: string): string {
  return `<!-- rotate-django-secret-key scope=${markerValue(scope.id)} secret=${secretName} -->`
}

/** The issue that logs a run: what changed, where, by whom, and what the team does next. */
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
  const { title, opening, next } = phaseText(report)
  const hidden = [rotationIssueMarker(report.scope, report.secretName)]
  if (report.phase === 'stage') {
    hidden.push(stageRecordLine(report.keyFingerprint, report.signingKeyFingerprint ?? ''))
  }
  return {
    title: withoutMentions(`${title} of the ${report.scope.label} on ${when}`),
    body: [
      ...hidden,
      `${opening} This issue holds fingerprints only, never a key.`,
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

function phaseText(report: RotationReport): { title: string; opening: string; next: string[] } {
  const { secretName, fallbacksSecretName, rotatedAt } = report
  switch (report.phase) {
    case 'stage':
      return {
        title: `Staged a new ${secretName}`,
        opening:
          `A new key \`${report.keyFingerprint}\` was staged at ${rotatedAt} as the first entry of ${fallbacksSecretName}: ` +
          `every instance deployed from now on accepts what it will sign, and ${secretName} still signs.`,
        next: [
          `1. Deploy, so that every instance loads the new ${fallbacksSecretName}.`,
          '2. Once that deploy has finished everywhere, run the workflow with `phase: promote` (`phase: auto` does it once the stage is `promote-after-days` old). The staged key then signs, and the current key becomes the first fallback.',
          '3. Keep this issue open: a hidden line in it records which key was staged (its fingerprint), and promote checks it. The promote closes this issue.'
        ]
      }
    case 'promote':
      return {
        title: `Promoted the staged ${secretName}`,
        opening: `The staged key \`${report.keyFingerprint}\` became ${secretName} at ${rotatedAt}; the key it replaced is the first fallback.`,
        next: [
          `1. Deploy, so that every instance signs with the new key. Instances still on the old settings accept it already (it was staged), and every instance accepts the old key as a fallback.`,
          '2. Old keys are removed from the fallbacks by `phase: retire` (or `auto`) once `retire-after-days` have passed; the retirement is recorded here.',
          '3. Code that signs with `SECRET_KEY` directly (many JWT libraries, direct `salted_hmac` calls) does not read fallbacks: its tokens made with the old key stop validating.'
        ]
      }
    case 'retire':
      return {
        title: `Retired old keys of ${fallbacksSecretName}`,
        opening: `${fallbacksSecretName} was rewritten at ${rotatedAt} without its old keys.`,
        next: [
          '1. Deploy, so that the app stops accepting values signed with the retired keys.',
          '2. Sessions, password reset links and signed values made with them stop validating then, as planned.'
        ]
      }
    default:
      return {
        title: `Rotated ${secretName}`,
        opening: `${secretName} was rotated at ${rotatedAt}.`,
        next: report.revoked
          ? [
              '1. Redeploy now. The old key was revoked on purpose: once the app runs with the new key, every session, password reset link and signed value made before this rotation is invalid.',
              '2. Check that nothing else (a worker, a cron job, another service) still uses the old key.'
            ]
          : [
              '1. Redeploy so that the app loads the new `SECRET_KEY` and `SECRET_KEY_FALLBACKS`. Until then it keeps using the old key, which stays valid.',
              '2. Sessions, password reset links and signed values made with the previous key keep working while it is a fallback (Django 4.1.8 or later).',
              '3. Code that signs with `SECRET_KEY` directly (many JWT libraries, direct `salted_hmac` calls) does not read fallbacks: its tokens made with the old key stop validating.'
            ]
      }
  }
}

/**
 * The comment that closes the previous rotation issue. For a rotation it names the key the new
 * rotation replaced by its fingerprint and claims nothing more: without the stale-key check, that
 * key may not be the one this issue logged.
 */
export function renderSupersededComment(report: RotationReport): string {
  const run = report.phase === 'stage' || report.phase === 'promote' ? report.phase : 'rotation'
  const by = `Superseded by the ${run} of ${report.rotatedAt} (${report.trigger.runUrl}); its issue mentions this one, see the timeline below.`
  if (report.phase === 'stage') {
    return `${by} A new key \`${report.keyFingerprint}\` is staged; the key that signs is unchanged.`
  }
  if (report.phase === 'promote') {
    return `${by} The staged key \`${report.keyFingerprint}\` was promoted and signs now.`
  }
  const replaced =
    report.previousKeyFingerprint === undefined
      ? 'It was given no previous key.'
      : `The key it replaced, \`${report.previousKeyFingerprint}\`, is ${previousKeyStatus(report)}.`
  const unchecked =
    report.staleCheck.status === 'not checked'
      ? ` Staleness was not checked (${report.staleCheck.detail}): compare that fingerprint with the new key this issue logged.`
      : ''
  return `${by} ${replaced}${unchecked}`
}

/** The comment that records a retirement in the open rotation issue (usually its promote's). */
export function renderRetiredComment(report: RotationReport): string {
  const kept = report.keptFallbackFingerprints.map((entry) => `\`${entry}\``).join(', ') || 'no key'
  return (
    `Retired at ${report.rotatedAt} (${report.trigger.runUrl}): ${report.droppedFingerprints.length === 1 ? '1 old key was' : `${report.droppedFingerprints.length} old keys were`} ` +
    `removed from ${report.fallbacksSecretName}, which now holds ${kept}. Deploy, so that the app stops accepting them.`
  )
}
