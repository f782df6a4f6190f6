import { formatKeyList, nextFallbacks } from '../keys/fallbacks.js'
import { fingerprint, publishedFingerprint } from '../keys/fingerprint.js'
import { decideFreshness, type RunTiming } from './freshness.js'
import { describeAnswer, explainGitHubError } from '../github/github-errors.js'
import { outcomeUnknown } from '../github/github-request.js'
import { confirmWrite } from './confirm-write.js'
import type { Inputs } from '../inputs.js'
import type { IssueRef, IssuesApi } from '../github/issues-api.js'
import { djangoKeyProblems, generateKey } from '../keys/key.js'
import type { Log } from '../log.js'
import {
  plural,
  type RotationReport,
  type SecretWrite,
  type StaleCheck,
  type Trigger
} from './report.js'
import { RotationFailure, type SecretsStateContext } from './rotation-failure.js'
import {
  renderRotationIssue,
  renderSupersededComment,
  rotationIssueMarker
} from '../reporting/rotation-issue.js'
import type { RunsApi } from '../github/runs-api.js'
import { environmentScope, repositoryScope, type SecretScope } from '../github/scope.js'
import { loadSodium, sealSecret } from '../keys/seal.js'
import { parserHazards } from '../keys/settings-parsers.js'
import type {
  SealedSecret,
  SecretMetadata,
  SecretsApi,
  WriteResult
} from '../github/secrets-api.js'

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
  const state: { -readonly [K in keyof SecretsStateContext]: SecretsStateContext[K] } = {
    secretName: inputs.secretName,
    fallbacksSecretName: inputs.fallbacksSecretName
  }
  const fail = (message: string, cause?: unknown): RotationFailure =>
    new RotationFailure(message, scope, writes, state, cause === undefined ? undefined : { cause })

  const reads = await log.group(`Reading the ${scope.label}`, async () => {
    const explained = (doing: string, tokenInput: 'token' | 'issue-token') => (error: unknown) => {
      throw fail(explainGitHubError(error, doing, scope, tokenInput).message, error)
    }
    // Independent reads and checks go out together, and libsodium compiles while they are in
    // flight: everything that can stop the rotation is known before anything is written.
    const allRead = Promise.all([
      secrets.publicKey(scope).catch(explained('read the secrets public key', 'token')),
      secrets
        .metadata(scope, inputs.secretName)
        .catch(explained(`read the ${inputs.secretName} secret's metadata`, 'token')),
      secrets
        .metadata(scope, inputs.fallbacksSecretName)
        .catch(explained(`read the ${inputs.fallbacksSecretName} secret's metadata`, 'token')),
      readRunTiming(services, log),
      findPreviousIssue(inputs, scope, services),
      checkIssueAccess(inputs, scope, services).catch(
        explained('check that rotation issues can be opened (nothing was written)', 'issue-token')
      ),
      unassignable(inputs, scope, services).catch(
        explained(
          'check that the issue-assignees can be assigned (nothing was written)',
          'issue-token'
        )
      )
    ])
    const sodium = loadSodium()
    const [publicKey, keyMetadata, fallbacksMetadata, run, previousIssue, , notAssignable] =
      await allRead
    await sodium
    log.info(`Public key ${publicKey.keyId} of the ${scope.label}`)
    log.info(describeExisting(inputs.secretName, keyMetadata))
    log.info(describeExisting(inputs.fallbacksSecretName, fallbacksMetadata))
    if (run.timing) {
      log.info(`This run was queued at ${run.timing.createdAt} (attempt ${run.timing.runAttempt})`)
    }
    if (previousIssue) log.info(`Previous rotation issue: #${previousIssue.number}`)
    return { publicKey, keyMetadata, fallbacksMetadata, run, previousIssue, notAssignable }
  })

  if (reads.notAssignable.length > 0) {
    throw fail(
      `Input "issue-assignees" names ${reads.notAssignable.map((login) => `"${login}"`).join(', ')}, who cannot be ` +
        `assigned to issues in ${scope.repository.owner}/${scope.repository.repo} (GitHub answered 404): the rotation ` +
        'issue could not be opened. Remove them from issue-assignees, or give them access to the repository.'
    )
  }
  if (reads.keyMetadata && inputs.currentKey === '' && !inputs.revokePrevious) {
    throw fail(
      `Input "current-key" is empty but the ${inputs.secretName} secret exists in the ${scope.label}: rotating now ` +
        `would lose the old key for good and log everyone out. Pass current-key: \${{ secrets.${inputs.secretName} }} ` +
        '(and current-fallbacks), or set revoke-previous: true to drop the old key on purpose.'
    )
  }
  // The action never stores an empty list (it deletes the secret instead), so an existing
  // fallbacks secret holds keys, and an empty input means they were not passed.
  if (reads.fallbacksMetadata && inputs.currentFallbacks.length === 0 && !inputs.revokePrevious) {
    throw fail(
      `Input "current-fallbacks" is empty but the ${inputs.fallbacksSecretName} secret exists in the ${scope.label}: ` +
        'rotating now would drop every fallback it holds, unseen, and log out whoever they still sign for. Pass ' +
        `current-fallbacks: \${{ secrets.${inputs.fallbacksSecretName} }}, or set revoke-previous: true to drop the ` +
        'old keys on purpose.'
    )
  }

  // revoke-previous answers a leak: it runs whatever the key's age, and drops every old key anyway.
  const freshness = inputs.revokePrevious
    ? ({ decision: 'rotate' } as const)
    : decideFreshness({
        secretName: inputs.secretName,
        keyUpdatedAt: reads.keyMetadata?.updatedAt,
        run: reads.run.timing,
        minAgeDays: inputs.minAgeDays,
        now: now()
      })
  const staleCheck = describeStaleCheck(inputs, reads.keyMetadata, reads.run)
  if (freshness.decision === 'stop') throw fail(freshness.reason)
  if (freshness.decision === 'skip') {
    log.info(`Not rotating: ${freshness.reason}`)
    return {
      ...described,
      rotated: false,
      skipReason: freshness.reason,
      rotatedAt: now().toISOString(),
      keyFingerprint: inputs.currentKey === '' ? '' : publishedFingerprint(inputs.currentKey),
      keptFallbackFingerprints: inputs.currentFallbacks.map(publishedFingerprint),
      droppedFingerprints: [],
      droppedUnseen: [],
      revoked: false,
      staleCheck,
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
    const droppedUnseen = inputs.revokePrevious
      ? [
          ...(reads.keyMetadata && inputs.currentKey === '' ? [inputs.secretName] : []),
          ...(reads.fallbacksMetadata && inputs.currentFallbacks.length === 0
            ? [inputs.fallbacksSecretName]
            : [])
        ]
      : []
    const unseen = droppedUnseen.length > 0 ? ', and what this run was not given' : ''
    log.info(
      inputs.revokePrevious
        ? `revoke-previous is true: no old key is kept, ${plural(fallbacks.dropped.length, 'key')} stop working${unseen}`
        : `${inputs.fallbacksSecretName} will hold ${plural(fallbacks.kept.length, 'key')} (max-fallbacks ${inputs.maxFallbacks}), ${plural(fallbacks.dropped.length, 'old key')} dropped`
    )
    const [sealedFallbacks, sealedKey] = await Promise.all([
      sealSecret(formatKeyList(fallbacks.kept, inputs.fallbacksFormat), reads.publicKey.key),
      sealSecret(newKey, reads.publicKey.key)
    ])
    const keyId = reads.publicKey.keyId
    // An empty list is never stored: the fallbacks secret is deleted (or not created), so that
    // an existing fallbacks secret always holds keys (see the current-fallbacks check above).
    const fallbacksStep: WriteStep | undefined =
      fallbacks.kept.length > 0
        ? {
            name: inputs.fallbacksSecretName,
            kind: 'write',
            sealed: { encryptedValue: sealedFallbacks, keyId },
            before: reads.fallbacksMetadata
          }
        : reads.fallbacksMetadata
          ? { name: inputs.fallbacksSecretName, kind: 'delete', before: reads.fallbacksMetadata }
          : undefined
    const keyStep: WriteStep = {
      name: inputs.secretName,
      kind: 'write',
      sealed: { encryptedValue: sealedKey, keyId },
      before: reads.keyMetadata
    }
    return {
      keyFingerprint: fingerprint(newKey),
      fallbacks,
      droppedUnseen,
      steps: fallbacksStep ? [fallbacksStep, keyStep] : [keyStep]
    }
  })
  state.fallbacksPlan = {
    keepsOldKey: inputs.currentKey !== '' && plan.fallbacks.kept[0] === inputs.currentKey,
    count: plan.fallbacks.kept.length
  }

  const report = (): RotationReport => ({
    ...described,
    rotated: !inputs.dryRun,
    rotatedAt: now().toISOString(),
    keyFingerprint: plan.keyFingerprint,
    previousKeyFingerprint:
      inputs.currentKey === '' ? undefined : publishedFingerprint(inputs.currentKey),
    keptFallbackFingerprints: plan.fallbacks.kept.map(publishedFingerprint),
    droppedFingerprints: plan.fallbacks.dropped.map(publishedFingerprint),
    droppedUnseen: plan.droppedUnseen,
    revoked: inputs.revokePrevious,
    staleCheck,
    writes: [...writes]
  })

  if (inputs.dryRun) {
    writes.push(...plan.steps.map(({ name }): SecretWrite => ({ name, result: 'planned' })))
    const unverified = await checkWithoutWriting(inputs, scope, services, reads).catch(
      (error: unknown) => {
        const doing = 'check that rotation issues can be opened (nothing was written)'
        throw fail(explainGitHubError(error, doing, scope, 'issue-token').message, error)
      }
    )
    log.info('dry-run is true: nothing was written and no issue was opened')
    for (const item of unverified) log.warning(`Not verified by this dry run: ${item}`)
    return { ...report(), unverified }
  }

  await log.group('Writing the secrets', async () => {
    // Sequential on purpose: the key is written only once the fallbacks that keep the old key are.
    for (const step of plan.steps) {
      const sentAt = now()
      const result = await writeStep(step, secrets, scope).catch(async (error: unknown) => {
        const explained = explainGitHubError(error, `write ${step.name}`, scope, 'token').message
        if (!outcomeUnknown(error)) throw fail(explained, error)
        // GitHub may have applied the write and lost the answer: ask the secret, never guess.
        const outcome = await confirmWrite(secrets, scope, {
          ...step,
          runCreatedAt: reads.run.timing?.createdAt,
          sentAt
        })
        if (outcome === 'applied') {
          log.warning(
            `GitHub's answer to the ${step.name} write was lost (${describeAnswer(error)}), but the ` +
              "secret's metadata shows the write was applied: going on."
          )
          return appliedResult(step)
        }
        if (outcome === 'not applied') {
          throw fail(`${explained} ${step.name}'s metadata shows GitHub did not apply it.`, error)
        }
        // No advice to run again here: the state that follows says what to check first.
        writes.push({ name: step.name, result: 'unknown' })
        throw fail(
          `Could not confirm the ${step.name} write for the ${scope.label}: ${describeAnswer(error)}. ` +
            `Whether GitHub applied the write is unknown: ${step.name}'s metadata could not tell.`,
          error
        )
      })
      writes.push({ name: step.name, result })
      log.info(`${step.name} ${result}`)
    }
  })

  const rotated = report()
  if (!inputs.openIssue) return rotated
  return log.group('Logging the rotation', () =>
    logRotation(rotated, reads.previousIssue, inputs, services)
  )
}

