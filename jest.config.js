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
  // CPU: four workers beat three on 2 cores (with about 1000 tests: 44 s against 54 s, 48 s with
  // a busy loop beside it). CONTRIBUTING.md has the suite's time as measured on a fresh clone.
  maxWorkers: 4
}
