/**
 * The invariant of stage, promote and retire, proven by replaying their writes: a deploy may pick
 * up the secrets between any two writes while instances started before the run still serve, so
 * every two states among "before", "after each write" and "final" must accept each other's signing
 * key. Every prefix of every phase's writes is produced by failing the write after it (an error
 * answer or a dropped connection), then the run is repeated (with the secrets as they are now, and
 * with the failed run's own, now stale, inputs), and every state GitHub held along the way is
 * checked, against the emulator's record of each decrypted value it stored.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import type { Fault, GitHubEmulator } from '../emulator/github.js'
import { parseKeyList } from '../src/keys/fallbacks.js'
import { generateKey } from '../src/keys/key.js'
import { acceptEachOther, planWrites, type KeyState } from '../src/rotation/plan.js'
import { rotate } from '../src/rotation/rotate.js'
import { RotationFailure } from '../src/rotation/rotation-failure.js'
import {
  daysAgo,
  emulatedGitHub,
  inputsWith,
  REPOSITORY,
  servicesFor,
  stopEmulator
} from './helpers.js'

const scope = { repository: REPOSITORY }
let github: GitHubEmulator
afterEach(() => github && stopEmulator(github))

const rawInputs = () => ({
  'current-key': github.secret(scope, 'SECRET_KEY')?.value ?? '',
  'current-fallbacks': github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? ''
})
const held = (): KeyState => ({
  key: github.secret(scope, 'SECRET_KEY')?.value ?? '',
  fallbacks: parseKeyList(github.secret(scope, 'SECRET_KEY_FALLBACKS')?.value ?? '')
})
const settings = { 'max-fallbacks': '2', 'retire-after-days': '14' }

function run(phase: string, given: Record<string, string> = rawInputs()) {
  const inputs = inputsWith({ ...settings, ...given, phase })
  return rotate(inputs, servicesFor(github, inputs))
}

function age(days: number): void {
  for (const name of ['SECRET_KEY', 'SECRET_KEY_FALLBACKS']) {
    const stored = github.secret(scope, name)
    if (stored) github.setSecret(scope, name, stored.value, daysAgo(days))
  }
}

/** The repository as each phase finds it in a real life: a key, two old fallbacks, then the earlier phases. */
async function ready(phase: 'stage' | 'promote' | 'retire'): Promise<void> {
  github = await emulatedGitHub()
  github.setSecret(scope, 'SECRET_KEY', generateKey(50, 'urlsafe'), daysAgo(60))
  github.setSecret(
    scope,
    'SECRET_KEY_FALLBACKS',
    [generateKey(50, 'hex'), generateKey(50, 'django')].join('\n'),
    daysAgo(60)
  )
  if (phase === 'stage') return
  await run('stage')
  age(2)
  if (phase === 'promote') return
  await run('promote')
  age(20)
}

/** `before`, then the state after each value the emulator stored since `from`. */
function statesSince(before: KeyState, from: number): KeyState[] {
  const states = [before]
  for (const { name, value } of github.writtenSecrets(scope).slice(from)) {
    const last = states[states.length - 1]
    states.push(
      name === 'SECRET_KEY' ? { ...last, key: value } : { ...last, fallbacks: parseKeyList(value) }
    )
  }
  return states
}

/** The signing keys of consecutive states: a key that stopped signing never signs again. */
function signingKeysNeverReturn(states: readonly KeyState[]): boolean {
  const order = states.map((state) => state.key).filter((key, i, all) => key !== all[i - 1])
  return new Set(order).size === order.length
}

const modes: [string, Omit<Fault, 'method' | 'path' | 'after'>][] = [
  ['an error answer', { status: 500 }],
  ['a dropped connection', { drop: true }]
]
const reruns = ['with the secrets as they are now', "with the failed run's own inputs"] as const

describe.each(['stage', 'promote', 'retire'] as const)('%s', (phase) => {
  it('keeps every two states mutually valid after every prefix of its writes, and a re-run completes it', async () => {
    await ready(phase)
    const clean = held()
    const cleanFrom = github.writtenSecrets(scope).length
    await run(phase)
    const cleanStates = statesSince(clean, cleanFrom)
    const writeCount = cleanStates.length - 1
    expect(writeCount).toBe({ stage: 1, promote: 3, retire: 1 }[phase])
    expect(acceptEachOther(cleanStates)).toBe(true)
    await stopEmulator(github)

    const checked: string[] = []
    for (let prefix = 0; prefix < writeCount; prefix++) {
      for (const [modeName, mode] of modes) {
        for (const rerun of reruns) {
          await ready(phase)
          const before = held()
          const given = rawInputs()
          const from = github.writtenSecrets(scope).length
          // Retire empties the list, which is a DELETE (an empty list is never stored).
          for (const method of ['PUT', 'DELETE']) {
            github.fail({ method, path: /\/actions\/secrets\/[A-Z_]+$/, after: prefix, ...mode })
          }
          const error = await run(phase).then(
            () => undefined,
            (caught: unknown) => caught
          )
          expect(error).toBeInstanceOf(RotationFailure)
          const message = (error as RotationFailure).message
          expect(message).toContain(
            prefix === 0
              ? 'Nothing was written'
              : `The ${phase} stopped after ${prefix} of its writes`
          )
          github.clearFaults()
          const report = await run(phase, rerun === reruns[0] ? rawInputs() : given)
          expect(report.phase).toBe(phase)

          const states = [...statesSince(before, from), held()]
          const label = `${phase}: ${prefix} writes, then ${modeName}, re-run ${rerun}`
          expect({ label, valid: acceptEachOther(states) }).toEqual({ label, valid: true })
          expect({ label, ok: signingKeysNeverReturn(states) }).toEqual({ label, ok: true })
          expectComplete(phase, before, held())
          checked.push(label)
          await stopEmulator(github)
        }
      }
    }
    expect(checked).toHaveLength(writeCount * modes.length * reruns.length)
    github = undefined as unknown as GitHubEmulator
  })
})

