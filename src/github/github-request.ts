/** The one call the API modules make; Octokit's `request` fits it, and so does a test double. */
export type GitHubRequest = (
  route: string,
  parameters?: Record<string, unknown>
) => Promise<{ status: number; data: unknown }>

/** The HTTP status of a failed request, or undefined when the request never got an answer. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}

/** GitHub's own `message` from an error response, without the documentation link it appends. */
export function gitHubMessageOf(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } } | null)?.response?.data
  if (typeof data?.message === 'string') {
    // A 422 "Validation Failed" says what failed only in its `errors` list.
    const details = validationErrorsOf(error).map(
      (entry) => entry.message ?? [entry.field, entry.code].filter(Boolean).join(' ')
    )
    return details.length === 0 ? data.message : `${data.message}: ${details.join('; ')}`
  }
  return error instanceof Error ? error.message : String(error)
}

export interface ValidationError {
  readonly resource?: string
  readonly field?: string
  readonly code?: string
  readonly message?: string
}

/** The `errors` list GitHub adds to a 422 answer, or an empty list. */
export function validationErrorsOf(error: unknown): ValidationError[] {
  const errors = (error as { response?: { data?: { errors?: unknown } } } | null)?.response?.data
    ?.errors
  return Array.isArray(errors)
    ? errors.filter(
        (entry): entry is ValidationError => typeof entry === 'object' && entry !== null
      )
    : []
}

/**
 * True when a request may have reached GitHub and been applied, but no final answer says so: the
 * connection broke, the request timed out, or GitHub answered 5xx. Octokit reports a network
 * failure as status 500 without a response.
 */
export function outcomeUnknown(error: unknown): boolean {
  const status = statusOf(error)
  return status === undefined || status >= 500
}
