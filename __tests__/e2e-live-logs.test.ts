/**
 * End to end, logs: live — the committed dist/index.js streams each action's new log lines while
 * the run goes on, against the simulator whose running actions' logs grow with each status read.
 * The output is read as the runner reads it (support/runner-log.ts): workflow commands, groups
 * that do not nest, stop-commands blocks.
 */
import { readAsRunner, type RunnerLog } from './support/runner-log.js'
import { scanningRunAction } from './support/secret-scan.js'
import { followingStepPerTest, BUILD_LINT_DEPLOY } from './support/simulator-per-test.js'

const runAction = scanningRunAction()

const { sim, event, inputs } = followingStepPerTest({}, { logs: 'live' })

/** Buddy's text that tries to act as workflow commands, groups included: all of it prints as text. */
const BUILD_LOG = [
  'build 1',
  'build 2',
  '::set-output name=pwned::yes',
  '::endgroup::',
  'build 5 ##[error]not an error',
  '::group::not a group',
  '::add-mask::build',
  'build 8',
  'build 9'
]
const DEPLOY_LOG = ['deploy 1', 'deploy 2', 'deploy 3', 'deploy 4', 'deploy 5']

/** Each read moves the run one step: Build runs for three reads, then Deploy for two. */
const SCRIPT = [
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
]

/** The groups of Buddy's logs (not the step's own "Run request" group). */
const logGroups = (log: RunnerLog) => log.groups.filter(g => g.title.startsWith('Log of'))

/** A duration in a progress line comes from real dates: any will do. */
const anyDuration = (lines: string[]) => lines.map(l => l.replace(/ \(\d+s\)$/, ' (…)'))

describe('logs: live', () => {
  it('keeps each action’s log and progress lines in one group while actions run one after another', async () => {
    sim.config.statusScript = SCRIPT
    sim.config.actionLogs = { Build: BUILD_LOG, Deploy: DEPLOY_LOG }
    const result = await runAction({ inputs: inputs(), event })
    expect(result.code).toBe(0)
    const log = readAsRunner(result.stdout)
    expect(log.problems).toEqual([])
    expect(log.commandsResumed).toBe(true)
    // Two log groups in all, one per action, each from its first line to its end (after the
    // step's own "Run request" group).
    expect(log.groupCommands).toBe(3)
    expect(log.endgroupCommands).toBe(3)
    expect(logGroups(log).map(g => ({ ...g, lines: anyDuration(g.lines) }))).toEqual([
      {
        title: 'Log of Build',
        lines: ['  Build: INPROGRESS', ...BUILD_LOG, '  Build: SUCCESSFUL (…)']
      },
      {
        title: 'Log of Deploy',
        lines: ['  Deploy: INPROGRESS', ...DEPLOY_LOG, '  Deploy: SUCCESSFUL (…)']
      }
    ])
    // The lines streamed: Build's first lines came before Build ended (a request per read).
    const lines = result.stdout.split('\n')
    expect(lines.indexOf('build 1')).toBeLessThan(lines.indexOf('build 8'))
    expect(lines.findIndex(l => l.startsWith('Run #1: SUCCESSFUL'))).toBeGreaterThan(
      lines.indexOf('deploy 5')
    )
    // None of Buddy's lines acted as a command: they are the groups' text (above), and no
    // output was set.
    expect(result.outputs.pwned).toBeUndefined()
  })

  it('gives actions that run side by side a group per status read, titled with the action and its lines', async () => {
    sim.config.pipelines[0]!.actions = BUILD_LINT_DEPLOY.map(a => ({ ...a }))
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'SUCCESSFUL', 'INPROGRESS'] },
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'SUCCESSFUL', 'INPROGRESS'] },
      { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL'] }
    ]
    sim.config.actionLogs = {
      Build: ['build 1', 'build 2', 'build 3', 'build 4', 'build 5'],
      Lint: ['lint 1', 'lint 2', 'lint 3'],
      Deploy: DEPLOY_LOG
    }
    const result = await runAction({ inputs: inputs(), event })
    expect(result.code).toBe(0)
    const log = readAsRunner(result.stdout)
    expect(log.problems).toEqual([])
    expect(logGroups(log).map(g => g.title)).toEqual([
      'Log of Build (INPROGRESS): lines 1–2',
      'Log of Lint (INPROGRESS): lines 1–2',
      'Log of Build (INPROGRESS): lines 3–4',
      'Log of Lint (INPROGRESS): lines 3–3',
      // Both ended at the same read: each one's rest, one after the other, then Deploy alone.
      'Log of Build (from line 5)',
      'Log of Deploy'
    ])
    expect(log.groupCommands).toBe(log.endgroupCommands)
    // Each action's lines, once each, in order, across its groups.
    const of = (name: string) =>
      log.groups.filter(g => g.title.startsWith(`Log of ${name}`)).flatMap(g => g.lines)
    expect(of('Build').filter(l => l.startsWith('build'))).toEqual(sim.config.actionLogs.Build)
    expect(of('Lint').filter(l => l.startsWith('lint'))).toEqual(sim.config.actionLogs.Lint)
    expect(of('Deploy')).toEqual(
      expect.arrayContaining([...DEPLOY_LOG, expect.stringMatching(/^ {2}Deploy: SUCCESSFUL/)])
    )
    // Lint ended with no line left to read: its status line is printed outside any group.
    expect(log.outside).toContainEqual(expect.stringMatching(/^ {2}Lint: SUCCESSFUL/))
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
    expect(offsets('Build')).toEqual([0, 2, 4, 6])
    expect(offsets('Deploy')).toEqual([0, 2, 4])
  })
})
