/**
 * End to end, reading logs never keeps the step past its timeout plus FINISH_ALLOWANCE_MS,
 * however Buddy's log endpoint answers: 503 or 429 with Retry-After, slow answers, answers that
 * never come; and a job cancel while a log read hangs is acted on at once. Durations are
 * asserted only as upper bounds (with the allowance); request counts say the rest.
 */
import type { ChildProcess } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { FINISH_ALLOWANCE_MS } from '../src/follow/deadline.js'
import { itWithSignals } from './support/signals.js'
import { scanningRunAction } from './support/secret-scan.js'
import { simulatorPerTest, type Simulator } from './support/simulator-per-test.js'

const runAction = scanningRunAction()

let sim: Simulator
simulatorPerTest(started => {
  sim = started
})

const event = { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' }
const inputs = (extra: Record<string, string>) => ({
  token: 'sim-token',
  'api-url': sim.url,
  workspace: 'acme',
  project: 'web',
  'pipeline-id': '1',
  wait: 'true',
  'poll-interval': '1s',
  ...extra
})

/** Each read moves the run one step: Build, then Deploy, a read or two each. */
const SCRIPT = [
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
]
const FAILING = [
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'FAILED', actions: ['SUCCESSFUL', 'FAILED'] }
]

const isStatusRead = (r: { method: string; path: string }) =>
  r.method === 'GET' && /\/executions\/\d+$/.test(r.path)
const isLogRead = (r: { path: string }) => r.path.includes('/action_executions/')

/**
 * The step run as the runner runs it, with how long it followed: from its "Following run"
 * line to its end. The timeout counts from there (followRun); the run request before it is
 * bounded on its own.
 */
async function followTimed(extra: Record<string, string>, timeoutMs = 60_000) {
  let followingAt: number | undefined
  let printed = ''
  const result = await runAction({
    inputs: inputs(extra),
    event,
    timeoutMs,
    onStdout: chunk => {
      printed += chunk
      if (followingAt === undefined && printed.includes('Following run #1')) {
        followingAt = performance.now()
      }
    }
  })
  const followedMs = performance.now() - (followingAt ?? Number.NaN)
  const requests = sim.buddyRequests()
  const lastStatusRead = requests.findLastIndex(isStatusRead)
  return {
    result,
    followedMs,
    logReads: requests.filter(isLogRead),
    logReadsAfterTheRun: requests.slice(lastStatusRead + 1).filter(isLogRead),
    lines: result.stdout.split('\n')
  }
}

const said = (lines: string[], start: string) => lines.filter(l => l.startsWith(start))

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

  it('log reads that take 5 s keep the status reads to the poll interval’s pace', async () => {
    sim.config.statusScript = [...Array(4).fill(SCRIPT[0]), ...SCRIPT.slice(1)]
    sim.fault({ path: '/logs', kind: 'slow', delayMs: 5000, times: 1000 })
    const timeout = 30
    const { result, followedMs } = await followTimed({ logs: 'live', timeout: `${timeout}s` })
    expect(result.code).toBe(0)
    expect(followedMs).toBeLessThan(timeout * 1000 + FINISH_ALLOWANCE_MS)
    // Each status read came at most a poll interval (1 s) after the one before, plus the
    // read's own time and a busy machine's slack: never after a 5 s log read.
    const reads = sim.buddyRequests().filter(isStatusRead)
    const gaps = reads.slice(1).map((r, i) => r.receivedAt - reads[i]!.receivedAt)
    expect(gaps.length).toBeGreaterThanOrEqual(5)
    for (const gap of gaps) expect(gap).toBeLessThan(3500)
  }, 90_000)

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
