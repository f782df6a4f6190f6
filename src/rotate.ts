import { formatKeyList, nextFallbacks } from './fallbacks.js'
import { fingerprint } from './fingerprint.js'
import { explainGitHubError } from './github-errors.js'
import type { Inputs } from './inputs.js'
import type { IssueRef, IssuesApi } from './issues-api.js'
import { djangoKeyProblems, generateKey } from './key.js'
import type { Log } from './log.js'
import { plural, type RotationReport, type SecretWrite, type Trigger } from './report.js'
import {
  renderRotationIssue,
  renderSupersededComment,
  rotationIssueMarker
} from './rotation-issue.js'
import { environmentScope, repositoryScope, type SecretScope } from './scope.js'
import { loadSodium, sealSecret } from './seal.js'
import type { SecretsApi, SecretMetadata } from './secrets-api.js'

export interface RotationServices {
  readonly secrets: SecretsApi
  readonly issues: IssuesApi
  readonly log: Log
  readonly trigger: Trigger
  readonly now?: () => Date
}

/**
 * Rotates the key: reads what GitHub holds, plans the new key and fallbacks, writes the fallbacks
 * and then the key, and logs the rotation in an issue. The inputs' keys must be masked already.
 *
 * The write order is the product's promise. The fallbacks (old key first) are written before the
 * key, so a run that dies between the two leaves the old key as SECRET_KEY and as the first
 * fallback: valid everywhere, and a re-run completes the rotation.
 */
export async function rotate(inputs: Inputs, services: RotationServices): Promise<RotationReport> {
  const { secrets, issues, log } = services
  const scope = inputs.environment
    ? environmentScope(inputs.repository, inputs.environment)
    : repositoryScope(inputs.repository)
  const marker = rotationIssueMarker(scope, inputs.secretName)
  const wantsPreviousIssue = inputs.openIssue && inputs.closePreviousIssue && !inputs.dryRun

  const reads = await log.group(`Reading the ${scope.label}`, async () => {
    // Independent reads go out together; libsodium compiles while they are in flight.
    const sodium = loadSodium()
    const [publicKey, keyMetadata, previousIssue] = await Promise.all([
      secrets.publicKey(scope).catch((error: unknown) => {
        throw explainGitHubError(error, 'read the secrets public key', scope, 'token')
      }),
      secrets.metadata(scope, inputs.secretName).catch((error: unknown) => {
        throw explainGitHubError(
          error,
          `read the ${inputs.secretName} secret's metadata`,
          scope,
          'token'
        )
      }),
      wantsPreviousIssue ? findPreviousIssue(issues, scope, marker, inputs, log) : undefined
    ])
    await sodium
    log.info(`Public key ${publicKey.keyId} of the ${scope.label}`)
    log.info(describeExisting(inputs.secretName, keyMetadata))
    if (previousIssue) log.info(`Previous rotation issue: #${previousIssue.number}`)
    return { publicKey, keyMetadata, previousIssue }
  })

  if (reads.keyMetadata && inputs.currentKey === '' && !inputs.revokePrevious) {
    throw new Error(
      `Input "current-key" is empty but the ${inputs.secretName} secret exists in the ${scope.label}: rotating now ` +
        `would lose the old key for good and log everyone out. Pass current-key: \${{ secrets.${inputs.secretName} }} ` +
        '(and current-fallbacks), or set revoke-previous: true to drop the old key on purpose. Nothing was written.'
    )
  }

  const plan = await log.group('Planning the rotation', async () => {
    const newKey = generateKey(inputs.keyLength, inputs.keyAlphabet)
    log.mask(newKey)
    const fallbacks = nextFallbacks({ ...inputs, newKey })
    const previousKeyFingerprint =
      inputs.currentKey === '' ? undefined : fingerprint(inputs.currentKey)
    warnAboutCurrentKeys(inputs, log)
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
      previousKeyFingerprint,
      fallbacks,
      sealedFallbacks: { encryptedValue: sealedFallbacks, keyId: reads.publicKey.keyId },
      sealedKey: { encryptedValue: sealedKey, keyId: reads.publicKey.keyId }
    }
  })

  const writes: SecretWrite[] = []
  const report = (rotated: boolean, extra: Partial<RotationReport> = {}): RotationReport => ({
    scope,
    secretName: inputs.secretName,
    fallbacksSecretName: inputs.fallbacksSecretName,
    fallbacksFormat: inputs.fallbacksFormat,
    dryRun: inputs.dryRun,
    rotated,
    rotatedAt: (services.now ?? (() => new Date()))().toISOString(),
    keyFingerprint: plan.keyFingerprint,
    previousKeyFingerprint: plan.previousKeyFingerprint,
    keptFallbackFingerprints: plan.fallbacks.kept.map(fingerprint),
    droppedFallbacks: plan.fallbacks.dropped,
    revoked: inputs.revokePrevious,
    writes: [...writes],
    trigger: services.trigger,
    ...extra
  })

  if (inputs.dryRun) {
    writes.push(
      { name: inputs.fallbacksSecretName, result: 'planned' },
      { name: inputs.secretName, result: 'planned' }
    )
    log.info('dry-run is true: nothing was written and no issue was opened')
    return report(false)
  }

  await log.group('Writing the secrets', async () => {
    for (const [name, sealed] of [
      [inputs.fallbacksSecretName, plan.sealedFallbacks],
      [inputs.secretName, plan.sealedKey]
    ] as const) {
      const result = await secrets.write(scope, name, sealed).catch((error: unknown) => {
        throw explainGitHubError(
          error,
          `write ${name}${describeWritten(writes, inputs.secretName)}`,
          scope,
          'token'
        )
      })
      writes.push({ name, result })
      log.info(`${name} ${result}`)
    }
  })

  const rotated = report(true)
  if (!inputs.openIssue) return rotated
  return log.group('Logging the rotation', () =>
    logRotation(rotated, reads.previousIssue, inputs, issues, log)
  )
}

