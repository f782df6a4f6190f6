import { gitHubMessageOf, statusOf } from './github-request.js'
import type { SecretScope } from './scope.js'

/** What GitHub answered to a failed request, for people: `GitHub answered HTTP 500 (Server Error)`. */
export function describeAnswer(error: unknown): string {
  const status = statusOf(error)
  return `GitHub answered ${status === undefined ? 'nothing' : `HTTP ${status}`} (${gitHubMessageOf(error)})`
}

/** Which token a request used, so that the message names the input to fix. */
export type TokenInput = 'token' | 'issue-token'

/**
 * Turns a failed request into an error that says what the action was doing, what GitHub answered
 * and what to change. GitHub's answers are ambiguous (a token that cannot see a repository gets
 * 404, not 403), so the likely causes are listed most likely first.
 */
export function explainGitHubError(
  error: unknown,
  doing: string,
  scope: SecretScope,
  tokenInput: TokenInput
): Error {
  const status = statusOf(error)
  const answer = describeAnswer(error)
  const needs =
    tokenInput === 'token'
      ? `${scope.writePermissions} on ${scope.repository.owner}/${scope.repository.repo}`
      : '"Issues: write" (in a workflow: permissions: issues: write)'
  let fix: string
  switch (status) {
    case 401:
      fix = `The "${tokenInput}" input is expired, revoked or mistyped: create a new token and update the secret that holds it.`
      break
    case 403:
      fix =
        `The "${tokenInput}" input lacks ${needs}.` +
        (tokenInput === 'token'
          ? " The workflow's GITHUB_TOKEN can never write secrets: pass a fine-grained personal access token or a GitHub App token with that permission."
          : '')
      break
    case 404:
      fix =
        scope.kind === 'environment' && tokenInput === 'token'
          ? `Likely causes: the environment "${scope.parameters.environment_name}" does not exist (create it under Settings → Environments, or fix the "environment" input); the token's repository access does not include ${scope.repository.owner}/${scope.repository.repo}; the "repository" input is wrong.`
          : `Likely causes: the "repository" input is wrong; the "${tokenInput}" input's repository access does not include ${scope.repository.owner}/${scope.repository.repo}; the token lacks ${needs} (GitHub answers 404, not 403, for what a token may not see).`
      break
    case 410:
      fix = `Issues are disabled in ${scope.repository.owner}/${scope.repository.repo}: enable them under Settings → General, or set open-issue: false.`
      break
    default:
      fix =
        status !== undefined && status >= 500
          ? 'GitHub had a problem: run the workflow again.'
          : 'Check the inputs against the README.'
  }
  return new Error(`Could not ${doing} for the ${scope.label}: ${answer}. ${fix}`, { cause: error })
}
