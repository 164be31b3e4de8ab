/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }]
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1'
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  clearMocks: true,
  // Many tests spawn the bundle; a 2-core machine busy with other work needs the room. Nothing
  // waits for this limit on a good run: it only bounds a broken one.
  testTimeout: 30_000,
  // Most end-to-end time is waiting (real timers, a run's real seconds, a rate limit), not
  // CPU: on 2 cores, eight workers keep both busy; more, and tests that time real requests
  // fail. CONTRIBUTING.md ("Times, measured") has the suite's time for 4 to 24 workers.
  maxWorkers: 8,
  // On a fresh clone (no timings yet) the end-to-end files, which mostly wait, start first.
  testSequencer: '<rootDir>/__tests__/support/sequencer.mjs'
}
