import { BuddyClient } from '../../src/buddy/client.js'
import { followRun, type LogOutput } from '../../src/follow/follow-run.js'
import { actionsToRead, LiveLogStreamer, MAX_LIVE_LINES } from '../../src/follow/live-logs.js'
import type { Execution } from '../../src/buddy/model.js'
import { startSimulator } from '../support/buddy-simulator.mjs'
import { followDefaults, startRunDirectly } from '../support/simulator.js'
import { fakeClock } from '../support/fake-clock.js'

type Simulator = Awaited<ReturnType<typeof startSimulator>>
let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator()
  sim.config.pipelines[0]!.actions = [
    { id: 11, name: 'Build', type: 'BUILD' },
    { id: 12, name: 'Deploy', type: 'SFTP' }
  ]
})
afterEach(async () => {
  await sim.close()
})

async function followLive(hooks: { onGroup?: (title: string) => void } = {}) {
  const clock = fakeClock(Date.now())
  const info: string[] = []
  const groups: { title: string; lines: string[] }[] = []
  const out: LogOutput = {
    debug: () => undefined,
    info: m => void info.push(m),
    warning: m => void info.push(`warning: ${m}`),
    printUntrusted: (title, body) => {
      groups.push({ title, lines: body })
      hooks.onGroup?.(title)
    }
  }
  const client = new BuddyClient({ baseUrl: new URL(sim.url), token: 'sim-token', clock, log: out })
  const started = await startRunDirectly(sim)
  const report = await followRun(started, followDefaults({ logs: 'live' }), {
    client,
    ref: { workspace: 'acme', project: 'web', pipelineId: 1 },
    clock,
    out
  })
  const printed = (name: string) =>
    groups.filter(g => g.title.startsWith(`Log of ${name} `)).flatMap(g => g.lines)
  return { report, info, groups, printed }
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

describe('logs: live', () => {
  it('reads again from the same offset after a transient fault, printing each line once', async () => {
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
    ]
    sim.config.actionLogs = { Build: numbered('build', 8), Deploy: numbered('deploy', 3) }
    // The first read's log request fails, and so does the client's one retry.
    sim.fault({ path: '/logs', kind: '503', times: 2 })
    const { report, printed, groups, info } = await followLive()
    expect(report.outcome).toBe('finished')
    expect(offsets('Build')).toEqual([0, 0, 0, 4, 6])
    expect(printed('Build')).toEqual(numbered('build', 8))
    expect(printed('Deploy')).toEqual(numbered('deploy', 3))
    expect(groups.map(g => g.title)).toEqual([
      'Log of Build (INPROGRESS): lines 1–4',
      'Log of Build (INPROGRESS): lines 5–6',
      'Log of Build (SUCCESSFUL): lines 7–8 of 8',
      'Log of Deploy (SUCCESSFUL): lines 1–3 of 3'
    ])
    expect(info.join('\n')).not.toContain('unavailable')
  })

  it('says once that logs are unavailable when Buddy refuses them, and follows on', async () => {
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
      { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
    ]
    sim.fault({ path: '/logs', kind: '403', times: 5 })
    const { report, groups, info } = await followLive()
    expect(report.outcome).toBe('finished')
    expect(report.execution.status).toBe('SUCCESSFUL')
    expect(groups).toHaveLength(0)
    expect(logRequests()).toHaveLength(1)
    expect(info.filter(l => l.includes('action logs are unavailable'))).toHaveLength(1)
  })

  it("says once that logs are unavailable when Buddy's answers do not identify the actions' runs", async () => {
    sim.config.actionExecutionIds = false
    const { report, groups, info } = await followLive()
    expect(report.execution.status).toBe('SUCCESSFUL')
    expect(groups).toHaveLength(0)
    expect(logRequests()).toHaveLength(0)
    expect(info.filter(l => l.includes('action logs are unavailable'))).toHaveLength(1)
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
      onGroup: title => {
        // Once the first attempt's log has been printed, the action runs again with a new one.
        if (title.includes('(FAILED)')) sim.config.actionLogs = { Build: numbered('again', 3) }
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
    const { printed } = await followLive()
    expect(offsets('Build')).toEqual([0, 2, 1002, 2002])
    expect(printed('Build')).toEqual(numbered('build', 2500))
    expect(printed('Deploy')).toEqual(numbered('deploy', 5))
  })

  it(`cuts an action's log after ${MAX_LIVE_LINES} lines, with a note`, async () => {
    sim.config.statusScript = [{ status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SKIPPED'] }]
    sim.config.actionLogs = { Build: numbered('build', MAX_LIVE_LINES + 5) }
    const { printed } = await followLive()
    const lines = printed('Build')
    expect(lines).toHaveLength(MAX_LIVE_LINES + 1)
    expect(lines.at(-1)).toBe(`[cut after ${MAX_LIVE_LINES} lines]`)
    expect(lines.at(-2)).toBe(`build ${MAX_LIVE_LINES}`)
    expect(offsets('Build')).toHaveLength(MAX_LIVE_LINES / 1000)
    // A skipped action has no log to read.
    expect(offsets('Deploy')).toEqual([])
  })
})

describe('actionsToRead', () => {
  const action = (status: string | undefined, id: string | undefined) => ({
    action: { id: 1, name: `a-${id}`, type: 'BUILD' },
    action_execution_id: id,
    status
  })
  it.each([
    ['INPROGRESS', 'a', true],
    ['SUCCESSFUL', 'a', true],
    ['FAILED', 'a', true],
    ['TERMINATED', 'a', true],
    ['ENQUEUED', 'a', false],
    ['INITIAL', 'a', false],
    ['SKIPPED', 'a', false],
    ['NOT_EXECUTED', 'a', false],
    [undefined, 'a', false],
    ['INPROGRESS', undefined, false],
    ['INPROGRESS', 'done', false]
  ])('%s (id %s): read = %s', (status, id, read) => {
    const execution = { id: 1, status: 'INPROGRESS', action_executions: [action(status, id)] }
    expect(actionsToRead(execution as Execution, new Set(['done']))).toHaveLength(read ? 1 : 0)
  })
})

describe('LiveLogStreamer after a retry', () => {
  /** A client whose action log is whatever the test says it is now. */
  function streamer() {
    const log = { lines: [] as string[] }
    const client = {
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
    const groups: { title: string; lines: string[] }[] = []
    const out: LogOutput = {
      debug: () => undefined,
      info: () => undefined,
      warning: () => undefined,
      printUntrusted: (title, lines) => void groups.push({ title, lines })
    }
    const live = new LiveLogStreamer(
      { client, ref: { workspace: 'a', project: 'b', pipelineId: 1 }, out },
      7
    )
    return { live, log, groups }
  }
  const run = (status: string): Execution => ({
    id: 7,
    status,
    action_executions: [{ action_execution_id: 'a1', status, action: { id: 1, name: 'Build' } }]
  })

  it('prints the new attempt whole, even when no read caught the action running again', async () => {
    const { live, log, groups } = streamer()
    log.lines = numbered('first', 50)
    await live.stream(run('FAILED'))
    expect(groups.flatMap(g => g.lines)).toEqual(numbered('first', 50))
    // RETRY: the action ran again between two status reads, and is done by the next one.
    live.restart(['a1'])
    log.lines = numbered('second', 80)
    groups.length = 0
    await live.stream(run('SUCCESSFUL'))
    await live.drain(run('SUCCESSFUL'))
    expect(groups.flatMap(g => g.lines)).toEqual(numbered('second', 80))
    expect(live.tails.get('a1')).toEqual(numbered('second', 80).slice(-30))
  })
})
