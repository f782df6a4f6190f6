import { fingerprint, publishedFingerprint } from '../keys/fingerprint.js'
import { decideFreshness, type RunTiming } from './freshness.js'
import { explainGitHubError } from '../github/github-errors.js'
import type { Inputs } from '../inputs.js'
import type { FoundIssue, IssueRef, IssuesApi } from '../github/issues-api.js'
import { djangoKeyProblems, generateKey } from '../keys/key.js'
import type { Log } from '../log.js'
import {
  plural,
  type RotationReport,
  type SecretWrite,
  type StaleCheck,
  type Trigger
} from './report.js'
import { RotationFailure, type SecretNames, type SecretsStateContext } from './rotation-failure.js'
import {
  renderRetiredComment,
  renderRotationIssue,
  renderSupersededComment,
  rotationIssueMarker
} from '../reporting/rotation-issue.js'
import type { RunsApi } from '../github/runs-api.js'
import { environmentScope, repositoryScope, type SecretScope } from '../github/scope.js'
import { loadSodium } from '../keys/seal.js'
import { executeSteps, secretNameOf, stepsOf } from './execute.js'
import {
  decidePhase,
  decideRetire,
  readStageRecord,
  stagingOf,
  type Decision,
  type LifeFacts,
  type StageRecord,
  type Staging
} from './lifecycle.js'
import {
  finalState,
  planWrites,
  type KeyState,
  type PlanRequest,
  type WritingPhase
} from './plan.js'
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
 * Runs one phase of the key's life: reads what GitHub holds, decides the phase (`auto`), plans the
 * writes (plan.ts, where the order of each phase is reasoned out), carries them out one by one
 * (execute.ts) and logs the run in an issue. The inputs' keys must be masked already.
 *
 * The write order is the product's promise: whatever request fails, the secrets are left where a
 * re-run completes the phase and no key that signs anywhere has been dropped.
 *
 * Throws RotationFailure, which says what was written, for anything that stops a rotation.
 */
