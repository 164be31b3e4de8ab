/**
 * execution-id, end to end: the committed bundle reads and follows a run that another step
 * started (a first run of the bundle with wait: false, or a run put into the simulator), and
 * starts nothing itself. The refusals run in-process (runStep).
 */
import { SECRET_VARIABLE, scanningRunAction, SPAWNS_BUDGET_MS } from './support/secret-scan.js'
import {
  simulatorPerTest,
  simulatorInputs,
  PUSH_TO_MAIN,
  SHA
} from './support/simulator-per-test.js'
import { itWithSignals, signalWhenPrinted } from './support/signals.js'
import { scanningRunStep } from './support/run-in-process.js'

const runAction = scanningRunAction()
// The same step in-process (support/run-in-process.ts), for the refusals: decisions made before
// anything is followed.
const runStep = scanningRunStep()

const sim = simulatorPerTest()

const event = PUSH_TO_MAIN
const common = () => ({
  ...simulatorInputs(sim),
  'poll-interval': '1s'
})
const posts = () => sim.requests.filter(r => r.method === 'POST')
const patches = () => sim.requests.filter(r => r.method === 'PATCH')

/** The post step, as the runner starts it after a cancelled job, with the main step's state. */
function postStep(inputs: Record<string, string>, main: { state: Record<string, string> }) {
  return runAction({ inputs, event, state: main.state, entry: 'dist/post/index.js' })
}

/** The job's signal sent to the main step once it follows run #1, a run going on for long. */
async function signalWhileFollowing(signal: NodeJS.Signals) {
  goingElsewhere()
  const trigger = signalWhenPrinted('Following run #1', signal)
  const main = await runAction({
    inputs: { ...common(), 'execution-id': '1', wait: 'true' },
    event,
    onStdout: trigger.onStdout
  })
  expect(trigger.sent).toBe(true)
  return main
}

/** The run another job started: run #1 on branch main, started by the bundle (wait: false). */
async function startElsewhere() {
  const started = await runAction({
    inputs: { ...common(), 'secret-variables': SECRET_VARIABLE },
    event
  })
  expect(started.code).toBe(0)
  expect(started.outputs['execution-id']).toBe('1')
  return started
}

/** The same run, put straight into the simulator: going on until it is cancelled. */
function goingElsewhere() {
  const run = { branch: { name: 'main' }, to_revision: { revision: SHA } }
  expect(sim.addRun(1, run, 'INPROGRESS')).toBe(1)
}

