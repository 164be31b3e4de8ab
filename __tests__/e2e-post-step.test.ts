/**
 * The post step (post-if: cancelled()) end to end: the committed dist/post/index.js, spawned as
 * the runner spawns it after a cancelled job, with the state a main step saved, against a run
 * going in the simulator. Apart from e2e-wait.test.ts so that the two run side by side.
 */
import { followingStepPerTest } from './support/simulator-per-test.js'
import { scanningRunAction } from './support/secret-scan.js'

const runAction = scanningRunAction()

const { sim, event, inputs } = followingStepPerTest()
const cancels = () => sim.requests.filter(r => r.method === 'PATCH')

describe('the post step (post-if: cancelled())', () => {
  /** A run going, as a main step with wait: false leaves it: the post step reads only state. */
  function startRun() {
    expect(sim.addRun(1, { branch: { name: 'main' } }, 'INPROGRESS')).toBe(1)
  }
  const saved = JSON.stringify({ workspace: 'acme', project: 'web', pipelineId: 1, executionId: 1 })
  /** The post step's bundle, with the state the main step saved. */
  const postStep = (state: Record<string, string> = { 'followed-run': saved }) =>
    runAction({ inputs: inputs(), event, entry: 'dist/post/index.js', state })

  it('cancels a run that the main step could not', async () => {
    startRun()
    const result = await postStep()
    expect(result.code).toBe(0)
    expect(cancels()).toHaveLength(1)
    expect(result.stdout).toContain('The job was cancelled: cancelled Buddy run #1.')
    expect(sim.executions(1)[0].status).toBe('TERMINATED')
  })

  it('does nothing when the main step already cancelled the run or saw it end', async () => {
    startRun()
    const result = await postStep({ 'followed-run': saved, 'run-settled': 'true' })
    expect(result.code).toBe(0)
    expect(sim.requests).toHaveLength(0)
  })

  it('does not cancel a run that has ended', async () => {
    startRun()
    sim.executions(1)[0].status = 'SUCCESSFUL'
    sim.executions(1)[0].script = []
    const result = await postStep()
    expect(result.code).toBe(0)
    expect(cancels()).toHaveLength(0)
    expect(result.stdout).toContain('has ended (SUCCESSFUL): nothing to cancel')
  })

  it('never fails the job, even when Buddy cannot be reached', async () => {
    startRun()
    sim.fault({ kind: '500', times: 100 })
    const result = await postStep()
    expect(result.code).toBe(0)
    expect(result.warnings.join('\n')).toMatch(
      /Could not cancel the Buddy run after the job was cancelled/
    )
  })

  it('does nothing without saved state: never a run, even if the main step was killed at once', async () => {
    // A main step killed before it saved anything leaves the post step no state at all: its own
    // bundle can then only say so, never run the main step's flow.
    const result = await postStep({})
    expect(result.code).toBe(0)
    expect(sim.requests).toHaveLength(0)
  })
})
