/**
 * A GitHub REST API emulator for the endpoints the action uses: an HTTP server on loopback that
 * answers like api.github.com (real libsodium keypairs per scope, sealed values opened and checked,
 * 201 versus 204, GitHub's error bodies, token permissions, issues and workflow runs) and lets a
 * test read back the decrypted secrets. Request bodies are checked against GitHub's published
 * OpenAPI schemas (openapi-schemas.json) and so is every response it sends.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import sodium from 'libsodium-wrappers'
import { operationSchemas, schemaProblems } from './schema.js'

export type Access = 'read' | 'write'

/** What a token may do, like a fine-grained token's or a GitHub App installation's permissions. */
export interface TokenGrant {
  /** `app` tokens (the workflow's GITHUB_TOKEN among them) are refused "by integration". */
  readonly kind?: 'app' | 'pat'
  readonly secrets?: Access
  readonly environments?: Access
  readonly issues?: Access
  readonly actions?: Access
  /** The repositories the token can see; every repository when undefined. */
  readonly repositories?: readonly string[]
  /**
   * Whether the token's user may push to the repository. Without push access GitHub silently
   * drops the labels and assignees of an issue the token opens. True when undefined.
   */
  readonly push?: boolean
  /** Who the token acts as; `github-actions[bot]` for `app` tokens, `octocat` otherwise. */
  readonly login?: string
  /** How that user is associated with the repository, as issues report it. */
  readonly association?: AuthorAssociation
}

export type AuthorAssociation = 'OWNER' | 'MEMBER' | 'COLLABORATOR' | 'CONTRIBUTOR' | 'NONE'

/** Names the secrets of a repository, or of one of its environments. */
export interface ScopeRef {
  readonly repository: string
  readonly environment?: string
}

/**
 * A fault to inject: answer matching requests with `status`, drop the connection before the
 * request is handled, or handle it (a write is applied) and then lose the answer.
 */
export interface Fault {
  readonly method: string
  /** Matched against the request path (without the query). */
  readonly path: RegExp
  readonly status?: number
  readonly drop?: boolean
  /** Apply the request as GitHub would, then destroy the connection before answering. */
  readonly loseAnswer?: boolean
  readonly headers?: Readonly<Record<string, string>>
  readonly message?: string
  /** The `errors` list of a 422 answer, as GitHub sends it. */
  readonly errors?: readonly Readonly<Record<string, string>>[]
  /** How many requests it catches; every one when undefined. */
  readonly times?: number
  /** How many matching requests it lets through before it catches any (a fault between writes). */
  readonly after?: number
}

export interface LoggedRequest {
  readonly method: string
  readonly path: string
  /** The status GitHub meant to answer; 0 when the connection was dropped unhandled. */
  readonly status: number
  /** True when the request was applied but its answer never reached the client. */
  readonly answerLost?: boolean
  /** When the request arrived, in this process's performance.now() milliseconds. */
  readonly start: number
  readonly end: number
}

export interface StoredSecret {
  readonly value: string
  readonly createdAt: string
  readonly updatedAt: string
}

export interface IssueAuthor {
  readonly login: string
  readonly type: 'User' | 'Bot'
  readonly association: AuthorAssociation
}

export interface EmulatedIssue {
  readonly number: number
  readonly author: IssueAuthor
  title: string
  body: string
  state: 'open' | 'closed'
  stateReason: string | null
  labels: string[]
  assignees: string[]
  comments: string[]
  readonly createdAt: string
  updatedAt: string
  closedAt: string | null
  /** GitHub lists pull requests among the issues, marked by a `pull_request` object. */
  readonly pullRequest: boolean
}

/** An issue or pull request someone else opened, to seed a repository's issue list. */
export interface SeededIssue {
  readonly title: string
  readonly body?: string
  readonly labels?: readonly string[]
  readonly state?: 'open' | 'closed'
  readonly pullRequest?: boolean
  /** A repository member by default. */
  readonly author?: IssueAuthor
}

export interface EmulatedRun {
  readonly id: number
  readonly createdAt: string
  readonly runStartedAt: string
  readonly runAttempt: number
}

