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
  // CPU: three workers keep the whole suite well within a minute on 2 cores, even with other
  // CPU-heavy processes running (measured under the same load: 40 s, against 60 s with two).
  maxWorkers: 3
}
