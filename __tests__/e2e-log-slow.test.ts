/**
 * End to end, log reads that take 5 s each: the status reads keep the poll interval's pace and the
 * step ends within its timeout plus FINISH_ALLOWANCE_MS. Apart from e2e-log-time.test.ts so that
 * the two run side by side (this one waits ~17 s).
 */
import { FINISH_ALLOWANCE_MS } from '../src/follow/deadline.js'
import { isStatusRead, logTimeHarness, SCRIPT } from './support/log-time.js'

const { sim, followTimed } = logTimeHarness()

describe('log reads within the step’s time', () => {
  it('log reads that take 5 s keep the status reads to the poll interval’s pace', async () => {
    sim.config.statusScript = [...Array(3).fill(SCRIPT[0]), ...SCRIPT.slice(1)]
    sim.fault({ path: '/logs', kind: 'slow', delayMs: 5000, times: 1000 })
    const timeout = 30
    const { result, followedMs } = await followTimed({ logs: 'live', timeout: `${timeout}s` })
    expect(result.code).toBe(0)
    expect(followedMs).toBeLessThan(timeout * 1000 + FINISH_ALLOWANCE_MS)
    // Each status read came at most a poll interval (1 s) after the one before, plus the
    // read's own time and a busy machine's slack: never after a 5 s log read.
    const reads = sim.buddyRequests().filter(isStatusRead)
    const gaps = reads.slice(1).map((r, i) => r.receivedAt - reads[i]!.receivedAt)
    expect(gaps.length).toBeGreaterThanOrEqual(4)
    for (const gap of gaps) expect(gap).toBeLessThan(3500)
  }, 90_000)
})
