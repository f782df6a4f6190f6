import type { IssueRef, IssuesApi } from '../github/issues-api.js'
import type { Trigger } from '../rotation/report.js'
import { describeSecretsState, type RotationFailure } from '../rotation/rotation-failure.js'
import { markdownText, markerValue, withoutMentions } from './markdown.js'

/** The label of failure issues, apart from rotation logs so that each can be found on its own. */
export const FAILURE_LABEL = 'secret-rotation-failure'

export function failureIssueMarker(failure: RotationFailure): string {
  return `<!-- rotate-django-secret-key failure scope=${markerValue(failure.scope.id)} secret=${failure.names.secretName} -->`
}

/**
 * What failed, where the secrets stand, whether the app is safe and how to recover. No key, ever,
 * and no mention: the reason quotes names and GitHub's answers, so it is escaped as plain text.
 */
export function renderFailureReport(
  failure: RotationFailure,
  trigger: Trigger,
  at: string,
  readmeUrl: string
): string {
  return [
    `**The ${failure.names.secretName} rotation of ${at} failed** (\`${trigger.event}\` by ${markdownText(trigger.actor)}, ${trigger.runUrl}).`,
    '',
    '**What failed**',
    '',
    `> ${markdownText(failure.reason).replace(/\n/g, '\n> ')}`,
    '',
    '**Where the secrets stand**',
    '',
    describeSecretsState(failure.writes, failure.names),
    '',
    '**How to recover**',
    '',
    `Fix the cause above (the README's [When things go wrong](${readmeUrl}) lists each message), then run the workflow again. ` +
      'A new run is given the secrets as they are now and finishes the rotation without dropping a key in use. ' +
      'This issue gets a comment for every failed run until it is closed.'
  ].join('\n')
}

/**
 * Opens a failure issue for the scope, or comments on the open one, so that a nightly failure is
 * one issue with a comment a night, not a new issue every night.
 */
export async function reportFailure(
  issues: IssuesApi,
  failure: RotationFailure,
  trigger: Trigger,
  at: string,
  readmeUrl: string
): Promise<IssueRef> {
  const marker = failureIssueMarker(failure)
  const body = renderFailureReport(failure, trigger, at, readmeUrl)
  const repository = failure.scope.repository
  const open = await issues.findOpen(repository, marker, FAILURE_LABEL)
  if (open) {
    await issues.comment(repository, open.number, body)
    return { number: open.number, url: open.url }
  }
  return issues.open(repository, {
    title: withoutMentions(
      `${failure.names.secretName} rotation failed for the ${failure.scope.label}`
    ),
    body: `${marker}\n${body}`,
    labels: [FAILURE_LABEL],
    assignees: []
  })
}
