/**
 * script/release in a throwaway git repository: what --dry-run prints,
 * the tags a release makes and moves, and each refusal (dirty tree, no changelog entry, stale
 * dist/, a version already released), none of which tags anything.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT } from '../emulator/runner.js'

const identity = {
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@example.com',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@example.com',
  GIT_CONFIG_NOSYSTEM: '1'
}
let repository = ''

function git(...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repository,
    env: { ...process.env, ...identity },
    encoding: 'utf8'
  }).trim()
}

function release(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(join(repository, 'script', 'release'), args, {
    cwd: repository,
    env: { ...process.env, ...identity },
    encoding: 'utf8'
  })
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr }
}

function tags(): Record<string, string> {
  const lines = git('for-each-ref', '--format=%(refname:short) %(*objectname)', 'refs/tags')
  return Object.fromEntries(
    lines
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '))
  )
}

function setVersion(version: string, packageCommand?: string): void {
  const path = join(repository, 'package.json')
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
    version: string
    scripts: Record<string, string>
  }
  if (packageCommand) manifest.scripts.package = packageCommand
  writeFileSync(path, `${JSON.stringify({ ...manifest, version }, null, 2)}\n`)
}

beforeAll(() => {
  // The release files of this work tree around a one-line action: the builds stay quick, and what
  // is tested is the script, with package.json's own package command.
  repository = mkdtempSync(join(tmpdir(), 'release-'))
  for (const file of ['package.json', 'tsconfig.json', 'CHANGELOG.md', 'script/release']) {
    mkdirSync(dirname(join(repository, file)), { recursive: true })
    cpSync(join(ROOT, file), join(repository, file))
  }
  mkdirSync(join(repository, 'src'))
  writeFileSync(join(repository, 'src', 'index.ts'), "console.log('rotated')\n")
  symlinkSync(join(ROOT, 'node_modules'), join(repository, 'node_modules'))
  writeFileSync(join(repository, '.gitignore'), 'node_modules\n')
  setVersion('1.0.0')
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-qm', 'Before the first release')
  git('tag', '-a', 'v1', '-m', 'an earlier v1', 'HEAD')
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: repository, stdio: 'ignore' })
  git('add', '-A')
  git('commit', '-qm', 'Build dist/')
}, 120_000)

afterAll(() => rmSync(repository, { recursive: true, force: true }))

describe('script/release', () => {
  it('refuses a dirty work tree', () => {
    writeFileSync(join(repository, 'notes.txt'), 'not committed')
    const result = release('--dry-run')
    rmSync(join(repository, 'notes.txt'))
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('the work tree has uncommitted changes')
    expect(Object.keys(tags())).toEqual(['v1'])
  })

  it('--dry-run prints the tag it would make and the major tag it would move, and changes nothing', () => {
    const before = tags()
    const head = git('rev-parse', 'HEAD')
    const result = release('--dry-run')
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain(`tag  v1.0.0 -> ${head}`)
    expect(result.stdout).toContain(`move v1: ${before.v1} -> ${head}`)
    expect(result.stdout).toContain('dry run: nothing was tagged')
    expect(tags()).toEqual(before)
    expect(git('status', '--porcelain')).toBe('')
  }, 120_000)

  it('tags vX.Y.Z from package.json and moves the major tag to it', () => {
    const head = git('rev-parse', 'HEAD')
    const result = release()
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('git push origin v1.0.0 && git push --force origin v1')
    expect(tags()).toEqual({ v1: head, 'v1.0.0': head })
  }, 120_000)

  it('refuses a version that CHANGELOG.md does not describe', () => {
    setVersion('1.0.1')
    git('commit', '-qam', 'Version 1.0.1')
    const result = release('--dry-run')
    expect(result.status).toBe(1)
    expect(result.stderr).toContain("CHANGELOG.md has no '## [1.0.1]' section")
  })

  it('refuses a stale dist/', () => {
    const changelog = join(repository, 'CHANGELOG.md')
    writeFileSync(
      changelog,
      readFileSync(changelog, 'utf8').replace('## [1.0.0]', '## [1.0.1] - 2026-12-06\n\n## [1.0.0]')
    )
    const index = join(repository, 'src', 'index.ts')
    writeFileSync(index, "console.log('rotated again')\n")
    git('commit', '-qam', 'Change the sources, not dist/')
    const before = tags()
    const result = release('--dry-run')
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('dist/ is stale')
    expect(tags()).toEqual(before)
    expect(git('status', '--porcelain')).toBe('')
  }, 120_000)

  it('refuses a version that is already released on another commit', () => {
    setVersion('1.0.0')
    git('commit', '-qam', 'Back to 1.0.0')
    const result = release('--dry-run')
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/v1\.0\.0 already tags [0-9a-f]{40}, not HEAD/)
  })

  it('checks a build that writes dist/ in place too, and leaves dist/ as committed', () => {
    setVersion('1.0.2', 'mkdir -p dist && cp src/index.ts dist/index.js')
    const changelog = join(repository, 'CHANGELOG.md')
    writeFileSync(
      changelog,
      readFileSync(changelog, 'utf8').replace('## [1.0.1]', '## [1.0.2] - 2026-12-07\n\n## [1.0.1]')
    )
    git('commit', '-qam', 'Version 1.0.2, built by copying')
    const stale = release('--dry-run')
    expect(stale.status).toBe(1)
    expect(stale.stderr).toContain('dist/ is stale')
    expect(git('status', '--porcelain')).toBe('')

    execFileSync('npm', ['run', '--silent', 'package'], { cwd: repository, stdio: 'ignore' })
    git('add', '-A')
    git('commit', '-qm', 'Build dist/ by copying')
    const fresh = release('--dry-run')
    expect(fresh.stderr).toBe('')
    expect(fresh.stdout).toContain(`tag  v1.0.2 -> ${git('rev-parse', 'HEAD')}`)
    expect(git('status', '--porcelain')).toBe('')
  })
})
