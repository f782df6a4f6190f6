import { describe, expect, it } from '@jest/globals'
import {
  FALLBACKS_FORMATS,
  formatKeyList,
  isListableKey,
  nextFallbacks,
  parseKeyList
} from '../src/keys/fallbacks.js'
import { generateKey } from '../src/keys/key.js'
import { parserHazards } from '../src/keys/settings-parsers.js'

const keys = [generateKey(50, 'django'), generateKey(50, 'urlsafe'), generateKey(50, 'hex')]

describe('key lists', () => {
  it.each(FALLBACKS_FORMATS)('reads back what it writes as %s', (format) => {
    expect(parseKeyList(formatKeyList(keys, format))).toEqual(keys)
    expect(parseKeyList(formatKeyList([], format))).toEqual([])
  })

  it('writes each format the way its README snippet reads it', () => {
    expect(formatKeyList(['a', 'b'], 'csv')).toBe('a,b')
    expect(formatKeyList(['a', 'b'], 'json')).toBe('["a","b"]')
    expect(formatKeyList(['a', 'b'], 'lines')).toBe('a\nb')
  })

  it('reads any format whatever is being written, so changing fallbacks-format takes one run', () => {
    expect(parseKeyList(' ["a", "b"] ')).toEqual(['a', 'b'])
    expect(parseKeyList('a,\r\nb\n\n,c')).toEqual(['a', 'b', 'c'])
    expect(parseKeyList('')).toEqual([])
  })

  it('never repeats the text it could not read in its error', () => {
    const secret = generateKey(50, 'urlsafe')
    expect(() => parseKeyList(`["${secret}"`)).toThrow('it starts with "[" but is not valid JSON')
    try {
      parseKeyList(`["${secret}"`)
    } catch (error) {
      expect((error as Error).message).not.toContain(secret)
    }
    expect(() => parseKeyList('[1, 2]')).toThrow('not an array of strings')
  })

  it('accepts only keys every format and parser reads back unchanged', () => {
    expect(keys.every(isListableKey)).toBe(true)
    for (const bad of ['has space', 'has,comma', 'has"quote', 'back\\slash', 'naïve', '']) {
      expect(isListableKey(bad)).toBe(false)
    }
  })
})

describe('nextFallbacks', () => {
  const plan = (overrides: Partial<Parameters<typeof nextFallbacks>[0]>) =>
    nextFallbacks({
      currentKey: 'old',
      currentFallbacks: ['f1', 'f2'],
      newKey: 'new',
      maxFallbacks: 1,
      revokePrevious: false,
      ...overrides
    })

  it('keeps the old key as the first fallback', () => {
    expect(plan({})).toEqual({ kept: ['old'], dropped: ['f1', 'f2'] })
    expect(plan({ maxFallbacks: 3 })).toEqual({ kept: ['old', 'f1', 'f2'], dropped: [] })
  })

  it('keeps none with max-fallbacks 0', () => {
    expect(plan({ maxFallbacks: 0 })).toEqual({ kept: [], dropped: ['old', 'f1', 'f2'] })
  })

  it('leaves out duplicates and the new key itself', () => {
    expect(plan({ currentFallbacks: ['old', 'new', 'f1'], maxFallbacks: 5 })).toEqual({
      kept: ['old', 'f1'],
      dropped: []
    })
  })

  it('keeps the current fallbacks when there is no current key', () => {
    expect(plan({ currentKey: '', maxFallbacks: 5 })).toEqual({ kept: ['f1', 'f2'], dropped: [] })
  })

  it('drops every old key with revoke-previous', () => {
    expect(plan({ revokePrevious: true, maxFallbacks: 5 })).toEqual({
      kept: [],
      dropped: ['old', 'f1', 'f2']
    })
  })
})

describe('parserHazards', () => {
  it('finds nothing in json or lines, whatever the keys hold', () => {
    expect(parserHazards(['#abc', '$x', "it's"], 'json')).toEqual([])
    expect(parserHazards(['#abc', '$x'], 'lines')).toEqual([])
  })

  it("names python-decouple for a csv key with # or ', and django-environ for a leading $", () => {
    expect(parserHazards(['plain', 'has#hash'], 'csv')).toEqual([
      expect.stringMatching(/^python-decouple's Csv\(\)/)
    ])
    expect(parserHazards(["it's"], 'csv')).toEqual([
      expect.stringMatching(/^python-decouple's Csv\(\)/)
    ])
    expect(parserHazards(['$first', 'second'], 'csv')).toEqual([
      expect.stringMatching(/^django-environ would read them as a reference/)
    ])
    expect(parserHazards(['first', '$second'], 'csv')).toEqual([])
  })
})
