import { describe, expect, it } from '@jest/globals'
import { generateKey } from '../src/keys/key.js'
import { markdownText } from '../src/reporting/markdown.js'
import { maskableParts, SecretScrubber } from '../src/reporting/scrubber.js'
import { APP_PRIVATE_KEY } from './bad-inputs.js'

describe('SecretScrubber', () => {
  const key = generateKey(50, 'django')

  it('removes a secret wherever a text quotes it', () => {
    const scrubber = new SecretScrubber()
    scrubber.add(key)
    expect(scrubber.scrub(`before ${key} after ${key}`)).toBe('before *** after ***')
  })

  it('removes a multi-line secret whole, line by line, JSON-escaped and as workflow-command data', () => {
    const scrubber = new SecretScrubber()
    scrubber.add(APP_PRIVATE_KEY)
    const lines = APP_PRIVATE_KEY.split('\n')
    for (const quoted of [
      APP_PRIVATE_KEY,
      JSON.stringify(APP_PRIVATE_KEY),
      APP_PRIVATE_KEY.replace(/\n/g, '%0A'),
      `> ${lines.join('\n> ')}`,
      lines[2]
    ]) {
      const scrubbed = scrubber.scrub(
        `Headers.append: "token ${quoted}" is an invalid header value.`
      )
      for (const line of lines.slice(1, -1)) expect(scrubbed).not.toContain(line)
      expect(scrubbed).toContain('***')
    }
  })

  it('removes a secret that Markdown escaping changed, as the issues and the summary escape it', () => {
    const scrubber = new SecretScrubber()
    const awkward = `a@b|c<d>e*f[g]h&i~j\\k\`l${key}`
    scrubber.add(awkward)
    expect(scrubber.scrub(`> ${markdownText(`quoted ${awkward}.`)}`)).toBe('> quoted ***.')
  })

  it('masks each line of a multi-line secret, but not lines too short to be secret', () => {
    expect(maskableParts(APP_PRIVATE_KEY)).toEqual([
      APP_PRIVATE_KEY,
      ...APP_PRIVATE_KEY.split('\n')
    ])
    expect(maskableParts(`ab\n${key}`)).toEqual([`ab\n${key}`, key])
    expect(maskableParts(key)).toEqual([key])
    expect(maskableParts('  \n')).toEqual([])
  })

  it('scrubs the title and body a request publishes, and nothing else', async () => {
    const scrubber = new SecretScrubber()
    scrubber.add(key)
    const sent: Record<string, unknown>[] = []
    const request = scrubber.scrubRequests(async (_route, parameters) => {
      sent.push(parameters ?? {})
      return { status: 201, data: {} }
    })
    await request('POST /repos/{owner}/{repo}/issues', {
      owner: 'octo-org',
      repo: 'django-app',
      title: `Rotated ${key}`,
      body: `key ${key}`,
      labels: [key]
    })
    await request('GET /repos/{owner}/{repo}/issues')
    expect(sent).toEqual([
      {
        owner: 'octo-org',
        repo: 'django-app',
        title: 'Rotated ***',
        body: 'key ***',
        labels: [key]
      },
      {}
    ])
  })
})
