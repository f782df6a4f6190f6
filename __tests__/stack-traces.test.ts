import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import ts from 'typescript'
import { mappedStack } from '../src/stack-traces.js'

describe('mappedStack', () => {
  it('maps frames of a bundle back to its TypeScript source through the .map beside it', () => {
    const source = [
      'export function explode(): never {',
      '  // the throw is on line 3 of the source',
      "  throw new TypeError('boom')",
      '}'
    ].join('\n')
    const { outputText, sourceMapText } = ts.transpileModule(source, {
      compilerOptions: { sourceMap: true, removeComments: true, module: ts.ModuleKind.ES2022 },
      fileName: 'explode.ts'
    })
    const folder = mkdtempSync(join(tmpdir(), 'stack-'))
    const bundle = join(folder, 'bundle.js')
    writeFileSync(bundle, outputText)
    writeFileSync(`${bundle}.map`, sourceMapText ?? '')
    const url = pathToFileURL(bundle).href
    const error = new TypeError('boom')
    // The stack V8 would print for a throw at line 2, column 11 (the `new`) of the emitted bundle.
    error.stack = `TypeError: boom\n    at explode (${url}:2:11)`
    expect(mappedStack(error, url)).toBe('TypeError: boom\n    at explode (explode.ts:3:9)')
  })

  it('returns the stack unchanged when there is no map', () => {
    const error = new Error('plain')
    expect(mappedStack(error, pathToFileURL(join(tmpdir(), 'no-such-bundle.js')).href)).toBe(
      error.stack
    )
  })
})
