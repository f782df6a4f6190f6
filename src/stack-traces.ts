import { readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'

/**
 * The error's stack with every frame in the bundle mapped back to the TypeScript sources through
 * dist/index.js.map, by Node's own source map reader. The map is read only here, when a trace is
 * about to be printed: parsing it at start-up would cost more than a whole rotation.
 */
export function mappedStack(error: Error, bundleUrl: string = import.meta.url): string {
  const stack = error.stack ?? error.message
  let map: SourceMap
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(bundleUrl)}.map`, 'utf8')))
  } catch {
    return stack
  }
  const bundle = bundleUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return stack.replace(
    new RegExp(`${bundle}:(\\d+):(\\d+)`, 'g'),
    (frame, line: string, column: string) => {
      const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
        originalSource?: string
        originalLine?: number
        originalColumn?: number
      }
      if (entry.originalSource === undefined || entry.originalLine === undefined) return frame
      return `${entry.originalSource}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`
    }
  )
}
