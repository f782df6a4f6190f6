/**
 * Renders an action's stdout the way the runner shows it: `::add-mask::` values replaced by ***
 * in every later line, and workflow commands shown as what they mean.
 */
export function renderRunnerLog(stdout: string): string {
  const masks: string[] = []
  const shown: string[] = []
  for (const line of stdout.split('\n')) {
    const mask = maskedValue(line)
    if (mask !== undefined) {
      masks.push(mask)
      continue
    }
    let text = line
    for (const secret of masks) if (secret !== '') text = text.split(secret).join('***')
    const command = /^::(\w+)(?: [^:]*)?::(.*)$/.exec(text)
    if (!command) shown.push(text)
    else if (command[1] === 'group') shown.push(`▸ ${command[2]}`)
    else if (command[1] === 'endgroup') continue
    else shown.push(`${command[1]}: ${unescapeCommandData(command[2])}`)
  }
  return shown.join('\n').trimEnd()
}

/**
 * Where `secret` shows in stdout other than in its own `::add-mask::` line, or before that line:
 * each is a leak. Empty when the runner would never display it.
 */
export function unmaskedAppearances(stdout: string, secret: string): string[] {
  const leaks: string[] = []
  let masked = false
  for (const [index, line] of stdout.split('\n').entries()) {
    if (maskedValue(line) === secret) {
      masked = true
      continue
    }
    // A masked value is hidden by the runner; still, the action never prints a key on purpose.
    if (line.includes(secret) || line.includes(escapeCommandData(secret)))
      leaks.push(`line ${index + 1}${masked ? '' : ' (before its mask)'}`)
  }
  return leaks
}

/** The values an action asked the runner to mask before it printed any other line. */
export function maskedFirst(stdout: string): string[] {
  const lines = stdout.split('\n')
  const firstOther = lines.findIndex((line) => maskedValue(line) === undefined)
  return lines
    .slice(0, firstOther === -1 ? undefined : firstOther)
    .flatMap((line) => maskedValue(line) ?? [])
}

/** The values an action asked the runner to mask, in order. */
export function maskedValues(stdout: string): string[] {
  return stdout.split('\n').flatMap((line) => maskedValue(line) ?? [])
}

function maskedValue(line: string): string | undefined {
  const mask = /^::add-mask::(.*)$/.exec(line)
  return mask ? unescapeCommandData(mask[1]) : undefined
}

/** Undoes @actions/core's escaping of workflow command data, as the runner does. */
function unescapeCommandData(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function escapeCommandData(data: string): string {
  return data.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}
