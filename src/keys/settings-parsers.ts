import type { FallbacksFormat } from './fallbacks.js'

/**
 * Why the documented settings parsers would misread these fallbacks written in this format; empty
 * when every parser the README shows for the format reads them back exactly.
 *
 * json (json.loads) and lines (str.split) read every listable key. csv has three readers: a plain
 * split reads every listable key, but python-decouple's Csv() splits with shlex, which cuts at
 * "#" (a comment) and pairs up "'" quotes, and django-environ reads a value that starts with "$"
 * as a reference to another variable.
 */
export function parserHazards(keys: readonly string[], format: FallbacksFormat): string[] {
  if (format !== 'csv') return []
  const hazards: string[] = []
  if (keys.some((key) => key.includes('#') || key.includes("'"))) {
    hazards.push(
      'python-decouple\'s Csv() would cut them at a "#" or "\'" character, which they hold: read them with a plain ' +
        'split or django-environ, or set fallbacks-format: json'
    )
  }
  if (keys[0]?.startsWith('$')) {
    hazards.push(
      'django-environ would read them as a reference to another variable, since the first starts with "$": read ' +
        'them with a plain split, or set fallbacks-format: json'
    )
  }
  return hazards
}
