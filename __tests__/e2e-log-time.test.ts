/**
 * End to end, reading logs never keeps the step past its timeout plus FINISH_ALLOWANCE_MS,
 * however Buddy's log endpoint answers: 503 or 429 with Retry-After (slow answers:
 * e2e-log-slow.test.ts; answers that never come: e2e-log-hang.test.ts). Durations are asserted
 * only as upper bounds (with the allowance); request counts say the rest.
 */
import { FINISH_ALLOWANCE_MS } from '../src/follow/deadline.js'
import { isStatusRead, logTimeHarness, said, SCRIPT } from './support/log-time.js'

const { sim, followTimed } = logTimeHarness()

const FAILING = [
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'FAILED', actions: ['SUCCESSFUL', 'FAILED'] }
]

describe('log reads within the step’s time', () => {
  it.each([
    ['503', 'live', SCRIPT, 0],
    ['429', 'failed', FAILING, 1],
    ['503', 'all', SCRIPT, 0]
  ])(
    'a %s with Retry-After: 1 on every log read (logs: %s): a few tries after the run, then said once',
    async (kind, logs, script, code) => {
      sim.config.statusScript = script
      sim.fault({ path: '/logs', kind, headers: { 'Retry-After': '1' }, times: 1000 })
      const timeout = 8
      const { result, followedMs, logReads, logReadsAfterTheRun, lines } = await followTimed({
        logs,
        timeout: `${timeout}s`
      })
      expect(result.code).toBe(code)
      expect(followedMs).toBeLessThan(timeout * 1000 + FINISH_ALLOWANCE_MS)
      // At most one log read per status read while the run went on (the last one included);
      // once it has ended, three tries in all (before, 132 followed the last status read).
      expect(logReads.length).toBeLessThanOrEqual(
        sim.buddyRequests().filter(isStatusRead).length + 3
      )
      expect(logReadsAfterTheRun.length).toBeGreaterThanOrEqual(1)
      expect(logReadsAfterTheRun.length).toBeLessThanOrEqual(1 + 3)
      expect(said(lines, "Buddy's action logs are unavailable here")).toHaveLength(1)
    },
    60_000
  )

  it.each([
    ['503', 'live'],
    ['429', 'all']
  ])(
    'a %s with Retry-After: 60 on log reads (logs: %s) is not waited for past the step’s time: one log read, and said once',
    async (kind, logs) => {
      sim.config.statusScript = SCRIPT
      sim.fault({ path: '/logs', kind, headers: { 'Retry-After': '60' }, times: 1000 })
      const timeout = 8
      const { result, followedMs, logReads, lines } = await followTimed({
        logs,
        timeout: `${timeout}s`
      })
      expect(result.code).toBe(0)
      expect(followedMs).toBeLessThan(timeout * 1000 + FINISH_ALLOWANCE_MS)
      expect(logReads).toHaveLength(1)
      expect(said(lines, "Buddy's action logs were cut short")).toEqual([
        expect.stringMatching(
          /^Buddy's action logs were cut short: the step's time is up \(Buddy asked to wait \d+s\); see the run's page: http:\/\/127\.0\.0\.1:\d+\/app\//
        )
      ])
    },
    60_000
  )
})
