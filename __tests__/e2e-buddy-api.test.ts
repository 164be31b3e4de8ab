/**
 * Buddy's API as Buddy defines it, end to end: the committed bundle against the simulator made
 * to behave as a real Buddy may. Pipelines whose trigger events hold `:context`, codeless and
 * strictly bound pipelines; answers that name a pull request by its number, in the step's own-run
 * search after an ambiguous run request and in cancel-previous; secrets exported in Buddy's
 * encrypted form. (Approving with approve_action_id: e2e-approve.test.ts.) One case of each kind
 * through the bundle, the others in-process (runStep).
 */
import { SECRET_VARIABLE, scanningRunAction, SPAWNS_BUDGET_MS } from './support/secret-scan.js'
import { simulatorPerTest, simulatorInputs } from './support/simulator-per-test.js'
import { scanningRunStep } from './support/run-in-process.js'

const runAction = scanningRunAction()
// The same step in-process (support/run-in-process.ts), for the cases that only check a decision:
// each kind keeps one case through the bundle.
const runStep = scanningRunStep()

const sim = simulatorPerTest({
  configure: started => {
    started.config.pipelines.push(
      {
        id: 4,
        identifier: 'master-and-dev',
        name: 'Master, and dev-* by push',
        refs: ['refs/heads/master'],
        events: [{ type: 'PUSH', refs: [':context', 'refs/heads/dev-*'] }]
      },
      {
        id: 5,
        identifier: 'master-by-context',
        name: 'Master, its push event on :context',
        refs: ['refs/heads/master'],
        events: [{ type: 'PUSH', refs: [':context'] }]
      },
      { id: 6, identifier: 'codeless', name: 'Codeless', refs: [], events: [] },
      {
        id: 7,
        identifier: 'strict-master',
        name: 'Master, strictly',
        refs: ['refs/heads/master'],
        strict_context: true,
        events: [{ type: 'PUSH', refs: [':context', 'refs/heads/dev-*'] }]
      }
    )
  }
})

const SHA = 'ffac537e6cbbf934b08745a378932722df287a53'
const inputs = (extra: Record<string, string> = {}) => ({
  'secret-variables': SECRET_VARIABLE,
  ...simulatorInputs(sim),
  ...extra
})
const push = (branch: string) => ({ ref: `refs/heads/${branch}`, after: SHA })
const posts = () => sim.requests.filter(r => r.method === 'POST' && r.path.endsWith('/executions'))
const patches = () => sim.requests.filter(r => r.method === 'PATCH')

