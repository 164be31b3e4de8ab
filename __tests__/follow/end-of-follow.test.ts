import type { Simulator } from '../support/simulator.js'
import { followsOnSimulator } from '../support/follow-on-simulator.js'

let sim: Simulator
const { follow, cancels } = followsOnSimulator(current => (sim = current))

describe('followRun', () => {
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
})
