import type { FallbacksFormat } from '../keys/fallbacks.js'
import type { IssueRef } from '../github/issues-api.js'
import type { WritingPhase } from './plan.js'
import type { Repository, SecretScope } from '../github/scope.js'
import type { WriteResult } from '../github/secrets-api.js'
import { markdownText } from '../reporting/markdown.js'

/** Who and what started the run, for the record. */
export interface Trigger {
  readonly event: string
  readonly actor: string
  readonly runUrl: string
  /** This workflow run, when the action runs in one: its timing tells whether secrets are stale. */
  readonly run?: { readonly repository: Repository; readonly id: number }
}

export interface SecretWrite {
  readonly name: string
  /**
   * `planned` in a dry run; `unknown` when GitHub's answer was lost and the secret's metadata
   * could not tell whether the write was applied.
   */
  readonly result: WriteResult | 'planned' | 'unknown'
}

/** Whether the stale-key guard compared the key secret's time with this run's, and what it found. */
export interface StaleCheck {
  readonly status: 'passed' | 'not needed' | 'not checked'
  /** The times compared, or why there was nothing to compare. */
  readonly detail: string
}

/** What a rotation did (or, in a dry run, would do). Holds fingerprints only, never a key. */
export interface RotationReport {
  readonly scope: SecretScope
  readonly secretName: string
  readonly fallbacksSecretName: string
  readonly fallbacksFormat: FallbacksFormat
  readonly dryRun: boolean
  /** What the run did (in a dry run: would do); undefined when it skipped. */
  readonly phase?: WritingPhase
  readonly rotated: boolean
  /** Why nothing was rotated, when the key was fresh enough or an earlier attempt rotated it. */
  readonly skipReason?: string
  readonly rotatedAt: string
  readonly keyFingerprint: string
  /** Undefined when there was no previous key, or the phase changed no signing key. */
  readonly previousKeyFingerprint?: string
  /** The key that signs after the run; stage reports it next to the staged key. */
  readonly signingKeyFingerprint?: string
  readonly keptFallbackFingerprints: readonly string[]
  /** The keys this run was given that are no longer accepted. */
  readonly droppedFingerprints: readonly string[]
  /**
   * Secrets whose old content was dropped without this run seeing it (revoke-previous with an
   * empty current-key or current-fallbacks): their keys cannot be counted.
   */
  readonly droppedUnseen: readonly string[]
  readonly revoked: boolean
  /** What the stale-key guard found. */
  readonly staleCheck: StaleCheck
  /** In a dry run: what could not be checked without writing. */
  readonly unverified?: readonly string[]
  readonly writes: readonly SecretWrite[]
  readonly trigger: Trigger
  readonly issue?: IssueRef
  readonly closedIssue?: IssueRef
  /** Why the rotation issue could not be opened or the previous one closed. */
  readonly issueProblem?: string
}

/**
 * The facts a reviewer wants at a glance, as label and Markdown value; the issue and the job
 * summary both show them, so they always agree.
 */
export function describeRotation(report: RotationReport): [string, string][] {
  const written = (name: string): string => {
    const write = report.writes.find((entry) => entry.name === name)
    return `\`${name}\`${write ? ` (${write.result})` : ''}`
  }
  const kept = report.keptFallbackFingerprints
  return [
    ['Scope', markdownText(report.scope.label)],
    ...(report.phase && report.phase !== 'rotate'
      ? [['Phase', `\`${report.phase}\``] as [string, string]]
      : []),
    ['Key secret', written(report.secretName)],
    [
      'Fallbacks secret',
      `${written(report.fallbacksSecretName)}, ${report.fallbacksFormat}, ${plural(kept.length, 'key')}`
    ],
    ...(report.phase === 'retire'
      ? []
      : [
          [KEY_LABELS[report.phase ?? 'rotate'], shownFingerprint(report.keyFingerprint)] as [
            string,
            string
          ]
        ]),
    report.phase === 'stage' || report.phase === 'retire'
      ? ['Signing key', `${shownFingerprint(report.signingKeyFingerprint ?? '')} (unchanged)`]
      : [
          'Previous key',
          report.previousKeyFingerprint === undefined
            ? 'none'
            : `${shownFingerprint(report.previousKeyFingerprint)} (${previousKeyStatus(report)})`
        ],
    ['Kept fallbacks', kept.length === 0 ? 'none' : kept.map(shownFingerprint).join(', ')],
    ['Dropped keys', describeDropped(report)],
    [
      'Stale-key check',
      `${report.staleCheck.status === 'not checked' ? '**not checked**' : report.staleCheck.status}: ${report.staleCheck.detail}`
    ],
    // The actor by name, never as an @mention: a monthly rotation would ping them every month.
    ['Trigger', `\`${report.trigger.event}\` by ${markdownText(report.trigger.actor)}`],
    ['Run', report.trigger.runUrl]
  ]
}

/** The keys no longer accepted: each one this run was given, and what it dropped unseen. */
function describeDropped(report: RotationReport): string {
  const dropped = report.droppedFingerprints
  const parts: string[] = []
  if (dropped.length > 0) {
    parts.push(
      `${plural(dropped.length, 'old key')} no longer accepted: ${dropped.map(shownFingerprint).join(', ')}`
    )
  }
  for (const name of report.droppedUnseen) {
    parts.push(`whatever \`${name}\` held, which this run was not given`)
  }
  return parts.length === 0 ? 'none' : parts.join('; ')
}

/** A fingerprint as code; the sentence that stands for a withheld one as plain text. */
function shownFingerprint(fingerprint: string): string {
  return fingerprint.startsWith('sha256:') ? `\`${fingerprint}\`` : fingerprint
}

const KEY_LABELS: Record<Exclude<WritingPhase, 'retire'>, string> = {
  rotate: 'New key',
  stage: 'Staged key',
  promote: 'Promoted key'
}

/** What became of the key this rotation replaced. */
export function previousKeyStatus(report: RotationReport): string {
  if (report.revoked) return 'revoked'
  return report.keptFallbackFingerprints[0] === report.previousKeyFingerprint
    ? 'now the first fallback'
    : 'dropped'
}

/** A two-column Markdown table. */
export function markdownTable(rows: readonly [string, string][]): string {
  return [
    '| | |',
    '| --- | --- |',
    ...rows.map(([label, value]) => `| ${label} | ${value} |`)
  ].join('\n')
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
