/**
 * A rolling deploy against real Django: two instances side by side, one still running with the
 * settings it was deployed with (__tests__/django/instance_old.py), one deployed later
 * (instance_new.py). Through a whole life run by the bundled action with `phase: auto` (stage,
 * promote, retire, with the secrets' ages faked in the emulator), for every two states a run
 * passes through, a user logged in on either instance stays logged in on the other, as Django's
 * own get_user decides it. One-step rotate, for contrast, logs that user out.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import type { GitHubEmulator } from '../emulator/github.js'
import { ROOT } from '../emulator/runner.js'
import { formatKeyList, parseKeyList } from '../src/keys/fallbacks.js'
import { fingerprint } from '../src/keys/fingerprint.js'
import { generateKey } from '../src/keys/key.js'
import type { KeyState } from '../src/rotation/plan.js'
import { daysAgo, emulatedGitHub, REPOSITORY, runQueued, stopEmulator } from './helpers.js'

const PYTHON = process.env.DJANGO_PYTHON ?? '/usr/bin/python3'
const LOGIN = join(ROOT, '__tests__', 'django', 'login.py')
const scope = { repository: REPOSITORY }
let github: GitHubEmulator

beforeAll(() => {
  const probe = spawnSync(PYTHON, [
    '-c',
    'import django, sys; sys.exit(0 if django.VERSION >= (4, 2) else 3)'
  ])
  if (probe.status !== 0) {
    throw new Error(`Django 4.2 or later is needed for ${PYTHON}: run 'bash .ci/install-django'`)
  }
})
beforeEach(async () => {
  github = await emulatedGitHub()
})
afterEach(() => stopEmulator(github))

type Instance = 'instance_old' | 'instance_new'

/** One request to one instance: is `session` still logged in there, and a fresh login's cookie. */
function request(
  instance: Instance,
  deployed: { old: KeyState; new: KeyState },
  session: string | null
): { valid: boolean | null; session: string } {
  const result = spawnSync(PYTHON, [LOGIN], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PYTHONDONTWRITEBYTECODE: '1',
      DJANGO_SETTINGS_MODULE: instance,
      OLD_SECRET_KEY: deployed.old.key,
      OLD_SECRET_KEY_FALLBACKS: formatKeyList(deployed.old.fallbacks, 'json'),
      NEW_SECRET_KEY: deployed.new.key,
      NEW_SECRET_KEY_FALLBACKS: formatKeyList(deployed.new.fallbacks, 'json')
    },
    input: JSON.stringify({ session }),
    encoding: 'utf8'
  })
  if (result.status !== 0) throw new Error(`login.py failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as { valid: boolean | null; session: string }
}

/** A user logs in on the old instance and is then served by the new one, and the other way round. */
function sessionsCross(old: KeyState, later: KeyState): { oldToNew: boolean; newToOld: boolean } {
  const deployed = { old, new: later }
  const onOld = request('instance_old', deployed, null)
  const onNew = request('instance_new', deployed, onOld.session)
  const back = request('instance_old', deployed, onNew.session)
  return { oldToNew: onNew.valid === true, newToOld: back.valid === true }
}

const held = (): KeyState => ({
  key: github.secret(scope, 'SECRET_KEY')?.value ?? '',
  fallbacks: parseKeyList(github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? '')
})

/** The state before a run and after each of its writes, from the emulator's record of them. */
async function runAndRecord(inputs: Record<string, string>) {
  const before = held()
  const from = github.writtenSecrets(scope).length
  const run = await runQueued(github, inputs)
  expect(run.exitCode).toBe(0)
  const states = [before]
  for (const { name, value } of github.writtenSecrets(scope).slice(from)) {
    const last = states[states.length - 1]
    states.push(
      name === 'SECRET_KEY' ? { ...last, key: value } : { ...last, fallbacks: parseKeyList(value) }
    )
  }
  return { run, states }
}

function age(days: number): void {
  for (const name of ['SECRET_KEY', 'SECRET_KEY_FALLBACKS']) {
    const stored = github.secret(scope, name)
    if (stored) github.setSecret(scope, name, stored.value, daysAgo(days))
  }
}

describe('a rolling deploy through stage, promote and retire', () => {
  it('keeps a user logged in across the old and the new instance at every step', async () => {
    const daily = {
      phase: 'auto',
      'min-age-days': '30',
      'retire-after-days': '14',
      'fallbacks-format': 'json'
    }
    const firstKey = generateKey(50, 'django')
    github.setSecret(scope, 'SECRET_KEY', firstKey, daysAgo(60))
    github.setSecret(
      scope,
      'SECRET_KEY_FALLBACKS',
      formatKeyList([generateKey(50, 'hex')], 'json'),
      daysAgo(60)
    )

    const life: { phase: string; states: KeyState[] }[] = []
    const stage = await runAndRecord(daily)
    expect(stage.run.outputs).toMatchObject({ phase: 'stage', rotated: 'false' })
    expect(stage.run.summary).toMatch(/^## SECRET_KEY: new key staged\n/)
    expect(stage.run.summary).toMatch(/\| Phase \| `stage` \|/)
    const staged = held().fallbacks[0]
    expect(stage.run.outputs['key-fingerprint']).toBe(fingerprint(staged))
    life.push({ phase: 'stage', states: stage.states })

    age(2)
    const promote = await runAndRecord(daily)
    expect(promote.run.outputs).toMatchObject({
      phase: 'promote',
      rotated: 'true',
      'key-fingerprint': fingerprint(staged),
      'previous-key-fingerprint': fingerprint(firstKey)
    })
    life.push({ phase: 'promote', states: promote.states })

    age(20)
    const retire = await runAndRecord(daily)
    expect(retire.run.outputs).toMatchObject({ phase: 'retire', rotated: 'false' })
    expect(retire.run.summary).toMatch(/^## SECRET_KEY: old fallbacks retired\n/)
    life.push({ phase: 'retire', states: retire.states })
    expect(held()).toEqual({ key: staged, fallbacks: [] })

    const results: string[] = []
    for (const { phase, states } of life) {
      for (let a = 0; a < states.length; a++) {
        for (let b = a + 1; b < states.length; b++) {
          const crossed = sessionsCross(states[a], states[b])
          results.push(
            `${phase} state ${a} -> ${b}: ${crossed.oldToNew && crossed.newToOld ? 'logged in' : 'LOGGED OUT'}`
          )
        }
      }
    }
    expect(results).toEqual([
      'stage state 0 -> 1: logged in',
      ...['0 -> 1', '0 -> 2', '0 -> 3', '1 -> 2', '1 -> 3', '2 -> 3'].map(
        (pair) => `promote state ${pair}: logged in`
      ),
      'retire state 0 -> 1: logged in'
    ])
  })

  it('is needed: one-step rotate logs out a user whose login the new instance made', async () => {
    github.setSecret(scope, 'SECRET_KEY', generateKey(50, 'urlsafe'), daysAgo(60))
    const { states } = await runAndRecord({ 'fallbacks-format': 'json' })
    expect(sessionsCross(states[0], states[2])).toEqual({ oldToNew: true, newToOld: false })
  })
})
