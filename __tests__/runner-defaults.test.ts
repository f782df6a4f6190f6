import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../emulator/runner.js'
import { readInputs } from '../src/inputs.js'
import { EXPRESSION_DEFAULTS, withRunnerDefaults } from '../src/runner-defaults.js'
import { recordingLog } from './helpers.js'

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>
}
const defaults = Object.fromEntries(
  Object.entries(action.inputs).map(([name, input]) => [name, input.default ?? ''])
)
const runnerEnvironment = { GITHUB_REPOSITORY: 'octo-org/django-app', GITHUB_TOKEN: 'ghs_local' }

/** Reads inputs the way a local tool hands them over: action.yml's defaults, unexpanded. */
function readAsLocalTool(given: Record<string, string>, environment: Record<string, string>) {
  const log = recordingLog()
  const values: Record<string, string> = { ...defaults, token: 'rotation-token', ...given }
  const read = withRunnerDefaults((name) => values[name] ?? '', environment, log)
  return { inputs: readInputs(read), log }
}

describe('inputs whose default is an expression, outside an Actions runner', () => {
  it('covers every action.yml input whose default is an expression', () => {
    const expressions = Object.entries(action.inputs)
      .filter(([, input]) => /\$\{\{/.test(input.default ?? ''))
      .map(([name]) => name)
    expect(Object.keys(EXPRESSION_DEFAULTS).sort()).toEqual(expressions.sort())
  })

  it('takes the repository and the workflow token from the environment when passed unexpanded', () => {
    const { inputs, log } = readAsLocalTool({}, runnerEnvironment)
    expect(inputs.repository).toEqual({ owner: 'octo-org', repo: 'django-app' })
    expect(inputs.issueToken).toBe('ghs_local')
    expect(log.lines).toContain(
      'Input "repository" is the unexpanded expression "${{ github.repository }}", as when run ' +
        'outside an Actions runner: using "octo-org/django-app" from GITHUB_REPOSITORY'
    )
    expect(log.lines).toContain(
      'Input "issue-token" is the unexpanded expression "${{ github.token }}", as when run ' +
        'outside an Actions runner: using the token in GITHUB_TOKEN'
    )
  })

  it('takes them from the environment when passed empty, and masks the token', () => {
    const { inputs, log } = readAsLocalTool(
      { repository: '', 'issue-token': '' },
      runnerEnvironment
    )
    expect(inputs.repository.repo).toBe('django-app')
    expect(inputs.issueToken).toBe('ghs_local')
    expect(log.masked).toContain('ghs_local')
    expect([...log.lines, ...log.warnings].join('\n')).not.toContain('ghs_local')
  })

  it('reads values that were given as they are, and says nothing', () => {
    const { inputs, log } = readAsLocalTool(
      { repository: 'octo-org/other', 'issue-token': 'given-token' },
      runnerEnvironment
    )
    expect(inputs.repository.repo).toBe('other')
    expect(inputs.issueToken).toBe('given-token')
    expect([...log.lines, ...log.warnings]).toEqual([])
  })

  it('names the input and the variable when neither is there', () => {
    const log = recordingLog()
    const values: Record<string, string> = { ...defaults, token: 'rotation-token' }
    const read = withRunnerDefaults((name) => values[name] ?? '', {}, log)
    expect(() => readInputs(read)).toThrow(/Input "repository" must be owner\/name/)
    expect(log.warnings).toContain(
      'Input "repository" is the unexpanded expression "${{ github.repository }}" and ' +
        'GITHUB_REPOSITORY is not set either: pass "repository" or set GITHUB_REPOSITORY'
    )
  })
})
