/**
 * Twelve steps of a matrix starting at once, each the committed bundle spawned as the runner
 * starts it, against one workspace's rate limit (the simulator allows half as many requests a
 * second as there are steps, and answers the rest 429 with X-Rate-Limit-Reset, as Buddy
 * documents). All must succeed, each with its own run, and none may create a second run.
 *
 * Why 12 real processes rather than 12 clients in one process: what is under test is exactly
 * what differs between processes (each its own random jitter, its own timers, its own start-up
 * moment), and 12 cold starts cost about 3 s of CPU, which a loaded 2-core machine affords. (The
 * benchmark, npm run bench, starts 30 and 100 against 10 requests a second.)
 */
import { simulatorInputs } from './support/simulator-per-test.js'
import { startSimulator } from './support/buddy-simulator.mjs'
import { runAction } from './support/run-action.mjs'

const STEPS = 12
/** Requests a second: half the steps, so that half of the first requests at least meet a 429. */
const LIMIT = STEPS / 2

type Simulator = Awaited<ReturnType<typeof startSimulator>>
let sim: Simulator
beforeEach(async () => {
  // The first requests of all the steps are answered in the same instant, however long this
  // machine takes to start the processes: the rate limit is surely in the way.
  sim = await startSimulator({ rateLimit: { limit: LIMIT, windowMs: 1000 }, holdUntil: STEPS })
})
afterEach(async () => {
  await sim.close()
})

it(`${STEPS} steps at once against the rate limit: every one succeeds, one run each`, async () => {
  const results = await Promise.all(
    Array.from({ length: STEPS }, (_, index) =>
      runAction({
        inputs: {
          ...simulatorInputs(sim),
          // The matrix: one variable tells the jobs apart; job, commit and branch are shared.
          variables: `TARGET=node-${index}`
        },
        event: { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' },
        timeoutMs: 150_000
      })
    )
  )
  // The limit was really in the way: half of the first requests at least were refused.
  expect(sim.requests.filter(r => r.rateLimited).length).toBeGreaterThanOrEqual(STEPS - LIMIT)
  for (const result of results) {
    expect(result.errors).toEqual([])
    expect(result.code).toBe(0)
  }
  const runs = sim.executions(1)
  expect(runs).toHaveLength(STEPS)
  // Each step got its own run: the one with its own variable and its own marker.
  results.forEach((result, index) => {
    const run = runs.find(r => String(r.id) === result.outputs['execution-id'])
    expect(run?.body.variables).toEqual([{ key: 'TARGET', value: `node-${index}` }])
  })
  const markers = runs.map(r => /\[gh-step [^\]]+\]/.exec(r.body.comment)?.[0])
  expect(new Set(markers).size).toBe(STEPS)
  // A 429 creates nothing: as many run requests got through as there are runs.
  const accepted = sim.requests.filter(r => r.method === 'POST' && !r.rateLimited)
  expect(accepted).toHaveLength(STEPS)
}, 180_000)

it('matrix siblings after a 502: each job follows its own run, never the other one', async () => {
  sim.config.rateLimit = undefined
  const job = (env: string) =>
    runAction({
      inputs: {
        ...simulatorInputs(sim),
        variables: `ENV=${env}`,
        // Buddy may still create the run of a request that met a 502 for three request
        // limits: 3 s here, before the step may send it again.
        'request-timeout': '1s'
      },
      event: { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' }
    })
  sim.config.holdUntil = 0
  const prod = await job('prod')
  expect(prod.outputs['execution-id']).toBe('1')
  // The staging job's run request meets a 502 from a gateway: Buddy created nothing. Its
  // search then finds the prod job's run: same workflow run, job, commit, branch and comment text.
  sim.fault({ method: 'POST', kind: '502' })
  const staging = await job('staging')
  expect(staging.code).toBe(0)
  expect(staging.stdout).toContain('No run was created by that request: sending it again.')
  expect(staging.outputs['execution-id']).toBe('2')
  expect(sim.executions(1).map(e => e.body.variables[0].value)).toEqual(['prod', 'staging'])
})
