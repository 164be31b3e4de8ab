import { afterEach, beforeEach } from '@jest/globals'
import { startSimulator } from './buddy-simulator.mjs'

export type Simulator = Awaited<ReturnType<typeof startSimulator>>

/**
 * Two actions keep the end-to-end runs short (they take a status read a second each) while
 * still showing an action after another.
 */
export const TWO_ACTIONS = [
  { id: 11, name: 'Build', type: 'BUILD' },
  { id: 12, name: 'Deploy', type: 'SFTP' }
]

/**
 * A fresh simulator for each test of the file, its pipeline of two actions unless `twoActions` is
 * false (then the simulator's own pipeline); `use` receives it (to keep it in the file's `sim`,
 * and to set the file's own config), and it is closed after, even when a test closed it first.
 */
export function simulatorPerTest(
  use: (sim: Simulator) => void,
  { twoActions = true }: { twoActions?: boolean } = {}
): void {
  let current: Simulator | undefined
  beforeEach(async () => {
    current = await startSimulator()
    if (twoActions) current.config.pipelines[0]!.actions = TWO_ACTIONS.map(a => ({ ...a }))
    use(current)
  })
  afterEach(async () => {
    await current?.close()
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
