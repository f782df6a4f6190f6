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
  if (typeof data?.message === 'string') return data.message
  return error instanceof Error ? error.message : String(error)
}
