import { describe, expect, it } from '@jest/globals'
import {
  djangoKeyProblems,
  generateKey,
  KEY_ALPHABETS,
  type KeyAlphabet,
  type RandomIndex
} from '../src/keys/key.js'

/**
 * A random source that answers `forced` first and then counts up through the alphabet, and
 * records the bound of every draw: it makes a rare draw certain.
 */
function forcedSource(forced: readonly number[] = []): RandomIndex & { bounds: number[] } {
  const bounds: number[] = []
  const source = (below: number): number => {
    const draw = bounds.length
    bounds.push(below)
    return draw < forced.length ? forced[draw] : (draw - forced.length) % below
  }
  return Object.assign(source, { bounds })
}

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

  it.each([
    ['urlsafe', 64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'],
    ['hex', 50, '0123456789abcdef'.repeat(4).slice(0, 50)],
    ['django', 50, 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)']
  ] as const)(
    'draws the %s alphabet exactly: every character it documents and no other',
    (alphabet, length, expected) => {
      expect(generateKey(length, alphabet, forcedSource())).toBe(expected)
    }
  )

  it('asks the random source for one index below the alphabet size per character', () => {
    for (const alphabet of Object.keys(KEY_ALPHABETS) as KeyAlphabet[]) {
      const source = forcedSource()
      generateKey(60, alphabet, source)
      expect(source.bounds).toEqual(Array(60).fill(KEY_ALPHABETS[alphabet].length))
    }
  })

  it('draws again a key that would start with "$", which django-environ reads as a reference', () => {
    const dollar = KEY_ALPHABETS.django.indexOf('$')
    const source = forcedSource([dollar, ...Array.from({ length: 49 }, (_, index) => index)])
    const key = generateKey(50, 'django', source)
    expect(key).toBe(KEY_ALPHABETS.django)
    expect(source.bounds).toHaveLength(100)
  })

  it.each([
    ['fewer than 5 distinct characters', Array(50).fill(0)],
    [
      'the "django-insecure-" prefix',
      [...'django-insecure-'.padEnd(50, 'x')].map((character) =>
        KEY_ALPHABETS.django.indexOf(character)
      )
    ]
  ])('draws again a key Django would warn about: %s (security.W009)', (_case, forced) => {
    const source = forcedSource(forced)
    const key = generateKey(50, 'django', source)
    expect(djangoKeyProblems(key)).toEqual([])
    expect(key).toBe(KEY_ALPHABETS.django)
    expect(source.bounds).toHaveLength(100)
  })

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
