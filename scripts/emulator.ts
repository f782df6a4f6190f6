/**
 * Starts the GitHub API emulator alone, seeded with the shared scenario (a repository whose
 * SECRET_KEY was set a month ago, a rotation token and a workflow token), prints where it listens
 * and what to send it, and serves until stopped, so any client (curl, @github/local-action, the
 * action itself) can be pointed at it. Nothing here is real: the tokens and the key exist only in
 * this process.
 *
 *   npm run emulator                  # a free port
 *   npm run emulator -- --port 8787
 */
import { parseArgs } from 'node:util'
import {
  emulatedGitHub,
  REPOSITORY,
  ROTATION_TOKEN,
  RUN_ID,
  seedExistingKey,
  WORKFLOW_TOKEN
} from '../emulator/scenario.js'
import { fingerprint } from '../src/keys/fingerprint.js'

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } })
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number from 0 to 65535, got "${values.port}"`)
  process.exit(2)
}

const github = await emulatedGitHub(port)
const key = seedExistingKey(github)

console.log(`GitHub API emulator listening at ${github.url}

repository      ${REPOSITORY} (workflow run ${RUN_ID})
rotation token  ${ROTATION_TOKEN}  (Secrets: write, Environments: write, Actions: read)
workflow token  ${WORKFLOW_TOKEN}  (Issues: write, Actions: read; no secrets permission)
SECRET_KEY      ${fingerprint(key)}, set 30 days ago

Try it:
  curl -H 'Authorization: Bearer ${ROTATION_TOKEN}' ${github.url}/repos/${REPOSITORY}/actions/secrets/public-key

The same, as environment variables for the action or a .env file of @github/local-action (this
emulator's key is a throwaway made for it; keep it in single quotes, as a .env reads "#" as the
start of a comment):
GITHUB_API_URL=${github.url}
GITHUB_REPOSITORY=${REPOSITORY}
GITHUB_RUN_ID=${RUN_ID}
GITHUB_TOKEN=${WORKFLOW_TOKEN}
INPUT_TOKEN=${ROTATION_TOKEN}
INPUT_CURRENT-KEY='${key}'

Stop with Ctrl-C.`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${github.requests.length} requests answered; stopping.`)
    void github.stop().then(() => process.exit(0))
  })
}
