import { getOctokit } from '@actions/github'
import { defaults } from '@actions/github/lib/utils'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'
import type { GitHubRequest } from './github-request.js'
import type { Log } from '../log.js'

export interface ClientOptions {
  readonly log: Pick<Log, 'warning'>
  /** GITHUB_API_URL when undefined, as on a runner. */
  readonly baseUrl?: string
  /** Seconds between retries grow as 1, 4, 9 times this; tests shrink it. */
  readonly retryBaseMilliseconds?: number
  /**
   * Makes the signal that ends one try after the request time limit; AbortSignal.timeout unless
   * given. Tests pass one that fires sooner and records the limit it was asked for.
   */
  readonly abortAfter?: (milliseconds: number) => AbortSignal
}

/** Retries of a 5xx or a dropped connection; 400, 401, 403 (permission), 404, 410, 422 and 451 are final. */
const RETRIES = 3
/** How often a rate-limited request is tried again, and the longest wait GitHub may ask for. */
const RATE_LIMIT_RETRIES = 2
const LONGEST_RATE_LIMIT_WAIT_SECONDS = 60
/** A request that has not answered by then is dropped (and retried), so a run can never hang. */
const REQUEST_TIMEOUT_MILLISECONDS = 30_000

/**
 * An Octokit request function that retries what GitHub says is retryable and waits out rate
 * limits, bounded in count and time: at most 4 tries of a failing request, at most two waits of
 * 60 s for a rate limit, 30 s for any one answer.
 */
export function createGitHubRequest(token: string, options: ClientOptions): GitHubRequest {
  const { log } = options
  const waitOrGiveUp =
    (kind: string) =>
    (
      after: number,
      request: { method: string; url: string },
      _octokit: unknown,
      retryCount: number
    ) => {
      const retrying = retryCount < RATE_LIMIT_RETRIES && after <= LONGEST_RATE_LIMIT_WAIT_SECONDS
      log.warning(
        `GitHub's ${kind} rate limit answered ${request.method} ${request.url}: ` +
          (retrying ? `trying again in ${after} s` : `not waiting ${after} s more; giving up`)
      )
      return retrying
    }
  const octokit = getOctokit(
    token,
    {
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
      // Octokit merges `request` shallowly: keep @actions/github's proxy-aware agent and fetch
      // (HTTPS_PROXY, NO_PROXY on self-hosted runners) and only add the timeout.
      request: {
        ...defaults.request,
        fetch: withTimeout(
          defaults.request?.fetch as Fetch,
          options.abortAfter ?? ((milliseconds) => AbortSignal.timeout(milliseconds))
        )
      },
      retry: { retries: RETRIES, retryAfterBaseValue: options.retryBaseMilliseconds ?? 1000 },
      throttle: {
        onRateLimit: waitOrGiveUp('primary'),
        onSecondaryRateLimit: waitOrGiveUp('secondary'),
        retryAfterBaseValue: options.retryBaseMilliseconds ?? 1000,
        // The plugin spaces writes 1 s apart, and issue writes 3 s, to protect bulk writers from
        // secondary limits. A rotation makes at most five writes, so that spacing would only add
        // seconds to every run; secondary limits that do occur are still waited out above.
        write: new Bottleneck.Group({ maxConcurrent: null, minTime: 0 }),
        notifications: new Bottleneck.Group({ maxConcurrent: null, minTime: 0 })
      }
    },
    retry,
    throttling
  )
  return (route, parameters) => octokit.request(route, parameters)
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>

function withTimeout(fetch: Fetch, abortAfter: (milliseconds: number) => AbortSignal): Fetch {
  return (input, init) => {
    const timeout = abortAfter(REQUEST_TIMEOUT_MILLISECONDS)
    return fetch(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout
    })
  }
}