describe('execution-id', () => {
  it(
    'follows a run it did not start to its end, with the same outputs and summary',
    async () => {
      await startElsewhere()
      sim.requests.length = 0
      const result = await runAction({
        inputs: { ...common(), 'execution-id': '1', wait: 'true' },
        event: {}
      })
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(0)
      expect(result.stdout).toContain(
        'Reading run #1 (branch main), which this step did not start: nothing is run.'
      )
      expect(result.outputs).toMatchObject({
        'execution-id': '1',
        status: 'SUCCESSFUL',
        target: 'branch main',
        revision: SHA,
        'pipeline-id': '1',
        'timed-out': 'false'
      })
      expect(result.outputs['execution-url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/app\//)
      expect(result.stdout).toContain('  Deploy: SUCCESSFUL')
      expect(result.summary).toContain('Buddy run #1: SUCCESSFUL')
      expect(result.state['followed-run']).toBe(
        JSON.stringify({ workspace: 'acme', project: 'web', pipelineId: 1, executionId: 1 })
      )
      expect(result.state['run-settled']).toBe('ended')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'with wait: false reads the run once and leaves it going',
    async () => {
      goingElsewhere()
      const result = await runAction({ inputs: { ...common(), 'execution-id': '1' }, event })
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(0)
      expect(result.outputs).toMatchObject({ 'execution-id': '1', target: 'branch main' })
      expect(result.outputs['timed-out']).toBeUndefined()
      expect(result.state['run-settled']).toBe('left-going: wait: false')
      expect(patches()).toHaveLength(0)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'applies the timeout and cancel-on-timeout to it',
    async () => {
      goingElsewhere()
      const result = await runAction({
        inputs: { ...common(), 'execution-id': '1', wait: 'true', timeout: '2s' },
        event
      })
      expect(result.code).toBe(1)
      expect(result.outputs['timed-out']).toBe('true')
      expect(patches()).toHaveLength(1)
      expect(patches()[0]!.body).toEqual({ operation: 'CANCEL' })
      expect(sim.executions(1)[0]!.status).toBe('TERMINATED')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'fails clearly, before following anything, for a run the pipeline does not have',
    async () => {
      goingElsewhere()
      const result = await runStep({
        inputs: { ...common(), 'execution-id': '99', wait: 'true' },
        event
      })
      expect(result.code).toBe(1)
      expect(result.errors.join('\n')).toContain(
        'Input "execution-id" (99): pipeline "Deploy" has no run #99 in project "web" of workspace "acme".'
      )
      expect(posts()).toHaveLength(0)
      expect(patches()).toHaveLength(0)
      expect(result.outputs['execution-id']).toBeUndefined()
      expect(result.state['run-settled']).toBe('no-run')
    },
    SPAWNS_BUDGET_MS
  )

  it.each([
    [
      'refuses run-request inputs with it, before any request',
      { branch: 'main' },
      'Input "execution-id" follows a run that exists, so nothing is requested: remove "branch".'
    ],
    [
      'refuses retries with it, before any request: an old run would be re-run at its old commit',
      { wait: 'true', retries: '1' },
      'Inputs "execution-id" and "retries" ("1") are both set: "retries" re-runs a failed run'
    ]
  ])(
    '%s',
    async (_title, more, message) => {
      const result = await runStep({
        inputs: { ...common(), 'execution-id': '1', ...more },
        event
      })
      expect(result.code).toBe(1)
      expect(result.errors.join('\n')).toContain(message)
      expect(sim.buddyRequests()).toHaveLength(0)
    },
    SPAWNS_BUDGET_MS
  )

  itWithSignals(
    'with wait: false, a job cancelled while the run is read leaves that run alone',
    async () => {
      goingElsewhere()
      sim.fault({ method: 'GET', path: /\/pipelines\/1$/, kind: 'hang' })
      const trigger = signalWhenPrinted('Buddy API:', 'SIGINT')
      const main = await runAction({
        inputs: { ...common(), 'execution-id': '1' },
        event,
        onStdout: trigger.onStdout
      })
      expect(trigger.sent).toBe(true)
      expect(main.code).toBe(1)
      const post = await postStep({ ...common(), 'execution-id': '1' }, main)
      expect(post.code).toBe(0)
      expect(patches()).toHaveLength(0)
      expect(sim.executions(1)[0]!.status).toBe('INPROGRESS')
    },
    SPAWNS_BUDGET_MS
  )

  itWithSignals(
    'cancels it when the job is cancelled, and the post step leaves it alone then',
    async () => {
      const main = await signalWhileFollowing('SIGINT')
      expect(patches()).toHaveLength(1)
      expect(sim.executions(1)[0]!.status).toBe('TERMINATED')
      expect(main.state['run-settled']).toBe('cancelled')
      const post = await postStep({ ...common(), 'execution-id': '1', wait: 'true' }, main)
      expect(post.code).toBe(0)
      expect(post.stdout).toContain('The main step already cancelled the Buddy run.')
      expect(patches()).toHaveLength(1)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'leaves the post step to cancel it when the main step was killed before it could',
    async () => {
      const main = await signalWhileFollowing('SIGKILL')
      expect(patches()).toHaveLength(0)
      const post = await postStep({ ...common(), 'execution-id': '1', wait: 'true' }, main)
      expect(post.code).toBe(0)
      expect(post.stdout).toContain('The job was cancelled: cancelled Buddy run #1.')
      expect(patches()).toHaveLength(1)
      expect(sim.executions(1)[0]!.status).toBe('TERMINATED')
    },
    SPAWNS_BUDGET_MS
  )
})
