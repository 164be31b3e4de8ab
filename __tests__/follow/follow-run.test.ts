import type { Simulator } from '../support/simulator.js'
import { followsOnSimulator } from '../support/follow-on-simulator.js'

let sim: Simulator
const { follow } = followsOnSimulator(current => (sim = current))

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
