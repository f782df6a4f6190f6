import { formatKeyList, nextFallbacks } from '../keys/fallbacks.js'
import { fingerprint } from '../keys/fingerprint.js'
import { decideFreshness, type RunTiming } from './freshness.js'
import { explainGitHubError } from '../github/github-errors.js'
import type { Inputs } from '../inputs.js'
import type { IssueRef, IssuesApi } from '../github/issues-api.js'
import { djangoKeyProblems, generateKey } from '../keys/key.js'
import type { Log } from '../log.js'
import { plural, type RotationReport, type SecretWrite, type Trigger } from './report.js'
import { RotationFailure } from './rotation-failure.js'
import {
  renderRotationIssue,
  renderSupersededComment,
  rotationIssueMarker
} from '../reporting/rotation-issue.js'
import type { RunsApi } from '../github/runs-api.js'
import { environmentScope, repositoryScope, type SecretScope } from '../github/scope.js'
import { loadSodium, sealSecret } from '../keys/seal.js'
import { parserHazards } from '../keys/settings-parsers.js'
import type { SecretMetadata, SecretsApi } from '../github/secrets-api.js'

export interface RotationServices {
  readonly secrets: SecretsApi
  readonly issues: IssuesApi
  readonly runs: RunsApi
  readonly log: Log
  readonly trigger: Trigger
  readonly now?: () => Date
}

/** The scope the inputs name: an environment's secrets, or the repository's. */
function scopeOf(inputs: Inputs): SecretScope {
  return inputs.environment
    ? environmentScope(inputs.repository, inputs.environment)
    : repositoryScope(inputs.repository)
}

/**
 * Rotates the key: reads what GitHub holds, plans the new key and fallbacks, writes the fallbacks
 * and then the key, and logs the rotation in an issue. The inputs' keys must be masked already.
 *
 * The write order is the product's promise. The fallbacks (old key first) are written before the
 * key, so a run that dies between the two leaves the old key as SECRET_KEY and as the first
 * fallback: valid everywhere, and a re-run completes the rotation.
 *
 * Throws RotationFailure, which says what was written, for anything that stops a rotation.
 */