/** One write of the plan: the fallbacks (written or deleted), then the key. */
interface WriteStep {
  readonly name: string
  readonly kind: 'write' | 'delete'
  readonly sealed?: SealedSecret
  /** The secret's metadata before this run wrote anything; undefined when it did not exist. */
  readonly before: SecretMetadata | undefined
}

function writeStep(step: WriteStep, secrets: SecretsApi, scope: SecretScope): Promise<WriteResult> {
  return step.kind === 'delete' || !step.sealed
    ? secrets.delete(scope, step.name)
    : secrets.write(scope, step.name, step.sealed)
}

/** What GitHub would have answered to a write that its metadata shows was applied. */
function appliedResult(step: WriteStep): WriteResult {
  if (step.kind === 'delete') return 'deleted'
  return step.before ? 'updated' : 'created'
}

/** This run's timing, or why it could not be read (undefined outside a workflow run). */
interface RunReading {
  readonly timing?: RunTiming
  readonly unreadable?: string
}

async function readRunTiming(services: RotationServices, log: Log): Promise<RunReading> {
  const run = services.trigger.run
  if (!run) return { unreadable: 'the action is not running in a workflow run' }
  try {
    return { timing: await services.runs.timing(run.repository, run.id) }
  } catch (error) {
    // Without the run's timing a stale key cannot be told apart; the workflow's concurrency group
    // is the first defence, so the rotation goes on, but says so here, in the issue and summary.
    log.warning(
      `Could not read this workflow run (${(error as Error).message}), so a stale current-key cannot be detected: ` +
        'give the workflow permissions: actions: read.'
    )
    return { unreadable: 'this workflow run could not be read (give the workflow actions: read)' }
  }
}

