import { waitForRunEnd, RunDeletedError } from '../../src/follow/wait-loop.js'
import { rateLimitPause } from '../../src/follow/read-pace.js'
import { simulatorPerTest } from '../support/simulator-per-test.js'
import { simulatorClient } from '../support/simulator-client.js'
import { startRunDirectly } from '../support/simulator.js'

const sim = simulatorPerTest({ twoActions: false })

const ref = { workspace: 'acme', project: 'web', pipelineId: 1 }

async function start(
  options: {
    timeoutMs?: number
    pollIntervalMs?: number
    onApproval?: 'wait' | 'fail'
    requestTimeoutMs?: number
  } = {}
) {
  const { clock, log, client } = simulatorClient(sim, options)
  const started = await startRunDirectly(sim)
  sim.requests.length = 0
  const follow = () =>
    waitForRunEnd(() => client.getExecution(ref, started.id), started, {
      clock,
      log,
      timeoutMs: options.timeoutMs ?? 3_600_000,
      pollIntervalMs: options.pollIntervalMs ?? 10_000,
      onApproval: options.onApproval ?? 'wait',
      rateLimitPause: () =>
        rateLimitPause(client.rateLimit, clock.now(), options.pollIntervalMs ?? 10_000)
    })
  return { clock, log, follow, client }
}
const reads = () => sim.requests.filter(r => r.method === 'GET')

