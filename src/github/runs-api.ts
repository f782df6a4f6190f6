import type { RunTiming } from '../rotation/freshness.js'
import type { GitHubRequest } from './github-request.js'
import type { Repository } from './scope.js'

/** Reads this workflow run's timing, to tell whether the secrets it was handed are stale. */
export class RunsApi {
  constructor(private readonly request: GitHubRequest) {}

  async timing(repository: Repository, runId: number): Promise<RunTiming> {
    const { data } = await this.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
      ...repository,
      run_id: runId
    })
    const run = data as { created_at: string; run_started_at?: string; run_attempt?: number }
    return {
      createdAt: run.created_at,
      runStartedAt: run.run_started_at ?? run.created_at,
      runAttempt: run.run_attempt ?? 1
    }
  }
}