/** The stale-key guard's finding, for the issue and the summary. */
function describeStaleCheck(
  inputs: Inputs,
  keyMetadata: SecretMetadata | undefined,
  run: RunReading
): StaleCheck {
  if (inputs.revokePrevious) {
    return { status: 'not needed', detail: 'revoke-previous keeps no old key' }
  }
  if (!keyMetadata) return { status: 'not needed', detail: `${inputs.secretName} did not exist` }
  if (!run.timing) {
    return {
      status: 'not checked',
      detail: `${run.unreadable}, so whether current-key was the key in use is unknown`
    }
  }
  return {
    status: 'passed',
    detail: `${inputs.secretName} last changed at ${keyMetadata.updatedAt}, before this run was queued at ${run.timing.createdAt}`
  }
}

/** Assignees GitHub would refuse (404), checked before anything is written. */
async function unassignable(
  inputs: Inputs,
  scope: SecretScope,
  services: RotationServices
): Promise<string[]> {
  if (!inputs.openIssue) return []
  const checked = await Promise.all(
    inputs.issueAssignees.map(async (login) =>
      (await services.issues.canBeAssigned(scope.repository, login)) ? [] : [login]
    )
  )
  return checked.flat()
}

/**
 * What a dry run can check without writing, beyond the reads every run makes, and the list of
 * what it could not check. GitHub answers a token's reads the same whatever its write access, so
 * write access is checked only where a check writes nothing: the label probe on a label that
 * exists (the previous rotation issue carries it) answers 422 "already_exists" or 403.
 */
