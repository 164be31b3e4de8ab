/**
 * End to end, logs: live — the committed dist/index.js streams each action's new log lines while
 * the run goes on, against the simulator whose running actions' logs grow with each status read.
 */
import { scanningRunAction } from './support/secret-scan.js'
import { simulatorPerTest, type Simulator } from './support/simulator-per-test.js'

const runAction = scanningRunAction()

let sim: Simulator
simulatorPerTest(started => {
  sim = started
})

const SHA = 'ffac537e6cbbf934b08745a378932722df287a53'
const event = { ref: 'refs/heads/main', after: SHA }
const inputs = () => ({
  token: 'sim-token',
  'api-url': sim.url,
  workspace: 'acme',
  project: 'web',
  'pipeline-id': '1',
  wait: 'true',
  'poll-interval': '1s',
  logs: 'live'
})

const BUILD_LOG = [
  'build 1',
  'build 2',
  '::set-output name=pwned::yes',
  'build 4 ##[error]not an error',
  '::add-mask::build',
  'build 6',
  'build 7'
]
const DEPLOY_LOG = ['deploy 1', 'deploy 2', 'deploy 3', 'deploy 4', 'deploy 5']

/** Each read moves the run one step: Build runs for two reads, then Deploy for two. */
const SCRIPT = [
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
]

describe('logs: live', () => {
  it('prints each action’s new lines as the run goes on, once each, as text', async () => {
    sim.config.statusScript = SCRIPT
    sim.config.actionLogs = { Build: BUILD_LOG, Deploy: DEPLOY_LOG }
    const result = await runAction({ inputs: inputs(), event })
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')

    // One group per action whenever it has news, saying which action and which lines.
    expect(lines.filter(l => l.startsWith('::group::Log of'))).toEqual([
      '::group::Log of Build (INPROGRESS): lines 1–2',
      '::group::Log of Build (INPROGRESS): lines 3–4',
      '::group::Log of Build (SUCCESSFUL): lines 5–7 of 7',
      '::group::Log of Deploy (INPROGRESS): lines 1–2',
      '::group::Log of Deploy (INPROGRESS): lines 3–4',
      '::group::Log of Deploy (SUCCESSFUL): lines 5–5 of 5'
    ])
    // No line printed twice, none left out.
    for (const line of [...BUILD_LOG, ...DEPLOY_LOG])
      expect(lines.filter(l => l === line)).toHaveLength(1)

    // The lines stream: Build's first lines come before the run's second status change is told.
    const told = (status: string) => lines.findIndex(l => l.startsWith(status))
    expect(lines.indexOf('build 1')).toBeGreaterThan(told('  Build: INPROGRESS'))
    expect(lines.indexOf('build 1')).toBeLessThan(told('  Build: SUCCESSFUL'))
    expect(lines.indexOf('deploy 1')).toBeLessThan(told('  Deploy: SUCCESSFUL'))

    // Buddy's lines sit between stop-commands markers: none acts as a workflow command.
    let stopped: string | undefined
    const inside: string[] = []
    for (const line of lines) {
      if (stopped) {
        if (line === `::${stopped}::`) stopped = undefined
        else inside.push(line)
        continue
      }
      if (line.startsWith('::stop-commands::')) stopped = line.slice('::stop-commands::'.length)
    }
    expect(inside).toEqual([...BUILD_LOG, ...DEPLOY_LOG])
    expect(result.outputs.pwned).toBeUndefined()
  })

  it('sends at most one log request per running action per status read, from where it stopped', async () => {
    sim.config.statusScript = SCRIPT
    sim.config.actionLogs = { Build: BUILD_LOG, Deploy: DEPLOY_LOG }
    const result = await runAction({ inputs: inputs(), event })
    expect(result.code).toBe(0)
    const [execution] = sim.executions(1)
    const idOf = (name: string) =>
      execution.actions.find((a: { name: string }) => a.name === name).executionId as string

    // The requests after each status read (the run's creation first): log requests only for
    // the actions that ran, each at most once.
    const windows: string[][] = []
    for (const r of sim.buddyRequests()) {
      if (r.method === 'GET' && /\/executions\/\d+$/.test(r.path)) windows.push([])
      else if (r.path.includes('/logs'))
        windows.at(-1)!.push(/action_executions\/([^/]+)\/logs$/.exec(r.path)![1]!)
    }
    expect(windows).toEqual([
      [idOf('Build')],
      [idOf('Build')],
      [idOf('Build'), idOf('Deploy')],
      [idOf('Deploy')],
      [idOf('Deploy')]
    ])
    const offsets = (name: string) =>
      sim
        .buddyRequests()
        .filter(r => r.path.includes(`/action_executions/${idOf(name)}/logs`))
        .map(r => Number(r.query.offset))
    expect(offsets('Build')).toEqual([0, 2, 4])
    expect(offsets('Deploy')).toEqual([0, 2, 4])
  })
})
