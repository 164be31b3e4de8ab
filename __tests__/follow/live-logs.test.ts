import { BuddyClient } from '../../src/buddy/client.js'
import { followRun } from '../../src/follow/follow-run.js'
import { LiveLogStreamer, MAX_LIVE_LINES } from '../../src/follow/live-logs.js'
import { LogSource } from '../../src/follow/log-source.js'
import type { Execution } from '../../src/buddy/model.js'
import { simulatorPerTest, BUILD_LINT_DEPLOY } from '../support/simulator-per-test.js'
import { followDefaults, startRunDirectly } from '../support/simulator.js'
import { fakeClock } from '../support/fake-clock.js'
import { recordingOutput } from '../support/log-output.js'

const sim = simulatorPerTest()

async function followLive(hooks: { onInfo?: (line: string) => void } = {}) {
  const clock = fakeClock(Date.now())
  const output = recordingOutput()
  const info = output.out.info
  output.out.info = line => {
    info(line)
    hooks.onInfo?.(line)
  }
  const { out } = output
  const client = new BuddyClient({ baseUrl: new URL(sim.url), token: 'sim-token', clock, log: out })
  const started = await startRunDirectly(sim)
  const report = await followRun(started, followDefaults({ logs: 'live' }), {
    client,
    ref: { workspace: 'acme', project: 'web', pipelineId: 1 },
    clock,
    out
  })
  const printed = (name: string) =>
    output.groups.filter(g => g.title.startsWith(`Log of ${name}`)).flatMap(g => g.lines)
  return { report, ...output, printed }
}
const logRequests = () => sim.requests.filter(r => r.path.endsWith('/logs'))
const numbered = (name: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${name} ${i + 1}`)

const offsets = (name: string) => {
  const id = sim.executions(1)[0].actions.find((a: { name: string }) => a.name === name)
    .executionId as string
  return logRequests()
    .filter(r => r.path.includes(`/${id}/logs`))
    .map(r => Number(r.query.offset))
}

/**
 * The transcript cut into groups: each group's title and everything in it (Buddy's lines and the
 * step's own), and the lines outside any group.
 */
function groupsOf(transcript: string[]) {
  const groups: { title: string; lines: string[] }[] = []
  const outside: string[] = []
  let open: { title: string; lines: string[] } | undefined
  // Durations come from Buddy's (the simulator's) real dates: any will do.
  for (const line of transcript.map(l => l.replace(/ \(\d+s\)$/, ' (…)'))) {
    if (line.startsWith('::group::')) {
      open = { title: line.slice('::group::'.length), lines: [] }
      groups.push(open)
    } else if (line === '::endgroup::') open = undefined
    else (open?.lines ?? outside).push(line)
  }
  return { groups, outside }
}

const SEQUENTIAL = [
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
]

describe('logs: live, one action after another', () => {
  it("keeps each action's log and progress lines in one group, from its first line to its end", async () => {
    sim.config.statusScript = SEQUENTIAL
    sim.config.actionLogs = { Build: numbered('build', 9), Deploy: numbered('deploy', 5) }
    const { transcript, report } = await followLive()
    expect(report.execution.status).toBe('SUCCESSFUL')
    const { groups, outside } = groupsOf(transcript)
    expect(groups).toEqual([
      {
        title: 'Log of Build',
        lines: ['  Build: INPROGRESS', ...numbered('build', 9), '  Build: SUCCESSFUL (…)']
      },
      {
        title: 'Log of Deploy',
        lines: ['  Deploy: INPROGRESS', ...numbered('deploy', 5), '  Deploy: SUCCESSFUL (…)']
      }
    ])
    expect(outside).toEqual([
      expect.stringMatching(/^Following run #1/),
      expect.stringMatching(/^Run #1: SUCCESSFUL after/)
    ])
    // Streamed: a request per status read while each runs, from where printing stopped.
    expect(offsets('Build')).toEqual([0, 2, 4, 6])
    expect(offsets('Deploy')).toEqual([0, 2, 4])
  })

  it('reads again from the same offset at a later status read after a transient fault', async () => {
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
    ]
    sim.config.actionLogs = { Build: numbered('build', 8), Deploy: numbered('deploy', 3) }
    // The first two status reads' log requests fail: tried once each, never in a loop.
    sim.fault({ path: '/logs', kind: '503', times: 2 })
    const { report, printed, groups, info } = await followLive()
    expect(report.outcome).toBe('finished')
    expect(offsets('Build')).toEqual([0, 0, 0, 6])
    expect(printed('Build')).toEqual(numbered('build', 8))
    expect(printed('Deploy')).toEqual(numbered('deploy', 3))
    expect(groups.map(g => g.title)).toEqual(['Log of Build', 'Log of Deploy'])
    expect(info.join('\n')).not.toContain('unavailable')
  })

  it('says once that logs are unavailable when Buddy refuses them, and follows on', async () => {
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
      { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
    ]
    sim.fault({ path: '/logs', kind: '403', times: 5 })
    const { report, groups, info, transcript } = await followLive()
    expect(report.outcome).toBe('finished')
    expect(report.execution.status).toBe('SUCCESSFUL')
    expect(groups.flatMap(g => g.lines)).toEqual([])
    expect(logRequests()).toHaveLength(1)
    expect(info.filter(l => l.includes('action logs are unavailable'))).toHaveLength(1)
    // Every progress line is still printed.
    expect(transcript).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}Build: SUCCESSFUL/),
        expect.stringMatching(/^ {2}Deploy: SUCCESSFUL/)
      ])
    )
  })

  it("says once that logs are unavailable when Buddy's answers do not identify the actions' runs", async () => {
    sim.config.actionExecutionIds = false
    const { report, groups, info } = await followLive()
    expect(report.execution.status).toBe('SUCCESSFUL')
    expect(groups).toHaveLength(0)
    expect(logRequests()).toHaveLength(0)
    expect(info.filter(l => l.includes('action logs are unavailable'))).toHaveLength(1)
    expect(info).toContainEqual(expect.stringMatching(/^ {2}Deploy: SUCCESSFUL/))
  })

  it('prints a log again from its start when Buddy begins it anew (the action runs again)', async () => {
    sim.config.pipelines[0]!.actions = [{ id: 11, name: 'Build', type: 'BUILD' }]
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS'] },
      // The action fails, then runs again within the same run, with a new log.
      { status: 'INPROGRESS', actions: ['FAILED'] },
      { status: 'INPROGRESS', actions: ['INPROGRESS'] },
      { status: 'INPROGRESS', actions: ['INPROGRESS'] },
      { status: 'SUCCESSFUL', actions: ['SUCCESSFUL'] }
    ]
    sim.config.actionLogs = { Build: numbered('first', 4) }
    const { printed, info } = await followLive({
      onInfo: line => {
        // Once the first attempt has ended, the action runs again with a new log.
        if (line.startsWith('  Build: FAILED'))
          sim.config.actionLogs = { Build: numbered('again', 3) }
      }
    })
    expect(printed('Build')).toEqual([...numbered('first', 4), ...numbered('again', 3)])
    expect(offsets('Build')).toEqual([0, 2, 4, 0, 3])
    expect(info).toContain(
      'The log of Build began anew in Buddy: printing it again from its start.'
    )
  })

  it('reads a long log a page per status read while the run goes on, the rest at its end', async () => {
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
    ]
    sim.config.actionLogs = { Build: numbered('build', 2500), Deploy: numbered('deploy', 5) }
    const { printed, groups } = await followLive()
    expect(offsets('Build')).toEqual([0, 2, 1002, 2002])
    expect(printed('Build')).toEqual(numbered('build', 2500))
    expect(printed('Deploy')).toEqual(numbered('deploy', 5))
    expect(groups.map(g => g.title)).toEqual(['Log of Build', 'Log of Deploy'])
  })

  it('reads a log without totals to its end: pages while they come back full', async () => {
    sim.config.logTotals = false
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
    ]
    sim.config.actionLogs = { Build: numbered('build', 3000), Deploy: numbered('deploy', 5) }
    const { printed } = await followLive()
    // Pages of 1000, 1000, then 998: one that is not full is the end.
    expect(offsets('Build')).toEqual([0, 2, 1002, 2002])
    expect(printed('Build')).toEqual(numbered('build', 3000))
    expect(printed('Deploy')).toEqual(numbered('deploy', 5))
  })

  it(`cuts an action's log after ${MAX_LIVE_LINES} lines, with a note`, async () => {
    sim.config.statusScript = [{ status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SKIPPED'] }]
    sim.config.actionLogs = { Build: numbered('build', MAX_LIVE_LINES + 5) }
    const { printed } = await followLive()
    const lines = printed('Build')
    expect(lines).toHaveLength(MAX_LIVE_LINES + 1)
    expect(lines.at(-1)).toBe(
      `[cut after ${MAX_LIVE_LINES} lines; the whole log is on the run's page]`
    )
    expect(lines.at(-2)).toBe(`build ${MAX_LIVE_LINES}`)
    expect(offsets('Build')).toHaveLength(MAX_LIVE_LINES / 1000)
    // A skipped action has no log to read.
    expect(offsets('Deploy')).toEqual([])
  })
})

