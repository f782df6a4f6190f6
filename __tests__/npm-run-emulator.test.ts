/** `npm run emulator` serves the seeded scenario on its own, for any client a user points at it. */
import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import sodium from 'libsodium-wrappers'
import { ROOT } from '../emulator/runner.js'
import { fingerprint } from '../src/keys/fingerprint.js'
import { REPOSITORY, ROTATION_TOKEN, WORKFLOW_TOKEN } from './helpers.js'

describe('npm run emulator', () => {
  it('prints its URL and tokens and answers a client as GitHub would, until stopped', async () => {
    // Its own process group, so that stopping it stops npm, tsx and the emulator together.
    const child = spawn('npm', ['run', '--silent', 'emulator'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
          if (match && stdout.includes('Stop with Ctrl-C.')) resolve(match[1])
        })
        child.on('close', () => reject(new Error(`the emulator stopped early:\n${stdout}`)))
      })
      expect(stdout).toContain(`rotation token  ${ROTATION_TOKEN}`)
      expect(stdout).toContain(`workflow token  ${WORKFLOW_TOKEN}`)
      expect(stdout).toContain(`GITHUB_API_URL=${url}`)

      const response = await fetch(`${url}/repos/${REPOSITORY}/actions/secrets/public-key`, {
        headers: { authorization: `Bearer ${ROTATION_TOKEN}` }
      })
      expect(response.status).toBe(200)
      const { key } = (await response.json()) as { key: string }
      await sodium.ready
      expect(sodium.from_base64(key, sodium.base64_variants.ORIGINAL)).toHaveLength(32)

      const seeded = /^INPUT_CURRENT-KEY='(.+)'$/m.exec(stdout)?.[1] ?? ''
      expect(stdout).toContain(`SECRET_KEY      ${fingerprint(seeded)}, set 30 days ago`)
      const secret = await fetch(`${url}/repos/${REPOSITORY}/actions/secrets/SECRET_KEY`, {
        headers: { authorization: `Bearer ${WORKFLOW_TOKEN}` }
      })
      // The workflow token has no secrets permission, as on GitHub.
      expect(secret.status).toBe(403)
    } finally {
      process.kill(-(child.pid as number), 'SIGTERM')
    }
    await exited
    expect(stdout).toContain('requests answered; stopping.')
  }, 60_000)
})
