import type { BuddyClient } from '../../src/buddy/client.js'
import { BuddyApiError } from '../../src/buddy/failures.js'
import type { Execution } from '../../src/buddy/model.js'
import { LogReadStop, LogSource, type LogBudget } from '../../src/follow/log-source.js'
import { fakeClock, recordingLog } from '../support/fake-clock.js'

/**
 * The log source against a fake client, in virtual time: which endpoint, how long each request
 * may take, what is waited out and what is not, and what is said.
 */

type Answer = { logs: string[]; total_element_count?: number } | { log?: string[] } | Error
const transient = (status: number, retryAfterMs?: number) =>
  new BuddyApiError(`Buddy answered ${status}.`, status, undefined, true, retryAfterMs)
const notFound = () => new BuddyApiError('Not found (404).', 404)

function setup(answers: { paged?: Answer[]; whole?: Answer[] } = {}) {
  const clock = fakeClock()
  const log = recordingLog()
  const calls: { kind: 'paged' | 'whole'; id: string; offset?: number; timeoutMs?: number }[] = []
  const next = async (queue: Answer[] | undefined, fallback: Answer) => {
    const answer = queue?.shift() ?? fallback
    if (answer instanceof Error) throw answer
    return answer
  }
  const client = {
    requestTimeoutMs: 30_000,
    getActionLog: (
      _ref: unknown,
      _run: number,
      id: string,
      offset: number,
      _limit: number,
      options: { timeoutMs?: number }
    ) => {
      calls.push({ kind: 'paged', id, offset, timeoutMs: options.timeoutMs })
      return next(answers.paged, { logs: ['a', 'b'], total_element_count: 2 })
    },
    getActionExecution: (
      _ref: unknown,
      _run: number,
      id: string,
      options: { timeoutMs?: number }
    ) => {
      calls.push({ kind: 'whole', id, timeoutMs: options.timeoutMs })
      return next(answers.whole, { log: ['a', 'b', 'c'] })
    }
  } as unknown as BuddyClient
  const controller = new AbortController()
  const source = new LogSource(
    {
      client,
      ref: { workspace: 'acme', project: 'web', pipelineId: 1 },
      clock,
      out: log,
      signal: controller.signal
    },
    7
  )
  const running = (): LogBudget => ({ until: clock.now() + 10_000, patient: false })
  const ended = (leftMs = 60_000): LogBudget => ({ until: clock.now() + leftMs, patient: true })
  return { clock, log, calls, source, controller, client, running, ended }
}

const stopOf = async (work: Promise<unknown>): Promise<LogReadStop> => {
  try {
    await work
  } catch (error) {
    if (error instanceof LogReadStop) return error
    throw error
  }
  throw new Error('the read did not stop')
}

describe('LogSource: every Buddy', () => {
  it('reads the whole log from the action’s run where /logs is missing, after one 404 per step', async () => {
    const { source, calls, running } = setup({ paged: [notFound()] })
    expect(await source.page('a1', 0, 1000, running())).toEqual({
      lines: ['a', 'b', 'c'],
      total: 3
    })
    expect(await source.page('a1', 2, 1000, running())).toEqual({ lines: ['c'], total: 3 })
    expect(await source.page('a2', 0, 1000, running())).toEqual({
      lines: ['a', 'b', 'c'],
      total: 3
    })
    expect(calls.map(c => `${c.kind} ${c.id}`)).toEqual([
      'paged a1',
      'whole a1',
      'whole a1',
      'whole a2'
    ])
  })

  it('says logs are unavailable when the action’s run is not found either', async () => {
    const { source, calls, log, ended } = setup({ paged: [notFound()], whole: [notFound()] })
    const stop = await stopOf(source.page('a1', 0, 1000, ended()))
    expect(stop.reason).toBe('unavailable')
    source.explain(stop)
    source.explain(stop)
    await expect(source.page('a2', 0, 1000, ended())).rejects.toMatchObject({
      reason: 'unavailable'
    })
    expect(calls).toHaveLength(2)
    expect(log.lines.filter(l => l.includes('unavailable'))).toHaveLength(1)
  })

  it('has an action without a log yet read as empty, with no length to trust', async () => {
    const { source, running } = setup({ paged: [notFound()], whole: [{}] })
    expect(await source.page('a1', 0, 1000, running())).toEqual({ lines: [] })
  })

  it('sends nothing for a run whose logs Buddy removed, and says so once', () => {
    const { source, calls, log } = setup()
    const run: Execution = { id: 7, status: 'SUCCESSFUL', logs_removed: true }
    expect(source.usable(run)).toBe(false)
    expect(source.usable(run)).toBe(false)
    expect(calls).toHaveLength(0)
    expect(log.lines).toEqual([
      'Buddy has removed the logs of run #7 (logs_removed): there are none to print.'
    ])
    expect(source.usable({ id: 7, status: 'SUCCESSFUL' })).toBe(false)
  })
})

