import { generateKey } from '../src/keys/key.js'

const key = generateKey(50, 'django')

/** Every input with the bad values a user can give it, and the message that must name it. */
export const BAD_INPUTS: [name: string, value: string, message: RegExp][] = [
  ['token', '', /Input "token" is required/],
  ['current-key', 'has space', /Input "current-key" holds a space/],
  ['current-key', 'ключ'.repeat(20), /Input "current-key" holds .*non-ASCII/],
  ['current-key', 'k'.repeat(49 * 1024), /Input "current-key" is larger than GitHub's 48 KB limit/],
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
  ['max-fallbacks', '1.5', /Input "max-fallbacks" must be a whole number from 0 to 20, got "1.5"/],
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
  ['issue-token', '', /Input "issue-token" is empty while "open-issue" is true/],
  [
    'issue-labels',
    `secret-rotation, ${'x'.repeat(51)}`,
    /Input "issue-labels" holds a label of 51 characters .* GitHub allows at most 50/
  ]
]
