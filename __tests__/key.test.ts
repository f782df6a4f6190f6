import { describe, expect, it } from '@jest/globals'
import { djangoKeyProblems, generateKey, KEY_ALPHABETS, type KeyAlphabet } from '../src/keys/key.js'

describe('generateKey', () => {
  it.each(Object.keys(KEY_ALPHABETS) as KeyAlphabet[])(
    'draws %s keys of the asked length from that alphabet only',
    (alphabet) => {
      for (const length of [50, 64, 200]) {
        const key = generateKey(length, alphabet)
        expect(key).toHaveLength(length)
        expect([...key].every((character) => KEY_ALPHABETS[alphabet].includes(character))).toBe(
          true
        )
        expect(djangoKeyProblems(key)).toEqual([])
      }
    }
  )

  it('uses exactly the alphabet of Django get_random_secret_key for "django"', () => {
    expect(KEY_ALPHABETS.django).toBe('abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)')
  })

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateKey(50, 'hex')))
    expect(keys.size).toBe(2000)
  })

  it('draws every character of the Django alphabet equally often (no modulo bias)', () => {
    // 50 symbols do not divide 256: a byte reduced modulo 50 would make the first six about 20%
    // more likely, which this chi-square test over 200,000 draws detects with certainty.
    const alphabet = KEY_ALPHABETS.django
    const counts = new Map<string, number>([...alphabet].map((character) => [character, 0]))
    for (let index = 0; index < 4000; index++) {
      for (const character of generateKey(50, 'django'))
        counts.set(character, (counts.get(character) ?? 0) + 1)
    }
    const expected = 200000 / alphabet.length
    const chiSquare = [...counts.values()].reduce(
      (sum, count) => sum + (count - expected) ** 2 / expected,
      0
    )
    // 49 degrees of freedom: the 99.99th percentile is about 99.
    expect(chiSquare).toBeLessThan(99)
  })
})

describe('djangoKeyProblems (security.W009 / W025)', () => {
  it('passes a long, varied key', () => {
    expect(djangoKeyProblems('a1b2c3d4e5'.repeat(5))).toEqual([])
  })

  it.each([
    ['short', 'abcdefghij', /at least 50/],
    ['few distinct characters', 'abab'.repeat(13), /fewer than 5 distinct/],
    ['the development prefix', `django-insecure-${'x1y2z3'.repeat(8)}`, /django-insecure-/]
  ])('flags a key with %s', (_case, key, problem) => {
    expect(djangoKeyProblems(key).join('\n')).toMatch(problem)
  })
})
