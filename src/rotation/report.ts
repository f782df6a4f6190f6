import type { FallbacksFormat } from '../keys/fallbacks.js'
import type { IssueRef } from '../github/issues-api.js'
import type { Repository, SecretScope } from '../github/scope.js'
import type { WriteResult } from '../github/secrets-api.js'

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
  /** `planned` in a dry run. */
  readonly result: WriteResult | 'planned'
}

/** What a rotation did (or, in a dry run, would do). Holds fingerprints only, never a key. */
export interface RotationReport {
  readonly scope: SecretScope
  readonly secretName: string
  readonly fallbacksSecretName: string
  readonly fallbacksFormat: FallbacksFormat
  readonly dryRun: boolean
  readonly rotated: boolean
  /** Why nothing was rotated, when the key was fresh enough or an earlier attempt rotated it. */
  readonly skipReason?: string
  readonly rotatedAt: string
  readonly keyFingerprint: string
  /** Undefined when there was no previous key. */
  readonly previousKeyFingerprint?: string
  readonly keptFallbackFingerprints: readonly string[]
  readonly droppedFallbacks: number
  readonly revoked: boolean
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
    ['Scope', report.scope.label],
    ['Key secret', written(report.secretName)],
    [
      'Fallbacks secret',
      `${written(report.fallbacksSecretName)}, ${report.fallbacksFormat}, ${plural(kept.length, 'key')}`
    ],
    ['New key', `\`${report.keyFingerprint}\``],
    [
      'Previous key',
      report.previousKeyFingerprint === undefined
        ? 'none'
        : `\`${report.previousKeyFingerprint}\` (${previousKeyStatus(report)})`
    ],
    ['Kept fallbacks', kept.length === 0 ? 'none' : kept.map((entry) => `\`${entry}\``).join(', ')],
    [
      'Dropped keys',
      report.droppedFallbacks === 0
        ? 'none'
        : `${plural(report.droppedFallbacks, 'old key')} no longer accepted`
    ],
    ['Trigger', `\`${report.trigger.event}\` by @${report.trigger.actor}`],
    ['Run', report.trigger.runUrl]
  ]
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