interface ScopeState {
  readonly keyPair: { publicKey: Uint8Array; privateKey: Uint8Array }
  readonly keyId: string
  readonly secrets: Map<string, StoredSecret>
  /**
   * Every value written through the API, in order (a deletion as an empty value): the states a
   * deploy could have picked up.
   */
  readonly written: { readonly name: string; readonly value: string }[]
}

interface RepositoryState {
  readonly id: number
  readonly fullName: string
  readonly secrets: ScopeState
  readonly environments: Map<string, ScopeState>
  /** By lower-case name: GitHub's label names are unique regardless of case. */
  readonly labels: Map<string, string>
  /** Lower-case logins of the users who can be assigned to issues. */
  readonly assignable: Set<string>
  readonly issues: EmulatedIssue[]
  readonly runs: Map<number, EmulatedRun>
}

interface Answer {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {}
  ) {
    super(message)
  }
}

const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/
const MAX_SECRET_BYTES = 48 * 1024
/** GitHub refuses longer label names. */
const MAX_LABEL_LENGTH = 50
const DOCS = 'https://docs.github.com/rest'

export class GitHubEmulator {
  /** Every answered request, in the order the answers went out. */
  readonly requests: LoggedRequest[] = []
  /** Responses this emulator sent that break GitHub's published schemas; tests expect none. */
  readonly schemaViolations: string[] = []
  /** Added before every answer, to model the round trip to a real GitHub. */
  latencyMs = 0
  /**
   * Awaited before each answer, once the request has arrived: a test holds answers back with it
   * to prove which requests a client sends without waiting for another's answer.
   */
  beforeAnswer?: (request: { readonly method: string; readonly path: string }) => Promise<void>
  now: () => Date = () => new Date()

  private readonly repositories = new Map<string, RepositoryState>()
  private readonly tokens = new Map<string, TokenGrant>()
  private readonly faults: { fault: Fault; left: number; passes: number }[] = []
  private nextId = 1000
  private server?: Server

  /** The base URL to use as GITHUB_API_URL. */
  url = ''

