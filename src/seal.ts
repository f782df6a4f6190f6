import sodium from 'libsodium-wrappers'

/**
 * Starts libsodium's WebAssembly compile. Callers start it early so that it overlaps with the
 * first requests to GitHub instead of adding to them.
 */
export function loadSodium(): Promise<void> {
  return sodium.ready
}

/**
 * Encrypts a secret value for GitHub with a libsodium sealed box (crypto_box_seal) and the scope's
 * public key. GitHub expects standard padded base64 and rejects libsodium-wrappers' URL-safe
 * default (docs.github.com/rest/actions/secrets#create-or-update-a-repository-secret).
 */
export async function sealSecret(value: string, publicKeyBase64: string): Promise<string> {
  await sodium.ready
  const publicKey = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL)
  const sealed = sodium.crypto_box_seal(sodium.from_string(value), publicKey)
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL)
}
