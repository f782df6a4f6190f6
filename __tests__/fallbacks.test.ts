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
import { inputsWith } from './helpers.js'

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
    expect(() => parseKeyList(`["${secret}"`)).toThrow(
      'it looks like a JSON list (in brackets, or with double quotes) but is not valid JSON'
    )
    try {
      parseKeyList(`["${secret}"`)
    } catch (error) {
      expect((error as Error).message).not.toContain(secret)
    }
    expect(() => parseKeyList('[1, 2]')).toThrow('not an array of strings')
  })

  it('never repeats a key left unquoted in a JSON list, which JSON.parse would quote', () => {
    const secret = generateKey(50, 'urlsafe')
    for (const text of [`[${secret}]`, `[${secret}, "${generateKey(50, 'hex')}"]`]) {
      let message: string | undefined
      try {
        parseKeyList(text)
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toBe(
        'it looks like a JSON list (in brackets, or with double quotes) but is not valid JSON'
      )
    }
  })

  it.each([
    ['csv', (a: string, b: string) => ` ${a} ,\t${b}  `],
    ['lines', (a: string, b: string) => `${a} \r\n\t ${b}\t\n`]
  ])('trims every entry of a %s list', (_format, write) => {
    const [first, second] = [generateKey(50, 'django'), generateKey(50, 'urlsafe')]
    expect(parseKeyList(write(first, second))).toEqual([first, second])
  })

  it('accepts only keys every format and parser reads back unchanged', () => {
    expect(keys.every(isListableKey)).toBe(true)
    for (const bad of ['has space', 'has,comma', 'has"quote', 'back\\slash', 'naïve', '']) {
      expect(isListableKey(bad)).toBe(false)
    }
  })
})

describe('the fallbacks list the next run reads', () => {
  /** Every printable ASCII character a key may hold: no space, comma, quote or backslash. */
  const listable = [...Array(94)]
    .map((_, index) => String.fromCharCode(0x21 + index))
    .filter(isListableKey)
    .join('')
  const edgeKeys = [
    `[${generateKey(50, 'urlsafe')}`,
    `${generateKey(50, 'urlsafe')}]`,
    `[${generateKey(50, 'django')}]`,
    '[',
    ']',
    '[]',
    '{}',
    "'quoted'",
    `#${generateKey(50, 'django')}`,
    `$${generateKey(50, 'django')}`,
    listable,
    generateKey(1024, 'django')
  ]
  /** A list of up to five keys drawn from the edge keys and random keys of every listable character. */
  const randomList = (): string[] =>
    Array.from({ length: 1 + Math.floor(Math.random() * 5) }, () =>
      Math.random() < 0.5
        ? edgeKeys[Math.floor(Math.random() * edgeKeys.length)]
        : Array.from(
            { length: 1 + Math.floor(Math.random() * 60) },
            () => listable[Math.floor(Math.random() * listable.length)]
          ).join('')
    ).filter((key, index, all) => all.indexOf(key) === index)

  it.each(FALLBACKS_FORMATS)(
    'reads back, written as %s, every list the inputs accept to write, and refuses the rest before writing',
    (format) => {
      const lists = [
        ...edgeKeys.map((key) => [key]),
        edgeKeys,
        ...Array.from({ length: 3000 }, randomList)
      ]
      let accepted = 0
      for (const [currentKey, ...older] of lists) {
        // The run before wrote the older keys; JSON carries every key, so any list can be given.
        const given = {
          'current-key': currentKey,
          'current-fallbacks': formatKeyList(older, 'json'),
          'fallbacks-format': format,
          'max-fallbacks': '20'
        }
        let inputs: ReturnType<typeof inputsWith>
        try {
          inputs = inputsWith(given)
        } catch (error) {
          // Refused before anything is written: only a list this format cannot carry.
          expect({ given, refused: (error as Error).message }).toEqual({
            given,
            refused: expect.stringMatching(
              /would read back as a JSON list .*: set fallbacks-format: json/
            )
          })
          expect(format).not.toBe('json')
          continue
        }
        accepted++
        const { kept } = nextFallbacks({ ...inputs, newKey: generateKey(50, 'urlsafe') })
        const written = formatKeyList(kept, format)
        // The next run is handed what this run wrote, exactly.
        expect({
          given,
          read: inputsWith({
            'current-fallbacks': written,
            'fallbacks-format': format,
            'max-fallbacks': '20'
          }).currentFallbacks
        }).toEqual({
          given,
          read: kept
        })
      }
      expect(accepted).toBeGreaterThan(lists.length * 0.9)
    }
  )

  it('reads a key that starts with "[" written as csv or lines back as that key', () => {
    const key = `[${generateKey(50, 'urlsafe')}`
    const other = generateKey(50, 'urlsafe')
    expect(parseKeyList(formatKeyList([key, other], 'csv'))).toEqual([key, other])
    expect(parseKeyList(formatKeyList([key], 'lines'))).toEqual([key])
  })

  it('takes a mistyped list for an error, never for keys', () => {
    for (const mistyped of ['[1, 2]', "['a', 'b']", '[a, b]', '"a,b"']) {
      expect(() => parseKeyList(mistyped)).toThrow(/JSON/)
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
