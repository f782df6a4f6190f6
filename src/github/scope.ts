/**
 * Where the secrets live. Every scope has the same routes below its `secretsPath`
 * (`public-key` and `{secret_name}`), so a new scope (an organization, say) is one more factory
 * here plus whatever its writes add to the body.
 */
export interface SecretScope {
  readonly kind: 'repository' | 'environment'
  /** For people: `repository octo/app`, `environment "production" of octo/app`. */
  readonly label: string
  /** Stable and unique per scope; marks the scope's rotation issues. */
  readonly id: string
  /** The repository whose issues log this scope's rotations. */
  readonly repository: Repository
  /** Octokit route template of the scope's secrets collection. */
  readonly secretsPath: string
  /** The values for the template's placeholders. */
  readonly parameters: Readonly<Record<string, string>>
  /** The fine-grained permissions a token needs to write here, for error messages. */
  readonly writePermissions: string
}

export interface Repository {
  readonly owner: string
  readonly repo: string
}

export function repositoryScope(repository: Repository): SecretScope {
  const fullName = `${repository.owner}/${repository.repo}`
  return {
    kind: 'repository',
    label: `repository ${fullName}`,
    id: `repository:${fullName}`,
    repository,
    secretsPath: '/repos/{owner}/{repo}/actions/secrets',
    parameters: { owner: repository.owner, repo: repository.repo },
    writePermissions: '"Secrets: write"'
  }
}

export function environmentScope(repository: Repository, environment: string): SecretScope {
  const fullName = `${repository.owner}/${repository.repo}`
  return {
    kind: 'environment',
    label: `environment "${environment}" of ${fullName}`,
    id: `environment:${fullName}:${environment}`,
    repository,
    // The current route; the older /repositories/{repository_id}/environments/... form is gone
    // from GitHub's REST description.
    secretsPath: '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
    parameters: { owner: repository.owner, repo: repository.repo, environment_name: environment },
    writePermissions: '"Secrets: write" and "Environments: write"'
  }
}
