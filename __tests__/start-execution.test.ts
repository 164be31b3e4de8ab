import { BuddyClient } from '../src/buddy/client.js'
import type { RunRequestBody } from '../src/buddy/model.js'
import { isOurExecution, isUnknownRevision, startExecution } from '../src/buddy/start-execution.js'
import { startSimulator } from './support/buddy-simulator.mjs'
import { fakeClock, recordingLog } from './support/fake-clock.js'

type Simulator = Awaited<ReturnType<typeof startSimulator>>
let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator()
})
afterEach(async () => {
  await sim.close()
})

const ref = { workspace: 'acme', project: 'web', pipelineId: 1 }
const REVISION = '1111111111111111111111111111111111111111'
const body: RunRequestBody = {
  to_revision: { revision: REVISION },
  branch: { name: 'main' },
  comment: 'GitHub Actions: o/r · CI #1 https://github.com/o/r/actions/runs/1',
  priority: 'NORMAL'
}

function setup(options: { requestTimeoutMs?: number } = {}) {
  const clock = fakeClock(Date.now())
  const log = recordingLog()
  const client = new BuddyClient({
    baseUrl: new URL(sim.url),
    token: 'sim-token',
    clock,
    log,
    ...options
  })
  return { clock, log, start: (b = body) => startExecution(client, ref, b, { clock, log }) }
}
const posts = () => sim.requests.filter(r => r.method === 'POST')
const lists = () => sim.requests.filter(r => r.method === 'GET' && r.path.endsWith('/executions'))

