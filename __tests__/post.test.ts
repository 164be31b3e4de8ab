/**
 * The post step in-process (src/post.ts, @actions/core recorded, virtual time), for what the
 * bundle cannot show in a test's seconds: a creation window longer than the post step may look.
 * (The state the main step leaves for it: post-handoff.test.ts.)
 */
import { jest } from '@jest/globals'
import { createFakeCore } from './support/fake-core.js'
import { fakeClock } from './support/fake-clock.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const post = await import('../src/post.js')
const { startSimulator } = await import('./support/buddy-simulator.mjs')

type Simulator = Awaited<ReturnType<typeof startSimulator>>
let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator()
  fake.reset()
})
afterEach(async () => {
  await sim.close()
})

const MARKER = '[gh-step 4242.1.deploy.0badc0de.00000001]'

function inputs(extra: Record<string, string> = {}) {
  fake.record.inputs = {
    token: 'sim-token',
    'api-url': sim.url,
    region: 'US',
    workspace: 'acme',
    project: 'web',
    'pipeline-id': '1',
    priority: 'NORMAL',
    refresh: 'false',
    'clear-cache': 'false',
    'cancel-previous': 'false',
    'allow-fork-code': 'false',
    wait: 'true',
    timeout: '60m',
    'request-timeout': '30s',
    'poll-interval': '10s',
    'cancel-on-timeout': 'true',
    'cancel-on-job-cancel': 'true',
    'propagate-failure': 'true',
    retries: '0',
    'on-approval': 'wait',
    logs: 'failed',
    ...extra
  }
}

function pending(clock: { now(): number }) {
  fake.record.state['pending-run'] = JSON.stringify({
    workspace: 'acme',
    project: 'web',
    pipelineId: 1,
    marker: MARKER,
    notBeforeMs: clock.now() - 1000,
    sentAtMs: clock.now() - 500
  })
}

describe('the post step after a job cancel during the run request', () => {
  it('says it could not tell, with the link, when Buddy may still create the run after it must stop', async () => {
    // A 10-minute request limit: Buddy may create the run for 30 minutes after the request,
    // longer than a cancelled job leaves the post step.
    inputs({ 'request-timeout': '10m' })
    const clock = fakeClock(Date.now())
    pending(clock)
    const started = clock.now()
    await post.runPost({}, clock)
    const warnings = fake.record.log.filter(l => l.startsWith('::warning::'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /could not tell whether Buddy created a run: none was listed by the time the post step had to stop, but Buddy may still create one until 30m after the request\. Check the pipeline's runs in Buddy for one whose comment ends with \[gh-step 4242/
    )
    expect(fake.record.log.join('\n')).not.toMatch(/created none/)
    // It looked for three minutes, never longer.
    expect(clock.now() - started).toBeGreaterThanOrEqual(3 * 60_000)
    expect(clock.now() - started).toBeLessThanOrEqual(3 * 60_000 + 30_000)
    expect(sim.requests.filter(r => r.method === 'PATCH')).toHaveLength(0)
  })

  it('says the request created none only once the window has passed', async () => {
    inputs()
    const clock = fakeClock(Date.now())
    pending(clock)
    const started = clock.now()
    await post.runPost({}, clock)
    expect(fake.record.log.join('\n')).toMatch(
      /No Buddy run carries this step's marker .*, 1m30s after the run request: it created none/
    )
    // The window: 90 s after the request, which was sent half a second before the post step.
    expect(clock.now() - started).toBeGreaterThanOrEqual(89_500)
  })

  it('cancels a run that appears while it looks', async () => {
    inputs()
    const clock = fakeClock(Date.now())
    pending(clock)
    // Buddy lists the run from the third look on (the request was still at work).
    let looks = 0
    const sleep = clock.sleep.bind(clock)
    clock.sleep = async (ms, signal) => {
      if (++looks === 2) {
        sim.addRun(1, { branch: { name: 'main' } }, 'INPROGRESS', {
          comment: `GitHub Actions ${MARKER}`,
          startedAt: Date.now()
        })
      }
      return sleep(ms, signal)
    }
    await post.runPost({}, clock)
    expect(fake.record.log).toContain("Found Buddy run #1 by this step's marker.")
    expect(sim.requests.filter(r => r.method === 'PATCH').map(r => r.body)).toEqual([
      { operation: 'CANCEL' }
    ])
  })
})