export async function rotate(inputs: Inputs, services: RotationServices): Promise<RotationReport> {
  const { secrets, log } = services
  const now = services.now ?? (() => new Date())
  const scope = scopeOf(inputs)
  /** What every report of this run says, whatever the outcome. */
  const described = {
    scope,
    secretName: inputs.secretName,
    fallbacksSecretName: inputs.fallbacksSecretName,
    fallbacksFormat: inputs.fallbacksFormat,
    dryRun: inputs.dryRun,
    trigger: services.trigger
  }
  const writes: SecretWrite[] = []
  const fail = (message: string, cause?: unknown): RotationFailure =>
    new RotationFailure(message, scope, writes, inputs, cause === undefined ? undefined : { cause })

  const reads = await log.group(`Reading the ${scope.label}`, async () => {
    const explained = (doing: string, tokenInput: 'token' | 'issue-token') => (error: unknown) => {
      throw fail(explainGitHubError(error, doing, scope, tokenInput).message, error)
    }
    // Independent reads go out together, and libsodium compiles while they are in flight.
    const allRead = Promise.all([
      secrets.publicKey(scope).catch(explained('read the secrets public key', 'token')),
      secrets
        .metadata(scope, inputs.secretName)
        .catch(explained(`read the ${inputs.secretName} secret's metadata`, 'token')),
      readRunTiming(services, log),
      findPreviousIssue(inputs, scope, services),
      checkIssueAccess(inputs, scope, services).catch(
        explained('check that rotation issues can be opened (nothing was written)', 'issue-token')
      )
    ])
    const sodium = loadSodium()
    const [publicKey, keyMetadata, run, previousIssue] = await allRead
    await sodium
    log.info(`Public key ${publicKey.keyId} of the ${scope.label}`)
    log.info(describeExisting(inputs.secretName, keyMetadata))
    if (run) log.info(`This run was queued at ${run.createdAt} (attempt ${run.runAttempt})`)
    if (previousIssue) log.info(`Previous rotation issue: #${previousIssue.number}`)
    return { publicKey, keyMetadata, run, previousIssue }
  })

  if (reads.keyMetadata && inputs.currentKey === '' && !inputs.revokePrevious) {
    throw fail(
      `Input "current-key" is empty but the ${inputs.secretName} secret exists in the ${scope.label}: rotating now ` +
        `would lose the old key for good and log everyone out. Pass current-key: \${{ secrets.${inputs.secretName} }} ` +
        '(and current-fallbacks), or set revoke-previous: true to drop the old key on purpose.'
    )
  }

  // revoke-previous answers a leak: it runs whatever the key's age, and drops every old key anyway.
  const freshness = inputs.revokePrevious
    ? ({ decision: 'rotate' } as const)
    : decideFreshness({
        secretName: inputs.secretName,
        keyUpdatedAt: reads.keyMetadata?.updatedAt,
        run: reads.run,
        minAgeDays: inputs.minAgeDays,
        now: now()
      })
  if (freshness.decision === 'stop') throw fail(freshness.reason)
  if (freshness.decision === 'skip') {
    log.info(`Not rotating: ${freshness.reason}`)
    return {
      ...described,
      rotated: false,
      skipReason: freshness.reason,
      rotatedAt: now().toISOString(),
      keyFingerprint: inputs.currentKey === '' ? '' : fingerprint(inputs.currentKey),
      keptFallbackFingerprints: inputs.currentFallbacks.map(fingerprint),
      droppedFallbacks: 0,
      revoked: false,
      writes: []
    }
  }

  const plan = await log.group('Planning the rotation', async () => {
    const newKey = generateKey(inputs.keyLength, inputs.keyAlphabet)
    log.mask(newKey)
    const fallbacks = nextFallbacks({ ...inputs, newKey })
    warnAboutCurrentKey(inputs, log)
    warnAboutParsers(inputs, fallbacks.kept, log)
    log.info(
      `New key ${fingerprint(newKey)}: ${inputs.keyLength} characters from the ${inputs.keyAlphabet} alphabet`
    )
    log.info(
      inputs.revokePrevious
        ? `revoke-previous is true: no old key is kept, ${plural(fallbacks.dropped, 'key')} stop working`
        : `${inputs.fallbacksSecretName} will hold ${plural(fallbacks.kept.length, 'key')} (max-fallbacks ${inputs.maxFallbacks}), ${plural(fallbacks.dropped, 'old key')} dropped`
    )
    const [sealedFallbacks, sealedKey] = await Promise.all([
      sealSecret(formatKeyList(fallbacks.kept, inputs.fallbacksFormat), reads.publicKey.key),
      sealSecret(newKey, reads.publicKey.key)
    ])
    return {
      keyFingerprint: fingerprint(newKey),
      fallbacks,
      sealed: [
        [
          inputs.fallbacksSecretName,
          { encryptedValue: sealedFallbacks, keyId: reads.publicKey.keyId }
        ],
        [inputs.secretName, { encryptedValue: sealedKey, keyId: reads.publicKey.keyId }]
      ] as const
    }
  })

  const report = (): RotationReport => ({
    ...described,
    rotated: !inputs.dryRun,
    rotatedAt: now().toISOString(),
    keyFingerprint: plan.keyFingerprint,
    previousKeyFingerprint: inputs.currentKey === '' ? undefined : fingerprint(inputs.currentKey),
    keptFallbackFingerprints: plan.fallbacks.kept.map(fingerprint),
    droppedFallbacks: plan.fallbacks.dropped,
    revoked: inputs.revokePrevious,
    writes: [...writes]
  })

  if (inputs.dryRun) {
    writes.push(...plan.sealed.map(([name]): SecretWrite => ({ name, result: 'planned' })))
    log.info('dry-run is true: nothing was written and no issue was opened')
    return report()
  }

  await log.group('Writing the secrets', async () => {
    // Sequential on purpose: the key is written only once the fallbacks that keep the old key are.
    for (const [name, sealed] of plan.sealed) {
      const result = await secrets.write(scope, name, sealed).catch((error: unknown) => {
        throw fail(explainGitHubError(error, `write ${name}`, scope, 'token').message, error)
      })
      writes.push({ name, result })
      log.info(`${name} ${result}`)
    }
  })

  const rotated = report()
  if (!inputs.openIssue) return rotated
  return log.group('Logging the rotation', () =>
    logRotation(rotated, reads.previousIssue, inputs, services)
  )
}

