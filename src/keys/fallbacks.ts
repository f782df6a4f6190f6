/** How the fallbacks secret is written; see the README's Django settings for each. */
export const FALLBACKS_FORMATS = ['csv', 'json', 'lines'] as const
export type FallbacksFormat = (typeof FALLBACKS_FORMATS)[number]

/**
 * A key must be printable ASCII without spaces, commas, quotes or backslashes so that every format
 * and every documented settings parser reads it back unchanged.
 */
const LISTABLE_KEY = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/

/** True when `key` can be stored in a fallbacks list and read back unchanged. */
export function isListableKey(key: string): boolean {
  return LISTABLE_KEY.test(key)
}

/**
 * Reads a key list written in any of the three formats, so that changing `fallbacks-format` takes
 * one rotation and no manual step. Never puts any part of the text into an error message.
 *
 * A JSON list is in brackets; a key never holds a double quote, so a csv or lines list never does.
 * A text is read as JSON when it is in brackets or holds a double quote, so a list whose first key
 * starts with "[" is read back as csv or lines unless its last key ends with "]" too (the inputs
 * refuse to write such a list in csv or lines), and a mistyped list such as `[1, 2]` or
 * `['a', 'b']` is refused, never taken for keys.
 */
export function parseKeyList(text: string): string[] {
  const trimmed = text.trim()
  if (trimmed === '') return []
  if (looksLikeJson(trimmed)) return parseJsonKeyList(trimmed)
  return trimmed
    .split(/[\r\n,]+/)
    .map((key) => key.trim())
    .filter((key) => key !== '')
}

function looksLikeJson(text: string): boolean {
  return (text.startsWith('[') && text.endsWith(']')) || text.includes('"')
}

function parseJsonKeyList(text: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // JSON.parse quotes the text it failed on; that text holds keys, so its message is dropped.
    throw new Error(
      'it looks like a JSON list (in brackets, or with double quotes) but is not valid JSON'
    )
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error('it is JSON but not an array of strings')
  }
  // Entries are kept exactly: whitespace inside the quotes is part of the value json.loads gives
  // Django, so an entry with whitespace is refused as a key rather than trimmed into another key.
  return parsed.filter((key) => key !== '')
}

/** Writes a key list in the chosen format. An empty list is an empty value (`[]` in JSON). */
export function formatKeyList(keys: readonly string[], format: FallbacksFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(keys)
    case 'lines':
      return keys.join('\n')
    case 'csv':
      return keys.join(',')
  }
}

export interface FallbacksPlan {
  /** The keys the fallbacks secret will hold, newest first. */
  kept: string[]
  /** The keys that were valid before and are no longer kept, newest first. */
  dropped: string[]
}

/**
 * Django's own rotation procedure: the old key goes to the front of SECRET_KEY_FALLBACKS and the
 * oldest keys fall off the end. Duplicates and the new key itself are left out.
 */
export function nextFallbacks(options: {
  currentKey: string
  currentFallbacks: readonly string[]
  newKey: string
  maxFallbacks: number
  revokePrevious: boolean
}): FallbacksPlan {
  const candidates = [options.currentKey, ...options.currentFallbacks].filter(
    (key, index, all) => key !== '' && key !== options.newKey && all.indexOf(key) === index
  )
  const kept = options.revokePrevious ? [] : candidates.slice(0, options.maxFallbacks)
  return { kept, dropped: candidates.slice(kept.length) }
}
