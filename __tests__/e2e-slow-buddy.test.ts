/**
 * A slow or degraded Buddy, through the committed bundle as the runner starts it: a run request
 * that Buddy is still working on when the request gives up (slow creation, a gateway 504 after
 * the run was created), the creation window, a rate limit that resets within or after the
 * step's timeout, and answers that say no request is left. The request limit is 1 s here
 * (input "request-timeout"), so the creation window (three limits) is 3 s.
 */
import type { ChildProcess } from 'node:child_process'
import { describeWithSignals, signalWhenPrinted } from './support/signals.js'
import { scanningRunAction, SPAWNS_BUDGET_MS } from './support/secret-scan.js'
import { simulatorPerTest, PUSH_TO_MAIN, stepInputs } from './support/simulator-per-test.js'

const runAction = scanningRunAction()

const sim = simulatorPerTest()

const event = PUSH_TO_MAIN
const inputs = (extra: Record<string, string> = {}) => ({
  ...stepInputs(sim),
  'request-timeout': '1s',
  ...extra
})
const posts = () => sim.requests.filter(r => r.method === 'POST')
const patches = () => sim.requests.filter(r => r.method === 'PATCH')
/** When each request arrived (ms, by the simulator's performance clock). */
const at = (r: { receivedAt: number }) => r.receivedAt

