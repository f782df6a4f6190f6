/**
 * A newcomer's first look: starts the GitHub API emulator, seeds a repository with an existing
 * key, runs the bundled action twice the way the runner would, and shows the log, what GitHub now
 * holds, the issues and the job summary. Then one whole key life with `phase: auto` as a daily
 * cron runs it (stage, wait, promote, retire), the secrets' ages faked in the emulator.
 *
 *   npm run sandbox
 */
import { generateKey } from '../src/keys/key.js'
import { fingerprint } from '../src/keys/fingerprint.js'
import { parseKeyList } from '../src/keys/fallbacks.js'
import {
  daysAgo,
  emulatedGitHub,
  REPOSITORY,
  runQueued,
  seedExistingKey
} from '../emulator/scenario.js'
import { renderRunnerLog, unmaskedAppearances } from '../emulator/runner-log.js'

const scope = { repository: REPOSITORY }
const rule = (title: string): void =>
  console.log(`\n${'─'.repeat(8)} ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`)

const github = await emulatedGitHub()
try {
  seedExistingKey(github)
  console.log(`Emulated GitHub at ${github.url}, repository ${REPOSITORY}`)
  console.log(
    `SECRET_KEY seeded with a Django-style key ${fingerprint(github.secret(scope, 'SECRET_KEY')?.value ?? '')}`
  )

  let failed = false
  for (const attempt of [1, 2]) {
    // The runner passes the secrets as they are when the run is queued.
    const before = {
      key: github.secret(scope, 'SECRET_KEY')?.value ?? '',
      fallbacks: github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? ''
    }
    const run = await runQueued(github)
    rule(`Run ${attempt}: the step's log (exit code ${run.exitCode})`)
    console.log(renderRunnerLog(run.stdout))
    if (run.stderr.trim()) console.log(run.stderr.trim())
    rule(`Run ${attempt}: outputs`)
    for (const [name, value] of Object.entries(run.outputs))
      console.log(`${name.padEnd(26)} ${value}`)

    rule(`Run ${attempt}: what GitHub holds now`)
    const key = github.secret(scope, 'SECRET_KEY')
    const fallbacks = github.secret(scope, 'SECRET_KEY_FALLBACKS')
    console.log(
      `SECRET_KEY            ${fingerprint(key?.value ?? '')} (updated ${key?.updatedAt})`
    )
    const list = parseKeyList(fallbacks?.value ?? '')
    console.log(
      `SECRET_KEY_FALLBACKS  split as the README's csv settings read it: [${list.map(fingerprint).join(', ')}]`
    )
    console.log(`the previous key is the first fallback: ${list[0] === before.key}`)

    const secrets = [before.key, ...parseKeyList(before.fallbacks), key?.value ?? '']
    const leaks = secrets.flatMap((secret) => unmaskedAppearances(run.stdout, secret))
    const elsewhere = secrets.some((secret) =>
      [run.summary, JSON.stringify(run.outputs), JSON.stringify(github.issues(REPOSITORY))].some(
        (text) => text.includes(secret)
      )
    )
    console.log(
      `keys in the log outside their masks: ${leaks.length}; keys in outputs, summary or issues: ${elsewhere ? 'YES' : 'none'}`
    )
    failed ||= run.exitCode !== 0 || leaks.length > 0 || elsewhere || list[0] !== before.key
    if (attempt === 2) {
      rule('Job summary of run 2 (Markdown)')
      console.log(run.summary.trim())
    }
  }

  rule('Issues in the repository')
  for (const issue of github.issues(REPOSITORY)) {
    console.log(
      `#${issue.number} [${issue.state}] ${issue.title}  labels: ${issue.labels.join(', ')}`
    )
    for (const comment of issue.comments) console.log(`   comment: ${comment}`)
  }
  const latest = github.issues(REPOSITORY).at(-1)
  if (latest) {
    rule(`Body of #${latest.number}`)
    console.log(latest.body)
  }
  failed = (await oneLife()) || failed
  if (github.schemaViolations.length > 0) {
    failed = true
    console.log(`\nResponses that break GitHub's schemas:\n${github.schemaViolations.join('\n')}`)
  }
  console.log(
    failed
      ? '\nThe sandbox found a problem (see above).'
      : '\nBoth rotations kept the previous key valid, and the life kept every key it needed.'
  )
  process.exitCode = failed ? 1 : 0
} finally {
  await github.stop()
}

/**
 * One life on a fresh emulated repository, day by day as a daily `phase: auto` cron lives it; each
 * "day" moves the secrets' updated_at into the past instead of waiting. Returns true on a problem.
 */
async function oneLife(): Promise<boolean> {
  const life = await emulatedGitHub()
  try {
    rule('One key life with phase: auto (ages faked in the emulator)')
    const settings = { phase: 'auto', 'min-age-days': '30', 'retire-after-days': '15' }
    console.log(`Daily inputs: ${JSON.stringify(settings)}`)
    life.setSecret(scope, 'SECRET_KEY', generateKey(50, 'urlsafe'), daysAgo(30))
    let problem = false
    let elapsed = 0
    for (const day of [0, 1, 2, 16, 17, 31]) {
      // Everything GitHub holds ages by the days since the last run, as if they had gone by.
      for (const name of ['SECRET_KEY', 'SECRET_KEY_FALLBACKS']) {
        const stored = life.secret(scope, name)
        if (!stored) continue
        const updated = new Date(Date.parse(stored.updatedAt) - (day - elapsed) * 86_400_000)
        life.setSecret(scope, name, stored.value, updated)
      }
      elapsed = day
      const before = [
        life.secret(scope, 'SECRET_KEY')?.value ?? '',
        ...parseKeyList(life.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? '')
      ]
      const run = await runQueued(life, settings)
      const key = life.secret(scope, 'SECRET_KEY')?.value ?? ''
      const fallbacks = parseKeyList(life.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? '')
      const waited = /Not rotating: (.*)/.exec(run.stdout)?.[1]
      console.log(
        `day ${String(day).padStart(2)}  phase=${(run.outputs.phase || '(skip)').padEnd(8)} ` +
          `SECRET_KEY ${fingerprint(key)}  SECRET_KEY_FALLBACKS [${fallbacks.map(fingerprint).join(', ')}]`
      )
      if (waited) console.log(`        ${waited}`)
      const leaks = [...before, key, ...fallbacks].flatMap((secret) =>
        unmaskedAppearances(run.stdout, secret)
      )
      problem ||= run.exitCode !== 0 || leaks.length > 0
    }
    for (const issue of life.issues(REPOSITORY)) {
      console.log(`#${issue.number} [${issue.state}] ${issue.title}`)
      for (const comment of issue.comments) console.log(`   comment: ${comment}`)
    }
    if (life.schemaViolations.length > 0) {
      problem = true
      console.log(`Responses that break GitHub's schemas:\n${life.schemaViolations.join('\n')}`)
    }
    return problem
  } finally {
    await life.stop()
  }
}
