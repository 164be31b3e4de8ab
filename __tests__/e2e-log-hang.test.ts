/**
 * End to end, log reads that Buddy never answers: the step still ends within its timeout plus
 * FINISH_ALLOWANCE_MS, and a job cancel while such a read is in flight is acted on at once.
 * Apart from e2e-log-time.test.ts so that the two run side by side (this one waits ~30 s).
 */
import type { ChildProcess } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { FINISH_ALLOWANCE_MS } from '../src/follow/deadline.js'
import { itWithSignals } from './support/signals.js'
import { event, logTimeHarness, said, SCRIPT } from './support/log-time.js'

const { runAction, sim, inputs, followTimed } = logTimeHarness()

describe('log reads that hang', () => {
  it('log reads that never answer: the step still ends within its timeout plus the allowance, saying the logs were cut short', async () => {
    sim.config.statusScript = SCRIPT
    sim.fault({ path: '/logs', kind: 'hang', times: 1000 })
    const timeout = 6
    const { result, followedMs, lines } = await followTimed(
      { logs: 'live', timeout: `${timeout}s` },
      90_000
    )
    expect(result.signal).toBeNull()
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('SUCCESSFUL')
    expect(followedMs).toBeLessThan(timeout * 1000 + FINISH_ALLOWANCE_MS)
    expect(said(lines, "Buddy's action logs were cut short")).toHaveLength(1)
  }, 120_000)

  itWithSignals(
    'a job cancel while a log read hangs is acted on at once: the main step sends the cancel',
    async () => {
      sim.config.statusScript = Array(1000).fill(SCRIPT[0])
      sim.fault({ path: '/logs', kind: 'hang', times: 1000 })
      let child: ChildProcess | undefined
      let signalledAt: number | undefined
      // The signal goes once a log read is in flight (its budget: the 30 s poll interval).
      const watcher = setInterval(() => {
        if (!child || signalledAt !== undefined) return
        if (!sim.buddyRequests().some(r => r.path.endsWith('/logs'))) return
        signalledAt = performance.now()
        child.kill('SIGINT')
      }, 10)
      const result = await runAction({
        inputs: inputs({ logs: 'live', 'poll-interval': '30s' }),
        event,
        onStdout: (_, spawned) => {
          child = spawned
        }
      })
      clearInterval(watcher)
      expect(signalledAt).toBeDefined()
      const cancels = sim.buddyRequests().filter(r => r.method === 'PATCH')
      expect(cancels.map(r => r.body)).toEqual([{ operation: 'CANCEL' }])
      // At once: long before the log read's own 30 s would have run out.
      expect(cancels[0]!.receivedAt - signalledAt!).toBeLessThan(10_000)
      expect(result.code).toBe(1)
      expect(result.errors.join('\n')).toMatch(
        /The job was cancelled while Buddy run #1 was INPROGRESS\. It was cancelled in Buddy \(now TERMINATED\)\./
      )
      expect(result.state['run-settled']).toBe('cancelled')
    },
    60_000
  )
})
