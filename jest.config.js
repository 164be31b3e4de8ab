/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // swc strips the types (the types are checked by `npm run typecheck`, in .ci/run): on a fresh
  // clone it transforms the suite for about 20 CPU-seconds less than ts-jest did.
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' }
      }
    ]
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // undici on first use, as in the bundle (see the file): not loaded by every test file.
    '^undici$': '<rootDir>/__tests__/support/undici-on-use.cjs',
    // zod's CommonJS build (the same version and code): jest links an ES module graph anew in
    // every test file, and zod's is about 80 files; its CommonJS build loads in about half the
    // CPU time (measured: 70 ms against 125 to 165 ms per test file).
    '^zod$': '<rootDir>/node_modules/zod/index.cjs'
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  clearMocks: true,
  // Many tests spawn the bundle; a 2-core machine busy with other work needs the room. Nothing
  // waits for this limit on a good run: it only bounds a broken one.
  testTimeout: 30_000,
  // Most end-to-end time is waiting (real timers, a run's real seconds, a rate limit), not
  // CPU: on 2 cores, ten workers keep both busy with the longest files first (the sequencer);
  // twelve cost more CPU than they save waiting, sixteen and more and tests that time real
  // requests fail. CONTRIBUTING.md ("Times, measured") has the suite's time for 4 to 24 workers.
  maxWorkers: 10,
  // On every run the longest files start first (the end-to-end files and a few others).
  testSequencer: '<rootDir>/__tests__/support/sequencer.mjs'
}