describe('LogSource: within the step’s time', () => {
  it('limits each request to the time left, or the client’s own limit', async () => {
    const { source, calls, ended } = setup()
    await source.page('a1', 0, 1000, ended(12_000))
    await source.page('a1', 0, 1000, ended(120_000))
    expect(calls.map(c => c.timeoutMs)).toEqual([12_000, 30_000])
  })

  it('sends nothing with (almost) no time left', async () => {
    const { source, calls, ended } = setup()
    expect((await stopOf(source.page('a1', 0, 1000, ended(100)))).reason).toBe('time')
    expect(calls).toHaveLength(0)
  })

  it('while the run goes on: one try, and a later status read tries again', async () => {
    const { source, calls, running, clock } = setup({ paged: [transient(503)] })
    expect((await stopOf(source.page('a1', 0, 1000, running()))).reason).toBe('later')
    expect(clock.sleeps).toEqual([])
    expect(await source.page('a1', 0, 1000, running())).toMatchObject({ lines: ['a', 'b'] })
    expect(calls).toHaveLength(2)
  })

  it('while the run goes on: no request before the Retry-After has passed, and no wait for it', async () => {
    const { source, calls, running, clock } = setup({ paged: [transient(503, 60_000)] })
    expect((await stopOf(source.page('a1', 0, 1000, running()))).reason).toBe('later')
    clock.advance(30_000)
    expect((await stopOf(source.page('a1', 0, 1000, running()))).reason).toBe('later')
    expect(calls).toHaveLength(1)
    clock.advance(30_000)
    await source.page('a1', 0, 1000, running())
    expect(calls).toHaveLength(2)
    expect(clock.sleeps).toEqual([])
  })

  it('after the run: waits out a Retry-After (503 or 429) that fits, and tries again', async () => {
    const { source, calls, ended, clock } = setup({
      paged: [transient(503, 1000), transient(429, 2000)]
    })
    expect(await source.page('a1', 0, 1000, ended())).toMatchObject({ lines: ['a', 'b'] })
    expect(calls).toHaveLength(3)
    expect(clock.sleeps).toEqual([1000, 2000])
  })

  it('after the run: does not wait for a Retry-After that does not fit, and says the logs were cut short', async () => {
    const { source, calls, ended, clock, log } = setup({ paged: [transient(503, 60_000)] })
    const stop = await stopOf(source.page('a1', 0, 1000, ended(20_000)))
    expect(stop).toMatchObject({ reason: 'time', message: 'Buddy asked to wait 1m' })
    expect(calls).toHaveLength(1)
    expect(clock.sleeps).toEqual([])
    source.explain(stop)
    source.explain(stop)
    expect(log.lines.filter(l => !l.startsWith('debug:'))).toEqual([
      "Buddy's action logs were cut short: the step's time is up (Buddy asked to wait 1m); see the run's page."
    ])
  })

  it('after the run: gives up after a few transient faults, and says why once', async () => {
    const { source, calls, ended, clock, log } = setup({
      paged: [transient(503), transient(503), transient(503), transient(503)]
    })
    const stop = await stopOf(source.page('a1', 0, 1000, ended()))
    expect(stop.reason).toBe('unavailable')
    expect(stop.message).toBe('Buddy answered 503. Tried 3 times.')
    expect(calls).toHaveLength(3)
    expect(clock.sleeps).toHaveLength(2)
    source.explain(stop)
    await expect(source.page('a2', 0, 1000, ended())).rejects.toMatchObject({
      reason: 'unavailable'
    })
    expect(calls).toHaveLength(3)
    expect(log.lines.filter(l => !l.startsWith('debug:'))).toEqual([
      "Buddy's action logs are unavailable here (Buddy answered 503. Tried 3 times.); see them on the run's page."
    ])
  })

  it('abandons a read in flight the moment the job is cancelled', async () => {
    const { source, client, controller, ended } = setup()
    client.getActionLog = () => new Promise(() => undefined)
    const reading = stopOf(source.page('a1', 0, 1000, ended()))
    controller.abort()
    expect((await reading).reason).toBe('aborted')
    // And nothing more is asked.
    expect((await stopOf(source.page('a1', 0, 1000, ended()))).reason).toBe('aborted')
  })
})