describe('the run request', () => {
  it('creates one run and returns it', async () => {
    const { start } = setup()
    const execution = await start()
    expect(execution).toMatchObject({ id: 1, status: 'INPROGRESS', branch: { name: 'main' } })
    expect(posts()).toHaveLength(1)
    expect(posts()[0]?.body).toEqual(body)
    expect(sim.executions(1)).toHaveLength(1)
  })

  describe('is sent again where nothing can have been created', () => {
    it('after a 429, honouring Retry-After', async () => {
      sim.fault({ method: 'POST', kind: '429', retryAfter: '4', times: 2 })
      const { start, clock } = setup()
      await expect(start()).resolves.toMatchObject({ id: 1 })
      expect(clock.sleeps).toEqual([4000, 4000])
      expect(sim.executions(1)).toHaveLength(1)
    })

    it('after a refused connection', async () => {
      const url = sim.url
      await sim.close()
      const clock = fakeClock(Date.now())
      const log = recordingLog()
      let restarted: Simulator | undefined
      const client = new BuddyClient({ baseUrl: new URL(url), token: 'sim-token', clock, log })
      // The server comes back during the first pause.
      clock.sleep = async (ms: number) => {
        clock.sleeps.push(ms)
        restarted ??= await startSimulator({ port: Number(new URL(url).port) })
      }
      await expect(startExecution(client, ref, body, { clock, log })).resolves.toMatchObject({
        id: 1
      })
      expect(log.lines.join('\n')).toMatch(/ECONNREFUSED.*Sending the run request again/)
      expect(restarted?.executions(1)).toHaveLength(1)
      sim = restarted as Simulator
    })

    it('while Buddy does not know the revision yet, for about a minute', async () => {
      sim.setUnknownRevision(REVISION, 3)
      const { start, log } = setup()
      await expect(start()).resolves.toMatchObject({ id: 1 })
      expect(posts()).toHaveLength(4)
      expect(log.lines.filter(l => l.startsWith('Buddy does not know revision'))).toHaveLength(3)
      expect(sim.executions(1)).toHaveLength(1)
    })

    it('and gives up on an unknown revision with a clear message', async () => {
      sim.setUnknownRevision(REVISION, 1000)
      const { start, clock } = setup()
      await expect(start()).rejects.toThrow(
        /Buddy does not know revision 1{40} after 6\d s: is it pushed/
      )
      const waited = clock.sleeps.reduce((a, b) => a + b, 0)
      expect(waited).toBeGreaterThanOrEqual(60_000)
      expect(waited).toBeLessThan(70_000)
    })

    it('but a rate limit longer than the step waits fails at once', async () => {
      sim.fault({ method: 'POST', kind: '429', retryAfter: '900' })
      const { start } = setup()
      await expect(start()).rejects.toThrow(/asks to wait 900 s/)
      expect(posts()).toHaveLength(1)
    })
  })

  describe('after an ambiguous failure, looks for the run before sending again', () => {
    it.each(['error-after', 'reset-after', 'bad-json', 'empty', 'shape'])(
      'finds the run a %s created, and sends nothing more',
      async kind => {
        sim.fault({ method: 'POST', kind })
        const { start, log } = setup()
        await expect(start()).resolves.toMatchObject({ id: 1, branch: { name: 'main' } })
        expect(posts()).toHaveLength(1)
        expect(lists().length).toBeGreaterThanOrEqual(1)
        expect(sim.executions(1)).toHaveLength(1)
        expect(log.lines.join('\n')).toMatch(/Found run #1, created by that request/)
      }
    )

    it('finds the run after a request that timed out', async () => {
      sim.fault({ method: 'POST', kind: 'hang', stage: 'after' })
      const { start } = setup({ requestTimeoutMs: 300 })
      await expect(start()).resolves.toMatchObject({ id: 1 })
      expect(posts()).toHaveLength(1)
      expect(sim.executions(1)).toHaveLength(1)
    })

    it.each(['500', '502', '503', '504', 'reset-before'])(
      'sends again once sure that a %s created nothing: one run in all',
      async kind => {
        sim.fault({ method: 'POST', kind })
        const { start } = setup()
        await expect(start()).resolves.toMatchObject({ id: 1 })
        expect(posts()).toHaveLength(2)
        expect(lists()).toHaveLength(2) // looked twice before sending again
        expect(sim.executions(1)).toHaveLength(1)
      }
    )

    it('does not adopt an older run with the same comment and commit', async () => {
      const { start, clock } = setup()
      await start()
      clock.advance(10 * 60_000)
      sim.fault({ method: 'POST', kind: '500' })
      const second = await start()
      expect(second.id).toBe(2)
    })

    it('never sends again when it cannot tell whether a run was created', async () => {
      sim.fault({ method: 'POST', kind: 'error-after' })
      sim.fault({ method: 'GET', path: '/executions', kind: '403' })
      const { start } = setup()
      await expect(start()).rejects.toThrow(
        /Whether a run was created is unknown \(the pipeline's runs could not be listed: .*403.*\), so the request is not sent again/
      )
      expect(posts()).toHaveLength(1)
      expect(sim.executions(1)).toHaveLength(1)
    })

    it('stops after two sends that both failed', async () => {
      sim.fault({ method: 'POST', kind: '500', times: 5 })
      const { start } = setup()
      await expect(start()).rejects.toThrow(/No run was created; gave up after 2 run requests/)
      expect(posts()).toHaveLength(2)
      expect(sim.executions(1)).toHaveLength(0)
    })
  })

  it.each<[string, () => void, RegExp]>([
    ['a 400', () => undefined, /Buddy answered 400.*Branch, tag or pull request is required/],
    [
      'a 403',
      () => (sim.config.tokens['sim-token'] = ['PIPELINE_READ']),
      /403 Forbidden.*PIPELINE_RUN, older name EXECUTION_RUN/
    ]
  ])('fails at once on %s, without sending again', async (_name, arrange, message) => {
    arrange()
    const { start } = setup()
    await expect(start({ ...body, branch: undefined })).rejects.toThrow(message)
    expect(posts()).toHaveLength(1)
  })
})

describe('isUnknownRevision', () => {
  it.each<[number, string | undefined, string, boolean]>([
    [400, 'Revision 1111111 not found in the repository', REVISION, true],
    [404, `Commit ${REVISION} does not exist`, REVISION, true],
    [422, 'Unknown revision', REVISION, true],
    [400, 'Branch, tag or pull request is required', REVISION, false],
    [404, 'Pipeline not found', REVISION, false],
    [400, 'Revision not found', 'HEAD', false],
    [403, `Revision ${REVISION} not found`, REVISION, false],
    [500, `Revision ${REVISION} not found`, REVISION, false]
  ])('%d %j', (status, message, revision, expected) => {
    expect(isUnknownRevision(status, message, revision)).toBe(expected)
  })
})

describe('isOurExecution', () => {
  const sentAt = Date.parse('2026-11-27T12:00:00Z')
  const ours = {
    id: 5,
    status: 'INPROGRESS',
    comment: body.comment,
    branch: { name: 'main' },
    to_revision: { revision: REVISION },
    start_date: '2026-11-27T12:00:01Z'
  }
  it.each<[string, object, boolean]>([
    ['the same request', {}, true],
    ['another comment', { comment: 'other' }, false],
    ['another branch', { branch: { name: 'dev' } }, false],
    ['another commit', { to_revision: { revision: '2222222' } }, false],
    ['started well before we sent', { start_date: '2026-11-27T11:50:00Z' }, false],
    ['within the clock allowance', { start_date: '2026-11-27T11:59:00Z' }, true],
    ['a list entry without comment or date', { comment: undefined, start_date: undefined }, true]
  ])('%s → %s', (_name, change, expected) => {
    expect(isOurExecution({ ...ours, ...change }, body, sentAt)).toBe(expected)
  })
})
