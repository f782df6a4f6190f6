/** The README is the front door: what it shows must be what the project runs. */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { minVersion, satisfies } from 'semver'
import { parse, parseDocument } from 'yaml'
import { ROOT } from '../emulator/runner.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
  runs: { using: string }
}
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string }
}
const lockfile = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>
}

/** The README's YAML examples, by the heading they stand under. */
const yamlSnippets = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => {
  const heading = [...readme.slice(0, match.index).matchAll(/^#+ (.*)$/gm)].at(-1)?.[1] ?? ''
  return [heading, match[1]] as const
})

interface Step {
  uses?: string
  run?: string
  with?: Record<string, unknown>
}

/** Every step of every job in a workflow, or of a snippet that is a job's steps. */
function stepsOf(document: unknown): Step[] {
  const jobs = (document as { jobs?: Record<string, { steps?: Step[] }> } | null)?.jobs ?? {}
  return Object.values(jobs).flatMap((job) => job.steps ?? [])
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

  it.each(yamlSnippets)(
    'shows YAML under "%s" that parses exactly as written',
    (_heading, text) => {
      const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
      expect(document.errors.map(String)).toEqual([])
      expect(document.warnings.map(String)).toEqual([])
    }
  )

  it.each(yamlSnippets)(
    'shows steps under "%s" that bash and the action accept as copied',
    (_heading, text) => {
      for (const step of stepsOf(parse(text))) {
        if (step.run !== undefined) {
          // A " #" in a plain YAML value starts a comment and cuts the command; bash then finds an
          // unmatched quote. Expressions are replaced as the runner would, by a plain word.
          const script = step.run.replace(/\$\{\{[^}]*\}\}/g, 'value')
          const bash = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' })
          expect({ script, stderr: bash.stderr, status: bash.status }).toEqual({
            script,
            stderr: '',
            status: 0
          })
        }
        if (step.uses?.includes('/rotate-django-secret-key@')) {
          for (const input of Object.keys(step.with ?? {}))
            expect(Object.keys(action.inputs)).toContain(input)
        }
      }
    }
  )

  it('has YAML examples to check', () => {
    expect(yamlSnippets.length).toBeGreaterThanOrEqual(2)
  })
})

describe('the Node.js version', () => {
  const lowest = minVersion(packageJson.engines.node)?.version ?? ''

  it('that package.json names runs every installed package, so npm ci does not warn', () => {
    const refusing = Object.entries(lockfile.packages).flatMap(([name, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node
      return range === undefined || name === '' || satisfies(lowest, range)
        ? []
        : [`${name} (${range})`]
    })
    // The one exception, documented in the README's Running locally: @github/local-action's
    // artifact stubs pull in Azure storage packages that declare Node 22; they are development
    // only, never bundled, and local-action runs this action on Node 20 without them.
    const localActionOnly = [
      'node_modules/@azure/core-rest-pipeline (>=22.0.0)',
      'node_modules/@azure/storage-blob (>=22.0.0)',
      'node_modules/@azure/storage-common (>=22.0.0)',
      'node_modules/@typespec/ts-http-runtime (>=22.0.0)'
    ]
    expect(refusing).toEqual(localActionOnly)
    for (const name of localActionOnly)
      expect(lockfile.packages[name.split(' ')[0]]).toMatchObject({ dev: true })
  })

  it("is the one the README's development section names, and action.yml's runtime meets it", () => {
    const development = readme.slice(readme.indexOf('## Development'))
    expect(development).toContain(`Node.js ${lowest.replace(/\.0$/, '')} or later`)
    const runtime = /^node(\d+)$/.exec(action.runs.using)?.[1]
    expect(satisfies(`${runtime}.0.0`, packageJson.engines.node)).toBe(true)
  })
})

describe('examples/rolling-deploy.yml', () => {
  const workflow = parse(readFileSync(join(ROOT, 'examples', 'rolling-deploy.yml'), 'utf8')) as {
    permissions: unknown
    concurrency: { group: string }
    jobs: Record<
      string,
      { if?: string; needs?: string; steps: { uses?: string; with?: Record<string, unknown> }[] }
    >
  }
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps)

  it('runs phase auto with inputs that exist, one run at a time, with explicit permissions', () => {
    const life = steps.find((step) => step.uses?.includes('rotate-django-secret-key'))
    expect(life?.with?.phase).toBe('auto')
    for (const name of Object.keys(life?.with ?? {}))
      expect(Object.keys(action.inputs)).toContain(name)
    expect(workflow.permissions).toEqual({})
    expect(workflow.concurrency.group).toBeTruthy()
  })

  it('deploys after a stage and after a promote, from the outputs', () => {
    expect(workflow.jobs.deploy.needs).toBe('life')
    expect(workflow.jobs.deploy.if).toBe(
      "needs.life.outputs.phase == 'stage' || needs.life.outputs.phase == 'promote'"
    )
  })

  it('pins every third-party action to a full commit SHA with its version', () => {
    const source = readFileSync(join(ROOT, 'examples', 'rolling-deploy.yml'), 'utf8')
    const pinned =
      source.match(/uses: (?!rotate-django-secret-key\/rotate-django-secret-key@)\S+/g) ?? []
    expect(pinned.length).toBeGreaterThan(0)
    for (const line of pinned) expect(line).toMatch(/@[0-9a-f]{40}$/)
    expect(source).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+/)
  })
})
