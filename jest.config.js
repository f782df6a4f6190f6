// ESM throughout: @actions/core 3 and @actions/github 9 ship only ES modules.
/** @type {import('jest').Config} */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }]
  },
  collectCoverage: true,
  // index.ts only calls run(). main.ts is left out of the thresholds: main.test.ts runs it in this
  // process (so mutation testing sees it) and the end-to-end tests inside dist/, but not every path.
  collectCoverageFrom: ['src/**/*.ts', '!src/index.ts', '!src/main.ts'],
  coverageThreshold: { global: { statements: 95, branches: 85, functions: 100, lines: 95 } },
  coverageReporters: ['text-summary', 'text', 'lcov'],
  coverageDirectory: 'coverage',
  testTimeout: 30000
}
