/**
 * What the issues and the summary show: no fingerprint that confirms a guess of a weak key, no
 * name that breaks out of its place or pings people, titles of their own, and one issue chain per
 * scope however its name is cased.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { inspect } from 'node:util'
import type { GitHubEmulator } from '../emulator/github.js'
import { fingerprint, WITHHELD_FINGERPRINT } from '../src/keys/fingerprint.js'
import { generateKey } from '../src/keys/key.js'
import { renderFailureSummary, renderSummary } from '../src/reporting/summary.js'
import { rotate } from '../src/rotation/rotate.js'
import { RotationFailure } from '../src/rotation/rotation-failure.js'
import {
  emulatedGitHub,
  inputsWith,
  REPOSITORY,
  ROTATION_TOKEN,
  servicesFor,
  stopEmulator,
  WORKFLOW_TOKEN
} from './helpers.js'

const repository = { repository: REPOSITORY }
let github: GitHubEmulator
let oldKey: string
beforeEach(async () => {
  github = await emulatedGitHub()
  oldKey = generateKey(50, 'django')
  github.setSecret(repository, 'SECRET_KEY', oldKey)
})
afterEach(() => stopEmulator(github))

/** An @ followed by a name: GitHub would mention (and notify) that user or team. */
const MENTION = /@(?=[\p{L}\p{N}_-])/u

describe('keys that fail Django’s rules', () => {
  it('withholds their fingerprints everywhere, and shows those of strong keys', async () => {
    const weak = `django-insecure-${generateKey(50, 'hex')}`
    const short = 'short-old-key'
    github.setSecret(repository, 'SECRET_KEY', weak)
    const inputs = inputsWith({
      'current-key': weak,
      'current-fallbacks': `${short},${oldKey}`,
      'max-fallbacks': '3'
    })
    const report = await rotate(inputs, servicesFor(github, inputs))
    expect(report.previousKeyFingerprint).toBe(WITHHELD_FINGERPRINT)
    expect(report.keptFallbackFingerprints).toEqual([
      WITHHELD_FINGERPRINT,
      WITHHELD_FINGERPRINT,
      fingerprint(oldKey)
    ])
    const [issue] = github.issues(REPOSITORY)
    for (const text of [issue.body, renderSummary(report)]) {
      expect(text).toContain(`| Previous key | ${WITHHELD_FINGERPRINT} (now the first fallback) |`)
      expect(text).not.toContain(fingerprint(weak))
      expect(text).not.toContain(fingerprint(short))
      expect(text).toContain(fingerprint(oldKey))
    }
  })
})

describe('names rendered into issues', () => {
  const environment = 'Prod|@octo-org --> <b>x</b> [link](https://example.com)'

  it('escapes an environment name in the title, the table and the hidden marker, and mentions nobody', async () => {
    github.addEnvironment(REPOSITORY, environment)
    const inputs = inputsWith({ environment })
    const report = await rotate(inputs, servicesFor(github, inputs, undefined, { actor: 'alice' }))
    const [issue] = github.issues(REPOSITORY)
    expect(report.issue?.number).toBe(1)

    expect(issue.title).not.toMatch(MENTION)
    expect(issue.body).not.toMatch(MENTION)
    expect(issue.body).not.toContain('<b>')
    // No link outside the hidden marker: its "]" is escaped.
    expect(issue.body.split('\n').slice(1).join('\n')).not.toMatch(/(?<!\\)\]\(https:/)
    // The marker is one comment that ends where it should.
    const [marker] = issue.body.split('\n')
    expect(marker).toMatch(/^<!-- rotate-django-secret-key scope=\S+ secret=SECRET_KEY -->$/)
    expect(marker.match(/-->/g)).toHaveLength(1)
    // Every table row keeps its two cells.
    for (const row of issue.body.split('\n').filter((line) => line.startsWith('| '))) {
      expect({ row, cells: row.match(/(?<!\\)\|/g)?.length }).toEqual({ row, cells: 3 })
    }
    expect(issue.body).toContain('| Trigger | `schedule` by alice |')
  })

  it('shares one issue chain between Production and production, as GitHub ignores case', async () => {
    github.addEnvironment(REPOSITORY, 'Production')
    const production = { repository: REPOSITORY, environment: 'Production' }
    github.setSecret(production, 'SECRET_KEY', oldKey)
    for (const name of ['Production', 'production']) {
      const inputs = inputsWith({
        environment: name,
        'current-key': github.secret(production, 'SECRET_KEY')?.value ?? '',
        'current-fallbacks': github.secret(production, 'SECRET_KEY_FALLBACKS')?.value ?? ''
      })
      await rotate(inputs, servicesFor(github, inputs))
    }
    const [first, second] = github.issues(REPOSITORY)
    expect(first.state).toBe('closed')
    expect(second.state).toBe('open')
    expect(second.body).toContain('| Previous rotation | #1 |')
  })

  it('gives two rotations on one day titles of their own', async () => {
    for (const time of ['04:17:00', '16:17:00']) {
      const inputs = inputsWith({
        'current-key': github.secret(repository, 'SECRET_KEY')?.value ?? '',
        'current-fallbacks': github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? ''
      })
      const services = {
        ...servicesFor(github, inputs),
        now: () => new Date(`2026-12-05T${time}Z`)
      }
      github.now = services.now
      await rotate(inputs, services)
    }
    expect(github.issues(REPOSITORY).map((issue) => issue.title)).toEqual([
      'Rotated SECRET_KEY of the repository octo-org/django-app on 2026-12-05 at 04:17:00 UTC',
      'Rotated SECRET_KEY of the repository octo-org/django-app on 2026-12-05 at 16:17:00 UTC'
    ])
  })
})

