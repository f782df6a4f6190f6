import { randomInt } from 'node:crypto'

/** The characters a new key is drawn from, by the name the `key-alphabet` input uses. */
export const KEY_ALPHABETS = {
  urlsafe: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  // Exactly django.core.management.utils.get_random_secret_key's alphabet.
  django: 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)',
  hex: '0123456789abcdef'
} as const

export type KeyAlphabet = keyof typeof KEY_ALPHABETS

/** Django's security.W009 asks for at least 50 characters. */
export const MIN_KEY_LENGTH = 50
/** Keeps even 20 fallbacks far below GitHub's 48 KB limit for one secret value. */
export const MAX_KEY_LENGTH = 1024

const INSECURE_PREFIX = 'django-insecure-'
const MIN_DISTINCT_CHARACTERS = 5

/**
 * Draws a whole number from 0 up to, not including, `below`, each value equally likely. Tests pass
 * their own to force a draw that is rare by chance (a key starting with "$", a weak key).
 */
export type RandomIndex = (below: number) => number

/**
 * Draws a key, by default from the operating system's CSPRNG. `randomInt` rejects out-of-range
 * draws instead of reducing them modulo the alphabet size, so every character is equally likely.
 */
export function generateKey(
  length: number,
  alphabet: KeyAlphabet,
  randomIndex: RandomIndex = randomInt
): string {
  const characters = KEY_ALPHABETS[alphabet]
  for (;;) {
    let key = ''
    for (let index = 0; index < length; index++) key += characters[randomIndex(characters.length)]
    // With 50 draws from 16 or more symbols this loop practically never repeats; it is here so
    // that no key that Django would warn about can ever be written. A key starting with "$" is
    // drawn again too: django-environ reads such a value as a reference to another variable.
    if (djangoKeyProblems(key).length === 0 && !key.startsWith('$')) return key
  }
}

/**
 * The reasons Django's `manage.py check --deploy` would flag this key (security.W009 for
 * SECRET_KEY, security.W025 for a SECRET_KEY_FALLBACKS entry); empty when it passes.
 */
export function djangoKeyProblems(key: string): string[] {
  const problems: string[] = []
  if (key.length < MIN_KEY_LENGTH) {
    problems.push(`it has ${key.length} characters, Django asks for at least ${MIN_KEY_LENGTH}`)
  }
  if (new Set(key).size < MIN_DISTINCT_CHARACTERS) {
    problems.push(`it has fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters`)
  }
  if (key.startsWith(INSECURE_PREFIX)) {
    problems.push(`it starts with "${INSECURE_PREFIX}", the prefix of generated development keys`)
  }
  return problems
}
