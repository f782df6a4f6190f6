/**
 * The rules every workflow this repository runs or shows must keep: third-party actions pinned to
 * a full commit SHA with the version in a comment, explicit `permissions:`, and inputs that exist
 * in the action (or reusable workflow) they are passed to, with its required ones passed.
 */
import { parse } from 'yaml'

/** The repository this action is published as; `uses:` of it may name a tag such as v1. */
export const REPOSITORY_SLUG = 'rotate-django-secret-key/rotate-django-secret-key'

/** What a callee accepts: action.yml's inputs, or a reusable workflow's `workflow_call`. */
export interface Contract {
  readonly inputs: Readonly<Record<string, { required?: boolean; default?: unknown }>>
  /** Secrets a reusable workflow declares; undefined for an action. */
  readonly secrets?: Readonly<Record<string, { required?: boolean }>>
}

export interface Contracts {
  readonly action: Contract
  /** `.github/workflows/rotate.yml`, when the repository has it. */
  readonly reusableWorkflow?: Contract
}

interface Step {
  uses?: string
  with?: Record<string, unknown>
}

interface Job {
  permissions?: unknown
  uses?: string
  with?: Record<string, unknown>
  secrets?: Record<string, unknown> | 'inherit'
  steps?: Step[]
}

interface Workflow {
  permissions?: unknown
  jobs?: Record<string, Job>
}

const FULL_SHA = /^[0-9a-f]{40}$/
const VERSION_COMMENT = /#\s*v\d+(\.\d+){0,2}\b/
const REUSABLE_WORKFLOW = new RegExp(
  `^(\\./|${REPOSITORY_SLUG}/)\\.github/workflows/rotate\\.ya?ml(@.+)?$`
)
const THIS_ACTION = new RegExp(`^(\\./?|${REPOSITORY_SLUG}@.+)$`)

/** Every rule `text` (one workflow file named `file`) breaks, one line each; none when it keeps them. */
export function workflowProblems(file: string, text: string, contracts: Contracts): string[] {
  const problems: string[] = []
  const workflow = parse(text) as Workflow
  const jobs = Object.entries(workflow?.jobs ?? {})
  if (jobs.length === 0) return [`${file}: has no jobs`]

  if (workflow.permissions === undefined) {
    const without = jobs.filter(([, job]) => job.permissions === undefined).map(([name]) => name)
    if (without.length > 0)
      problems.push(
        `${file}: declares no top-level permissions: and job(s) ${without.join(', ')} declare none either`
      )
  }
  for (const [where, permissions] of [
    ['top level', workflow.permissions],
    ...jobs.map(([name, job]) => [`job ${name}`, job.permissions])
  ] as const) {
    if (typeof permissions === 'string')
      problems.push(`${file}: ${where} grants "${permissions}"; name each permission it needs`)
  }

  const commented = pinnedLines(text)
  for (const [name, job] of jobs) {
    const callers: { where: string; uses: string; with?: Record<string, unknown> }[] = [
      ...(job.uses ? [{ where: `job ${name}`, uses: job.uses, with: job.with }] : []),
      ...(job.steps ?? []).flatMap((step, index) =>
        step.uses
          ? [{ where: `job ${name} step ${index + 1}`, uses: step.uses, with: step.with }]
          : []
      )
    ]
    for (const caller of callers) {
      const at = `${file}: ${caller.where} (${caller.uses})`
      if (REUSABLE_WORKFLOW.test(caller.uses)) {
        if (!contracts.reusableWorkflow) {
          problems.push(`${at}: calls a reusable workflow the repository does not have`)
          continue
        }
        problems.push(...inputProblems(at, caller.with, contracts.reusableWorkflow))
        problems.push(...secretProblems(at, job.secrets, contracts.reusableWorkflow))
      } else if (THIS_ACTION.test(caller.uses)) {
        problems.push(...inputProblems(at, caller.with, contracts.action))
      } else if (caller.uses.startsWith('./')) {
        // Another local action or workflow: it is checked where it lives.
      } else if (caller.uses.startsWith('docker://')) {
        if (!/@sha256:[0-9a-f]{64}$/.test(caller.uses))
          problems.push(`${at}: a container image must be pinned by its sha256 digest`)
      } else {
        const ref = caller.uses.split('@')[1] ?? ''
        if (!FULL_SHA.test(ref))
          problems.push(
            `${at}: a third-party action must be pinned to a full 40-character commit SHA`
          )
        else if (!commented.has(caller.uses))
          problems.push(
            `${at}: the pinned SHA needs the version it stands for in a comment, like # v4.2.2`
          )
      }
    }
  }
  return problems
}

/** The `uses:` values whose line carries a version comment. */
function pinnedLines(text: string): Set<string> {
  const found = new Set<string>()
  for (const line of text.split('\n')) {
    const match = /^\s*(?:-\s+)?uses:\s*['"]?([^\s'"#]+)['"]?\s*(#.*)?$/.exec(line)
    if (match && VERSION_COMMENT.test(match[2] ?? '')) found.add(match[1])
  }
  return found
}

function inputProblems(
  at: string,
  given: Record<string, unknown> | undefined,
  contract: Contract
): string[] {
  const passed = Object.keys(given ?? {})
  return [
    ...passed
      .filter((name) => !(name in contract.inputs))
      .map((name) => `${at}: passes "${name}", which is not one of its inputs`),
    ...Object.entries(contract.inputs)
      .filter(([name, input]) => isRequired(input) && !passed.includes(name))
      .map(([name]) => `${at}: does not pass the required input "${name}"`)
  ]
}

function secretProblems(
  at: string,
  given: Record<string, unknown> | 'inherit' | undefined,
  contract: Contract
): string[] {
  if (given === 'inherit') return []
  const passed = Object.keys(given ?? {})
  const declared = contract.secrets ?? {}
  return [
    ...passed
      .filter((name) => !(name in declared))
      .map((name) => `${at}: passes the secret "${name}", which it does not declare`),
    ...Object.entries(declared)
      .filter(([name, secret]) => secret.required === true && !passed.includes(name))
      .map(([name]) => `${at}: does not pass the required secret "${name}"`)
  ]
}

function isRequired(input: { required?: boolean; default?: unknown }): boolean {
  return input.required === true && (input.default === undefined || input.default === '')
}
