/**
 * Every workflow the repository runs (.github/workflows), every example it ships (examples/) and
 * every workflow the README shows keeps the supply-chain and contract rules of workflow-rules.ts,
 * so that they cannot rot as files are added or actions change.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../emulator/runner.js'
import {
  type Contract,
  type Contracts,
  REPOSITORY_SLUG,
  workflowProblems
} from './workflow-rules.js'

function yamlFilesUnder(folder: string): string[] {
  const path = join(ROOT, folder)
  if (!existsSync(path)) return []
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => relative(ROOT, join(path, file)))
    .sort()
}

const REUSABLE_WORKFLOW = '.github/workflows/rotate.yml'

function contracts(): Contracts {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Contract
  if (!existsSync(join(ROOT, REUSABLE_WORKFLOW))) return { action }
  const reusable = parse(readFileSync(join(ROOT, REUSABLE_WORKFLOW), 'utf8')) as {
    on: { workflow_call: { inputs?: Contract['inputs']; secrets?: Contract['secrets'] } }
  }
  const call = reusable.on.workflow_call
  return { action, reusableWorkflow: { inputs: call.inputs ?? {}, secrets: call.secrets ?? {} } }
}

/** The README's YAML blocks that are workflows (they have jobs), by position. */
function readmeWorkflows(): [string, string][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match, index): [string, string] => [`README.md yaml block ${index + 1}`, match[1]])
    .filter(([, text]) => /^jobs:/m.test(text))
}

const workflowFiles = [...yamlFilesUnder('.github/workflows'), ...yamlFilesUnder('examples')]

describe('workflows and examples', () => {
  it("include the repository's own CI, dist check and CodeQL", () => {
    expect(workflowFiles).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/check-dist.yml',
        '.github/workflows/codeql.yml'
      ])
    )
    expect(readmeWorkflows().length).toBeGreaterThanOrEqual(2)
  })

  it.each(workflowFiles)('%s keeps the rules', (file) => {
    expect(workflowProblems(file, readFileSync(join(ROOT, file), 'utf8'), contracts())).toEqual([])
  })

  it.each(readmeWorkflows())('%s keeps the rules', (name, text) => {
    expect(workflowProblems(name, text, contracts())).toEqual([])
  })

  it('run the action itself in CI with uses: ./ in dry-run mode', () => {
    const ci = parse(readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8')) as {
      jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }>
    }
    const own = Object.values(ci.jobs)
      .flatMap((job) => job.steps ?? [])
      .filter((step) => step.uses === './')
    expect(own.map((step) => step.with?.['dry-run'])).toEqual([true])
  })

  it('show this action under its published name and major tag', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const uses = [...readme.matchAll(/uses: (\S*rotate-django-secret-key\S*)/g)].map((m) => m[1])
    expect(uses.length).toBeGreaterThan(0)
    for (const reference of uses)
      expect(reference).toMatch(new RegExp(`^${REPOSITORY_SLUG}(/|@v1$)`))
  })
})

describe('Dependabot', () => {
  const dependabot = parse(readFileSync(join(ROOT, '.github/dependabot.yml'), 'utf8')) as {
    updates: {
      'package-ecosystem': string
      groups?: Record<string, unknown>
      ignore?: { 'dependency-name': string; versions?: string[] }[]
    }[]
  }

  it('updates npm packages and GitHub Actions in groups', () => {
    const ecosystems = dependabot.updates.map((update) => update['package-ecosystem'])
    expect(ecosystems.sort()).toEqual(['github-actions', 'npm'])
    for (const update of dependabot.updates)
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0)
  })

  it('holds TypeScript below 7, whose compiler API ts-jest and ncc need', () => {
    const npm = dependabot.updates.find((update) => update['package-ecosystem'] === 'npm')
    expect(npm?.ignore).toContainEqual({ 'dependency-name': 'typescript', versions: ['>= 7.0.0'] })
  })
})

describe('the workflow rules', () => {
  const action: Contract = {
    inputs: { token: { required: true }, 'dry-run': { required: false, default: 'false' } }
  }
  const reusableWorkflow: Contract = {
    inputs: { environment: { required: true }, 'max-fallbacks': { required: false } },
    secrets: { 'rotation-token': { required: true } }
  }
  const check = (text: string, withReusable = true) =>
    workflowProblems('x.yml', text, withReusable ? { action, reusableWorkflow } : { action })

  it('accept a pinned, commented, least-permission workflow', () => {
    expect(
      check(`
permissions:
  contents: read
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2
      - uses: ${REPOSITORY_SLUG}@v1
        with:
          token: t
  b:
    uses: ./.github/workflows/rotate.yml
    with:
      environment: production
    secrets:
      rotation-token: t
`)
    ).toEqual([])
  })

  it('refuse tags, short SHAs and SHAs without a version comment', () => {
    expect(
      check(`
permissions: {}
jobs:
  a:
    steps:
      - uses: actions/checkout@v6
      - uses: actions/checkout@de0fac2
      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd
      - uses: docker://alpine:3
`)
    ).toEqual([
      'x.yml: job a step 1 (actions/checkout@v6): a third-party action must be pinned to a full 40-character commit SHA',
      'x.yml: job a step 2 (actions/checkout@de0fac2): a third-party action must be pinned to a full 40-character commit SHA',
      'x.yml: job a step 3 (actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd): the pinned SHA needs the version it stands for in a comment, like # v4.2.2',
      'x.yml: job a step 4 (docker://alpine:3): a container image must be pinned by its sha256 digest'
    ])
  })

  it('refuse a workflow without permissions, or with blanket ones', () => {
    expect(
      check(`
jobs:
  a:
    permissions: write-all
    steps: [{ run: 'true' }]
  b:
    steps: [{ run: 'true' }]
`)
    ).toEqual([
      'x.yml: declares no top-level permissions: and job(s) b declare none either',
      'x.yml: job a grants "write-all"; name each permission it needs'
    ])
  })

  it('refuse inputs the action or the reusable workflow does not have, and missing required ones', () => {
    expect(
      check(`
permissions: {}
jobs:
  a:
    steps:
      - uses: ./
        with:
          dry_run: true
  b:
    uses: ${REPOSITORY_SLUG}/.github/workflows/rotate.yml@v1
    with:
      max-fallback: 2
    secrets:
      token: t
`)
    ).toEqual([
      'x.yml: job a step 1 (./): passes "dry_run", which is not one of its inputs',
      'x.yml: job a step 1 (./): does not pass the required input "token"',
      `x.yml: job b (${REPOSITORY_SLUG}/.github/workflows/rotate.yml@v1): passes "max-fallback", which is not one of its inputs`,
      `x.yml: job b (${REPOSITORY_SLUG}/.github/workflows/rotate.yml@v1): does not pass the required input "environment"`,
      `x.yml: job b (${REPOSITORY_SLUG}/.github/workflows/rotate.yml@v1): passes the secret "token", which it does not declare`,
      `x.yml: job b (${REPOSITORY_SLUG}/.github/workflows/rotate.yml@v1): does not pass the required secret "rotation-token"`
    ])
  })

  it('refuse a call to a reusable workflow the repository does not have', () => {
    expect(
      check(
        `
permissions: {}
jobs:
  a:
    uses: ./.github/workflows/rotate.yml
`,
        false
      )
    ).toEqual([
      'x.yml: job a (./.github/workflows/rotate.yml): calls a reusable workflow the repository does not have'
    ])
  })
})