describe('a run request that Buddy is still working on', () => {
  it(
    'slow creation: the request gives up at its limit, the run appears later, and is adopted',
    async () => {
      // Buddy creates the run 2.5 s after the request arrived; the request gives up at 1 s.
      sim.fault({ method: 'POST', kind: 'slow', stage: 'before', delayMs: 2500 })
      const result = await runAction({ inputs: inputs(), event })
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(1)
      expect(sim.executions(1)).toHaveLength(1)
      expect(result.outputs['execution-id']).toBe('1')
      expect(result.stdout).toContain('Found run #1, created by that request')
      expect(result.stdout).not.toContain('sending it again')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'a gateway 504 after Buddy created the run: found by its marker, one run',
    async () => {
      sim.fault({ method: 'POST', kind: '504', stage: 'after' })
      const result = await runAction({ inputs: inputs(), event })
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(1)
      expect(sim.executions(1)).toHaveLength(1)
      expect(result.outputs['execution-id']).toBe('1')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'a 502 that created nothing: sent again only once the creation window has passed',
    async () => {
      sim.fault({ method: 'POST', kind: '502' })
      const result = await runAction({ inputs: inputs(), event })
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(2)
      // Three request limits of 1 s after the first was sent, by the step's own clock: the times
      // it saved for the post step before each send. (Arrivals at the simulator would not do: on
      // a busy machine the first request can reach it long after the step sent it.)
      const sentAt = [...result.rawFiles.state.matchAll(/"sentAtMs":(\d+)/g)].map(m => Number(m[1]))
      expect(sentAt).toHaveLength(2)
      expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(3000)
      expect(sim.executions(1)).toHaveLength(1)
      expect(result.stdout).toContain('No run was created by that request: sending it again.')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'no time left in the timeout for the window: could not tell, no second request',
    async () => {
      sim.fault({ method: 'POST', kind: '502' })
      const result = await runAction({ inputs: inputs({ timeout: '2s' }), event })
      expect(result.code).toBe(1)
      expect(posts()).toHaveLength(1)
      expect(result.errors.join('\n')).toMatch(
        /Could not tell whether Buddy created a run: .*The request is not sent again, to avoid a second run\. Check the pipeline's runs in Buddy \(http:\/\/127\.0\.0\.1:\d+\/app\/acme\/web\/pipelines\/pipeline\/1\)/
      )
    },
    SPAWNS_BUDGET_MS
  )
})

describe("Buddy's rate limit", () => {
  it(
    'a 429 whose reset comes within the timeout: waited for, then one run',
    async () => {
      sim.fault({ method: 'POST', kind: '429', retryAfter: '2' })
      const result = await runAction({ inputs: inputs({ timeout: '1m' }), event })
      expect(result.code).toBe(0)
      const [first, second] = posts()
      expect(at(second!) - at(first!)).toBeGreaterThanOrEqual(2000)
      expect(sim.executions(1)).toHaveLength(1)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'a 429 whose reset comes after the timeout: a clear failure at once, nothing created',
    async () => {
      const reset = String(Math.ceil(Date.now() / 1000) + 3600)
      sim.fault({ method: 'POST', kind: '429', headers: { 'X-Rate-Limit-Reset': reset } })
      const started = Date.now()
      const result = await runAction({ inputs: inputs({ timeout: '10m' }), event })
      expect(result.code).toBe(1)
      expect(Date.now() - started).toBeLessThan(20_000)
      expect(posts()).toHaveLength(1)
      expect(result.errors.join('\n')).toMatch(
        /rate limit was reached \(429\).*It asks to wait 3\d\d\d s, past the step's timeout \(\d+ s left\)\. Nothing was created\./
      )
      expect(sim.executions(1)).toHaveLength(0)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'an answer that says no request is left: the next request waits for the reset, no 429',
    async () => {
      // The reset is set when the answer goes out (the simulator spreads the fault's headers
      // then), two seconds on: however long a busy machine takes to start the step, the step
      // still has a reset ahead of it.
      let reset = 0
      let answeredAt = 0
      sim.fault({
        method: 'GET',
        path: /\/pipelines\/1$/,
        kind: 'slow-down',
        headers: {
          'X-Rate-Limit-Remaining': '0',
          get 'X-Rate-Limit-Reset'() {
            answeredAt = performance.now()
            reset = Math.ceil((performance.timeOrigin + answeredAt) / 1000) + 2
            return String(reset)
          }
        }
      })
      const result = await runAction({ inputs: inputs(), event })
      expect(result.code).toBe(0)
      const [post] = posts()
      // The run request reached the simulator no sooner than the reset's second.
      // (100 ms for the two processes' clocks.)
      expect(performance.timeOrigin + at(post!)).toBeGreaterThanOrEqual(reset * 1000 - 100)
      expect(answeredAt).toBeGreaterThan(0)
      expect(result.stdout).toMatch(
        /Buddy's rate limit is spent for now: sending the run request in/
      )
      expect(sim.requests.filter(r => r.fault === '429' || r.rateLimited)).toHaveLength(0)
    },
    SPAWNS_BUDGET_MS
  )
})

describeWithSignals('the job cancelled while Buddy is slow', () => {
  /** The post step, as the runner starts it after a cancelled job: with the main step's state. */
  const postStep = (state: Record<string, string>, withInputs = inputs()) =>
    runAction({ inputs: withInputs, event, state, entry: 'dist/post/index.js' })

  it(
    'killed during a slow run request: the post step waits for the run to appear and cancels it',
    async () => {
      sim.config.statusScript = Array(1000).fill('INPROGRESS')
      // Buddy creates the run 2 s after the request arrives; the step is killed before that.
      sim.fault({ method: 'POST', kind: 'slow', stage: 'before', delayMs: 2000 })
      let killing = false
      // Killed (the runner's last resort) once the request has reached Buddy.
      const main = await runAction({
        inputs: inputs({ wait: 'true' }),
        event,
        onStdout: (_chunk, child) => {
          const killOnceSent = () =>
            posts().length > 0 ? child.kill('SIGKILL') : setTimeout(killOnceSent, 5)
          if (!killing) killOnceSent()
          killing = true
        }
      })
      expect(main.signal).toBe('SIGKILL')
      expect(sim.executions(1)).toHaveLength(0)
      const post = await postStep(main.state)
      expect(post.code).toBe(0)
      expect(post.stdout).toContain("Found Buddy run #1 by this step's marker.")
      expect(patches().map(r => r.body)).toEqual([{ operation: 'CANCEL' }])
      expect(sim.executions(1)[0]?.status).toBe('TERMINATED')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'wait: false, the job cancelled as the run request is answered: the run is cancelled once',
    async () => {
      sim.config.statusScript = Array(1000).fill('INPROGRESS')
      // The signal goes as the simulator sends the answer that starts the run: the step gets
      // both at once, however busy this machine is.
      let child: ChildProcess | undefined
      let sent = false
      sim.config.rewriteAnswer = (record: { method: string; path: string }, json: unknown) => {
        if (record.method === 'POST' && record.path.endsWith('/executions') && child) {
          sent = child.kill('SIGINT')
        }
        return json
      }
      const main = await runAction({
        inputs: inputs({ wait: 'false' }),
        event,
        onStdout: (_chunk: string, spawned: ChildProcess) => {
          child = spawned
        }
      })
      expect(sent).toBe(true)
      // The signal reached the step before it exited (it says so): it wins over "left going".
      expect(main.stdout).toContain('Received SIGINT: the job is being cancelled.')
      // Never "left going": the main step cancelled the run, or left its cancel to the post step
      // (which one depends on how far the step had read the answer).
      expect(['', 'cancelled']).toContain(main.state['run-settled'])
      const post = await postStep(main.state, inputs({ wait: 'false' }))
      expect(post.code).toBe(0)
      if (main.state['run-settled'] === '') {
        expect(post.stdout).toContain('The job was cancelled: cancelled Buddy run #1.')
      }
      expect(patches().map(r => r.body)).toEqual([{ operation: 'CANCEL' }])
      expect(sim.executions(1)[0]?.status).toBe('TERMINATED')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'a delay-until that has passed by the time the post step runs does not stop its cancel',
    async () => {
      sim.config.statusScript = Array(1000).fill('INPROGRESS')
      const kill = signalWhenPrinted('Buddy run #1 (', 'SIGKILL')
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString()
      const main = await runAction({
        inputs: inputs({ wait: 'true', 'delay-until': inAnHour }),
        event,
        ...kill
      })
      expect(main.signal).toBe('SIGKILL')
      // The post step gets the step's inputs again, its delay-until passed by then: given here
      // as a time that has passed, rather than waited for (a busy machine can take seconds to
      // start the main step, so a near time could pass before the main step checks it).
      const passed = new Date(Date.now() - 1000).toISOString()
      const post = await postStep(main.state, inputs({ wait: 'true', 'delay-until': passed }))
      expect(post.warnings).toEqual([])
      expect(post.stdout).toContain('The job was cancelled: cancelled Buddy run #1.')
      expect(sim.executions(1)[0]?.status).toBe('TERMINATED')
    },
    SPAWNS_BUDGET_MS
  )
})
