import { describe, expect, it } from '@jest/globals'
import { generateKey } from '../src/key.js'
import { inputsWith, REPOSITORY, ROTATION_TOKEN } from './helpers.js'

const key = generateKey(50, 'django')

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
      failOnIssueError: false
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

  it.each([
    ['token', '', /Input "token" is required/],
    ['current-key', 'has space', /Input "current-key" holds a space/],
    ['current-key', 'ключ'.repeat(20), /Input "current-key" holds .*non-ASCII/],
    [
      'current-key',
      'k'.repeat(49 * 1024),
      /Input "current-key" is larger than GitHub's 48 KB limit/
    ],
    [
      'current-fallbacks',
      `["${key}"`,
      /Input "current-fallbacks" cannot be read as a key list: it starts with "\[" but is not valid JSON/
    ],
    ['current-fallbacks', '{"a": 1}', /Input "current-fallbacks" entry 1 holds a space/],
    ['current-fallbacks', '[1, 2]', /not an array of strings/],
    ['current-fallbacks', `${key}\nnot a key`, /Input "current-fallbacks" entry 2 holds a space/],
    ['secret-name', '1KEY', /Input "secret-name" must be a GitHub secret name .* got "1KEY"/],
    ['secret-name', 'GITHUB_KEY', /Input "secret-name" must be a GitHub secret name/],
    ['secret-name', 'SECRET-KEY', /Input "secret-name" must be a GitHub secret name/],
    [
      'fallbacks-secret-name',
      'secret_key',
      /must name different secrets, got "SECRET_KEY" and "secret_key" \(GitHub ignores case/
    ],
    ['repository', 'octo-org', /Input "repository" must be owner\/name/],
    ['repository', 'a/b/c', /Input "repository" must be owner\/name/],
    ['environment', 'x'.repeat(256), /Input "environment" must be an environment name/],
    ['max-fallbacks', '-1', /Input "max-fallbacks" must be a whole number from 0 to 20, got "-1"/],
    [
      'max-fallbacks',
      '1.5',
      /Input "max-fallbacks" must be a whole number from 0 to 20, got "1.5"/
    ],
    ['max-fallbacks', '21', /from 0 to 20, got "21"/],
    ['key-length', '49', /Input "key-length" must be a whole number from 50 to 1024, got "49"/],
    ['key-length', 'fifty', /Input "key-length" must be a whole number/],
    [
      'key-alphabet',
      'base64',
      /Input "key-alphabet" must be one of urlsafe, django, hex, got "base64"/
    ],
    [
      'fallbacks-format',
      'yaml',
      /Input "fallbacks-format" must be one of csv, json, lines, got "yaml"/
    ],
    ['revoke-previous', 'yes', /Input "revoke-previous" must be true or false, got "yes"/],
    ['dry-run', '1', /Input "dry-run" must be true or false/],
    ['open-issue', 'maybe', /Input "open-issue" must be true or false/],
    ['close-previous-issue', '', /Input "close-previous-issue" must be true or false/],
    ['issue-token', '', /Input "issue-token" is empty while "open-issue" is true/]
  ])('refuses %s = %j with a message that names it', (name, value, message) => {
    expect(() => inputsWith({ [name]: value })).toThrow(message)
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
