import { statusOf, type GitHubRequest } from './github-request.js'
import type { Repository } from './scope.js'

export interface IssueRef {
  readonly number: number
  readonly url: string
}

export interface NewIssue {
  readonly title: string
  readonly body: string
  readonly labels: readonly string[]
  readonly assignees: readonly string[]
}

/** The few issue endpoints a rotation log needs. */
export class IssuesApi {
  constructor(private readonly request: GitHubRequest) {}

  /**
   * The newest open issue whose body carries `marker`. Filtering by the first label keeps the
   * answer to one page in any repository where rotation issues keep their label.
   */
  async findOpen(
    repository: Repository,
    marker: string,
    label?: string
  ): Promise<IssueRef | undefined> {
    const { data } = await this.request('GET /repos/{owner}/{repo}/issues', {
      ...repository,
      state: 'open',
      sort: 'created',
      direction: 'desc',
      per_page: 100,
      ...(label === undefined ? {} : { labels: label })
    })
    const issues = data as {
      number: number
      html_url: string
      body?: string | null
      pull_request?: unknown
    }[]
    const found = issues.find((issue) => !issue.pull_request && issue.body?.includes(marker))
    return found && { number: found.number, url: found.html_url }
  }

  /** Creating an issue with a label that does not exist creates the label: no lookup needed. */
  async open(repository: Repository, issue: NewIssue): Promise<IssueRef> {
    const { data } = await this.request('POST /repos/{owner}/{repo}/issues', {
      ...repository,
      title: issue.title,
      body: issue.body,
      labels: issue.labels,
      assignees: issue.assignees
    })
    const created = data as { number: number; html_url: string }
    return { number: created.number, url: created.html_url }
  }

  /**
   * Fails with 403 unless the token may write issues, and writes nothing new but the label the
   * rotation issue would create anyway: a 422 "already_exists" is a pass.
   */
  async checkWriteAccess(repository: Repository, label: string): Promise<void> {
    try {
      await this.request('POST /repos/{owner}/{repo}/labels', { ...repository, name: label })
    } catch (error) {
      if (statusOf(error) !== 422) throw error
    }
  }

  async comment(repository: Repository, issueNumber: number, body: string): Promise<void> {
    await this.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...repository,
      issue_number: issueNumber,
      body
    })
  }

  /** Comments, then closes; the two requests are independent, so they go out together. */
  async close(repository: Repository, issueNumber: number, comment: string): Promise<void> {
    const issue = { ...repository, issue_number: issueNumber }
    await Promise.all([
      this.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...issue,
        body: comment
      }),
      this.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        ...issue,
        state: 'closed',
        state_reason: 'completed'
      })
    ])
  }
}
