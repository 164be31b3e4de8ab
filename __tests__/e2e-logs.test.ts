/**
 * End to end, Buddy's action logs on every Buddy: an older or self-hosted one without the paged
 * /logs endpoint, log pages without totals, and a run whose logs Buddy removed — for logs: all,
 * failed and live, against the simulator made to behave so: logs: all through the committed
 * bundle, the others in-process (runStep).
 */
import { readAsRunner } from './support/runner-log.js'
import { scanningRunAction } from './support/secret-scan.js'
import { followingStepPerTest } from './support/simulator-per-test.js'
import { scanningRunStep } from './support/run-in-process.js'

const runAction = scanningRunAction()
// The same step in-process (support/run-in-process.ts): each kind of Buddy keeps one case
// through the bundle.
const runStep = scanningRunStep()
const runnerFor = (logs: string) => (logs === 'all' ? runAction : runStep)

const { sim, event, inputs: followingInputs } = followingStepPerTest()
const inputs = (logs: string) => followingInputs({ logs })
const numbered = (name: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${name} ${i + 1}`)

const pagedRequests = () => sim.buddyRequests().filter(r => r.path.endsWith('/logs'))
/** Reads of an action's run (getActionExecution): how an older Buddy gives a log. */
const actionRunReads = () =>
  sim.buddyRequests().filter(r => /\/action_executions\/[^/]+$/.test(r.path))
const groupLines = (stdout: string, title: string) =>
  readAsRunner(stdout)
    .groups.filter(g => g.title.startsWith(title))
    .flatMap(g => g.lines)

describe('an older Buddy, without the paged /logs endpoint', () => {
  beforeEach(() => {
    sim.config.logsEndpoint = false
    sim.config.actionLogs = { Build: numbered('build', 1500), Deploy: numbered('deploy', 2500) }
  })

  it.each(['all', 'live'])(
    'logs: %s prints each action’s whole log, read from its run after one 404',
    async logs => {
      const result = await runnerFor(logs)({ inputs: inputs(logs), event })
      expect(result.code).toBe(0)
      // Every line of Build's log is printed (with live, among progress lines). A set, not
      // expect.arrayContaining: that compares each line with each other, 2 CPU-seconds here.
      const build = new Set(groupLines(result.stdout, 'Log of Build'))
      expect(numbered('build', 1500).filter(line => !build.has(line))).toEqual([])
      expect(
        groupLines(result.stdout, 'Log of Deploy').filter(l => l.startsWith('deploy'))
      ).toEqual(numbered('deploy', 2500))
      expect(pagedRequests()).toHaveLength(1)
      expect(actionRunReads().length).toBeGreaterThanOrEqual(2)
      expect(result.stdout).not.toContain('unavailable')
    }
  )

  it('logs: failed prints the failed action’s last 200 lines', async () => {
    sim.config.statusScript = 'FAILED'
    const result = await runStep({ inputs: inputs('failed'), event })
    expect(result.code).toBe(1)
    const log = readAsRunner(result.stdout)
    expect(log.groups.map(g => g.title)).toContain('Log of Deploy (FAILED): last 200 of 2500 lines')
    expect(groupLines(result.stdout, 'Log of Deploy')).toEqual(numbered('deploy', 2500).slice(-200))
    expect(pagedRequests()).toHaveLength(1)
    expect(actionRunReads()).toHaveLength(1)
    // The summary shows the tail too.
    expect(result.summary).toContain('deploy 2500')
  })
})

describe('log pages without totals (total_element_count is optional)', () => {
  beforeEach(() => {
    sim.config.logTotals = false
  })

  it('logs: failed shows the real last 200 lines of a 2,500-line log', async () => {
    sim.config.statusScript = 'FAILED'
    sim.config.actionLogs = { Deploy: numbered('deploy', 2500) }
    const result = await runStep({ inputs: inputs('failed'), event })
    expect(result.code).toBe(1)
    expect(readAsRunner(result.stdout).groups.map(g => g.title)).toContain(
      'Log of Deploy (FAILED): last 200 of 2500 lines'
    )
    const lines = groupLines(result.stdout, 'Log of Deploy')
    expect(lines[0]).toBe('deploy 2301')
    expect(lines).toEqual(numbered('deploy', 2500).slice(-200))
    // Paged while the pages came back full: 1000, 1000, then 500.
    expect(pagedRequests().map(r => Number(r.query.offset))).toEqual([0, 1000, 2000])
  })

  it('logs: all reads a long log to its end, and says where it cut one too long to print', async () => {
    sim.config.actionLogs = { Build: numbered('build', 2500), Deploy: numbered('deploy', 20_005) }
    const result = await runAction({ inputs: inputs('all'), event, timeoutMs: 90_000 })
    expect(result.code).toBe(0)
    expect(groupLines(result.stdout, 'Log of Build')).toEqual(numbered('build', 2500))
    const deploy = groupLines(result.stdout, 'Log of Deploy')
    expect(deploy).toHaveLength(20_001)
    expect(deploy.at(-2)).toBe('deploy 20000')
    expect(deploy.at(-1)).toBe("[cut after 20000 lines; the whole log is on the run's page]")
  }, 120_000)
})

describe('a run whose logs Buddy removed (logs_removed)', () => {
  it.each(['all', 'failed', 'live'])(
    'logs: %s sends no log request and says the logs were removed, once',
    async logs => {
      sim.config.logsRemoved = true
      sim.config.statusScript = 'FAILED'
      const result = await runnerFor(logs)({ inputs: inputs(logs), event })
      expect(result.code).toBe(1)
      expect(sim.buddyRequests().filter(r => r.path.includes('/action_executions/'))).toEqual([])
      expect(
        result.stdout
          .split('\n')
          .filter(
            l =>
              l === 'Buddy has removed the logs of run #1 (logs_removed): there are none to print.'
          )
      ).toHaveLength(1)
      // The step still tells how the run went.
      expect(result.errors.join('\n')).toMatch(/ended FAILED/)
    }
  )
})