describe.each(['stage', 'promote', 'retire'] as const)(
  '%s with a fault on any request',
  (phase) => {
    it('leaves mutually valid states, and a failed run is completed by a re-run', async () => {
      await ready(phase)
      const first = github.requests.length
      await run(phase)
      const kinds = github.requests
        .slice(first)
        .map(({ method, path }) => `${method} ${path}`)
        .filter((kind, index, all) => all.indexOf(kind) === index)
      await stopEmulator(github)
      expect(kinds.length).toBeGreaterThanOrEqual(5)

      for (const kind of kinds) {
        const [method, path] = kind.split(' ')
        await ready(phase)
        const before = held()
        const from = github.writtenSecrets(scope).length
        github.fail({ method, path: new RegExp(`^${path}$`), status: 500 })
        const failed = await run(phase).then(
          () => false,
          (caught: unknown) => {
            expect(caught).toBeInstanceOf(RotationFailure)
            return true
          }
        )
        github.clearFaults()
        if (failed) expect((await run(phase)).phase).toBe(phase)
        const states = [...statesSince(before, from), held()]
        expect({ kind, valid: acceptEachOther(states) }).toEqual({ kind, valid: true })
        expect({ kind, ok: signingKeysNeverReturn(states) }).toEqual({ kind, ok: true })
        if (phase !== 'stage') expectComplete(phase, before, held())
        await stopEmulator(github)
      }
      github = undefined as unknown as GitHubEmulator
    })
  }
)

/** What each phase leaves once it is complete, whatever failed on the way. */
function expectComplete(phase: string, before: KeyState, after: KeyState): void {
  if (phase === 'stage') {
    expect(after.key).toBe(before.key)
    expect(before.fallbacks).not.toContain(after.fallbacks[0])
    expect(after.fallbacks.slice(1)).toEqual(before.fallbacks.slice(0, 2))
  } else if (phase === 'promote') {
    expect(after).toEqual({
      key: before.fallbacks[0],
      fallbacks: [before.key, ...before.fallbacks.slice(1, 2)]
    })
  } else {
    expect(after).toEqual({ key: before.key, fallbacks: [] })
  }
}

describe('the plans themselves', () => {
  const keys = Array.from({ length: 6 }, (_, index) => `key-${index}-${'x'.repeat(44)}`)
  const [signing, staged, newKey, ...old] = keys

  /** Every state a run of the phase can start from: a clean one, or one an earlier run left. */
  it('reach the same final state from every prefix of a promote, and write SECRET_KEY only with the staged key', () => {
    for (let max = 0; max <= 3; max++) {
      const start: KeyState = { key: signing, fallbacks: [staged, ...old] }
      const writes = planWrites(start, { phase: 'promote', staged, maxFallbacks: max })
      const states = [start, ...writes.map((write) => write.leaves)]
      expect(acceptEachOther(states)).toBe(true)
      expect(writes.filter((write) => write.secret === 'key').map((w) => w.leaves.key)).toEqual([
        staged
      ])
      const final = states[states.length - 1]
      expect(final.fallbacks[0]).toBe(signing)
      for (const state of states) {
        const resumed = planWrites(state, { phase: 'promote', staged, maxFallbacks: max })
        expect(acceptEachOther([state, ...resumed.map((write) => write.leaves)])).toBe(true)
        expect(resumed.at(-1)?.leaves ?? state).toEqual(final)
      }
    }
  })

  it('keep stage and retire to one write that leaves SECRET_KEY alone', () => {
    const start: KeyState = { key: signing, fallbacks: old }
    const stage = planWrites(start, { phase: 'stage', newKey, maxFallbacks: 1 })
    expect(stage).toEqual([
      { secret: 'fallbacks', leaves: { key: signing, fallbacks: [newKey, old[0]] } }
    ])
    const retire = planWrites(stage[0].leaves, { phase: 'retire', staged: newKey })
    expect(retire).toEqual([{ secret: 'fallbacks', leaves: { key: signing, fallbacks: [newKey] } }])
    expect(planWrites(retire[0].leaves, { phase: 'retire', staged: newKey })).toEqual([])
  })

  it('exempt one-step rotate, whose new key signs before any instance trusts it', () => {
    const start: KeyState = { key: signing, fallbacks: old }
    const rotate = planWrites(start, {
      phase: 'rotate',
      newKey,
      maxFallbacks: 1,
      revokePrevious: false
    })
    expect(rotate.map((write) => write.secret)).toEqual(['fallbacks', 'key'])
    expect(acceptEachOther([start, ...rotate.map((write) => write.leaves)])).toBe(false)
  })
})
