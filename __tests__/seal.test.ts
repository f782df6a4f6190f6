import { describe, expect, it } from '@jest/globals'
import sodium from 'libsodium-wrappers'
import { sealSecret } from '../src/keys/seal.js'

describe('sealSecret', () => {
  it('makes a sealed box that only the matching private key opens, in standard padded base64', async () => {
    await sodium.ready
    const { publicKey, privateKey } = sodium.crypto_box_keypair()
    const sealed = await sealSecret(
      'the value',
      sodium.to_base64(publicKey, sodium.base64_variants.ORIGINAL)
    )
    // GitHub's OpenAPI pattern for encrypted_value: standard alphabet, padded to 4.
    expect(sealed).toMatch(
      /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/
    )
    const opened = sodium.crypto_box_seal_open(
      sodium.from_base64(sealed, sodium.base64_variants.ORIGINAL),
      publicKey,
      privateKey
    )
    expect(sodium.to_string(opened)).toBe('the value')
    const other = sodium.crypto_box_keypair()
    expect(() =>
      sodium.crypto_box_seal_open(
        sodium.from_base64(sealed, sodium.base64_variants.ORIGINAL),
        other.publicKey,
        other.privateKey
      )
    ).toThrow()
  })

  it('seals the same value differently every time', async () => {
    await sodium.ready
    const key = sodium.to_base64(
      sodium.crypto_box_keypair().publicKey,
      sodium.base64_variants.ORIGINAL
    )
    expect(await sealSecret('same', key)).not.toBe(await sealSecret('same', key))
  })
})
