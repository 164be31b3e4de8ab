import { BuddyClient } from '../../src/buddy/client.js'
import { followRun } from '../../src/follow/follow-run.js'
import type { FollowSettings } from '../../src/inputs/settings.js'
import { startSimulator } from '../support/buddy-simulator.mjs'
import { followDefaults, startRunDirectly } from '../support/simulator.js'
import { fakeClock } from '../support/fake-clock.js'
import { recordingOutput } from '../support/log-output.js'

type Simulator = Awaited<ReturnType<typeof startSimulator>>
let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator()
})
afterEach(async () => {
  await sim.close()
})

const ref = { workspace: 'acme', project: 'web', pipelineId: 1 }

async function follow(settings: Partial<FollowSettings> = {}, signal?: AbortSignal) {
  const clock = fakeClock(Date.now())
  const { out, info: lines, groups } = recordingOutput()
  const client = new BuddyClient({ baseUrl: new URL(sim.url), token: 'sim-token', clock, log: out })
  const started = await startRunDirectly(sim)
  const report = await followRun(started, followDefaults(settings), {
    client,
    ref,
    clock,
    out,
    signal
  })
  return { report, lines, groups, clock }
}
const cancels = () => sim.requests.filter(r => r.method === 'PATCH')

describe('followRun', () => {
  it('logs each action status change as one line, and the run as it ends', async () => {
    const { report, lines } = await follow()
    expect(report.outcome).toBe('finished')
    expect(lines).toEqual([
      'Following run #1 until it ends (timeout 1h, status read at least every 10s).',
      '  Build: INPROGRESS',
      '  Build: SUCCESSFUL (0s)',
      '  Test: INPROGRESS',
      '  Test: SUCCESSFUL (0s)',
      '  Deploy: INPROGRESS',
      '  Deploy: SUCCESSFUL (0s)',
      expect.stringMatching(/^Run #1: SUCCESSFUL after \d+s$/)
    ])
    expect(report.cancelled).toBe(false)
  })

  it('cancels the run when the timeout ends the wait', async () => {
    sim.config.statusScript = Array(100).fill('INPROGRESS')
    const { report } = await follow({ timeoutMs: 60_000 })
    expect(report).toMatchObject({
      outcome: 'timed-out',
      cancelled: true,
      execution: { status: 'TERMINATED' }
    })
    expect(cancels()).toHaveLength(1)
    expect(cancels()[0]?.body).toEqual({ operation: 'CANCEL' })
  })

  it('leaves the run going on timeout when cancel-on-timeout is false', async () => {
    sim.config.statusScript = Array(100).fill('INPROGRESS')
    const { report } = await follow({ timeoutMs: 60_000, cancelOnTimeout: false })
    expect(report).toMatchObject({ outcome: 'timed-out', cancelled: false })
    expect(cancels()).toHaveLength(0)
    expect(sim.executions(1)[0].status).toBe('INPROGRESS')
  })

  it('says why a cancel failed', async () => {
    sim.config.statusScript = Array(100).fill('INPROGRESS')
    sim.fault({ method: 'PATCH', kind: '403', times: 5 })
    const { report } = await follow({ timeoutMs: 30_000 })
    expect(report).toMatchObject({ outcome: 'timed-out', cancelled: false })
    expect(report.cancelProblem).toMatch(/403 Forbidden.*cancel run #1.*PIPELINE_RUN/)
  })

  it('cancels exactly once when the job is cancelled', async () => {
    sim.config.statusScript = Array(100).fill('INPROGRESS')
    const controller = new AbortController()
    controller.abort()
    const { report } = await follow({}, controller.signal)
    expect(report).toMatchObject({ outcome: 'job-cancelled', cancelled: true })
    expect(cancels()).toHaveLength(1)
  })

  it('leaves the run going when the job is cancelled and cancel-on-job-cancel is false', async () => {
    const controller = new AbortController()
    controller.abort()
    const { report } = await follow({ cancelOnJobCancel: false }, controller.signal)
    expect(report).toMatchObject({ outcome: 'job-cancelled', cancelled: false })
    expect(cancels()).toHaveLength(0)
  })

  it('prints the log tail of each failed action, and only those (logs: failed)', async () => {
    sim.config.statusScript = 'FAILED'
    sim.config.actionLogs = { Test: Array.from({ length: 1500 }, (_, i) => `line ${i + 1}`) }
    const { report, groups } = await follow()
    expect(report.execution.status).toBe('FAILED')
    expect(groups.map(g => g.title)).toEqual(['Log of Test (FAILED): last 200 of 1500 lines'])
    expect(groups[0]?.lines[0]).toBe('line 1301')
    expect(groups[0]?.lines.at(-1)).toBe('line 1500')
  })

  it("prints each action's whole log as it ends (logs: all)", async () => {
    sim.config.actionLogs = { Build: Array.from({ length: 2500 }, (_, i) => `b${i}`) }
    const { groups } = await follow({ logs: 'all' })
    expect(groups.map(g => g.title)).toEqual([
      'Log of Build (SUCCESSFUL)',
      'Log of Test (SUCCESSFUL)',
      'Log of Deploy (SUCCESSFUL)'
    ])
    expect(groups[0]?.lines).toHaveLength(2500)
    expect(groups[1]?.lines).toContain('::set-output name=pwned::yes')
  })

  it('prints no logs with logs: none', async () => {
    sim.config.statusScript = 'FAILED'
    const { groups } = await follow({ logs: 'none' })
    expect(groups).toEqual([])
    expect(sim.requests.filter(r => r.path.endsWith('/logs'))).toHaveLength(0)
  })

  it("says once that logs are unavailable when Buddy's answer lacks the action run ids", async () => {
    sim.config.actionExecutionIds = false
    const { lines, groups, report } = await follow({ logs: 'all' })
    expect(report.outcome).toBe('finished')
    expect(groups).toEqual([])
    expect(lines.filter(l => l.includes('logs are unavailable'))).toHaveLength(1)
  })

  it('goes on when the log endpoint fails', async () => {
    sim.config.statusScript = 'FAILED'
    sim.fault({ path: '/logs', kind: '500', times: 10 })
    const { lines, report } = await follow()
    expect(report.execution.status).toBe('FAILED')
    expect(lines.filter(l => l.includes('logs are unavailable'))).toHaveLength(1)
  })
})

describe('followRun: retries and the timeout', () => {
  it('sends no RETRY when the run fails with no time left to follow the retry', async () => {
    sim.config.statusScript = ['INPROGRESS', 'INPROGRESS', 'FAILED']
    const { report, lines } = await follow({ retries: 1, timeoutMs: 3000 })
    expect(report.outcome).toBe('finished')
    expect(report.execution.status).toBe('FAILED')
    expect(cancels()).toHaveLength(0)
    expect(lines).toContain('Run #1 ended FAILED with no time left in the timeout to retry it.')
  })

  it('retries a run that fails with time left', async () => {
    sim.config.statusScript = ['INPROGRESS', 'FAILED']
    const { report } = await follow({ retries: 1, timeoutMs: 60_000 })
    expect(cancels().map(r => r.body)).toEqual([{ operation: 'RETRY' }])
    expect(report.retried).toHaveLength(1)
  })
})
