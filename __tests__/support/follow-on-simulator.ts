import { afterEach, beforeEach } from '@jest/globals'
import { BuddyClient } from '../../src/buddy/client.js'
import { followRun } from '../../src/follow/follow-run.js'
import type { FollowSettings } from '../../src/inputs/settings.js'
import { startSimulator } from './buddy-simulator.mjs'
import { fakeClock } from './fake-clock.js'
import { recordingOutput } from './log-output.js'
import { followDefaults, startRunDirectly, type Simulator } from './simulator.js'

/**
 * followRun in process against the simulator (its default pipeline), in virtual time, for the
 * follow-run, retry-failed-run and end-of-follow tests: a fresh simulator for each test, handed
 * to `use` (to keep it in the file's `sim`), and closed after.
 */
export function followsOnSimulator(use: (sim: Simulator) => void) {
  let current: Simulator | undefined
  beforeEach(async () => {
    current = await startSimulator()
    use(current)
  })
  afterEach(async () => {
    await current?.close()
  })
  const sim = () => {
    if (!current) throw new Error('no simulator outside a test')
    return current
  }
  return {
    /** A run started directly, followed with these settings (the defaults otherwise). */
    follow: (settings: Partial<FollowSettings> = {}, signal?: AbortSignal) =>
      followOnSimulator(sim(), settings, signal),
    /** The cancels (and RETRYs) the simulator was sent. */
    cancels: () => sim().requests.filter(r => r.method === 'PATCH')
  }
}

async function followOnSimulator(
  sim: Simulator,
  settings: Partial<FollowSettings>,
  signal: AbortSignal | undefined
) {
  const clock = fakeClock(Date.now())
  const { out, info: lines, groups } = recordingOutput()
  const client = new BuddyClient({ baseUrl: new URL(sim.url), token: 'sim-token', clock, log: out })
  const started = await startRunDirectly(sim)
  const report = await followRun(started, followDefaults(settings), {
    client,
    ref: { workspace: 'acme', project: 'web', pipelineId: 1 },
    clock,
    out,
    signal
  })
  return { report, lines, groups, clock }
}
