import type { Simulator } from '../support/simulator.js'
import { followsOnSimulator } from '../support/follow-on-simulator.js'

let sim: Simulator
const { follow, cancels } = followsOnSimulator(current => (sim = current))

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
