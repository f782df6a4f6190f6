import { generateKey } from '../src/keys/key.js'

const key = generateKey(50, 'django')
/** What a GitHub App's private key looks like: the secret most often passed as a token by mistake. */
export const APP_PRIVATE_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  ...Array.from({ length: 4 }, () => generateKey(64, 'urlsafe')),
  '-----END RSA PRIVATE KEY-----'
].join('\n')
/** A key of 30 KB: two of them make a fallbacks list over GitHub's 48 KB limit. */
const largeKey = generateKey(1024, 'urlsafe').repeat(30)

/**
 * Every input with the bad values a user can give it, the message that must name it, and any
 * other inputs that make the value bad together with it.
 */
export const BAD_INPUTS: [
  name: string,
  value: string,
  message: RegExp,
  together?: Record<string, string>
][] = [
  ['token', '', /Input "token" is required/],
  [
    'token',
    APP_PRIVATE_KEY,
    /Input "token" holds a private key .*GitHub App's private key\. Pass the token actions\/create-github-app-token makes/
  ],
  ['token', 'ghp_first ghp_second', /Input "token" holds whitespace/],
  ['token', 'ghp_\u0007bell', /Input "token" holds a character no GitHub token has/],
  ['issue-token', APP_PRIVATE_KEY, /Input "issue-token" holds a private key/],
  ['current-key', 'has space', /Input "current-key" holds a space/],
  [
    'current-key',
    `${key}\n`,
    /Input "current-key" has whitespace before or after the key \(a line break at its end\?\)/
  ],
  ['current-key', ` ${key}`, /Input "current-key" has whitespace before or after the key/],
  ['current-key', 'ключ'.repeat(20), /Input "current-key" holds .*non-ASCII/],
  ['current-key', 'k'.repeat(49 * 1024), /Input "current-key" is larger than GitHub's 48 KB limit/],
  [
    'current-fallbacks',
    `["${key}"`,
    /Input "current-fallbacks" cannot be read as a key list: it looks like a JSON list \(in brackets, or with double quotes\) but is not valid JSON/
  ],
  ['current-fallbacks', '{"a": 1}', /it is JSON but not an array of strings/],
  ['current-fallbacks', '[1, 2]', /not an array of strings/],
  ['current-fallbacks', "['a', 'b']", /cannot be read as a key list: it looks like a JSON list/],
  ['current-fallbacks', `${key}\nnot a key`, /Input "current-fallbacks" entry 2 holds a space/],
  ['current-fallbacks', `[" ${key}"]`, /Input "current-fallbacks" entry 1 holds a space/],
  [
    'current-fallbacks',
    largeKey,
    /Inputs "current-key" and "current-fallbacks" with max-fallbacks 2 make a fallbacks list of \d+ bytes, over GitHub's 48 KB \(49152 bytes\) limit/,
    { 'current-key': largeKey.split('').reverse().join(''), 'max-fallbacks': '2' }
  ],
  [
    'current-fallbacks',
    ']',
    /written as lines, would read back as a JSON list .*: set fallbacks-format: json/,
    { 'current-key': '[', 'max-fallbacks': '2', 'fallbacks-format': 'lines' }
  ],
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
  ['repository', 'octo-org/..', /Input "repository" must be owner\/name.* got "octo-org\/\.\."/],
  ['repository', 'octo-org/.', /Input "repository" must be owner\/name.* not "\." or "\.\."/],
  ['repository', '-bad-/x', /Input "repository" must be owner\/name.* got "-bad-\/x"/],
  ['repository', `${'o'.repeat(40)}/app`, /Input "repository" must be owner\/name/],
  ['repository', `octo-org/${'r'.repeat(101)}`, /Input "repository" must be owner\/name/],
  ['repository', 'octo-org/app name', /Input "repository" must be owner\/name/],
  ['environment', 'x'.repeat(256), /Input "environment" must be an environment name/],
  ['environment', '.', /Input "environment" must be .*not "\." or "\.\.", got "\."/],
  ['environment', '..', /Input "environment" must be .*not "\." or "\.\."/],
  [
    'environment',
    'prod\u0007uction',
    /Input "environment" must be an environment name of at most 255 printable characters.*got "prod\\u0007uction"/
  ],
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
  [
    'min-age-days',
    '3651',
    /Input "min-age-days" must be a whole number from 0 to 3650, got "3651"/
  ],
  ['issue-token', '', /Input "issue-token" is empty while "open-issue" is true/],
  [
    'issue-labels',
    `secret-rotation, ${'x'.repeat(51)}`,
    /Input "issue-labels" holds a label of 51 characters .* GitHub allows at most 50/
  ],
  [
    'phase',
    'rollout',
    /Input "phase" must be one of rotate, stage, promote, retire, auto, got "rollout"/
  ],
  ['promote-after-days', '-1', /Input "promote-after-days" must be a whole number from 0 to 3650/],
  ['retire-after-days', 'two weeks', /Input "retire-after-days" must be a whole number/],
  ['phase', 'retire', /Input "retire-after-days" is 0 \(never\) while "phase" is retire/]
]
