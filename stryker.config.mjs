// Mutation testing: `npm run mutate` (see the README's Development section for times and scores).
import jestConfig from './jest.config.js'

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The files where a key is made, sealed, ordered, masked or bounded. One file at a time:
  // npm run mutate -- --mutate src/keys/key.ts
  mutate: [
    'src/keys/key.ts',
    'src/keys/seal.ts',
    'src/keys/fallbacks.ts',
    'src/rotation/rotate.ts',
    'src/rotation/freshness.ts',
    'src/inputs.ts',
    'src/github/github-client.ts',
    'src/main.ts'
  ],
  testRunner: 'jest',
  // jest runs the tests as ES modules, as in npm test.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    config: {
      ...jestConfig,
      collectCoverage: false,
      // Instrumented code on a loaded machine: the fault-injection suite needs more than 30 s.
      testTimeout: 300_000,
      // These tests run the bundled dist/index.js in a child process: a mutant in src/ never
      // reaches them (it would need a rebuilt bundle), so they cannot kill one and only cost time.
      // Every mutated file, main.ts too (main.test.ts), is covered by tests that run in-process.
      testPathIgnorePatterns: [
        '/node_modules/',
        'action\\.e2e\\.test\\.ts$',
        'django\\.interop\\.test\\.ts$'
      ]
    }
  },
  coverageAnalysis: 'perTest',
  // Two cores: one test process keeps the machine usable and the run's timing steady.
  concurrency: 1,
  // Re-uses the results of mutants whose code and covering tests did not change since the last run.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: '.stryker-tmp',
  // The score measured for src/keys/key.ts (the README's Development section lists what is
  // measured); a run below it fails.
  thresholds: { high: 90, low: 80, break: 100 }
}
