import {
  outcomeUnknown,
  statusOf,
  validationErrorsOf,
  type GitHubRequest
} from './github-request.js'
import type { Repository } from './scope.js'

export interface IssueRef {
  readonly number: number
  readonly url: string
}

/** An issue found by its marker, with the body that may carry more hidden lines. */
export interface FoundIssue extends IssueRef {
  readonly body: string
}

export interface NewIssue {
  readonly title: string
  readonly body: string
  readonly labels: readonly string[]
  readonly assignees: readonly string[]
}

interface ListedIssue {
  number: number
  html_url: string
  title: string
  body?: string | null
  pull_request?: unknown
  user?: { login?: string; type?: string } | null
  author_association?: string
}

/** An issue must not be opened twice: a retried POST whose first answer was lost would. */
const NO_RETRY = { request: { retries: 0 } }

/** Associations of people who can write to the repository, as GitHub reports them on issues. */
const MEMBER_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR'])

/**
 * Whether an issue can be a rotation issue: written by a repository member, or by a GitHub App
 * (the workflow's GITHUB_TOKEN is `github-actions[bot]`), which can open issues here only when
 * installed on the repository. The marker is public, so anyone could paste it into an issue.
 */
export function writtenByTrustedAuthor(issue: ListedIssue): boolean {
  if (MEMBER_ASSOCIATIONS.has(issue.author_association ?? '')) return true
  return issue.user?.type === 'Bot' && (issue.user.login ?? '').endsWith('[bot]')
}

/** The few issue endpoints a rotation log needs. */
export class IssuesApi {
  constructor(private readonly request: GitHubRequest) {}

  /**
   * The newest open issue whose body carries `marker`, written by a trusted author. Filtering by
   * the first label keeps the answer to one page in any repository where rotation issues keep
   * their label.
   */
  async findOpen(
    repository: Repository,
    marker: string,
    label?: string
  ): Promise<FoundIssue | undefined> {
    const found = (await this.listOpen(repository, label)).find(
      (issue) =>
        !issue.pull_request && issue.body?.includes(marker) && writtenByTrustedAuthor(issue)
    )
    return found && { number: found.number, url: found.html_url, body: found.body ?? '' }
  }

  /**
   * Opens an issue at most once. POST is not idempotent, so it is never retried blindly: when
   * its answer is lost, the newest open issues are searched for this very issue first, and it is
   * posted once more only when it is not there.
   */
  async open(repository: Repository, issue: NewIssue): Promise<IssueRef> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.create(repository, issue)
      } catch (error) {
        if (!outcomeUnknown(error)) throw error
        const created = await this.findCreated(repository, issue)
        if (created) return created
        if (attempt === 2) throw error
      }
    }
  }

  /**
   * Fails unless the token may write issues, and writes nothing new but the label the rotation
   * issue would create anyway. Passes on 201 (created) and on GitHub's 422 "already_exists" only:
   * any other 422 (a name GitHub refuses, say) would make the issue fail too.
   */
  async checkWriteAccess(repository: Repository, label: string): Promise<void> {
    try {
      await this.request('POST /repos/{owner}/{repo}/labels', { ...repository, name: label })
    } catch (error) {
      const exists = validationErrorsOf(error).some((entry) => entry.code === 'already_exists')
      if (!(statusOf(error) === 422 && exists)) throw error
    }
  }

  /** Whether `login` can be assigned to the repository's issues (204) or not (404). */
  async canBeAssigned(repository: Repository, login: string): Promise<boolean> {
    try {
      await this.request('GET /repos/{owner}/{repo}/assignees/{assignee}', {
        ...repository,
        assignee: login
      })
      return true
    } catch (error) {
      if (statusOf(error) === 404) return false
      throw error
    }
  }

  /**
   * Comments are retried like any request: a comment posted twice after a lost answer costs
   * nothing, while a lost one would leave a closed issue without its reason.
   */
  async comment(repository: Repository, issueNumber: number, body: string): Promise<void> {
    await this.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...repository,
      issue_number: issueNumber,
      body
    })
  }

  /** Comments, then closes; the two requests are independent, so they go out together. */
  async close(repository: Repository, issueNumber: number, comment: string): Promise<void> {
    await this.setState(repository, issueNumber, 'closed', comment)
  }

  /** Reopens an issue closed by mistake, saying why. */
  async reopen(repository: Repository, issueNumber: number, comment: string): Promise<void> {
    await this.setState(repository, issueNumber, 'open', comment)
  }

  private async setState(
    repository: Repository,
    issueNumber: number,
    state: 'open' | 'closed',
    comment: string
  ): Promise<void> {
    const issue = { ...repository, issue_number: issueNumber }
    await Promise.all([
      this.comment(repository, issueNumber, comment),
      this.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        ...issue,
        state,
        ...(state === 'closed' ? { state_reason: 'completed' } : {})
      })
    ])
  }

  private async create(repository: Repository, issue: NewIssue): Promise<IssueRef> {
    const { data } = await this.request('POST /repos/{owner}/{repo}/issues', {
      ...repository,
      title: issue.title,
      body: issue.body,
      labels: issue.labels,
      assignees: issue.assignees,
      ...NO_RETRY
    })
    const created = data as { number: number; html_url: string }
    return { number: created.number, url: created.html_url }
  }

  /**
   * The issue a lost POST may have opened: the newest open issue with exactly this title and
   * body, or undefined when there is none or the search fails too. No label filter: GitHub
   * drops the labels of a token without push access.
   */
  private async findCreated(
    repository: Repository,
    issue: NewIssue
  ): Promise<IssueRef | undefined> {
    let listed: ListedIssue[]
    try {
      listed = await this.listOpen(repository)
    } catch {
      return undefined
    }
    const found = listed.find((entry) => entry.title === issue.title && entry.body === issue.body)
    return found && { number: found.number, url: found.html_url }
  }

  private async listOpen(repository: Repository, label?: string): Promise<ListedIssue[]> {
    const { data } = await this.request('GET /repos/{owner}/{repo}/issues', {
      ...repository,
      state: 'open',
      sort: 'created',
      direction: 'desc',
      per_page: 100,
      ...(label === undefined ? {} : { labels: label })
    })
    return data as ListedIssue[]
  }
}