describe("pipeline refs: the context refs, with the events' refs (:context expanded)", () => {
  it(
    'a dev-* push runs a pipeline on master whose push trigger covers :context and dev-*',
    async () => {
      const result = await runAction({
        inputs: inputs({ 'pipeline-id': '4' }),
        event: push('dev-login')
      })
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(1)
      expect(posts()[0]?.body).toMatchObject({
        branch: { name: 'dev-login' },
        to_revision: { revision: SHA }
      })
      expect(result.outputs.target).toBe('branch dev-login')
    },
    SPAWNS_BUDGET_MS
  )

  it.each([
    ['an event on :context alone binds the pipeline to its context ref', '5', 'feature', runAction],
    ['strict_context (its meaning unconfirmed) is read narrowly', '7', 'dev-login', runStep]
  ])(
    '%s: another branch is refused before any request',
    async (_name, pipelineId, branch, step) => {
      const result = await step({
        inputs: inputs({ 'pipeline-id': pipelineId }),
        event: push(branch)
      })
      expect(result.code).toBe(1)
      expect(result.errors.join('\n')).toContain(
        `The pipeline runs only on refs/heads/master, but this event is for branch ${branch}`
      )
      expect(posts()).toEqual([])
    },
    SPAWNS_BUDGET_MS
  )

  it(
    "an event on :context alone: the pipeline's own ref runs with the revision only",
    async () => {
      const result = await runStep({
        inputs: inputs({ 'pipeline-id': '5' }),
        event: push('master')
      })
      expect(result.code).toBe(0)
      expect(posts()[0]?.body).toMatchObject({ to_revision: { revision: SHA } })
      expect(posts()[0]?.body.branch).toBeUndefined()
      expect(result.outputs.target).toBe("the pipeline's own ref refs/heads/master")
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'a codeless pipeline takes no ref: neither a ref nor a revision is sent',
    async () => {
      const result = await runStep({
        inputs: inputs({ 'pipeline-id': '6' }),
        event: push('feature')
      })
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(1)
      const body = posts()[0]?.body as Record<string, unknown>
      for (const field of ['to_revision', 'branch', 'tag', 'pull_request'])
        expect(body[field]).toBeUndefined()
      expect(result.outputs).toMatchObject({
        'execution-id': '1',
        target: 'no ref (a codeless pipeline)',
        revision: ''
      })
      expect(result.stdout).toContain(
        'Running pipeline "Codeless" for no ref (a codeless pipeline)\n'
      )
    },
    SPAWNS_BUDGET_MS
  )
})

describe('pull requests that answers name by number', () => {
  it.each<['N' | 'pull/N', boolean, typeof runAction]>([
    ['N', false, runAction],
    ['N', true, runStep],
    ['pull/N', false, runStep]
  ])(
    "finds the step's own run after an ambiguous run request (names %s, number: %p): no second run",
    async (names, numbers, step) => {
      sim.config.pullRequestNames = names
      sim.config.pullRequestNumbers = numbers
      // The run is created, then the answer is a 500: whether it exists must be looked up.
      sim.fault({ method: 'POST', path: '/executions', kind: 'error-after' })
      const result = await step({
        inputs: inputs({ 'pull-request': '7', revision: SHA }),
        event: push('main')
      })
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(1)
      expect(posts()[0]?.body).toMatchObject({ pull_request: { name: 'pull/7' } })
      expect(sim.executions(1)).toHaveLength(1)
      expect(result.outputs['execution-id']).toBe('1')
      expect(result.stdout).toContain('Found run #1, created by that request')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'cancel-previous cancels the same pull request however its runs name it, and no other',
    async () => {
      sim.config.pullRequestNames = 'N'
      sim.config.pullRequestNumbers = false
      // Started ten minutes ago: older than the step, so cancel-previous's to cancel.
      const earlier = { startedAt: Date.now() - 10 * 60_000 }
      const same = sim.addRun(1, { pull_request: { name: 'pull/7' } }, 'INPROGRESS', earlier)
      const other = sim.addRun(1, { pull_request: { name: 'pull/17' } }, 'ENQUEUED', earlier)
      const branch = sim.addRun(1, { branch: { name: '7' } }, 'ENQUEUED', earlier)
      const result = await runStep({
        inputs: inputs({ 'pull-request': '7', revision: SHA, 'cancel-previous': 'true' }),
        event: push('main')
      })
      expect(result.code).toBe(0)
      expect(patches().map(r => r.path)).toEqual([
        `/workspaces/acme/projects/web/pipelines/1/executions/${same}`
      ])
      const status = (id: number) => sim.executions(1).find(e => e.id === id)?.status
      expect([status(same), status(other), status(branch)]).toEqual([
        'TERMINATED',
        'ENQUEUED',
        'ENQUEUED'
      ])
      expect(result.stdout).toContain(`cancel-previous: cancelled run #${same}`)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'a run given by execution-id and named by number is said the way requests name it',
    async () => {
      sim.config.pullRequestNames = 'N'
      const id = sim.addRun(1, { pull_request: { name: 'pull/7' } }, 'SUCCESSFUL')
      const result = await runStep({
        inputs: { ...inputs({ 'execution-id': String(id) }), 'secret-variables': '' },
        event: push('main')
      })
      expect(result.code).toBe(0)
      expect(result.outputs.target).toBe('pull request pull/7')
    },
    SPAWNS_BUDGET_MS
  )
})

describe('exported variables in encrypted form', () => {
  it(
    'leaves a secret that Buddy gives in its encrypted form out of the variables output',
    async () => {
      const encrypted = '!encrypted eTOyGxpKT8m7AFyKVySBQCcamcaFQqcp'
      sim.config.actionOutputs = {
        Deploy: [
          { key: 'DEPLOY_URL', value: 'https://preview.example.com' },
          { key: 'DB_PASSWORD', value: encrypted }
        ]
      }
      const result = await runAction({
        inputs: inputs({ wait: 'true', 'poll-interval': '1s' }),
        event: push('main')
      })
      expect(result.code).toBe(0)
      expect(JSON.parse(result.outputs.variables as string)).toEqual({
        DEPLOY_URL: 'https://preview.example.com'
      })
      expect(result.stdout).toContain(`::add-mask::${encrypted}`)
      expect(result.stdout).toContain(
        'Buddy gives the variable "DB_PASSWORD" in its encrypted form (a secret\'s plain value is never returned): it is masked and left out of the variables output.'
      )
      const printed = result.stdout
        .split('\n')
        .filter(line => line.includes('eTOyGx') && !line.startsWith('::add-mask::'))
      expect(printed).toEqual([])
    },
    SPAWNS_BUDGET_MS
  )
})
