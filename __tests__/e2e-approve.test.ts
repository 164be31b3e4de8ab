/**
 * on-approval: approve, end to end: the committed bundle answers a wait for approval with
 * Buddy's APPLY naming the action that waits (the simulator, as a newer Buddy, refuses an APPLY
 * without approve_action_id, and holds a waiting run until approved), and never a wait for
 * variables or for a visual tests session.
 */
import { scanningRunAction, SPAWNS_BUDGET_MS } from './support/secret-scan.js'
import { followingStepPerTest } from './support/simulator-per-test.js'

const runAction = scanningRunAction()

const { sim, event, inputs } = followingStepPerTest(
  {
    configure: started => {
      // A run waiting for approval goes on only once approved (APPLY).
      started.config.approvalHolds = true
    }
  },
  { 'on-approval': 'approve' }
)
const patches = () => sim.requests.filter(r => r.method === 'PATCH').map(r => r.body)
const run = () => sim.executions(1)[0] as { approvals?: number; status: string }

describe('on-approval: approve', () => {
  it(
    'approves an action that waits for approval, once, and follows the run to its end',
    async () => {
      sim.config.statusScript = [
        { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'WAITING_FOR_APPLY'] },
        { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
      ]
      const result = await runAction({ inputs: inputs(), event })
      expect(result.code).toBe(0)
      expect(patches()).toEqual([{ operation: 'APPLY', approve_action_id: 12 }])
      expect(run().approvals).toBe(1)
      expect(result.stdout).toContain(
        'Run #1 waits for approval in action "Deploy" (id 12): approving it with Buddy\'s APPLY (on-approval: approve).'
      )
      expect(result.outputs.status).toBe('SUCCESSFUL')
      expect(result.warnings).toEqual([])
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'approves a run that itself waits, naming its approval action',
    async () => {
      sim.config.pipelines[0]!.actions = [
        { id: 11, name: 'Build', type: 'BUILD' },
        { id: 12, name: 'Approve', type: 'WAIT_FOR_APPLY' },
        { id: 13, name: 'Deploy', type: 'SFTP' }
      ]
      sim.config.statusScript = [
        { status: 'WAITING_FOR_APPLY', actions: ['SUCCESSFUL', 'ENQUEUED', 'ENQUEUED'] },
        'SUCCESSFUL'
      ]
      const result = await runAction({ inputs: inputs(), event })
      expect(result.code).toBe(0)
      expect(patches()).toEqual([{ operation: 'APPLY', approve_action_id: 12 }])
      expect(result.stdout).toContain(
        'Run #1 waits for approval in action "Approve" (id 12): approving it with Buddy\'s APPLY (on-approval: approve).'
      )
      expect(result.outputs.status).toBe('SUCCESSFUL')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'sends no APPLY it cannot address: a run that waits with no approval action in sight is left to a person',
    async () => {
      // The run waits, but its answer shows no action that waits, nor an approval action.
      sim.config.statusScript = ['WAITING_FOR_APPLY']
      const result = await runAction({
        inputs: inputs({ timeout: '3s', 'cancel-on-timeout': 'false' }),
        event
      })
      expect(result.code).toBe(1)
      expect(patches()).toEqual([])
      expect(run().status).toBe('WAITING_FOR_APPLY')
      expect(result.warnings.join('\n')).toContain(
        "Run #1 waits for a person (WAITING_FOR_APPLY); on-approval: approve cannot answer it, as Buddy's answer gives no id of an action that waits for approval (an APPLY must name one): approve or answer it in Buddy at"
      )
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'never answers a wait for a visual tests session (APPROVE_VT is never sent)',
    async () => {
      sim.config.statusScript = [
        { status: 'WAITING_FOR_VT_SESSION', actions: ['SUCCESSFUL', 'WAITING_FOR_VT_SESSION'] },
        { status: 'WAITING_FOR_VT_SESSION', actions: ['SUCCESSFUL', 'WAITING_FOR_VT_SESSION'] },
        'SUCCESSFUL'
      ]
      const result = await runAction({ inputs: inputs(), event })
      expect(result.code).toBe(0)
      expect(patches()).toEqual([])
      expect(result.warnings.join('\n')).toContain(
        'Run #1 waits for a person (WAITING_FOR_VT_SESSION): approve or answer it in Buddy'
      )
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'never answers a wait for variables: it says so and keeps following',
    async () => {
      sim.config.statusScript = [
        'WAITING_FOR_VARIABLES',
        'WAITING_FOR_VARIABLES',
        'WAITING_FOR_VARIABLES',
        'SUCCESSFUL'
      ]
      const result = await runAction({ inputs: inputs(), event })
      expect(result.code).toBe(0)
      expect(patches()).toEqual([])
      expect(result.warnings.join('\n')).toContain(
        'Run #1 waits for a person (WAITING_FOR_VARIABLES): approve or answer it in Buddy'
      )
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'says why when the approval is refused, and keeps following until the timeout',
    async () => {
      sim.config.statusScript = [
        { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'WAITING_FOR_APPLY'] }
      ]
      sim.fault({ method: 'PATCH', kind: '500', times: 2 })
      const result = await runAction({ inputs: inputs({ timeout: '4s' }), event })
      expect(result.code).toBe(1)
      expect(result.warnings.join('\n')).toContain('Could not approve run #1:')
      // Both tries of the one approval, then the timeout's cancel: never a second approval.
      expect(patches()).toEqual([
        { operation: 'APPLY', approve_action_id: 12 },
        { operation: 'APPLY', approve_action_id: 12 },
        { operation: 'CANCEL' }
      ])
      expect(result.outputs['timed-out']).toBe('true')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'with on-approval: wait, sends nothing: the run waits for a person in Buddy',
    async () => {
      sim.config.statusScript = ['WAITING_FOR_APPLY']
      const result = await runAction({
        inputs: inputs({ 'on-approval': 'wait', timeout: '3s', 'cancel-on-timeout': 'false' }),
        event
      })
      expect(result.code).toBe(1)
      expect(patches()).toEqual([])
      expect(run().status).toBe('WAITING_FOR_APPLY')
    },
    SPAWNS_BUDGET_MS
  )
})
