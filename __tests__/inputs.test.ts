import { describe, expect, it } from '@jest/globals'
import { generateKey } from '../src/keys/key.js'
import { BAD_INPUTS } from './bad-inputs.js'
import { inputsWith, REPOSITORY, ROTATION_TOKEN } from './helpers.js'

const key = generateKey(50, 'django')

/** A value as a test's name shows it: long ones by their start and length. */
function shown(value: string): string {
  return value.length > 60
    ? `${JSON.stringify(value.slice(0, 30))}… (${value.length} characters)`
    : JSON.stringify(value)
}

describe('readInputs', () => {
  it("reads action.yml's defaults into a typed object", () => {
    expect(inputsWith({})).toEqual({
      token: ROTATION_TOKEN,
      currentKey: '',
      currentFallbacks: [],
      secretName: 'SECRET_KEY',
      fallbacksSecretName: 'SECRET_KEY_FALLBACKS',
      repository: { owner: 'octo-org', repo: 'django-app' },
      environment: '',
      maxFallbacks: 1,
      keyLength: 50,
      keyAlphabet: 'urlsafe',
      fallbacksFormat: 'csv',
      revokePrevious: false,
      dryRun: false,
      openIssue: true,
      issueToken: 'workflow-token',
      issueLabels: ['secret-rotation'],
      issueAssignees: [],
      closePreviousIssue: true,
      minAgeDays: 0,
      issueOnFailure: true,
      failOnIssueError: false,
      phase: 'rotate',
      promoteAfterDays: 1,
      retireAfterDays: 0
    })
  })

  it('accepts every documented value', () => {
    const inputs = inputsWith({
      'current-key': key,
      'current-fallbacks': `["${generateKey(50, 'hex')}"]`,
      'secret-name': 'django_secret',
      'fallbacks-secret-name': 'DJANGO_SECRET_OLD',
      environment: 'production',
      'max-fallbacks': '20',
      'key-length': '1024',
      'key-alphabet': 'DJANGO',
      'fallbacks-format': 'lines',
      'revoke-previous': 'TRUE',
      'dry-run': 'True',
      'issue-labels': 'security, rotation',
      'issue-assignees': 'alice\nbob'
    })
    expect(inputs).toMatchObject({
      secretName: 'DJANGO_SECRET',
      maxFallbacks: 20,
      keyLength: 1024,
      keyAlphabet: 'django',
      fallbacksFormat: 'lines',
      revokePrevious: true,
      dryRun: true,
      issueLabels: ['security', 'rotation'],
      issueAssignees: ['alice', 'bob']
    })
    expect(inputs.currentFallbacks).toHaveLength(1)
  })

  it.each(
    BAD_INPUTS.map(
      ([name, value, message, together = {}]) =>
        [name, shown(value), value, message, together] as const
    )
  )('refuses %s = %s with a message that names it', (name, _shown, value, message, together) => {
    expect(() => inputsWith({ ...together, [name]: value })).toThrow(message)
  })

  it('never repeats a key in its messages', () => {
    const secret = generateKey(50, 'urlsafe')
    for (const given of [
      { 'current-fallbacks': `["${secret}"` },
      { 'current-fallbacks': `${secret},bad key` }
    ]) {
      expect(() => inputsWith(given)).toThrow()
      try {
        inputsWith(given)
      } catch (error) {
        expect((error as Error).message).not.toContain(secret)
      }
    }
  })

  it('reports every problem at once', () => {
    expect(() =>
      inputsWith({
        'max-fallbacks': 'x',
        'key-alphabet': 'y',
        repository: REPOSITORY.replace('/', '')
      })
    ).toThrow(/nothing was written:\n- .*repository.*\n- .*max-fallbacks.*\n- .*key-alphabet/)
  })

  it('tolerates no issue token when no issue is opened', () => {
    expect(inputsWith({ 'issue-token': '', 'open-issue': 'false' }).openIssue).toBe(false)
  })
})
