/** The README is the front door: what it shows must be what the project runs. */
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../emulator/runner.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
}
const readers = join(ROOT, '__tests__', 'django', 'readers')

describe('README', () => {
  it.each(readdirSync(readers).filter((file) => file.endsWith('.py')))(
    'shows the Django settings reader %s exactly as the interop suite runs it',
    (file) => {
      expect(readme).toContain(`\`\`\`python\n${readFileSync(join(readers, file), 'utf8')}\`\`\``)
    }
  )

  it('documents every input and output of action.yml', () => {
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
      expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'))
    }
  })
})
