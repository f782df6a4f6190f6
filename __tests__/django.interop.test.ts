/**
 * Real Django against what the bundled action writes: values signed with the old key before a
 * rotation must still validate after it, with the settings read by every documented reader
 * (__tests__/django/readers, which are the README's snippets), and stop validating once the key
 * leaves the fallbacks or is revoked.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { GitHubEmulator } from '../emulator/github.js'
import { ROOT } from '../emulator/runner.js'
import { FALLBACKS_FORMATS, formatKeyList, type FallbacksFormat } from '../src/keys/fallbacks.js'
import { generateKey, KEY_ALPHABETS, type KeyAlphabet } from '../src/keys/key.js'
import { daysAgo, emulatedGitHub, REPOSITORY, runQueued, stopEmulator } from './helpers.js'

/** Debian's python3 is the one apt installs Django for; another can be named in DJANGO_PYTHON. */
const PYTHON = process.env.DJANGO_PYTHON ?? '/usr/bin/python3'
const INTEROP = join(ROOT, '__tests__', 'django', 'interop.py')
const INSTALL_HINT =
  'Django 4.2 or later with django-environ and python-decouple is needed for /usr/bin/python3: run ' +
  "'bash .ci/install-django' (it adds bookworm-backports and runs apt-get install -t bookworm-backports " +
  'python3-django python3-django-environ python3-decouple)'

/** The README's readers for each format. */
export const READERS: Record<FallbacksFormat, string[]> = {
  csv: ['csv_split', 'csv_environ', 'csv_decouple'],
  json: ['json_loads'],
  lines: ['lines_split']
}

type Signed = Record<string, string>
interface Verified {
  valid: Record<string, boolean>
  secret_key: string
  fallbacks: string[]
  deploy_checks: string[]
}

function python<T>(
  command: 'sign' | 'verify',
  environment: Record<string, string>,
  input?: Signed
): T {
  const result = spawnSync(PYTHON, [INTEROP, command], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...environment },
    input: input === undefined ? undefined : JSON.stringify(input),
    encoding: 'utf8'
  })
  if (result.status !== 0)
    throw new Error(`interop.py ${command} failed: ${result.stderr || result.error?.message}`)
  return JSON.parse(result.stdout) as T
}

const digest = (key: string) => createHash('sha256').update(key).digest('hex')
const repository = { repository: REPOSITORY }
let github: GitHubEmulator

/** The environment a deploy gives the app: the two secrets as GitHub holds them now. */
function deployed(reader: string): Record<string, string> {
  return {
    SETTINGS_READER: reader,
    SECRET_KEY: github.secret(repository, 'SECRET_KEY')?.value ?? '',
    SECRET_KEY_FALLBACKS: github.secret(repository, 'SECRET_KEY_FALLBACKS')?.value ?? ''
  }
}

const signWith = (key: string): Signed =>
  python('sign', { SETTINGS_READER: 'json_loads', SECRET_KEY: key })
const allValid = {
  'signing.dumps': true,
  TimestampSigner: true,
  'signed_cookies session': true,
  PasswordResetTokenGenerator: true,
  'messages cookie': true
}
const noneValid = Object.fromEntries(Object.keys(allValid).map((name) => [name, false]))

beforeAll(() => {
  const probe = spawnSync(PYTHON, [
    '-c',
    'import django, environ, decouple, sys; sys.exit(0 if django.VERSION >= (4, 2) else 3)'
  ])
  if (probe.status !== 0) throw new Error(INSTALL_HINT)
})
beforeEach(async () => {
  github = await emulatedGitHub()
})
afterEach(() => stopEmulator(github))

/** A key with the alphabet's hardest characters for the readers: "#" when the alphabet has it. */
function awkwardKey(alphabet: KeyAlphabet): string {
  for (;;) {
    const key = generateKey(50, alphabet)
    if (!KEY_ALPHABETS[alphabet].includes('#') || key.includes('#')) return key
  }
}

