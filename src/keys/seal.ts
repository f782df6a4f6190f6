type Sodium = typeof import('libsodium-wrappers').default

let sodium: Promise<Sodium> | undefined

/**
 * Loads libsodium and compiles its WebAssembly, once. It is loaded only when a rotation is about
 * to seal (a failed validation never pays for it), and callers start it while their first requests
 * to GitHub are in flight. "eager" keeps it inside the one bundle file, evaluated on first use.
 */
export function loadSodium(): Promise<Sodium> {
  sodium ??= import(/* webpackMode: "eager" */ 'libsodium-wrappers').then(
    async ({ default: loaded }) => {
      await loaded.ready
      return loaded
    }
  )
  return sodium
}

/**
 * Encrypts a secret value for GitHub with a libsodium sealed box (crypto_box_seal) and the scope's
 * public key. GitHub expects standard padded base64 and rejects libsodium-wrappers' URL-safe
 * default (docs.github.com/rest/actions/secrets#create-or-update-a-repository-secret).
 */
export async function sealSecret(value: string, publicKeyBase64: string): Promise<string> {
  const { base64_variants, crypto_box_seal, from_base64, from_string, to_base64 } =
    await loadSodium()
  const publicKey = from_base64(publicKeyBase64, base64_variants.ORIGINAL)
  return to_base64(crypto_box_seal(from_string(value), publicKey), base64_variants.ORIGINAL)
}