describe('logs: live, actions side by side', () => {
  it('gives each action a group per status read, titled with its lines, only while they run together', async () => {
    sim.config.pipelines[0]!.actions = BUILD_LINT_DEPLOY.map(a => ({ ...a }))
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'SUCCESSFUL', 'INPROGRESS'] },
      { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL'] }
    ]
    sim.config.actionLogs = {
      Build: numbered('build', 7),
      Lint: numbered('lint', 9),
      Deploy: numbered('deploy', 3)
    }
    const { transcript, printed } = await followLive()
    const { groups } = groupsOf(transcript)
    expect(groups.map(g => g.title)).toEqual([
      // Build runs alone: one group, left open ...
      'Log of Build',
      // ... until Lint starts beside it: a group per action and read, naming its lines.
      'Log of Build (INPROGRESS): lines 3–4',
      'Log of Lint (INPROGRESS): lines 1–2',
      'Log of Build (INPROGRESS): lines 5–6',
      'Log of Lint (INPROGRESS): lines 3–4',
      // Build has ended: its rest, then Lint runs alone again, in one group from where it was.
      'Log of Build (from line 7)',
      'Log of Lint (from line 5)',
      'Log of Deploy'
    ])
    expect(groups[0]!.lines).toEqual([
      '  Build: INPROGRESS',
      'build 1',
      'build 2',
      '(The log of Build goes on below, from line 3.)'
    ])
    expect(groups[2]!.lines).toEqual(['  Lint: INPROGRESS', 'lint 1', 'lint 2'])
    expect(groups[5]!.lines).toEqual(['build 7', '  Build: SUCCESSFUL (…)'])
    expect(groups[6]!.lines.at(-1)).toBe('  Lint: SUCCESSFUL (…)')
    expect(groups[7]!.lines).toEqual([
      '  Deploy: INPROGRESS',
      ...numbered('deploy', 3),
      '  Deploy: SUCCESSFUL (…)'
    ])
    expect(printed('Build')).toEqual(numbered('build', 7))
    expect(printed('Lint')).toEqual(numbered('lint', 9))
  })
})

