import { statusOf, type GitHubRequest } from './github-request.js'
import type { SecretScope } from './scope.js'

export interface PublicKey {
  readonly keyId: string
  readonly key: string
}

export interface SecretMetadata {
  readonly updatedAt: string
}

export interface SealedSecret {
  readonly encryptedValue: string
  readonly keyId: string
}

/** GitHub answers 201 when a secret is created and 204 when it is updated or deleted. */
export type WriteResult = 'created' | 'updated' | 'deleted'

/** The Actions secrets endpoints of one scope kind or another, over one GitHub request function. */
export class SecretsApi {
  constructor(private readonly request: GitHubRequest) {}

  async publicKey(scope: SecretScope): Promise<PublicKey> {
    const { data } = await this.request(`GET ${scope.secretsPath}/public-key`, scope.parameters)
    const { key_id: keyId, key } = data as { key_id: string; key: string }
    return { keyId, key }
  }

  /** The secret's metadata (GitHub never returns a value), or undefined when it does not exist. */
  async metadata(scope: SecretScope, name: string): Promise<SecretMetadata | undefined> {
    try {
      const { data } = await this.request(`GET ${scope.secretsPath}/{secret_name}`, {
        ...scope.parameters,
        secret_name: name
      })
      return { updatedAt: (data as { updated_at: string }).updated_at }
    } catch (error) {
      if (statusOf(error) === 404) return undefined
      throw error
    }
  }

  async write(scope: SecretScope, name: string, sealed: SealedSecret): Promise<WriteResult> {
    const { status } = await this.request(`PUT ${scope.secretsPath}/{secret_name}`, {
      ...scope.parameters,
      secret_name: name,
      encrypted_value: sealed.encryptedValue,
      key_id: sealed.keyId
    })
    return status === 201 ? 'created' : 'updated'
  }

  /** Deletes the secret; one that is gone already (a retry after a lost answer) counts as deleted. */
  async delete(scope: SecretScope, name: string): Promise<WriteResult> {
    try {
      await this.request(`DELETE ${scope.secretsPath}/{secret_name}`, {
        ...scope.parameters,
        secret_name: name
      })
    } catch (error) {
      if (statusOf(error) !== 404) throw error
    }
    return 'deleted'
  }
}
