import type { InputReader } from './inputs.js'
import type { Log } from './log.js'

/**
 * The inputs whose action.yml default is an expression the Actions runner expands, and the
 * variable of the runner's environment that holds the same value. Tools that run an action outside
 * a runner (GitHub's own `@github/local-action`, `act` without a token) pass such a default
 * literally, or pass nothing.
 */
export const EXPRESSION_DEFAULTS: Readonly<Record<string, RunnerDefault>> = {
  repository: { variable: 'GITHUB_REPOSITORY', secret: false },
  'issue-token': { variable: 'GITHUB_TOKEN', secret: true }
}

interface RunnerDefault {
  /** The environment variable to read instead. */
  readonly variable: string
  /** A token: its value is never logged. */
  readonly secret: boolean
}

const UNEXPANDED = /^\$\{\{[\s\S]*\}\}$/

/**
 * Wraps `read` so that an input in EXPRESSION_DEFAULTS given as an unexpanded `${{ … }}` or as
 * nothing at all takes its value from the runner's environment, and says so in the log. An input
 * given a real value is read as it is; an expression with nothing to fall back to reads as empty,
 * so the input's own check names it.
 */
export function withRunnerDefaults(
  read: InputReader,
  environment: Readonly<Record<string, string | undefined>>,
  log: Pick<Log, 'info' | 'warning' | 'mask'>
): InputReader {
  const explained = new Set<string>()
  return (name, options) => {
    const value = read(name, options)
    const fallback = EXPRESSION_DEFAULTS[name]
    if (fallback === undefined || (value !== '' && !UNEXPANDED.test(value))) return value
    const found = environment[fallback.variable] ?? ''
    const given = value === '' ? 'is empty' : `is the unexpanded expression "${value}"`
    if (!explained.has(name)) {
      explained.add(name)
      if (found === '') {
        if (value !== '')
          log.warning(
            `Input "${name}" ${given} and ${fallback.variable} is not set either: pass "${name}" or set ${fallback.variable}`
          )
      } else {
        if (fallback.secret) log.mask(found)
        const shown = fallback.secret ? 'the token in' : `"${found}" from`
        log.info(
          `Input "${name}" ${given}, as when run outside an Actions runner: using ${shown} ${fallback.variable}`
        )
      }
    }
    return found
  }
}