async function checkWithoutWriting(
  inputs: Inputs,
  scope: SecretScope,
  services: RotationServices,
  reads: { run: RunReading; previousIssue?: IssueRef }
): Promise<string[]> {
  const unverified = [
    `that "token" may write secrets: GitHub answers reads alike for "Secrets: read" and "Secrets: write", and a check would write`
  ]
  if (!reads.run.timing) unverified.push(`that current-key is not stale: ${reads.run.unreadable}`)
  if (!inputs.openIssue) return unverified
  const label = inputs.issueLabels[0]
  if (label !== undefined && reads.previousIssue) {
    await services.issues.checkWriteAccess(scope.repository, label)
  } else {
    unverified.push(
      label === undefined
        ? 'that "issue-token" may open issues: issue-labels is empty, so there is no label to probe with'
        : `that "issue-token" may open issues: the label "${label}" does not exist yet, and creating it would be a write`
    )
  }
  return unverified
}

async function findPreviousIssue(
  inputs: Inputs,
  scope: SecretScope,
  services: RotationServices
): Promise<IssueRef | undefined> {
  if (!inputs.openIssue || !inputs.closePreviousIssue) return undefined
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
    // The previous issue was closed in parallel to keep the run at four round trips; without
    // a new issue it is still the latest record of the scope, so it is reopened.
    if (previous && closed.status === 'fulfilled') {
      problems.push(await reopenPrevious(report, previous, issues))
      return finish(result, problems, log)
    }
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
  return finish(result, problems, log)
}

function finish(result: RotationReport, problems: string[], log: Log): RotationReport {
  if (problems.length === 0) return result
  const issueProblem = problems.join(' ')
  log.warning(`The secrets were rotated, but: ${issueProblem}`)
  return { ...result, issueProblem }
}

/** Reopens the previous rotation issue after the new one failed; says what became of it. */
async function reopenPrevious(
  report: RotationReport,
  previous: IssueRef,
  issues: IssuesApi
): Promise<string> {
  try {
    await issues.reopen(
      report.scope.repository,
      previous.number,
      `Reopened: the rotation of ${report.rotatedAt} (${report.trigger.runUrl}) could not open its own issue, so ` +
        'this one stays the latest record of the scope until the next rotation.'
    )
    return `The previous rotation issue #${previous.number} was reopened and stays open.`
  } catch (error) {
    return (
      `The previous rotation issue #${previous.number} was closed and could not be reopened ` +
      `(${explainGitHubError(error, 'reopen it', report.scope, 'issue-token').message}): reopen it by hand.`
    )
  }
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
