/**
 * The files a team checks before trusting the action: the licence, the changelog, the security
 * policy, the published name, and a production dependency tree that holds only what ships.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../emulator/runner.js'
import { REPOSITORY_SLUG } from './workflow-rules.js'

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string
  license: string
  repository: { url: string }
}
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

describe('project files', () => {
  it('LICENSE is the licence package.json names', () => {
    expect(manifest.license).toBe('MIT')
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} /
    )
  })

  it('package.json names the repository the README tells users to use', () => {
    expect(manifest.repository.url).toBe(`git+https://github.com/${REPOSITORY_SLUG}.git`)
  })

  it('CHANGELOG.md keeps a changelog with an entry for the version in package.json', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
    expect(changelog).toContain('## [Unreleased]')
    expect(changelog).toMatch(
      new RegExp(`^## \\[${manifest.version}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm')
    )
    expect(changelog).toContain(`[${manifest.version}]: https://github.com/${REPOSITORY_SLUG}/`)
  })

  it('the README links SECURITY.md, CHANGELOG.md and LICENSE', () => {
    for (const file of ['SECURITY.md', 'CHANGELOG.md', 'LICENSE'])
      expect(readme).toContain(`](${file})`)
  })

  it('SECURITY.md says how to report a vulnerability and how to scope the token', () => {
    const security = readFileSync(join(ROOT, 'SECURITY.md'), 'utf8')
    for (const heading of [
      '## What the action protects',
      '## What it cannot protect against',
      '## Who should hold the token',
      '### Scoping a GitHub App token to one repository with the least permissions',
      '## Reporting a vulnerability'
    ])
      expect(security).toContain(`\n${heading}\n`)
  })
})

describe('the production dependency tree', () => {
  /** Every installed production package, by name, with its package.json. */
  function productionPackages(): Map<
    string,
    { main?: string; module?: string; exports?: unknown }
  > {
    const paths = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: ROOT,
      encoding: 'utf8'
    })
      .split('\n')
      .filter((path) => path.includes('node_modules'))
    return new Map(
      paths.map((path) => {
        const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as {
          name: string
          main?: string
          module?: string
          exports?: unknown
        }
        return [pkg.name, pkg]
      })
    )
  }

  /** The packages dist/licenses.txt lists: a name line, then its licence's SPDX identifier. */
  function bundledLicences(): Map<string, string> {
    const lines = readFileSync(join(ROOT, 'dist', 'licenses.txt'), 'utf8').split('\n')
    const listed = new Map<string, string>()
    lines.forEach((line, index) => {
      const starts = index === 0 || lines[index - 1] === ''
      if (starts && /^(@[\w.-]+\/)?[\w.-]+$/.test(line) && /^[\w.-]+$/.test(lines[index + 1] ?? ''))
        listed.set(line, lines[index + 1])
    })
    return listed
  }

  it('holds nothing the bundle does not use, and the bundle lists the licence of all it holds', () => {
    const installed = productionPackages()
    const licences = bundledLicences()
    // Packages of type definitions only have no code to bundle.
    const withCode = [...installed]
      .filter(([, pkg]) => Boolean(pkg.main || pkg.module || pkg.exports))
      .map(([name]) => name)
    expect(withCode.sort()).toEqual([...licences.keys()].sort())
    for (const licence of licences.values())
      expect(licence).toMatch(/^(MIT|ISC|Apache-2\.0|BSD-[23]-Clause)$/)
  })
})
