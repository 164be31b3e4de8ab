/**
 * cancel-previous, end to end: the committed bundle cancels the pipeline's runs for the same ref
 * that are still going, before its run request, and no other run.
 */
import { startSimulator } from './support/buddy-simulator.mjs'
import { SECRET_VARIABLE, scanningRunAction } from './support/secret-scan.js'

const runAction = scanningRunAction()
/** Each test spawns the bundle: generous on a busy machine. */
const SPAWNS_BUDGET_MS = 120_000

type Simulator = Awaited<ReturnType<typeof startSimulator>>
let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator()
})
afterEach(async () => {
  await sim.close()
})

const SHA = 'ffac537e6cbbf934b08745a378932722df287a53'
const inputs = (extra: Record<string, string> = {}) => ({
  'secret-variables': SECRET_VARIABLE,
  token: 'sim-token',
  'api-url': sim.url,
  workspace: 'acme',
  project: 'web',
  'pipeline-id': '1',
  'cancel-previous': 'true',
  ...extra
})
const cancelled = () =>
  sim.requests
    .filter(r => r.method === 'PATCH')
    .map(r => Number(/\/executions\/(\d+)$/.exec(r.path)?.[1]))
const statusOf = (id: number) => sim.executions(1).find(e => e.id === id)?.status

/** Runs of pipeline 1 started elsewhere: ids 1 to 8. */
function seedRuns() {
  const main = { branch: { name: 'main' } }
  return {
    mainQueued: sim.addRun(1, main, 'ENQUEUED'),
    mainRunning: sim.addRun(1, main, 'INPROGRESS'),
    mainWaiting: sim.addRun(1, main, 'WAITING_FOR_APPLY'),
    mainEnded: sim.addRun(1, main, 'SUCCESSFUL'),
    mainCancelling: sim.addRun(1, main, 'TERMINATING'),
    otherBranch: sim.addRun(1, { branch: { name: 'feature' } }, 'ENQUEUED'),
    tagNamedMain: sim.addRun(1, { tag: { name: 'main' } }, 'INPROGRESS'),
    pullRequest: sim.addRun(1, { pull_request: { name: 'pull/1' } }, 'ENQUEUED')
  }
}

describe('cancel-previous', () => {
  it(
    "cancels the same branch's runs still going, before its run request, and lists them",
    async () => {
      const runs = seedRuns()
      const result = await runAction({
        inputs: inputs(),
        event: { ref: 'refs/heads/main', after: SHA }
      })
      expect(result.code).toBe(0)
      // Newest first, as Buddy lists them.
      expect(cancelled()).toEqual([runs.mainWaiting, runs.mainRunning, runs.mainQueued])
      for (const id of [runs.mainQueued, runs.mainRunning, runs.mainWaiting])
        expect(statusOf(id)).toBe('TERMINATED')
      expect(statusOf(runs.mainEnded)).toBe('SUCCESSFUL')
      expect(statusOf(runs.mainCancelling)).toBe('TERMINATING')
      expect(statusOf(runs.otherBranch)).toBe('ENQUEUED')
      expect(statusOf(runs.tagNamedMain)).toBe('INPROGRESS')
      expect(statusOf(runs.pullRequest)).toBe('ENQUEUED')
      // Every cancel went out before the run request; the new run is untouched.
      const methods = sim.buddyRequests().map(r => r.method)
      expect(methods.lastIndexOf('PATCH')).toBeLessThan(methods.indexOf('POST'))
      const created = Number(result.outputs['execution-id'])
      expect(created).toBe(9)
      expect(statusOf(created)).toBe('INPROGRESS')
      for (const id of [runs.mainQueued, runs.mainRunning, runs.mainWaiting]) {
        expect(result.stdout).toMatch(
          new RegExp(
            `cancel-previous: cancelled run #${id} \\(\\w+\\) for branch main: http://127\\.0\\.0\\.1:\\d+/app/`
          )
        )
        expect(result.summary).toMatch(
          new RegExp(`<li><a href="[^"]+">#${id}</a> cancelled \\(was <code>\\w+</code>\\)</li>`)
        )
      }
      expect(result.summary).toContain('Earlier runs for branch main (cancel-previous):')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    "cancels only the same pull request's runs for a pull request",
    async () => {
      const runs = seedRuns()
      const other = sim.addRun(1, { pull_request: { name: 'pull/12' } }, 'ENQUEUED')
      const result = await runAction({
        inputs: inputs({ 'pull-request': '1', revision: SHA }),
        event: { ref: 'refs/heads/main', after: SHA }
      })
      expect(result.code).toBe(0)
      expect(cancelled()).toEqual([runs.pullRequest])
      expect(statusOf(other)).toBe('ENQUEUED')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'says when there is nothing to cancel',
    async () => {
      sim.addRun(1, { branch: { name: 'feature' } }, 'INPROGRESS')
      const result = await runAction({
        inputs: inputs(),
        event: { ref: 'refs/heads/main', after: SHA }
      })
      expect(result.code).toBe(0)
      expect(cancelled()).toEqual([])
      expect(result.stdout).toContain(
        'cancel-previous: no earlier run for branch main is still going.'
      )
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'still requests the run when a cancel fails, with a warning',
    async () => {
      const queued = sim.addRun(1, { branch: { name: 'main' } }, 'ENQUEUED')
      sim.fault({ method: 'PATCH', kind: '500', times: 2 })
      const result = await runAction({
        inputs: inputs(),
        event: { ref: 'refs/heads/main', after: SHA }
      })
      expect(result.code).toBe(0)
      expect(result.warnings.join('\n')).toContain(
        `cancel-previous: could not cancel run #${queued}:`
      )
      expect(result.outputs['execution-id']).toBe(String(queued + 1))
      expect(result.summary).toContain(`#${queued}</a> not cancelled:`)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'touches no run by default',
    async () => {
      seedRuns()
      const result = await runAction({
        inputs: inputs({ 'cancel-previous': 'false' }),
        event: { ref: 'refs/heads/main', after: SHA }
      })
      expect(result.code).toBe(0)
      expect(cancelled()).toEqual([])
      expect(
        sim.buddyRequests().filter(r => r.method === 'GET' && /\/executions\?/.test(r.path))
      ).toEqual([])
    },
    SPAWNS_BUDGET_MS
  )
})