describe('logs: live on every Buddy', () => {
  it('reads the logs from the actions’ runs where Buddy has no /logs endpoint: one 404 in all', async () => {
    sim.config.logsEndpoint = false
    sim.config.statusScript = SEQUENTIAL
    sim.config.actionLogs = { Build: numbered('build', 9), Deploy: numbered('deploy', 5) }
    const { printed, info, groups } = await followLive()
    expect(printed('Build')).toEqual(numbered('build', 9))
    expect(printed('Deploy')).toEqual(numbered('deploy', 5))
    expect(groups.map(g => g.title)).toEqual(['Log of Build', 'Log of Deploy'])
    expect(logRequests()).toHaveLength(1)
    expect(sim.requests.filter(r => /\/action_executions\/[^/]+$/.test(r.path))).toHaveLength(4 + 3)
    expect(info.join('\n')).not.toContain('unavailable')
  })

  it('sends no log request for a run whose logs Buddy removed, and says so once', async () => {
    sim.config.logsRemoved = true
    sim.config.statusScript = SEQUENTIAL
    const { info, groups } = await followLive()
    expect(sim.requests.filter(r => r.path.includes('/action_executions/'))).toHaveLength(0)
    expect(groups).toHaveLength(0)
    expect(info.filter(l => l.includes('(logs_removed)'))).toEqual([
      'Buddy has removed the logs of run #1 (logs_removed): there are none to print.'
    ])
    expect(info).toContainEqual(expect.stringMatching(/^ {2}Deploy: SUCCESSFUL/))
  })
})

describe('LiveLogStreamer after a retry', () => {
  /** A client whose action log is whatever the test says it is now. */
  function streamer() {
    const log = { lines: [] as string[] }
    const client = {
      requestTimeoutMs: 30_000,
      getActionLog: async (
        _ref: unknown,
        _run: number,
        _id: string,
        offset: number,
        limit: number
      ) => ({
        logs: log.lines.slice(offset, offset + limit),
        total_element_count: log.lines.length
      })
    } as unknown as BuddyClient
    const clock = fakeClock()
    const output = recordingOutput()
    const source = new LogSource(
      { client, ref: { workspace: 'a', project: 'b', pipelineId: 1 }, clock, out: output.out },
      7
    )
    const live = new LiveLogStreamer(source, output.out)
    const budget = () => ({ until: clock.now() + 10_000, patient: false })
    return { live, log, groups: output.groups, budget, output }
  }
  const run = (status: string): Execution => ({
    id: 7,
    status,
    action_executions: [{ action_execution_id: 'a1', status, action: { id: 1, name: 'Build' } }]
  })

  it('prints the new attempt whole, even when no read caught the action running again', async () => {
    const { live, log, groups, budget, output } = streamer()
    log.lines = numbered('first', 50)
    await live.stream(run('FAILED'), [], budget())
    expect(groups.flatMap(g => g.lines)).toEqual(numbered('first', 50))
    expect(output.groupOpen).toBe(false)
    // RETRY: the action ran again between two status reads, and is done by the next one.
    live.restart(['a1'])
    log.lines = numbered('second', 80)
    groups.length = 0
    await live.stream(run('SUCCESSFUL'), [], budget())
    await live.drain(run('SUCCESSFUL'), { ...budget(), patient: true })
    expect(groups.flatMap(g => g.lines)).toEqual(numbered('second', 80))
    expect(live.tails.get('a1')).toEqual(numbered('second', 80).slice(-30))
  })
})