async function readRunTiming(services: RotationServices, log: Log): Promise<RunTiming | undefined> {
  const run = services.trigger.run
  if (!run) return undefined
  try {
    return await services.runs.timing(run.repository, run.id)
  } catch (error) {
    // Without the run's timing a stale key cannot be told apart; the workflow's concurrency group
    // is the first defence, so the rotation goes on, but says so.
    log.warning(
      `Could not read this workflow run (${(error as Error).message}), so a stale current-key cannot be detected: ` +
        'give the workflow permissions: actions: read.'
    )
    return undefined
  }
}

async function findPreviousIssue(
  inputs: Inputs,
  scope: SecretScope,
  services: RotationServices
): Promise<IssueRef | undefined> {
  if (!inputs.openIssue || !inputs.closePreviousIssue || inputs.dryRun) return undefined
  try {
    return await services.issues.findOpen(
      scope.repository,
      rotationIssueMarker(scope, inputs.secretName),
      inputs.issueLabels[0]
    )
  } catch (error) {
    // Finding the old issue is a courtesy; it must not stop a rotation.
    services.log.warning(
      explainGitHubError(error, 'look for the previous rotation issue', scope, 'issue-token')
        .message
    )
    return undefined
  }
}

/** A rotation whose issue cannot be opened is found out before anything is written. */
async function checkIssueAccess(
  inputs: Inputs,
  scope: SecretScope,
  services: RotationServices
): Promise<void> {
  if (!inputs.openIssue || inputs.dryRun || inputs.issueLabels.length === 0) return
  await services.issues.checkWriteAccess(scope.repository, inputs.issueLabels[0])
}

/** Opens the new issue and closes the previous one together. A failure here never undoes a rotation. */
async function logRotation(
  report: RotationReport,
  previous: IssueRef | undefined,
  inputs: Inputs,
  { issues, log }: RotationServices
): Promise<RotationReport> {
  const issue = renderRotationIssue(report, {
    labels: inputs.issueLabels,
    assignees: inputs.issueAssignees,
    previous: previous?.number
  })
  const [opened, closed] = await Promise.allSettled([
    issues.open(report.scope.repository, issue),
    previous
      ? issues.close(report.scope.repository, previous.number, renderSupersededComment(report))
      : undefined
  ])
  const problems: string[] = []
  let result: RotationReport = report
  if (opened.status === 'fulfilled') {
    log.info(`Opened rotation issue #${opened.value.number}: ${opened.value.url}`)
    result = { ...result, issue: opened.value }
  } else {
    problems.push(
      explainGitHubError(opened.reason, 'open the rotation issue', report.scope, 'issue-token')
        .message
    )
  }
  if (closed.status === 'rejected') {
    problems.push(
      explainGitHubError(
        closed.reason,
        `close the previous rotation issue #${previous?.number}`,
        report.scope,
        'issue-token'
      ).message
    )
  } else if (previous) {
    log.info(`Closed the previous rotation issue #${previous.number}`)
    result = { ...result, closedIssue: previous }
  }
  if (problems.length === 0) return result
  const issueProblem = problems.join(' ')
  log.warning(`The secrets were rotated, but: ${issueProblem}`)
  return { ...result, issueProblem }
}

function warnAboutCurrentKey(inputs: Inputs, log: Log): void {
  const problems = inputs.currentKey === '' ? [] : djangoKeyProblems(inputs.currentKey)
  if (problems.length > 0) {
    // security.W009: worth knowing, but rotating away from a weak key is exactly the fix.
    log.warning(
      `Input "current-key" fails Django's security.W009 (${problems.join('; ')}); it is being replaced`
    )
  }
}

function warnAboutParsers(inputs: Inputs, kept: readonly string[], log: Log): void {
  for (const hazard of parserHazards(kept, inputs.fallbacksFormat)) {
    log.warning(`${inputs.fallbacksSecretName} as written now: ${hazard}`)
  }
  if (inputs.keyAlphabet === 'django' && inputs.fallbacksFormat === 'csv') {
    // About 64% of keys in Django's alphabet hold a "#": the warning must not depend on this draw.
    log.warning(
      'key-alphabet django puts "#" into most keys, and python-decouple\'s Csv() cuts a comma-separated list at "#" ' +
        'once such a key is a fallback: read the fallbacks with a plain split or django-environ, or use key-alphabet ' +
        'urlsafe or fallbacks-format json'
    )
  }
}

function describeExisting(name: string, metadata: SecretMetadata | undefined): string {
  return metadata
    ? `${name} exists, last updated ${metadata.updatedAt}`
    : `${name} does not exist yet: it will be created`
}
