import { BuddyClient } from '../../src/buddy/client.js'
import { fakeClock, recordingLog } from './fake-clock.js'
import type { Simulator } from './simulator.js'

/**
 * A client of the simulator in virtual time: a fake clock that starts now (the simulator dates
 * its runs by the real clock) and a log that records its lines. A file apart from simulator.ts:
 * it loads the client, and with it @actions/core, which tests that mock @actions/core must not
 * load before their mock (report.test.ts imports simulator.ts).
 */
export function simulatorClient(sim: Simulator, options: { requestTimeoutMs?: number } = {}) {
  const clock = fakeClock(Date.now())
  const log = recordingLog()
  const client = new BuddyClient({
    baseUrl: new URL(sim.url),
    token: 'sim-token',
    clock,
    log,
    requestTimeoutMs: options.requestTimeoutMs
  })
  return { clock, log, client }
}
