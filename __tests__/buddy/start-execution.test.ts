import { BuddyClient } from '../../src/buddy/client.js'
import { systemClock } from '../../src/base/clock.js'
import type { RunRequestBody } from '../../src/buddy/model.js'
import { startExecution } from '../../src/buddy/start-execution.js'
import { JobCancelledError } from '../../src/base/job-cancel.js'
import { stepMarker, withStepMarker } from '../../src/buddy/step-marker.js'
import { startSimulator } from '../support/buddy-simulator.mjs'
import { simulatorPerTest, type Simulator } from '../support/simulator-per-test.js'
import { fakeClock, recordingLog } from '../support/fake-clock.js'
import { simulatorClient } from '../support/simulator-client.js'
import { body, COMMENT, MARKER, ref, REVISION } from '../support/run-request-fixture.js'

const sim = simulatorPerTest({ twoActions: false })

function setup(
  options: {
    requestTimeoutMs?: number
    marker?: string
    signal?: AbortSignal
    /** The step's timeout, from now. */
    timeoutMs?: number
  } = {}
) {
  const { clock, log, client } = simulatorClient(sim, options)
  const marker = options.marker ?? MARKER
  const notBeforeMs = clock.now()
  return {
    clock,
    log,
    client,
    start: (b: RunRequestBody = body) =>
      startExecution(client, ref, b, {
        clock,
        log,
        marker,
        notBeforeMs,
        runsUrl: `${sim.url}/app/acme/web/pipelines/pipeline/1`,
        signal: options.signal,
        deadlineMs: options.timeoutMs === undefined ? undefined : notBeforeMs + options.timeoutMs
      })
  }
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
      // Retry-After plus a spread (fake random: half of 2 s, then of 2.6 s: it grows with the
      // 429s the step meets), so that the jobs sharing the limit do not come back together.
      expect(clock.sleeps).toEqual([5000, 5300])
      expect(sim.executions(1)).toHaveLength(1)
    })

    it('after any number of 429s while the step has time: a 429 is not a failed try', async () => {
      sim.fault({ method: 'POST', kind: '429', retryAfter: '2', times: 20 })
      const { start, clock } = setup()
      await expect(start()).resolves.toMatchObject({ id: 1 })
      expect(posts()).toHaveLength(21)
      // Retry-After, plus a spread that grows with the 429s met, up to 8 s.
      expect(clock.sleeps.every(ms => ms >= 2000 && ms <= 10_000)).toBe(true)
      expect(sim.executions(1)).toHaveLength(1)
    })

    it("until a reset would come after the step's timeout: then it fails at once", async () => {
      sim.fault({ method: 'POST', kind: '429', retryAfter: '50', times: 1000 })
      const { start, clock } = setup({ timeoutMs: 120_000 })
      await expect(start()).rejects.toThrow(
        /rate limit.*\(429\).*It asks to wait 50 s, past the step's timeout \(1\d s left\)\. Nothing was created\./
      )
      // Two waits of 50 s (and their spread) fit in two minutes; the third would not.
      expect(clock.sleeps).toEqual([54_000, 54_000])
      expect(sim.executions(1)).toHaveLength(0)
    })

    it("waits for a reset many minutes away when it comes within the step's timeout", async () => {
      sim.fault({ method: 'POST', kind: '429', retryAfter: '600' })
      const { start, clock } = setup({ timeoutMs: 3_600_000 })
      await expect(start()).resolves.toMatchObject({ id: 1 })
      expect(clock.sleeps).toEqual([604_000])
    })

    it('paces the run request by an answer that said no request is left', async () => {
      const { start, clock, client } = setup()
      sim.fault({
        kind: 'slow-down',
        headers: {
          'X-Rate-Limit-Remaining': '0',
          'X-Rate-Limit-Reset': String(Math.ceil(clock.now() / 1000) + 5)
        }
      })
      await client.getPipeline(ref)
      await expect(start()).resolves.toMatchObject({ id: 1 })
      expect(clock.sleeps).toHaveLength(1)
      expect(clock.sleeps[0]).toBeGreaterThanOrEqual(4000)
      expect(sim.requests.filter(r => r.rateLimited || r.fault === '429')).toHaveLength(0)
    })

    it('waits the rate limit out by X-Rate-Limit-Reset on a 429', async () => {
      const { start, clock } = setup()
      const reset = String(Math.ceil(clock.now() / 1000) + 20)
      sim.fault({ method: 'POST', kind: '429', headers: { 'X-Rate-Limit-Reset': reset } })
      await start()
      expect(clock.sleeps).toHaveLength(1)
      expect(clock.sleeps[0]).toBeGreaterThanOrEqual(19_000)
      expect(clock.sleeps[0]).toBeLessThanOrEqual(24_000)
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
      await expect(
        startExecution(client, ref, body, { clock, log, marker: MARKER, notBeforeMs: clock.now() })
      ).resolves.toMatchObject({ id: 1 })
      expect(log.lines.join('\n')).toMatch(/ECONNREFUSED.*Sending the run request again/)
      expect(restarted?.executions(1)).toHaveLength(1)
      await restarted?.close()
    })

    it('while Buddy does not know the revision yet, for about a minute', async () => {
      sim.setUnknownRevision(REVISION, 3)
      const { start, log } = setup()
      await expect(start()).resolves.toMatchObject({ id: 1 })
      expect(posts()).toHaveLength(4)
      expect(log.lines.filter(l => l.startsWith('Buddy does not know revision'))).toHaveLength(3)
      expect(sim.executions(1)).toHaveLength(1)
    })

    it('backing off while the revision is unknown, with its own count', async () => {
      // Two 429s first: they must not make the unknown-revision pauses start any later.
      sim.fault({ method: 'POST', kind: '429', retryAfter: '1', times: 2 })
      sim.setUnknownRevision(REVISION, 1000)
      const { start, clock } = setup()
      await expect(start()).rejects.toThrow(/does not know revision/)
      const unknownRevisionPauses = clock.sleeps.slice(2)
      // Fake random 0.5: 0.55 of 2 s, 4 s, 8 s, 15 s (the cap), ... until the minute is used.
      expect(unknownRevisionPauses.slice(0, 4)).toEqual([1100, 2200, 4400, 8250])
      // Not a request every 1.1 s for a minute (55, as before the backoff): a dozen at most.
      expect(posts().length).toBeLessThanOrEqual(2 + 13)
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
      const { start, clock } = setup({ timeoutMs: 600_000 })
      await expect(start()).rejects.toThrow(
        /asks to wait 900 s, past the step's timeout \(600 s left\)/
      )
      expect(posts()).toHaveLength(1)
      expect(clock.sleeps).toEqual([])
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
        const { start, clock, log } = setup()
        await expect(start()).resolves.toMatchObject({ id: 1 })
        expect(posts()).toHaveLength(2)
        // Looked again and again, and sent again only once Buddy could no longer be creating
        // the first request's run: three request limits (30 s each) after it was sent.
        expect(lists().length).toBeGreaterThanOrEqual(5)
        expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(90_000)
        expect(log.lines.join('\n')).toMatch(
          /Buddy may still create it until 1m30s after the request was sent/
        )
        expect(sim.executions(1)).toHaveLength(1)
      }
    )

    it('adopts a run Buddy creates after the request timed out, never sending a second', async () => {
      // Buddy takes longer than the request limit: the POST times out at 300 ms while Buddy's
      // backend goes on and creates the run at 600 ms, within the window (3 × 300 ms). Real
      // time here, as Buddy's delay is real.
      sim.fault({ method: 'POST', kind: 'slow', stage: 'before', delayMs: 600 })
      const log = recordingLog()
      const client = new BuddyClient({
        baseUrl: new URL(sim.url),
        token: 'sim-token',
        clock: systemClock,
        log,
        requestTimeoutMs: 300
      })
      const options = { clock: systemClock, log, marker: MARKER, notBeforeMs: Date.now() }
      await expect(startExecution(client, ref, body, options)).resolves.toMatchObject({ id: 1 })
      expect(posts()).toHaveLength(1)
      expect(sim.executions(1)).toHaveLength(1)
      expect(log.lines.join('\n')).toMatch(/Found run #1, created by that request/)
    })

    it("fails without sending again when the step's timeout ends within the window", async () => {
      sim.fault({ method: 'POST', kind: '502' })
      const { start, clock } = setup({ timeoutMs: 40_000 })
      await expect(start()).rejects.toThrow(
        /Could not tell whether Buddy created a run: none was listed by the end of the step's timeout, but Buddy may still create one until 1m30s after the request\. The request is not sent again, to avoid a second run\. Check the pipeline's runs in Buddy \(http:\/\/127\.0\.0\.1:\d+\/app\/acme\/web\/pipelines\/pipeline\/1\) for one whose comment ends with \[gh-step/
      )
      expect(posts()).toHaveLength(1)
      expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(40_000)
    })

    it('neither adopts nor sends again past a run that carries its marker but started before the step', async () => {
      // A run from ten minutes ago (by Buddy's clock) carrying the same marker and commit: the
      // marker is unique to the step, so only a clock far off could explain it. Not ours by the
      // rules, but not surely absent either: the step fails with the link instead of guessing.
      sim.config.now = () => Date.now() - 10 * 60_000
      await setup().start()
      sim.config.now = () => Date.now()
      sim.fault({ method: 'POST', kind: '500' })
      await expect(setup().start()).rejects.toThrow(
        /Whether a run was created is unknown \(run #1 carries this step's marker but does not match its request \(ref, commit or start time\)\), so the request is not sent again/
      )
      expect(sim.requests.filter(r => r.method === 'POST')).toHaveLength(2)
    })

    it("never adopts a matrix sibling's run after a 502: its own run, once", async () => {
      // Two jobs of a matrix over ENV=staging,prod: same workflow run, job, commit and branch.
      const env = { GITHUB_RUN_ID: '99', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'deploy' }
      const bodyFor = (value: string) => {
        const plain = { ...body, comment: COMMENT, variables: [{ key: 'ENV', value }] }
        const marker = stepMarker(env, plain)
        return { marker, body: { ...plain, comment: withStepMarker(COMMENT, marker) } }
      }
      const staging = bodyFor('staging')
      const prod = bodyFor('prod')
      expect(staging.marker).not.toBe(prod.marker)
      const prodStep = setup({ marker: prod.marker })
      const stagingStep = setup({ marker: staging.marker })
      const prodRun = await prodStep.start(prod.body)
      // The staging job's POST meets a 502 from a proxy in front of Buddy: nothing was created.
      sim.fault({ method: 'POST', kind: '502' })
      const stagingRun = await stagingStep.start(staging.body)
      expect(stagingRun.id).not.toBe(prodRun.id)
      expect(sim.executions(1).map(e => e.body.variables[0].value)).toEqual(['prod', 'staging'])
      expect(stagingStep.log.lines.join('\n')).toMatch(/No run was created by that request/)
    })

    it('never sends again when it cannot tell whether a run was created', async () => {
      sim.fault({ method: 'POST', kind: 'error-after' })
      sim.fault({ method: 'GET', path: '/executions', kind: '403', times: 1000 })
      const { start } = setup()
      await expect(start()).rejects.toThrow(
        /Whether a run was created is unknown \(the pipeline's runs could not be listed: .*403.*\), so the request is not sent again, to avoid a second run\. Check the pipeline's runs in Buddy \(http:\/\/127\.0\.0\.1:\d+\/app\/acme\/web\/pipelines\/pipeline\/1\)/
      )
      expect(posts()).toHaveLength(1)
      expect(sim.executions(1)).toHaveLength(1)
    })

    it('fails with the link rather than guess when the list hides comments', async () => {
      sim.config.listWithoutComments = true
      sim.fault({ method: 'POST', kind: '502', stage: 'after' })
      const { start } = setup()
      await expect(start()).rejects.toThrow(
        /show no comment or start date.*not sent again.*Check the pipeline's runs in Buddy \(http/
      )
      expect(posts()).toHaveLength(1)
    })

    // The job is cancelled at the first pause after one send: a 429 created nothing, a 500 may
    // have (Buddy can list a run late), though the simulator created none in either case.
    it.each([
      [
        'during a 429 wait: stops, and says no run can exist',
        { kind: '429', retryAfter: '30' },
        false
      ],
      ['while looking for a run: says one may exist', { kind: '500' }, true]
    ])('when the job is cancelled %s', async (_moment, fault, mayHaveCreated) => {
      sim.fault({ method: 'POST', ...fault })
      const controller = new AbortController()
      const { start, clock } = setup({ signal: controller.signal })
      clock.sleep = async (_ms, signal) => {
        controller.abort(new Error('SIGINT'))
        if (signal?.aborted) throw signal.reason
      }
      const error = await start().catch(e => e as JobCancelledError)
      expect(error).toBeInstanceOf(JobCancelledError)
      expect(error.mayHaveCreated).toBe(mayHaveCreated)
      expect(posts()).toHaveLength(1)
      expect(sim.executions(1)).toHaveLength(0)
    })

    it('when cancelled during a 429 after an ambiguous send: still says one may exist', async () => {
      // POST 1: a 500 (Buddy may have created the run and list it late); the search finds
      // nothing; POST 2 meets a 429, and the job is cancelled while it waits.
      sim.fault({ method: 'POST', kind: '500' })
      sim.fault({ method: 'POST', kind: '429', retryAfter: '30' })
      const controller = new AbortController()
      const { start, clock } = setup({ signal: controller.signal })
      const sleep = clock.sleep.bind(clock)
      clock.sleep = async (ms, signal) => {
        if (posts().length === 2) {
          controller.abort(new Error('SIGINT'))
          throw signal?.reason
        }
        return sleep(ms, signal)
      }
      const error = await start().catch(e => e as JobCancelledError)
      expect(error).toBeInstanceOf(JobCancelledError)
      expect(posts()).toHaveLength(2)
      // The post step must search by the marker: the first request's run may still show up.
      expect(error.mayHaveCreated).toBe(true)
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