async function findPreviousIssue(
  issues: IssuesApi,
  scope: SecretScope,
  marker: string,
  inputs: Inputs,
  log: Log
): Promise<IssueRef | undefined> {
  try {
    return await issues.findOpen(scope.repository, marker, inputs.issueLabels[0])
  } catch (error) {
    // Finding the old issue is a courtesy; it must not stop a rotation.
    log.warning(
      explainGitHubError(error, 'look for the previous rotation issue', scope, 'issue-token')
        .message
    )
    return undefined
  }
}

/** Opens the new issue and closes the previous one together. A failure here never undoes a rotation. */
async function logRotation(
  report: RotationReport,
  previous: IssueRef | undefined,
  inputs: Inputs,
  issues: IssuesApi,
  log: Log
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
  if (closed.status === 'fulfilled') {
    if (previous) {
      log.info(`Closed the previous rotation issue #${previous.number}`)
      result = { ...result, closedIssue: previous }
    }
  } else {
    problems.push(
      explainGitHubError(
        closed.reason,
        `close the previous rotation issue #${previous?.number}`,
        report.scope,
        'issue-token'
      ).message
    )
  }
  if (problems.length === 0) return result
  const issueProblem = problems.join(' ')
  log.warning(`The secrets were rotated, but: ${issueProblem}`)
  return { ...result, issueProblem }
}

function warnAboutCurrentKeys(inputs: Inputs, log: Log): void {
  const problems = inputs.currentKey === '' ? [] : djangoKeyProblems(inputs.currentKey)
  if (problems.length > 0) {
    // security.W009: worth knowing, but rotating away from a weak key is exactly the fix.
    log.warning(
      `Input "current-key" fails Django's security.W009 (${problems.join('; ')}); it is being replaced`
    )
  }
}

function describeExisting(name: string, metadata: SecretMetadata | undefined): string {
  return metadata
    ? `${name} exists, last updated ${metadata.updatedAt}`
    : `${name} does not exist yet: it will be created`
}

function describeWritten(writes: readonly SecretWrite[], secretName: string): string {
  if (writes.length === 0) return ' (nothing was written; the old key is untouched)'
  return ` (${writes.map((write) => write.name).join(', ')} was written, but ${secretName} still holds the old key, so the app keeps working: run the workflow again to finish)`
}