describe('following a run against the simulator (virtual time)', () => {
  it.each(['SUCCESSFUL', 'FAILED', 'TERMINATED', 'SKIPPED', 'NOT_EXECUTED'])(
    'ends with the final status %s',
    async status => {
      sim.config.statusScript = status
      const { follow } = await start()
      const result = await follow()
      expect(result.outcome).toBe('finished')
      expect(result.execution.status).toBe(status)
    }
  )

  it("decides by the run's own status: later actions may stay ENQUEUED after a failure", async () => {
    sim.config.statusScript = 'FAILED'
    const { follow } = await start()
    const result = await follow()
    expect(result.execution.action_executions?.map(a => a.status)).toEqual([
      'SUCCESSFUL',
      'FAILED',
      'ENQUEUED'
    ])
  })

  it('reads sooner at first, growing to the poll interval', async () => {
    sim.config.statusScript = Array(8).fill('INPROGRESS').concat(['SUCCESSFUL'])
    const { follow, clock } = await start()
    await follow()
    expect(clock.sleeps).toEqual([1000, 1600, 2560, 4096, 6554, 10_000, 10_000, 10_000, 10_000])
  })

  it('counts an unknown status as still going, and says so once', async () => {
    sim.config.statusScript = ['MAGIC', 'MAGIC', 'INPROGRESS', 'SUCCESSFUL']
    const { follow, log } = await start()
    const result = await follow()
    expect(result.outcome).toBe('finished')
    expect(log.lines.filter(l => l.includes('"MAGIC", unknown to this action'))).toHaveLength(1)
  })

  it.each(['WAITING_FOR_APPLY', 'WAITING_FOR_VARIABLES'])(
    'waits through %s, with a notice each time it pauses (on-approval: wait)',
    async paused => {
      sim.config.statusScript = [
        paused,
        paused,
        'INPROGRESS',
        { status: 'INPROGRESS', actions: ['SUCCESSFUL', paused] },
        'SUCCESSFUL'
      ]
      const { follow, log } = await start()
      const result = await follow()
      expect(result.outcome).toBe('finished')
      const notices = log.lines.filter(l => l.startsWith('warning: Run #1 waits for a person'))
      expect(notices).toHaveLength(2) // the run paused; later, after going on, an action paused
      expect(notices[1]).toContain(`(${paused} in action "Test")`)
      expect(notices[0]).toContain(`${sim.url}/app/acme/web/pipelines/pipeline/1/execution/`)
    }
  )

  it('fails at once when the run pauses and on-approval is fail', async () => {
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'WAITING_FOR_APPLY'] },
      'SUCCESSFUL'
    ]
    const { follow } = await start({ onApproval: 'fail' })
    const result = await follow()
    expect(result).toMatchObject({
      outcome: 'needs-approval',
      paused: { status: 'WAITING_FOR_APPLY', action: 'Test' }
    })
    expect(reads()).toHaveLength(1)
  })

  it.each([
    '500',
    '502',
    '503',
    '504',
    'html',
    'reset-before',
    'hang',
    'bad-json',
    'empty',
    'shape'
  ])('rides out a %s during the wait', async kind => {
    sim.fault({ method: 'GET', path: '/executions/1', kind, times: 2 })
    const { follow, log } = await start({ requestTimeoutMs: 300 })
    const result = await follow()
    expect(result.outcome).toBe('finished')
    expect(result.execution.status).toBe('SUCCESSFUL')
    expect(
      log.lines.filter(l => l.startsWith('debug: ') && l.includes('Reading the status again'))
    ).toHaveLength(2)
  })

  it('waits out a 429 as Retry-After says, with no read in between', async () => {
    sim.fault({ method: 'GET', path: '/executions/1', kind: '429', retryAfter: '25' })
    const { follow, clock } = await start()
    await follow()
    // The 429's own wait, longer than the poll interval, plus a spread (fake random: half of 5 s).
    expect(clock.sleeps[1]).toBe(27_500)
    expect(reads()).toHaveLength(5)
  })

  it('backs off after a 429 without Retry-After', async () => {
    sim.fault({ method: 'GET', path: '/executions/1', kind: '429' })
    const { follow, clock } = await start()
    await follow()
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(100)
    expect(clock.sleeps[1]).toBeLessThanOrEqual(1000)
  })

  it('slows down when few requests are left, but never past the poll interval', async () => {
    sim.config.statusScript = ['INPROGRESS', 'SUCCESSFUL']
    const { follow, clock } = await start()
    sim.fault({
      method: 'GET',
      path: '/executions/1',
      kind: 'slow-down',
      stage: 'after',
      headers: {
        'X-Rate-Limit-Remaining': '2',
        'X-Rate-Limit-Reset': String(Math.floor(clock.now() / 1000) + 60)
      }
    })
    await follow()
    expect(clock.sleeps[0]).toBe(1000)
    // The rate limit would spread 2 requests over 60 s (30 s each): the poll interval caps it.
    expect(clock.sleeps[1]).toBe(10_000)
  })

  it('pauses no longer than the poll interval after a 5xx with a far X-Rate-Limit-Reset', async () => {
    const { follow, clock } = await start()
    sim.fault({
      method: 'GET',
      path: '/executions/1',
      kind: '503',
      times: 3,
      headers: { 'X-Rate-Limit-Reset': String(Math.floor(clock.now() / 1000) + 3600) }
    })
    const result = await follow()
    expect(result.outcome).toBe('finished')
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(10_000)
  })

  it('never pauses longer than the poll interval, whatever the rate-limit headers say', async () => {
    sim.config.statusScript = Array(30).fill('INPROGRESS').concat(['SUCCESSFUL'])
    const { follow, clock } = await start({ pollIntervalMs: 5000 })
    sim.fault({
      method: 'GET',
      path: '/executions/1',
      kind: 'slow-down',
      times: 30,
      headers: {
        'X-Rate-Limit-Remaining': '0',
        'X-Rate-Limit-Reset': String(Math.floor(clock.now() / 1000) + 7200)
      }
    })
    await follow()
    expect(clock.sleeps).toHaveLength(31)
    expect(Math.max(...clock.sleeps)).toBe(5000)
  })

  it('reads the status once more at the timeout: a run that just succeeded is not timed out', async () => {
    // The run ends exactly at the timeout, by the same virtual clock.
    const { follow, clock } = await start({ timeoutMs: 5000 })
    sim.config.runDurationMs = 5000
    sim.executions(1)[0].startedAtMs = clock.now()
    sim.config.now = () => clock.now()
    const result = await follow()
    expect(result.outcome).toBe('finished')
    expect(result.execution.status).toBe('SUCCESSFUL')
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(5000)
  })

  it('gives each read no longer than the time left before the timeout', async () => {
    sim.config.statusScript = Array(100).fill('INPROGRESS')
    const { clock, log, client } = await start()
    const limits: { limit: number; left: number }[] = []
    const deadline = clock.now() + 20_000
    const result = await waitForRunEnd(
      limit => {
        limits.push({ limit, left: deadline - clock.now() })
        return client.getExecution(ref, 1, { timeoutMs: limit })
      },
      { id: 1, status: 'INPROGRESS' },
      { clock, log, timeoutMs: 20_000, pollIntervalMs: 10_000, onApproval: 'wait' }
    )
    expect(result.outcome).toBe('timed-out')
    const duringWait = limits.slice(0, -1)
    expect(duringWait.length).toBeGreaterThan(3)
    for (const { limit, left } of duringWait) expect(limit).toBeLessThanOrEqual(left)
    // The last look, after the timeout, has its own short limit.
    expect(limits.at(-1)).toEqual({ limit: 5000, left: 0 })
  })

  it('fails clearly when the run is deleted mid-wait', async () => {
    const { follow } = await start()
    sim.fault({ method: 'GET', path: '/executions/1', kind: '404', times: 1 })
    await expect(follow()).rejects.toThrow(RunDeletedError)
    sim.fault({ method: 'GET', path: '/executions/1', kind: '404', times: 1 })
    await expect(follow()).rejects.toThrow(/Run #1 is gone \(404\): it was deleted in Buddy/)
  })

  it('ends at once on a 401 during the wait, with the run as last seen: it may go on', async () => {
    sim.config.statusScript = Array(100).fill('INPROGRESS')
    const { follow } = await start()
    // The run request and two reads; the third read is refused.
    sim.config.tokenLifetimes['sim-token'] = { requests: 3 }
    const result = await follow()
    expect(result).toMatchObject({
      outcome: 'token-refused',
      execution: { id: 1, status: 'INPROGRESS' },
      problem: expect.stringMatching(/^Buddy refused the token \(401 Unauthorized\)/)
    })
    expect(reads()).toHaveLength(3)
  })

  it('ends so on a 401 at the last look after the timeout too', async () => {
    sim.config.statusScript = Array(100).fill('INPROGRESS')
    const { follow, clock } = await start({ timeoutMs: 30_000 })
    // The token expires, by the simulator's clock (here the test's), as the timeout passes.
    sim.config.now = () => clock.now()
    sim.config.tokenLifetimes['sim-token'] = { untilMs: clock.now() + 30_000 }
    const result = await follow()
    expect(result.outcome).toBe('token-refused')
    expect(result.execution.status).toBe('INPROGRESS')
    expect(reads().length).toBeGreaterThan(1)
  })

  it('still fails at once on any other final refusal (403)', async () => {
    const { follow } = await start()
    sim.config.tokens['sim-token'] = []
    await expect(follow()).rejects.toThrow(/403 Forbidden/)
  })

  it('times out, with the last fault when faults outlast the timeout', async () => {
    sim.fault({ method: 'GET', path: '/executions/1', kind: '503', times: 1000 })
    const { follow, clock } = await start({ timeoutMs: 60_000 })
    const t0 = clock.now()
    const result = await follow()
    expect(result.outcome).toBe('timed-out')
    expect(result.problem).toMatch(/Buddy answered 503/)
    expect(clock.now() - t0).toBe(60_000)
  })

  it('times out on a run that never ends, with at most (length ÷ interval) + 5 reads', async () => {
    sim.config.statusScript = Array(10_000).fill('INPROGRESS')
    const { follow } = await start({ timeoutMs: 600_000 })
    const result = await follow()
    expect(result.outcome).toBe('timed-out')
    expect(reads().length).toBeLessThanOrEqual(600_000 / 10_000 + 5)
    expect(reads().length).toBeGreaterThanOrEqual(600_000 / 10_000)
  })

  it('returns at once when the job is cancelled, even mid-request', async () => {
    sim.fault({ method: 'GET', path: '/executions/1', kind: 'hang' })
    const { clock, log, client } = await start()
    const controller = new AbortController()
    const started = sim.executions(1)[0]
    const following = waitForRunEnd(
      () => client.getExecution(ref, 1),
      { id: 1, status: started.status },
      {
        clock,
        log,
        timeoutMs: 3_600_000,
        pollIntervalMs: 10_000,
        onApproval: 'wait',
        signal: controller.signal
      }
    )
    await new Promise(resolve => setTimeout(resolve, 100))
    controller.abort()
    await expect(following).resolves.toMatchObject({ outcome: 'job-cancelled' })
  })
})