describe('the job summary', () => {
  it('shows a skip reason, what a dry run could not verify, and an issue problem as plain text', async () => {
    const fallbacks = generateKey(50, 'urlsafe')
    github.setSecret(repository, 'SECRET_KEY_FALLBACKS', fallbacks)
    const given = { 'current-key': oldKey, 'current-fallbacks': fallbacks }

    const young = inputsWith({ ...given, 'min-age-days': '30' })
    const skipped = renderSummary(await rotate(young, servicesFor(github, young)))
    expect(skipped).toMatch(
      /^## SECRET_KEY not rotated\n\nSECRET_KEY was updated 0 days and 0 hours ago/
    )

    const dryRun = inputsWith({ ...given, 'dry-run': 'true' })
    const planned = await rotate(dryRun, servicesFor(github, dryRun))
    expect(renderSummary(planned)).toContain('## Dry run: SECRET_KEY would be rotated')
    expect(
      renderSummary({ ...planned, unverified: ['that @octo-org | can <b>merge</b>'] })
    ).toContain(
      '### Not verified by this dry run\n\n- that @\u200docto-org \\| can \\<b\\>merge\\</b\\>'
    )

    github.fail({ method: 'POST', path: /\/issues$/, status: 422, message: 'No @octo-org | <i>' })
    const inputs = inputsWith(given)
    const rotated = renderSummary(await rotate(inputs, servicesFor(github, inputs)))
    expect(rotated).toMatch(
      /> \[!WARNING\]\n> The secrets were rotated, but: Could not open the rotation issue/
    )
    expect(rotated).not.toMatch(MENTION)
    expect(rotated).toContain('No @\u200docto-org \\| \\<i\\>')
  })
})

describe('a failed rotation', () => {
  it('quotes the reason in the job summary as plain text, mentioning nobody', async () => {
    github.addEnvironment(REPOSITORY, 'qa')
    github.fail({
      method: 'GET',
      path: /\/public-key$/,
      status: 403,
      message: 'Ask @octo-org/security | <img src=x> [here](https://example.com)'
    })
    const inputs = inputsWith({ environment: 'qa' })
    const failure = (await rotate(inputs, servicesFor(github, inputs)).catch(
      (error: unknown) => error
    )) as RotationFailure
    const summary = renderFailureSummary(failure)
    expect(summary).toMatch(/^## SECRET_KEY rotation failed\n\n> \[!CAUTION\]\n> Could not read/)
    expect(summary).not.toMatch(MENTION)
    expect(summary).toContain(
      'Ask @\u200docto-org/security \\| \\<img src=x\\> \\[here\\](https://example.com)'
    )
  })

  it('carries the secrets’ names, never the inputs’ tokens or keys', async () => {
    github.fail({ method: 'GET', path: /\/public-key$/, status: 404 })
    const fallback = generateKey(50, 'urlsafe')
    const inputs = inputsWith({ 'current-key': oldKey, 'current-fallbacks': fallback })
    const failure = await rotate(inputs, servicesFor(github, inputs)).catch(
      (error: unknown) => error
    )
    expect(failure).toBeInstanceOf(RotationFailure)
    expect((failure as RotationFailure).names).toEqual({
      secretName: 'SECRET_KEY',
      fallbacksSecretName: 'SECRET_KEY_FALLBACKS',
      phase: 'rotate'
    })
    const everything = inspect(failure, { depth: 10, showHidden: true })
    for (const secret of [ROTATION_TOKEN, WORKFLOW_TOKEN, oldKey, fallback]) {
      expect(everything).not.toContain(secret)
    }
  })
})
