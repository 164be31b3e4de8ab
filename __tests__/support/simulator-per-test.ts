import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals'
import { startSimulator } from './buddy-simulator.mjs'
import { SECRET_VARIABLE } from './secret-scan.js'

export type Simulator = Awaited<ReturnType<typeof startSimulator>>

/**
 * Two actions keep the end-to-end runs short (they take a status read a second each) while
 * still showing an action after another.
 */
export const TWO_ACTIONS = [
  { id: 11, name: 'Build', type: 'BUILD' },
  { id: 12, name: 'Deploy', type: 'SFTP' }
]

/** Three actions, the first two of which can run side by side (logs: live's groups). */
export const BUILD_LINT_DEPLOY = [
  { id: 11, name: 'Build', type: 'BUILD' },
  { id: 12, name: 'Lint', type: 'BUILD' },
  { id: 13, name: 'Deploy', type: 'SFTP' }
]

/**
 * A fresh simulator for each test of the file, closed after it (even when the test closed it
 * first). What it returns stands for the current test's simulator: a file keeps it in its `sim`.
 * The pipeline has two actions unless `twoActions` is false (then the simulator's own pipeline);
 * `configure` sets the file's own config on each new simulator.
 */
export interface SimulatorOptions {
  twoActions?: boolean
  configure?: (sim: Simulator) => void
}

export function simulatorPerTest({
  twoActions = true,
  configure
}: SimulatorOptions = {}): Simulator {
  let current: Simulator | undefined
  beforeEach(async () => {
    current = await startSimulator()
    if (twoActions) current.config.pipelines[0]!.actions = TWO_ACTIONS.map(a => ({ ...a }))
    configure?.(current)
  })
  afterEach(async () => {
    // Kept after closing: later afterEach hooks (the secret scan) still read its records.
    await current?.close()
  })
  return standIn(() => current)
}

/**
 * One simulator for every test of the describe block it is called in (tests that share it on
 * purpose, such as property runs), closed after the last.
 */
export function simulatorForAll(): Simulator {
  let current: Simulator | undefined
  beforeAll(async () => {
    current = await startSimulator()
  })
  afterAll(async () => {
    await current?.close()
  })
  return standIn(() => current)
}

/** An object that stands for the simulator `current()` gives at the moment it is used. */
function standIn(current: () => Simulator | undefined): Simulator {
  const now = (): Simulator => {
    const sim = current()
    if (!sim) throw new Error('The simulator starts with the first test.')
    return sim
  }
  return new Proxy({} as Simulator, {
    get: (_, key) => Reflect.get(now(), key),
    set: (_, key, value) => Reflect.set(now(), key, value)
  })
}

/** The inputs that point the step at the simulator's pipeline 1, with any others. */
export function simulatorInputs(sim: Simulator, more: Record<string, string> = {}) {
  return {
    token: 'sim-token',
    'api-url': sim.url,
    workspace: 'acme',
    project: 'web',
    'pipeline-id': '1',
    ...more
  }
}

/** The commit the end-to-end steps' events carry. */
export const SHA = 'ffac537e6cbbf934b08745a378932722df287a53'
/** A push to main at SHA: the event most end-to-end steps run on. */
export const PUSH_TO_MAIN = { ref: 'refs/heads/main', after: SHA }
/** Waiting for the run, a status read a second: how the end-to-end steps follow. */
export const FOLLOWING = { wait: 'true', 'poll-interval': '1s' }

/**
 * The inputs of an end-to-end step: the simulator's pipeline 1 and a secret variable (that the
 * secret scan looks for in everything the step printed), with any others.
 */
export function stepInputs(sim: Simulator, more: Record<string, string> = {}) {
  return { 'secret-variables': SECRET_VARIABLE, ...simulatorInputs(sim), ...more }
}

/**
 * What most end-to-end files begin with: a simulator per test (simulatorPerTest), a push to main,
 * and the inputs of a step that follows its run (stepInputs, FOLLOWING), then the file's own
 * `always` inputs, then a test's.
 */
export function followingStepPerTest(
  options: SimulatorOptions = {},
  always: Record<string, string> = {}
) {
  const sim = simulatorPerTest(options)
  const inputs = (extra: Record<string, string> = {}) =>
    stepInputs(sim, { ...FOLLOWING, ...always, ...extra })
  return { sim, event: PUSH_TO_MAIN, inputs }
}
