/**
 * The speed and size benchmark: runs the bundled action against the GitHub API emulator many
 * times, side by side with a bare `node -e ''` start as the baseline, at zero and at 50 ms of
 * injected latency, and prints medians and spread, request counts, the sequential round trips on
 * the critical path, the cold start and the bundle size, each next to its target.
 *
 *   npm run bench                 # 15 runs of each
 *   npm run bench -- --runs 3     # a quick smoke run (CI)
 */
import { readdirSync, statSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import type { GitHubEmulator, LoggedRequest } from '../emulator/github.js'
import { ROOT, runnerBaseEnvironment, spawnNode } from '../emulator/runner.js'
import { daysAgo, emulatedGitHub, REPOSITORY, runQueued } from '../emulator/scenario.js'
import { generateKey } from '../src/keys/key.js'

const runsFlag = process.argv.indexOf('--runs')
const RUNS = runsFlag === -1 ? 15 : Number(process.argv[runsFlag + 1])
const LATENCY = 50
const scope = { repository: REPOSITORY }

interface Sample {
  total: number
  coldStart: number
  requests: number
  roundTrips: number
}

/** The longest chain of requests in which each starts after the one before it ended. */
export function sequentialRoundTrips(requests: readonly LoggedRequest[]): number {
  const sorted = [...requests].sort((a, b) => a.start - b.start)
  const depth: number[] = []
  sorted.forEach((request, index) => {
    const before = sorted.slice(0, index).filter((other) => other.end <= request.start)
    depth[index] = 1 + Math.max(0, ...before.map((other) => depth[sorted.indexOf(other)]))
  })
  return Math.max(0, ...depth)
}

async function rotation(github: GitHubEmulator): Promise<Sample> {
  const from = github.requests.length
  const run = await runQueued(github)
  if (run.exitCode !== 0) throw new Error(`The action failed:\n${run.stdout}\n${run.stderr}`)
  const requests = github.requests.slice(from)
  return {
    total: run.milliseconds,
    coldStart: Math.min(...requests.map((request) => request.start)) - run.spawnedAt,
    requests: requests.length,
    roundTrips: sequentialRoundTrips(requests)
  }
}

async function baseline(): Promise<number> {
  const started = performance.now()
  await spawnNode(['-e', ''], runnerBaseEnvironment())
  return performance.now() - started
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function spread(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (share: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]
  return `p25 ${at(0.25).toFixed(1)} / p75 ${at(0.75).toFixed(1)} / min ${sorted[0].toFixed(1)} / max ${sorted[sorted.length - 1].toFixed(1)}`
}

const verdict = (ok: boolean) => (ok ? 'holds' : 'MISSED')

const github = await emulatedGitHub()
try {
  github.setSecret(scope, 'SECRET_KEY', generateKey(50, 'django'), daysAgo(30))
  await rotation(github) // warm the file cache and open the first rotation issue: each run below closes one

  // Interleaved, so that whatever else the machine does touches every series alike.
  const bare: number[] = []
  const fast: Sample[] = []
  const slow: Sample[] = []
  for (let index = 0; index < RUNS; index++) {
    bare.push(await baseline())
    github.latencyMs = 0
    fast.push(await rotation(github))
    github.latencyMs = LATENCY
    slow.push(await rotation(github))
  }

  const bundleFiles = readdirSync(join(ROOT, 'dist')).filter((file) => /\.(c|m)?js$/.test(file))
  const bundleBytes = bundleFiles.reduce(
    (sum, file) => sum + statSync(join(ROOT, 'dist', file)).size,
    0
  )
  const bareMedian = median(bare)
  const coldMedian = median(fast.map((sample) => sample.coldStart))
  const fastMedian = median(fast.map((sample) => sample.total))
  const slowMedian = median(slow.map((sample) => sample.total))
  const slowBudget = (4 * LATENCY + fastMedian) * 1.1
  const roundTrips = Math.max(...slow.map((sample) => sample.roundTrips))
  const requests = Math.max(...slow.map((sample) => sample.requests))

  console.log(
    `Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; ${RUNS} runs of each, interleaved; milliseconds.`
  )
  console.log('')
  console.log(`bare node -e ''                 median ${bareMedian.toFixed(1)}  (${spread(bare)})`)
  console.log(
    `start to first request          median ${coldMedian.toFixed(1)}  (${spread(fast.map((sample) => sample.coldStart))})`
  )
  console.log(
    `full rotation, 0 ms latency     median ${fastMedian.toFixed(1)}  (${spread(fast.map((sample) => sample.total))})`
  )
  console.log(
    `full rotation, ${LATENCY} ms latency    median ${slowMedian.toFixed(1)}  (${spread(slow.map((sample) => sample.total))})`
  )
  console.log(`requests per rotation           ${requests}`)
  console.log('')
  const rows: [string, string, boolean][] = [
    ['sequential round trips <= 4', String(roundTrips), roundTrips <= 4],
    [
      `start to first request <= 2 x bare node = ${(2 * bareMedian).toFixed(1)} ms`,
      `${coldMedian.toFixed(1)} ms (${(coldMedian / bareMedian).toFixed(2)} x)`,
      coldMedian <= 2 * bareMedian
    ],
    [
      `bundle <= 1 MB, one file (${bundleFiles.join(', ')})`,
      `${(bundleBytes / 1e6).toFixed(3)} MB`,
      bundleBytes <= 1_000_000 && bundleFiles.length === 1
    ],
    [
      `at ${LATENCY} ms: <= (4 x ${LATENCY} + ${fastMedian.toFixed(0)}) x 1.1 = ${slowBudget.toFixed(0)} ms`,
      `${slowMedian.toFixed(0)} ms`,
      slowMedian <= slowBudget
    ]
  ]
  console.log(`${'target'.padEnd(52)} ${'measured'.padEnd(20)} verdict`)
  for (const [target, measured, ok] of rows)
    console.log(`${target.padEnd(52)} ${measured.padEnd(20)} ${verdict(ok)}`)
} finally {
  await github.stop()
}