export async function rotate(inputs: Inputs, services: RotationServices): Promise<RotationReport> {
  const { secrets, log } = services
  const now = services.now ?? (() => new Date())
  const scope = scopeOf(inputs)
  const phased = inputs.phase !== 'rotate'
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
    fallbacksSecretName: inputs.fallbacksSecretName,
    // The phase this run carries out, once decided (`auto` decides after reading).
    phase: phased ? undefined : 'rotate'
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
      phased
        ? findRotationIssue(inputs, scope, services).catch(
            explained('read the open rotation issue, where a staged key is recorded', 'issue-token')
          )
        : findPreviousIssue(inputs, scope, services),
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

  const skipped = (reason: string): RotationReport => {
    log.info(`Not rotating: ${reason}`)
    return {
      ...described,
      rotated: false,
      skipReason: reason,
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

  // revoke-previous answers a leak: it runs whatever the key's age, and drops every old key anyway.
  // min-age-days gates the start of a rotation; auto weighs it itself, promote and retire ignore it.
  const freshness = inputs.revokePrevious
    ? ({ decision: 'rotate' } as const)
    : decideFreshness({
        secretName: inputs.secretName,
        keyUpdatedAt: reads.keyMetadata?.updatedAt,
        run: reads.run.timing,
        minAgeDays: inputs.phase === 'rotate' || inputs.phase === 'stage' ? inputs.minAgeDays : 0,
        now: now()
      })
  // The phases write from current-fallbacks, so that input must not be stale either.
  const fallbacksFreshness = phased
    ? decideFreshness({
        secretName: inputs.fallbacksSecretName,
        inputName: 'current-fallbacks',
        keyUpdatedAt: reads.fallbacksMetadata?.updatedAt,
        run: reads.run.timing,
        minAgeDays: 0,
        now: now()
      })
    : freshness
  const staleCheck = describeStaleCheck(inputs, reads.keyMetadata, reads.run)
  for (const checked of [freshness, fallbacksFreshness]) {
    if (checked.decision === 'stop') throw fail(checked.reason)
  }
  for (const checked of [freshness, fallbacksFreshness]) {
    if (checked.decision === 'skip') return skipped(checked.reason)
  }

  const before: KeyState = { key: inputs.currentKey, fallbacks: inputs.currentFallbacks }
  const record =
    reads.previousIssue && 'body' in reads.previousIssue
      ? readStageRecord(reads.previousIssue.body, reads.previousIssue.number)
      : undefined
  const staging = stagingOf(before, record)
  let decision: Decision
  try {
    decision = decideRun(inputs, staging, before, reads, now())
  } catch (error) {
    throw fail((error as Error).message)
  }
  if (decision.phase === undefined) return skipped(decision.skipReason)
  const phase = decision.phase
  state.phase = phase
  if (phased)
    log.info(`Phase: ${phase}${inputs.phase === 'auto' ? ' (decided by phase auto)' : ''}`)
  const target = {
    ...inputs,
    secrets,
    scope,
    log,
    now,
    publicKey: reads.publicKey,
    runCreatedAt: reads.run.timing?.createdAt,
    before: {
      [inputs.secretName]: reads.keyMetadata,
      [inputs.fallbacksSecretName]: reads.fallbacksMetadata
    }
  }

  const plan = await log.group(`Planning the ${phase}`, async () => {
    const request = planRequest(phase, inputs, staging)
    if ('newKey' in request) log.mask(request.newKey)
    const planned = planWrites(before, request)
    const after = finalState(before, planned)
    const kept = [after.key, ...after.fallbacks]
    const dropped = [before.key, ...before.fallbacks].filter(
      (key, index, all) => key !== '' && !kept.includes(key) && all.indexOf(key) === index
    )
    // Only a rotation or a stage leads to the current key being replaced.
    if (phase === 'rotate' || phase === 'stage') warnAboutCurrentKey(inputs, log)
    warnAboutParsers(inputs, after.fallbacks, log)
    if ('newKey' in request) {
      log.info(
        `New key ${fingerprint(request.newKey)}: ${inputs.keyLength} characters from the ${inputs.keyAlphabet} alphabet`
      )
    }
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
        ? `revoke-previous is true: no old key is kept, ${plural(dropped.length, 'key')} stop working${unseen}`
        : `${inputs.fallbacksSecretName} will hold ${plural(after.fallbacks.length, 'key')} (max-fallbacks ${inputs.maxFallbacks}), ${plural(dropped.length, 'old key')} dropped`
    )
    for (const write of planned) {
      log.info(
        `Write ${secretNameOf(write, inputs)}: leaves ${describeState(write.leaves, inputs)}`
      )
    }
    if (planned.length === 0) log.info(`Nothing left to write: the ${phase} is complete`)
    return { steps: stepsOf(planned, target), after, dropped, droppedUnseen }
  })
  state.fallbacksPlan = {
    keepsOldKey: inputs.currentKey !== '' && plan.after.fallbacks[0] === inputs.currentKey,
    count: plan.after.fallbacks.length
  }

  const report = (): RotationReport => ({
    ...described,
    phase,
    rotated: (phase === 'rotate' || phase === 'promote') && !inputs.dryRun,
    rotatedAt: now().toISOString(),
    keyFingerprint:
      phase === 'stage'
        ? fingerprint(plan.after.fallbacks[0])
        : publishedFingerprint(plan.after.key),
    previousKeyFingerprint: previousKeyOf(phase, before, plan.after),
    signingKeyFingerprint: publishedFingerprint(plan.after.key),
    keptFallbackFingerprints: plan.after.fallbacks.map(publishedFingerprint),
    droppedFingerprints: plan.dropped.map(publishedFingerprint),
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

  await log.group('Writing the secrets', () =>
    // One request at a time, in the plan's order: each keeps the states around it mutually valid.
    executeSteps(plan.steps, target, writes, fail)
  )

  const rotated = report()
  if (!inputs.openIssue) return rotated
  return log.group('Logging the rotation', () =>
    logRotation(rotated, reads.previousIssue, inputs, services, fail)
  )
}

/** What the run does: the phase asked for, or what auto decides; a skip carries its reason. */
function decideRun(
  inputs: Inputs,
  staging: Staging,
  before: KeyState,
  reads: { keyMetadata?: SecretMetadata; fallbacksMetadata?: SecretMetadata },
  now: Date
): Decision {
  const facts: LifeFacts = {
    staging,
    secretName: inputs.secretName,
    fallbacksSecretName: inputs.fallbacksSecretName,
    keyUpdatedAt: reads.keyMetadata?.updatedAt,
    fallbacksUpdatedAt: reads.fallbacksMetadata?.updatedAt,
    hasOldKeys: before.fallbacks.some(
      (key, index) => !(index === 0 && staging.status === 'staged' && key === staging.key)
    ),
    minAgeDays: inputs.minAgeDays,
    promoteAfterDays: inputs.promoteAfterDays,
    retireAfterDays: inputs.retireAfterDays,
    now
  }
  switch (inputs.phase) {
    case 'rotate':
      return { phase: 'rotate' }
    case 'auto':
      return decidePhase(facts)
    case 'stage':
      if (reads.keyMetadata === undefined || before.key === '') {
        throw new Error(
          `${inputs.secretName} does not exist yet, so there is no signing key to stage a new one next to: run once ` +
            'with phase: rotate to create the first key'
        )
      }
      if (staging.status === 'promoting') throw new Error(promoteUnderWay(staging.record))
      return { phase: 'stage' }
    case 'promote':
      if (staging.status === 'none') {
        throw new Error(
          `No staged key to promote: no open rotation issue of this scope records one (${inputs.fallbacksSecretName} ` +
            'was not staged by this action, or the stage issue was closed). Run phase: stage, deploy, then promote'
        )
      }
      if (staging.status === 'mismatch') throw new Error(staging.reason)
      return { phase: 'promote' }
    case 'retire':
      if (staging.status === 'promoting') throw new Error(promoteUnderWay(staging.record))
      if (staging.status === 'mismatch') throw new Error(staging.reason)
      return decideRetire(facts)
  }
}

function promoteUnderWay(record: StageRecord): string {
  return (
    `The promote of the key staged in #${record.issueNumber} (${record.staged}) has not finished: run phase: ` +
    'promote (or auto) to finish it first'
  )
}

/** The plan's input for the decided phase; rotate and stage draw a new key here. */
function planRequest(phase: WritingPhase, inputs: Inputs, staging: Staging): PlanRequest {
  const staged =
    staging.status === 'staged' || staging.status === 'promoting' ? staging.key : undefined
  switch (phase) {
    case 'rotate':
      return {
        phase,
        newKey: generateKey(inputs.keyLength, inputs.keyAlphabet),
        maxFallbacks: inputs.maxFallbacks,
        revokePrevious: inputs.revokePrevious
      }
    case 'stage':
      return {
        phase,
        newKey: generateKey(inputs.keyLength, inputs.keyAlphabet),
        maxFallbacks: inputs.maxFallbacks,
        replacing: staged
      }
    case 'promote':
      // decideRun let promote through only with a staged key.
      return { phase, staged: staged ?? '', maxFallbacks: inputs.maxFallbacks }
    case 'retire':
      return { phase, staged }
  }
}

/** The key that stopped signing: rotate's current key, promote's old key (its first fallback). */
function previousKeyOf(phase: WritingPhase, before: KeyState, after: KeyState): string | undefined {
  if (phase === 'rotate') return before.key === '' ? undefined : publishedFingerprint(before.key)
  if (phase === 'promote') return after.fallbacks[0] && publishedFingerprint(after.fallbacks[0])
  return undefined
}

function describeState(state: KeyState, names: SecretNames): string {
  const list = state.fallbacks.map(publishedFingerprint).join(', ')
  return `${names.secretName} ${publishedFingerprint(state.key)}, ${names.fallbacksSecretName} [${list}]`
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

/**
 * The issue a phase reads its stage record from: the newest open rotation issue of the scope,
 * looked up also in a dry run, since promote and auto cannot decide without it.
 */
async function findRotationIssue(
  inputs: Inputs,
  scope: SecretScope,
  services: RotationServices
): Promise<FoundIssue | undefined> {
  if (!inputs.openIssue) return undefined
  return services.issues.findOpen(
    scope.repository,
    rotationIssueMarker(scope, inputs.secretName),
    inputs.issueLabels[0]
  )
}

async function findPreviousIssue(
  inputs: Inputs,
  scope: SecretScope,
  services: RotationServices
): Promise<FoundIssue | undefined> {
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

/**
 * Logs the run in the issues: a new issue that closes the previous one (rotate, stage, promote), or
 * a comment on the open one (retire, which records itself in its promote's issue). A failure here
 * never undoes a write, but a stage whose issue cannot be opened fails: that issue is its record.
 */
async function logRotation(
  report: RotationReport,
  previous: IssueRef | undefined,
  inputs: Inputs,
  { issues, log }: RotationServices,
  fail: (message: string, cause?: unknown) => RotationFailure
): Promise<RotationReport> {
  const repository = report.scope.repository
  const explain = (error: unknown, doing: string): string =>
    explainGitHubError(error, doing, report.scope, 'issue-token').message
  if (report.phase === 'retire' && previous) {
    try {
      await issues.comment(repository, previous.number, renderRetiredComment(report))
      log.info(`Recorded the retirement in rotation issue #${previous.number}`)
      return { ...report, issue: { number: previous.number, url: previous.url } }
    } catch (error) {
      return finish(report, [explain(error, `comment on rotation issue #${previous.number}`)], log)
    }
  }
  // A promote always closes its stage issue: left open, its record would make the next run promote again.
  const closing =
    previous && (inputs.closePreviousIssue || report.phase === 'promote')
      ? { number: previous.number, url: previous.url }
      : undefined
  const issue = renderRotationIssue(report, {
    labels: inputs.issueLabels,
    assignees: inputs.issueAssignees,
    previous: closing?.number
  })
  const [opened, closed] = await Promise.allSettled([
    issues.open(repository, issue),
    closing ? issues.close(repository, closing.number, renderSupersededComment(report)) : undefined
  ])
  const problems: string[] = []
  let result: RotationReport = report
  if (opened.status === 'fulfilled') {
    log.info(`Opened rotation issue #${opened.value.number}: ${opened.value.url}`)
    result = { ...result, issue: opened.value }
  } else {
    const problem = explain(opened.reason, 'open the rotation issue')
    if (report.phase === 'stage') {
      throw fail(
        `${report.fallbacksSecretName} holds the staged key ${report.keyFingerprint} as its first fallback, but the ` +
          `issue that records which key was staged could not be opened: ${problem} Without that record promote ` +
          'refuses the key. Fix the cause and run phase: stage again: a new key is staged in front of this one, ' +
          'which never signed anything.',
        opened.reason
      )
    }
    problems.push(problem)
    // The previous issue was closed in parallel to keep the run at four round trips; without
    // a new issue it is still the latest record of the scope, so it is reopened.
    if (closing && closed.status === 'fulfilled') {
      problems.push(await reopenPrevious(report, closing, issues))
      return finish(result, problems, log)
    }
  }
  if (closed.status === 'rejected') {
    problems.push(explain(closed.reason, `close the previous rotation issue #${closing?.number}`))
  } else if (closing) {
    log.info(`Closed the previous rotation issue #${closing.number}`)
    result = { ...result, closedIssue: closing }
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