  /** Listens on loopback, on `port` or, by default, on a free port. */
  async start(port = 0): Promise<this> {
    await sodium.ready
    this.server = createServer((request, response) => void this.handle(request, response))
    // Octokit keeps connections alive; the emulator must not make a test wait for them to close.
    this.server.keepAliveTimeout = 1000
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve()
    )
  }

  addRepository(fullName: string): void {
    if (this.repositories.has(fullName.toLowerCase())) return
    this.repositories.set(fullName.toLowerCase(), {
      id: this.nextId++,
      fullName,
      secrets: this.newScope(),
      environments: new Map(),
      labels: new Map(),
      assignable: new Set(),
      issues: [],
      runs: new Map()
    })
  }

  addEnvironment(fullName: string, environment: string): void {
    this.addRepository(fullName)
    this.repository(fullName).environments.set(environment.toLowerCase(), this.newScope())
  }

  addToken(token: string, grant: TokenGrant): void {
    this.tokens.set(token, grant)
  }

  /** Seeds a secret as if someone had set it in the UI. */
  setSecret(scope: ScopeRef, name: string, value: string, updatedAt = this.now()): void {
    const secrets = this.scope(scope).secrets
    const existing = secrets.get(name.toUpperCase())
    secrets.set(name.toUpperCase(), {
      value,
      createdAt: existing?.createdAt ?? gitHubTime(updatedAt),
      updatedAt: gitHubTime(updatedAt)
    })
  }

  /** Lets `login` be assigned to the repository's issues (a collaborator, say). */
  addAssignable(fullName: string, login: string): void {
    this.repository(fullName).assignable.add(login.toLowerCase())
  }

  /** The decrypted value GitHub would hold, which the real API never reveals. */
  secret(scope: ScopeRef, name: string): StoredSecret | undefined {
    return this.scope(scope).secrets.get(name.toUpperCase())
  }

  /** Every secret value written through the API in this scope, oldest first, decrypted. */
  writtenSecrets(scope: ScopeRef): readonly { readonly name: string; readonly value: string }[] {
    return [...this.scope(scope).written]
  }

  publicKey(scope: ScopeRef): { keyId: string; key: string } {
    const state = this.scope(scope)
    return {
      keyId: state.keyId,
      key: sodium.to_base64(state.keyPair.publicKey, sodium.base64_variants.ORIGINAL)
    }
  }

  addRun(fullName: string, run: EmulatedRun): void {
    this.repository(fullName).runs.set(run.id, {
      ...run,
      createdAt: gitHubTime(new Date(run.createdAt)),
      runStartedAt: gitHubTime(new Date(run.runStartedAt))
    })
  }

  issues(fullName: string): readonly EmulatedIssue[] {
    return this.repository(fullName).issues
  }

  /** Adds an issue (or pull request) as if someone had opened it; returns its number. */
  addIssue(fullName: string, seeded: SeededIssue): number {
    const repository = this.repository(fullName)
    const now = gitHubTime(this.now())
    const closed = seeded.state === 'closed'
    const issue: EmulatedIssue = {
      number: repository.issues.length + 1,
      author: seeded.author ?? { login: 'mona', type: 'User', association: 'MEMBER' },
      title: seeded.title,
      body: seeded.body ?? '',
      state: closed ? 'closed' : 'open',
      stateReason: closed ? 'completed' : null,
      labels: (seeded.labels ?? []).map((label) => this.ensureLabel(repository, label)),
      assignees: [],
      comments: [],
      createdAt: now,
      updatedAt: now,
      closedAt: closed ? now : null,
      pullRequest: seeded.pullRequest ?? false
    }
    repository.issues.push(issue)
    return issue.number
  }

  labels(fullName: string): readonly string[] {
    return [...this.repository(fullName).labels.values()]
  }

  /** Answers matching requests with a fault until it has caught `times` of them. */
  fail(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? Infinity, passes: fault.after ?? 0 })
  }

  clearFaults(): void {
    this.faults.length = 0
  }

  private newScope(): ScopeState {
    return {
      keyPair: sodium.crypto_box_keypair(),
      keyId: String(this.nextId++ * 7919),
      secrets: new Map(),
      written: []
    }
  }

  private repository(fullName: string): RepositoryState {
    const repository = this.repositories.get(fullName.toLowerCase())
    if (!repository) throw new Error(`The emulator has no repository ${fullName}`)
    return repository
  }

  private scope(scope: ScopeRef): ScopeState {
    const repository = this.repository(scope.repository)
    if (scope.environment === undefined) return repository.secrets
    const environment = repository.environments.get(scope.environment.toLowerCase())
    if (!environment)
      throw new Error(`The emulator has no environment ${scope.environment} in ${scope.repository}`)
    return environment
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const start = performance.now()
    const method = request.method ?? 'GET'
    const url = new URL(request.url ?? '/', this.url)
    const raw = await readBody(request)
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs))
    await this.beforeAnswer?.({ method, path: url.pathname })

    let fault = this.faults.find(
      ({ fault: f, left }) => left > 0 && f.method === method && f.path.test(url.pathname)
    )
    if (fault && fault.passes > 0) {
      fault.passes--
      fault = undefined
    }
    let answer: Answer
    if (fault) {
      fault.left--
      if (fault.fault.drop) {
        this.log(method, url.pathname, 0, start)
        request.socket.destroy()
        return
      }
      if (fault.fault.loseAnswer) {
        // GitHub applied the request; the answer is lost on the way (a reset, a timeout).
        const applied = this.answer(method, url, raw, request.headers.authorization)
        this.log(method, url.pathname, applied.status, start, true)
        request.socket.destroy()
        return
      }
      const status = fault.fault.status ?? 500
      answer = {
        status,
        headers: fault.fault.headers,
        body: {
          message: fault.fault.message ?? (status >= 500 ? 'Server Error' : 'Injected fault'),
          ...(fault.fault.errors ? { errors: fault.fault.errors } : {}),
          documentation_url: DOCS,
          status: String(status)
        }
      }
    } else {
      answer = this.answer(method, url, raw, request.headers.authorization)
    }
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body)
    response.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      ...answer.headers
    })
    response.end(text)
    this.log(method, url.pathname, answer.status, start)
  }

  private log(method: string, path: string, status: number, start: number, lost = false): void {
    this.requests.push({
      method,
      path,
      status,
      ...(lost ? { answerLost: true } : {}),
      start,
      end: performance.now()
    })
  }

  private answer(method: string, url: URL, raw: string, authorization: string | undefined): Answer {
    try {
      const grant = this.authenticate(authorization)
      for (const [pattern, handlers] of this.routes) {
        const match = pattern.exec(url.pathname)
        if (!match) continue
        const handler = handlers[method]
        if (!handler) throw new HttpError(404, 'Not Found')
        const parameters = match.slice(1).map(decodeURIComponent)
        const route = `${method} ${handler.route}`
        const schemas = operationSchemas(route)
        const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>)
        const answer = handler.handle({ grant, parameters, body, query: url.searchParams, schemas })
        if (answer.body !== undefined && answer.status < 300) {
          for (const problem of schemaProblems(schemas.responseBody, answer.body)) {
            this.schemaViolations.push(`${route} responded ${problem}`)
          }
        }
        return answer
      }
      throw new HttpError(404, 'Not Found')
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      return {
        status: error.status,
        body: {
          message: error.message,
          documentation_url: DOCS,
          status: String(error.status),
          ...error.extra
        }
      }
    }
  }

  private authenticate(authorization: string | undefined): TokenGrant {
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(authorization ?? '')?.[1]
    // Unauthenticated requests to these endpoints get 401 from GitHub too (private repositories).
    const grant = token === undefined ? undefined : this.tokens.get(token)
    if (!grant) throw new HttpError(401, 'Bad credentials')
    return grant
  }

  /** 404 for what the token cannot see, 403 for what it sees but may not do: GitHub's order. */
  private authorize(
    grant: TokenGrant,
    fullName: string,
    permission: keyof Omit<TokenGrant, 'kind' | 'repositories'>,
    access: Access
  ): RepositoryState {
    const repository = this.repositories.get(fullName.toLowerCase())
    const visible =
      grant.repositories === undefined ||
      grant.repositories.some((name) => name.toLowerCase() === fullName.toLowerCase())
    if (!repository || !visible) throw new HttpError(404, 'Not Found')
    const granted = grant[permission]
    if (granted === undefined || (access === 'write' && granted === 'read')) {
      throw new HttpError(
        403,
        `Resource not accessible by ${grant.kind === 'app' ? 'integration' : 'personal access token'}`
      )
    }
    return repository
  }

  private readonly routes: [
    RegExp,
    Record<string, { route: string; handle: (context: RouteContext) => Answer }>
  ][] = [
    [
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/secrets\/public-key$/,
      {
        GET: {
          route: '/repos/{owner}/{repo}/actions/secrets/public-key',
          handle: ({ grant, parameters: [owner, repo] }) =>
            this.getPublicKey(this.authorize(grant, `${owner}/${repo}`, 'secrets', 'read').secrets)
        }
      }
    ],
    [
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/secrets\/([^/]+)$/,
      {
        GET: {
          route: '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
          handle: ({ grant, parameters: [owner, repo, name] }) =>
            this.getSecret(
              this.authorize(grant, `${owner}/${repo}`, 'secrets', 'read').secrets,
              name
            )
        },
        PUT: {
          route: '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
          handle: ({ grant, parameters: [owner, repo, name], body, schemas }) =>
            this.putSecret(
              this.authorize(grant, `${owner}/${repo}`, 'secrets', 'write').secrets,
              name,
              body,
              schemas.requestBody
            )
        },
        DELETE: {
          route: '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
          handle: ({ grant, parameters: [owner, repo, name] }) =>
            this.deleteSecret(
              this.authorize(grant, `${owner}/${repo}`, 'secrets', 'write').secrets,
              name
            )
        }
      }
    ],
    [
      /^\/repos\/([^/]+)\/([^/]+)\/environments\/([^/]+)\/secrets\/public-key$/,
      {
        GET: {
          route: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
          handle: ({ grant, parameters: [owner, repo, environment] }) =>
            this.getPublicKey(
              this.environment(
                this.authorize(grant, `${owner}/${repo}`, 'environments', 'read'),
                environment
              )
            )
        }
      }
    ],
    [
      /^\/repos\/([^/]+)\/([^/]+)\/environments\/([^/]+)\/secrets\/([^/]+)$/,
      {
        GET: {
          route: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
          handle: ({ grant, parameters: [owner, repo, environment, name] }) =>
            this.getSecret(
              this.environment(
                this.authorize(grant, `${owner}/${repo}`, 'environments', 'read'),
                environment
              ),
              name
            )
        },
        PUT: {
          route: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
          handle: ({ grant, parameters: [owner, repo, environment, name], body, schemas }) =>
            this.putSecret(
              this.environment(
                this.authorize(grant, `${owner}/${repo}`, 'environments', 'write'),
                environment
              ),
              name,
              body,
              schemas.requestBody
            )
        },
        DELETE: {
          route: '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
          handle: ({ grant, parameters: [owner, repo, environment, name] }) =>
            this.deleteSecret(
              this.environment(
                this.authorize(grant, `${owner}/${repo}`, 'environments', 'write'),
                environment
              ),
              name
            )
        }
      }
    ],
    [
      /^\/repos\/([^/]+)\/([^/]+)\/assignees\/([^/]+)$/,
      {
        GET: {
          route: '/repos/{owner}/{repo}/assignees/{assignee}',
          handle: ({ grant, parameters: [owner, repo, login] }) => {
            const repository = this.authorize(grant, `${owner}/${repo}`, 'issues', 'read')
            if (!repository.assignable.has(login.toLowerCase()))
              throw new HttpError(404, 'Not Found')
            return { status: 204 }
          }
        }
      }
    ],
    [
      /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)$/,
      {
        GET: {
          route: '/repos/{owner}/{repo}/actions/runs/{run_id}',
          handle: ({ grant, parameters: [owner, repo, id] }) => {
            const repository = this.authorize(grant, `${owner}/${repo}`, 'actions', 'read')
            const run = repository.runs.get(Number(id))
            if (!run) throw new HttpError(404, 'Not Found')
            return { status: 200, body: this.renderRun(repository, run) }
          }
        }
      }
    ],
    [
      /^\/repos\/([^/]+)\/([^/]+)\/issues$/,
      {
        GET: {
          route: '/repos/{owner}/{repo}/issues',
          handle: ({ grant, parameters: [owner, repo], query }) => {
            const repository = this.authorize(grant, `${owner}/${repo}`, 'issues', 'read')
            const state = query.get('state') ?? 'open'
            // GitHub matches label names regardless of case.
            const labels = (query.get('labels') ?? '')
              .split(',')
              .filter((label) => label !== '')
              .map((label) => label.toLowerCase())
            const perPage = Math.min(Number(query.get('per_page') ?? 30), 100)
            // GitHub sorts by creation (`sort=created`, the default) or by the last update.
            const key = (issue: EmulatedIssue) =>
              query.get('sort') === 'updated' ? Date.parse(issue.updatedAt) : issue.number
            const found = repository.issues
              .filter((issue) => state === 'all' || issue.state === state)
              .filter((issue) =>
                labels.every((label) => issue.labels.some((name) => name.toLowerCase() === label))
              )
              .sort((a, b) =>
                query.get('direction') === 'asc' ? key(a) - key(b) : key(b) - key(a)
              )
              .slice(0, perPage)
            return { status: 200, body: found.map((issue) => this.renderIssue(repository, issue)) }
          }
        },
        POST: {
          route: '/repos/{owner}/{repo}/issues',
          handle: ({ grant, parameters: [owner, repo], body, schemas }) => {
            const repository = this.authorize(grant, `${owner}/${repo}`, 'issues', 'write')
            checkBody(schemas.requestBody, body)
            // Without push access GitHub drops labels and assignees silently (FACTS.md).
            const push = grant.push ?? true
            const requestedLabels = push ? ((body.labels as string[] | undefined) ?? []) : []
            const assignees = push ? ((body.assignees as string[] | undefined) ?? []) : []
            for (const label of requestedLabels) checkLabelName(String(label))
            const unassignable = assignees.find(
              (login) => !repository.assignable.has(String(login).toLowerCase())
            )
            if (unassignable !== undefined) {
              throw new HttpError(422, 'Validation Failed', {
                errors: [
                  { value: unassignable, resource: 'Issue', field: 'assignees', code: 'invalid' }
                ]
              })
            }
            const labels = requestedLabels.map((label) =>
              this.ensureLabel(repository, String(label))
            )
            const issue: EmulatedIssue = {
              number: repository.issues.length + 1,
              author: authorOf(grant),
              title: String(body.title),
              body: String(body.body ?? ''),
              state: 'open',
              stateReason: null,
              labels,
              assignees: assignees.map(String),
              comments: [],
              createdAt: gitHubTime(this.now()),
              updatedAt: gitHubTime(this.now()),
              closedAt: null,
              pullRequest: false
            }
            repository.issues.push(issue)
            return { status: 201, body: this.renderIssue(repository, issue) }
          }
        }
      }
    ],
    [
      /^\/repos\/([^/]+)\/([^/]+)\/labels$/,
      {
        POST: {
          route: '/repos/{owner}/{repo}/labels',
          handle: ({ grant, parameters: [owner, repo], body, schemas }) => {
            const repository = this.authorize(grant, `${owner}/${repo}`, 'issues', 'write')
            checkBody(schemas.requestBody, body)
            // Creating a label takes write access to the repository, not only "Issues: write".
            if (grant.push === false) {
              throw new HttpError(403, 'Resource not accessible by personal access token')
            }
            const name = String(body.name)
            checkLabelName(name)
            if (repository.labels.has(name.toLowerCase())) {
              throw new HttpError(422, 'Validation Failed', {
                errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }]
              })
            }
            return {
              status: 201,
              body: this.renderLabel(repository, this.ensureLabel(repository, name))
            }
          }
        }
      }
    ],
    [
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/,
      {
        PATCH: {
          route: '/repos/{owner}/{repo}/issues/{issue_number}',
          handle: ({ grant, parameters: [owner, repo, number], body, schemas }) => {
            const repository = this.authorize(grant, `${owner}/${repo}`, 'issues', 'write')
            checkBody(schemas.requestBody, body)
            const issue = this.issue(repository, number)
            if (body.state === 'closed' || body.state === 'open') {
              issue.state = body.state
              issue.stateReason =
                body.state === 'closed' ? String(body.state_reason ?? 'completed') : 'reopened'
              issue.closedAt = body.state === 'closed' ? gitHubTime(this.now()) : null
            }
            if (typeof body.title === 'string') issue.title = body.title
            if (typeof body.body === 'string') issue.body = body.body
            issue.updatedAt = gitHubTime(this.now())
            return { status: 200, body: this.renderIssue(repository, issue) }
          }
        }
      }
    ],
    [
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      {
        POST: {
          route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
          handle: ({ grant, parameters: [owner, repo, number], body, schemas }) => {
            const repository = this.authorize(grant, `${owner}/${repo}`, 'issues', 'write')
            checkBody(schemas.requestBody, body)
            const issue = this.issue(repository, number)
            issue.comments.push(String(body.body))
            issue.updatedAt = gitHubTime(this.now())
            return {
              status: 201,
              body: this.renderComment(repository, issue, issue.comments.length)
            }
          }
        }
      }
    ]
  ]

  private environment(repository: RepositoryState, name: string): ScopeState {
    const environment = repository.environments.get(name.toLowerCase())
    if (!environment) throw new HttpError(404, 'Not Found')
    return environment
  }

  private issue(repository: RepositoryState, number: string): EmulatedIssue {
    const issue = repository.issues[Number(number) - 1]
    if (!issue) throw new HttpError(404, 'Not Found')
    return issue
  }

  /** The label as the repository spells it, created when it does not exist yet. */
  private ensureLabel(repository: RepositoryState, name: string): string {
    const existing = repository.labels.get(name.toLowerCase())
    if (existing !== undefined) return existing
    repository.labels.set(name.toLowerCase(), name)
    return name
  }

  private getPublicKey(scope: ScopeState): Answer {
    return {
      status: 200,
      body: {
        key_id: scope.keyId,
        key: sodium.to_base64(scope.keyPair.publicKey, sodium.base64_variants.ORIGINAL)
      }
    }
  }

  private getSecret(scope: ScopeState, name: string): Answer {
    const secret = scope.secrets.get(name.toUpperCase())
    if (!secret) throw new HttpError(404, 'Not Found')
    return {
      status: 200,
      body: { name: name.toUpperCase(), created_at: secret.createdAt, updated_at: secret.updatedAt }
    }
  }

  private putSecret(
    scope: ScopeState,
    rawName: string,
    body: Record<string, unknown>,
    schema: Parameters<typeof checkBody>[0]
  ): Answer {
    const name = rawName.toUpperCase()
    if (!SECRET_NAME.test(name) || name.startsWith('GITHUB_')) {
      throw new HttpError(
        422,
        'Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_).'
      )
    }
    checkBody(schema, body)
    if (body.key_id !== scope.keyId)
      throw new HttpError(422, 'Bad request - key_id does not match the current public key')
    let value: string
    try {
      const sealed = sodium.from_base64(
        String(body.encrypted_value),
        sodium.base64_variants.ORIGINAL
      )
      value = sodium.to_string(
        sodium.crypto_box_seal_open(sealed, scope.keyPair.publicKey, scope.keyPair.privateKey)
      )
    } catch {
      throw new HttpError(
        422,
        'Bad request - encrypted_value could not be decrypted with the public key'
      )
    }
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES)
      throw new HttpError(422, 'Secret value is too large (maximum 48 KB)')
    const existing = scope.secrets.get(name)
    const now = gitHubTime(this.now())
    scope.secrets.set(name, { value, createdAt: existing?.createdAt ?? now, updatedAt: now })
    scope.written.push({ name, value })
    return existing ? { status: 204 } : { status: 201, body: {} }
  }

  private deleteSecret(scope: ScopeState, name: string): Answer {
    if (!scope.secrets.delete(name.toUpperCase())) throw new HttpError(404, 'Not Found')
    // A deleted fallbacks secret reads as an empty list in the app's settings.
    scope.written.push({ name: name.toUpperCase(), value: '' })
    return { status: 204 }
  }

  private renderIssue(repository: RepositoryState, issue: EmulatedIssue): Record<string, unknown> {
    const api = `${this.url}/repos/${repository.fullName}/issues/${issue.number}`
    return {
      id: repository.id * 100000 + issue.number,
      node_id: `I_${issue.number}`,
      url: api,
      repository_url: `${this.url}/repos/${repository.fullName}`,
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: `https://github.com/${repository.fullName}/${issue.pullRequest ? 'pull' : 'issues'}/${issue.number}`,
      ...(issue.pullRequest
        ? {
            pull_request: {
              url: `${this.url}/repos/${repository.fullName}/pulls/${issue.number}`,
              html_url: `https://github.com/${repository.fullName}/pull/${issue.number}`,
              diff_url: `https://github.com/${repository.fullName}/pull/${issue.number}.diff`,
              patch_url: `https://github.com/${repository.fullName}/pull/${issue.number}.patch`,
              merged_at: null
            }
          }
        : {}),
      number: issue.number,
      state: issue.state,
      state_reason: issue.stateReason,
      title: issue.title,
      body: issue.body,
      user: user(issue.author.login, issue.author.type),
      labels: issue.labels.map((name) => this.renderLabel(repository, name)),
      assignee: issue.assignees[0] === undefined ? null : user(issue.assignees[0]),
      assignees: issue.assignees.map((login) => user(login)),
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: issue.comments.length,
      closed_at: issue.closedAt,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      author_association: issue.author.association
    }
  }

  private renderRepository(repository: RepositoryState): Record<string, unknown> {
    const [owner, name] = repository.fullName.split('/')
    const api = `${this.url}/repos/${repository.fullName}`
    // The repository object a workflow run embeds; every *_url field points below `api`.
    const kinds =
      'archive assignees blobs branches collaborators comments commits compare contents contributors deployments downloads events forks git_commits git_refs git_tags hooks issue_comment issue_events issues keys labels languages merges milestones notifications pulls releases stargazers statuses subscribers subscription tags teams trees'
    const urls = Object.fromEntries(
      kinds.split(' ').map((kind) => [`${kind}_url`, `${api}/${kind.replace(/_/g, '/')}`])
    )
    return {
      ...urls,
      id: repository.id,
      node_id: `R_${repository.id}`,
      name,
      full_name: repository.fullName,
      owner: user(owner),
      private: true,
      fork: false,
      description: null,
      html_url: `https://github.com/${repository.fullName}`,
      url: api
    }
  }

  private renderLabel(repository: RepositoryState, name: string): Record<string, unknown> {
    const id = [...repository.labels.keys()].indexOf(name.toLowerCase()) + 1
    return {
      id,
      node_id: `LA_${id}`,
      url: `${this.url}/repos/${repository.fullName}/labels/${encodeURIComponent(name)}`,
      name,
      description: null,
      color: 'ededed',
      default: false
    }
  }

  private renderComment(
    repository: RepositoryState,
    issue: EmulatedIssue,
    index: number
  ): Record<string, unknown> {
    const id = repository.id * 100000 + issue.number * 100 + index
    const now = gitHubTime(this.now())
    return {
      id,
      node_id: `IC_${id}`,
      url: `${this.url}/repos/${repository.fullName}/issues/comments/${id}`,
      html_url: `https://github.com/${repository.fullName}/issues/${issue.number}#issuecomment-${id}`,
      issue_url: `${this.url}/repos/${repository.fullName}/issues/${issue.number}`,
      body: issue.comments[index - 1],
      user: user('rotation-bot'),
      created_at: now,
      updated_at: now,
      author_association: 'NONE'
    }
  }

  private renderRun(repository: RepositoryState, run: EmulatedRun): Record<string, unknown> {
    const api = `${this.url}/repos/${repository.fullName}/actions/runs/${run.id}`
    const repo = this.renderRepository(repository)
    return {
      id: run.id,
      name: 'Rotate SECRET_KEY',
      node_id: `WFR_${run.id}`,
      head_branch: 'main',
      head_sha: '0'.repeat(40),
      path: '.github/workflows/rotate-secret-key.yml',
      display_title: 'Rotate SECRET_KEY',
      run_number: run.id,
      run_attempt: run.runAttempt,
      event: 'schedule',
      status: 'in_progress',
      conclusion: null,
      workflow_id: 1,
      url: api,
      html_url: `https://github.com/${repository.fullName}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.createdAt,
      updated_at: run.runStartedAt,
      run_started_at: run.runStartedAt,
      actor: user('octocat'),
      triggering_actor: user('octocat'),
      jobs_url: `${api}/jobs`,
      logs_url: `${api}/logs`,
      check_suite_url: `${this.url}/repos/${repository.fullName}/check-suites/1`,
      artifacts_url: `${api}/artifacts`,
      cancel_url: `${api}/cancel`,
      rerun_url: `${api}/rerun`,
      workflow_url: `${this.url}/repos/${repository.fullName}/actions/workflows/1`,
      head_commit: null,
      repository: repo,
      head_repository: repo
    }
  }
}

interface RouteContext {
  readonly grant: TokenGrant
  readonly parameters: string[]
  readonly body: Record<string, unknown>
  readonly query: URLSearchParams
  readonly schemas: ReturnType<typeof operationSchemas>
}

/** GitHub answers a body that breaks the operation's schema with 422 "Invalid request". */
function checkBody(
  schema: Parameters<typeof schemaProblems>[0],
  body: Record<string, unknown>
): void {
  const problems = schemaProblems(schema, body)
  if (problems.length > 0) throw new HttpError(422, `Invalid request.\n\n${problems.join('\n')}`)
}

/** GitHub's timestamps: ISO 8601 in UTC with one-second resolution (no milliseconds). */
export function gitHubTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`
}

/** GitHub answers a label name over 50 characters with 422. */
function checkLabelName(name: string): void {
  if (name.length > MAX_LABEL_LENGTH) {
    throw new HttpError(422, 'Validation Failed', {
      errors: [
        {
          resource: 'Label',
          code: 'custom',
          field: 'name',
          message: `name is too long (maximum is ${MAX_LABEL_LENGTH} characters)`
        }
      ]
    })
  }
}

function authorOf(grant: TokenGrant): IssueAuthor {
  const bot = grant.kind === 'app'
  return {
    login: grant.login ?? (bot ? 'github-actions[bot]' : 'octocat'),
    type: bot ? 'Bot' : 'User',
    association: grant.association ?? (bot ? 'NONE' : 'OWNER')
  }
}

function user(login: string, type: 'User' | 'Bot' = 'User'): Record<string, unknown> {
  return {
    login,
    id: login.length,
    node_id: `U_${login}`,
    avatar_url: '',
    gravatar_id: null,
    url: '',
    html_url: `https://github.com/${login}`,
    followers_url: '',
    following_url: '',
    gists_url: '',
    starred_url: '',
    subscriptions_url: '',
    organizations_url: '',
    repos_url: '',
    events_url: '',
    received_events_url: '',
    type,
    site_admin: false
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

/** Starts an emulator on loopback, on a free port unless `port` is given. */
export function startGitHubEmulator(port = 0): Promise<GitHubEmulator> {
  return new GitHubEmulator().start(port)
}