describe.each(Object.keys(KEY_ALPHABETS) as KeyAlphabet[])('key-alphabet %s', (alphabet) => {
  it.each([...FALLBACKS_FORMATS])(
    'fallbacks-format %s: every documented reader keeps old values valid, or the action warns why not',
    async (format) => {
      const [oldKey, olderKey] = [awkwardKey(alphabet), awkwardKey(alphabet)]
      github.setSecret(repository, 'SECRET_KEY', oldKey, daysAgo(30))
      github.setSecret(
        repository,
        'SECRET_KEY_FALLBACKS',
        formatKeyList([olderKey], format),
        daysAgo(30)
      )
      const signedOld = signWith(oldKey)
      const signedOlder = signWith(olderKey)

      const run = await runQueued(github, {
        'key-alphabet': alphabet,
        'fallbacks-format': format,
        'max-fallbacks': '2'
      })
      expect(run.exitCode).toBe(0)
      const warnedAboutDecouple = /python-decouple's Csv\(\) (would )?cuts?/.test(run.stdout)
      expect(warnedAboutDecouple).toBe(alphabet === 'django' && format === 'csv')

      for (const reader of READERS[format]) {
        const now = deployed(reader)
        const old = python<Verified>('verify', now, signedOld)
        const older = python<Verified>('verify', now, signedOlder)
        if (reader === 'csv_decouple' && warnedAboutDecouple) {
          // The reason for the warning, shown by the parser itself: it cuts the list at the "#".
          expect(old.fallbacks).not.toEqual([digest(oldKey), digest(olderKey)])
          continue
        }
        expect({ reader, secretKey: old.secret_key, fallbacks: old.fallbacks }).toEqual({
          reader,
          secretKey: digest(now.SECRET_KEY),
          fallbacks: [digest(oldKey), digest(olderKey)]
        })
        expect({ reader, old: old.valid, older: older.valid }).toEqual({
          reader,
          old: allValid,
          older: allValid
        })
        expect(old.deploy_checks).not.toContain('security.W009')
        expect(old.deploy_checks).not.toContain('security.W025')
      }
    }
  )
})

describe('keys that leave', () => {
  it('rejects values signed with a key once rotations push it past max-fallbacks', async () => {
    const firstKey = generateKey(50, 'urlsafe')
    github.setSecret(repository, 'SECRET_KEY', firstKey, daysAgo(90))
    const signed = signWith(firstKey)
    const validity: boolean[] = []
    for (let rotation = 1; rotation <= 3; rotation++) {
      expect(
        (await runQueued(github, { 'max-fallbacks': '2', 'fallbacks-format': 'json' })).exitCode
      ).toBe(0)
      validity.push(
        python<Verified>('verify', deployed('json_loads'), signed).valid['signing.dumps']
      )
    }
    expect(validity).toEqual([true, true, false])
    expect(python<Verified>('verify', deployed('json_loads'), signed).valid).toEqual(noneValid)
  })

  it('rejects values signed with the old key after revoke-previous', async () => {
    const leaked = generateKey(50, 'urlsafe')
    github.setSecret(repository, 'SECRET_KEY', leaked, daysAgo(3))
    const signed = signWith(leaked)
    expect((await runQueued(github, { 'revoke-previous': 'true' })).exitCode).toBe(0)
    const after = python<Verified>('verify', deployed('csv_split'), signed)
    expect(after.valid).toEqual(noneValid)
    expect(after.fallbacks).toEqual([])
    expect(after.deploy_checks).not.toContain('security.W009')
  })

  it('warns when an old key starting with "$" would make django-environ read the list as a reference', async () => {
    const dollar = `$${generateKey(50, 'urlsafe')}`
    github.setSecret(repository, 'SECRET_KEY', dollar, daysAgo(30))
    const run = await runQueued(github, {})
    expect(run.stdout).toMatch(
      /::warning::SECRET_KEY_FALLBACKS as written now: django-environ would read them as a reference/
    )
    const environ = spawnSync(PYTHON, [INTEROP, 'verify'], {
      env: { PATH: process.env.PATH ?? '', ...deployed('csv_environ') },
      input: JSON.stringify(signWith(dollar)),
      encoding: 'utf8'
    })
    // The parser's own behaviour, the reason for the warning: it looks up a variable of that name
    // instead of reading the list, so the old key is not a fallback (or settings fail to load).
    const misread =
      environ.status !== 0 ||
      !(JSON.parse(environ.stdout) as Verified).fallbacks.includes(digest(dollar))
    expect(misread).toBe(true)
  })
})
