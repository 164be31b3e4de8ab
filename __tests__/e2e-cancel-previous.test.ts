/**
 * cancel-previous, end to end: the committed bundle cancels the pipeline's older runs for the
 * same ref that are still going, before its run request, and no other run: newer runs of the same
 * ref (a later workflow run's, or one started after the step began) are left alone and listed.
 */
import { simulatorPerTest, stepInputs, SHA } from './support/simulator-per-test.js'
import { scanningRunAction, SPAWNS_BUDGET_MS } from './support/secret-scan.js'

const runAction = scanningRunAction()

const sim = simulatorPerTest({ twoActions: false })

const inputs = (extra: Record<string, string> = {}) => ({
  ...stepInputs(sim),
  'cancel-previous': 'true',
  ...extra
})
const cancelled = () =>
  sim.requests
    .filter(r => r.method === 'PATCH')
    .map(r => Number(/\/executions\/(\d+)$/.exec(r.path)?.[1]))
const statusOf = (id: number) => sim.executions(1).find(e => e.id === id)?.status

/** Ten minutes before now: long before the step begins. */
const earlier = () => ({ startedAt: Date.now() - 10 * 60_000 })

/** Runs of pipeline 1 started elsewhere, ten minutes ago: ids 1 to 8. */
function seedRuns() {
  const main = { branch: { name: 'main' } }
  return {
    mainQueued: sim.addRun(1, main, 'ENQUEUED', earlier()),
    mainRunning: sim.addRun(1, main, 'INPROGRESS', earlier()),
    mainWaiting: sim.addRun(1, main, 'WAITING_FOR_APPLY', earlier()),
    mainEnded: sim.addRun(1, main, 'SUCCESSFUL', earlier()),
    mainCancelling: sim.addRun(1, main, 'TERMINATING', earlier()),
    otherBranch: sim.addRun(1, { branch: { name: 'feature' } }, 'ENQUEUED', earlier()),
    tagNamedMain: sim.addRun(1, { tag: { name: 'main' } }, 'INPROGRESS', earlier()),
    pullRequest: sim.addRun(1, { pull_request: { name: 'pull/1' } }, 'ENQUEUED', earlier())
  }
}

/** The comment a step of workflow run `runId` leaves (this step's run is 4242, attempt 1). */
const markedBy = (runId: number, attempt = 1) =>
  `GitHub Actions: octo-org/octo-repo · CI [gh-step ${runId}.${attempt}.deploy.0a1b2c3d.00000001]`

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
      const other = sim.addRun(1, { pull_request: { name: 'pull/12' } }, 'ENQUEUED', earlier())
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
      sim.addRun(1, { branch: { name: 'feature' } }, 'INPROGRESS', earlier())
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
    "leaves a later workflow run's run alone and lists it, and cancels an older workflow run's",
    async () => {
      const main = { branch: { name: 'main' } }
      // The marker decides, whatever the start dates say: the newer run started long ago (this
      // job is late), the older one a moment ago.
      const newer = sim.addRun(1, main, 'INPROGRESS', { ...earlier(), comment: markedBy(4243) })
      const older = sim.addRun(1, main, 'INPROGRESS', { comment: markedBy(4241, 2) })
      const result = await runAction({
        inputs: inputs(),
        event: { ref: 'refs/heads/main', after: SHA }
      })
      expect(result.code).toBe(0)
      expect(cancelled()).toEqual([older])
      expect(statusOf(older)).toBe('TERMINATED')
      expect(statusOf(newer)).toBe('INPROGRESS')
      expect(result.warnings.join('\n')).toMatch(
        new RegExp(
          `cancel-previous: left run #${newer} \\(INPROGRESS\\) for branch main alone, as newer than this step's run: a later workflow run \\(4243\\) started it\\. This step's run starts all the same, for an older workflow run: should both deploy, it may end last\\. http://127\\.0\\.0\\.1:\\d+/app/`
        )
      )
      expect(result.stdout).toContain(`cancel-previous: cancelled run #${older} (INPROGRESS)`)
      expect(result.summary).toContain(
        "Runs for branch main left alone, as newer than this step's (cancel-previous):"
      )
      expect(result.summary).toMatch(
        new RegExp(
          `<li><a href="[^"]+">#${newer}</a> <code>INPROGRESS</code>: a later workflow run &#40;4243&#41; started it</li>`
        )
      )
      expect(result.summary).toMatch(new RegExp(`#${older}</a> cancelled \\(was <code>INPROGRESS`))
      expect(result.outputs['execution-id']).toBe(String(newer + 2))
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'leaves alone a run started after the step began, and one with no marker from just before',
    async () => {
      const main = { branch: { name: 'main' } }
      const old = sim.addRun(1, main, 'ENQUEUED', earlier())
      // Started in Buddy a moment ago: the runner's and Buddy's clocks may differ.
      const justBefore = sim.addRun(1, main, 'ENQUEUED', { startedAt: Date.now() - 30_000 })
      let startedLater: number | undefined
      // The step waits for its pipeline while a run of the same branch starts in Buddy.
      sim.fault({ method: 'GET', path: /\/pipelines\/1$/, kind: 'gate' })
      const result = await runAction({
        inputs: inputs(),
        event: { ref: 'refs/heads/main', after: SHA },
        onStdout: chunk => {
          if (startedLater !== undefined || !chunk.includes('What to run')) return
          startedLater = sim.addRun(1, main, 'INPROGRESS')
          sim.release()
        }
      })
      expect(result.code).toBe(0)
      expect(startedLater).toBeDefined()
      expect(cancelled()).toEqual([old])
      expect(statusOf(startedLater!)).toBe('INPROGRESS')
      expect(statusOf(justBefore)).toBe('ENQUEUED')
      for (const id of [startedLater!, justBefore]) {
        expect(result.stdout).toMatch(
          new RegExp(
            `cancel-previous: left run #${id} \\(\\w+\\) for branch main alone, as newer than this step's run: it started at \\S+Z, after this step began \\(or less than 2 minutes before, as the clocks of the runner and Buddy may differ\\)\\.`
          )
        )
      }
      expect(result.warnings).toEqual([])
      expect(result.summary).toContain("left alone, as newer than this step's")
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'still requests the run when a cancel fails, with a warning',
    async () => {
      const queued = sim.addRun(1, { branch: { name: 'main' } }, 'ENQUEUED', earlier())
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
