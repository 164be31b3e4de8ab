import type { Execution } from '../../src/buddy/model.js'
import { approvalWait } from '../../src/follow/approval.js'
import { waitForRunEnd } from '../../src/follow/wait-loop.js'
import { fakeClock, recordingLog } from '../support/fake-clock.js'

describe('approvalWait: the action an APPLY names', () => {
  /** Build, Approve (Buddy's "Wait for approval" action), Deploy. */
  const run = (statuses: (string | undefined)[], status = 'INPROGRESS'): Execution => ({
    id: 1,
    status,
    action_executions: [
      { action: { id: 11, name: 'Build', type: 'BUILD' } },
      { action: { id: 12, name: 'Approve', type: 'WAIT_FOR_APPLY' } },
      { action: { id: 13, name: 'Deploy', type: 'SFTP' } }
    ].map((a, i) => ({ ...a, action_execution_id: `ae${i}`, status: statuses[i] }))
  })

  it.each<[string, Execution, object | undefined]>([
    ['no wait', run(['SUCCESSFUL', 'INPROGRESS', 'ENQUEUED']), undefined],
    [
      'the action that shows WAITING_FOR_APPLY: its action.id',
      run(['SUCCESSFUL', 'WAITING_FOR_APPLY', 'ENQUEUED']),
      { key: 'action ae1', action: '"Approve" (id 12)', actionId: 12 }
    ],
    [
      'an action of another type that waits',
      run(['WAITING_FOR_APPLY', 'ENQUEUED', 'ENQUEUED']),
      { actionId: 11 }
    ],
    [
      'the run itself waits: its first approval action not yet ended',
      run(['SUCCESSFUL', 'ENQUEUED', 'ENQUEUED'], 'WAITING_FOR_APPLY'),
      { actionId: 12, action: '"Approve" (id 12)' }
    ],
    [
      'the run itself waits, its actions without statuses',
      run([undefined, undefined, undefined], 'WAITING_FOR_APPLY'),
      { actionId: 12 }
    ],
    [
      'the run waits, but its approval action has ended: nothing is guessed',
      run(['SUCCESSFUL', 'SUCCESSFUL', 'ENQUEUED'], 'WAITING_FOR_APPLY'),
      { key: 'run', actionId: undefined }
    ],
    [
      'the run waits, its answer without actions: nothing is guessed',
      { id: 1, status: 'WAITING_FOR_APPLY' },
      { key: 'run', actionId: undefined }
    ],
    [
      'a wait for a visual tests session is no wait for approval',
      run(['SUCCESSFUL', 'WAITING_FOR_VT_SESSION', 'ENQUEUED'], 'WAITING_FOR_VT_SESSION'),
      undefined
    ],
    [
      'a wait for variables is no wait for approval',
      run(['SUCCESSFUL', 'WAITING_FOR_VARIABLES', 'ENQUEUED'], 'WAITING_FOR_VARIABLES'),
      undefined
    ]
  ])('%s', (_name, execution, expected) => {
    const wait = approvalWait(execution)
    if (expected === undefined) expect(wait).toBeUndefined()
    else expect(wait).toMatchObject(expected)
  })

  it.each<[string, Record<string, unknown>, number | undefined]>([
    ['action.id', { action: { id: 7 }, action_execution_id: 'f00' }, 7],
    ['a numeric action execution id, without action.id', { action_execution_id: '42' }, 42],
    ['a number as action execution id', { action_execution_id: 43 }, 43],
    ['a hash as action execution id: no id', { action_execution_id: '5f3a9c' }, undefined],
    ['no id at all', { action: { name: 'Approve' } }, undefined]
  ])('the id sent: %s', (_name, fields, expected) => {
    const wait = approvalWait({
      id: 1,
      status: 'INPROGRESS',
      action_executions: [{ ...fields, status: 'WAITING_FOR_APPLY' }]
    })
    expect(wait?.actionId).toBe(expected)
  })
})

describe('on-approval: approve', () => {
  const run = (statuses: string[], status = 'INPROGRESS'): Execution => ({
    id: 1,
    status,
    html_url: 'https://app.buddy.works/r/1',
    action_executions: [
      { action: { id: 11, name: 'Build', type: 'BUILD' } },
      { action: { id: 12, name: 'Approve', type: 'WAIT_FOR_APPLY' } },
      { action: { id: 13, name: 'Deploy', type: 'SFTP' } }
    ].map((a, i) => ({ ...a, action_execution_id: `ae${i}`, status: statuses[i] }))
  })
  const follow = async (first: Execution, reads: Execution[]) => {
    const log = recordingLog()
    const approved: number[] = []
    const result = await waitForRunEnd(async () => reads.shift() as never, first, {
      clock: fakeClock(),
      log,
      timeoutMs: 600_000,
      pollIntervalMs: 10_000,
      onApproval: 'approve',
      approve: async (execution, actionId) => {
        approved.push(actionId)
        // Buddy's answer may still show the wait it was asked to end.
        return execution
      }
    })
    return { result, approved, log, warnings: log.lines.filter(l => l.startsWith('warning: ')) }
  }

  it('approves a waiting action once, naming it, however long it shows; never a wait for variables', async () => {
    const { result, approved, log, warnings } = await follow(
      run(['SUCCESSFUL', 'WAITING_FOR_APPLY', 'ENQUEUED']),
      [
        run(['SUCCESSFUL', 'WAITING_FOR_APPLY', 'ENQUEUED']),
        run(['SUCCESSFUL', 'SUCCESSFUL', 'WAITING_FOR_VARIABLES']),
        run(['SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL'], 'SUCCESSFUL')
      ]
    )
    expect(result.outcome).toBe('finished')
    expect(approved).toEqual([12])
    expect(log.lines).toContain(
      'Run #1 waits for approval in action "Approve" (id 12): approving it with Buddy\'s APPLY (on-approval: approve).'
    )
    expect(warnings).toEqual([
      expect.stringContaining('waits for a person (WAITING_FOR_VARIABLES in action "Deploy")')
    ])
  })

  it("approves a run that itself waits at its approval action, with that action's id", async () => {
    const { approved, warnings } = await follow(
      run(['SUCCESSFUL', 'ENQUEUED', 'ENQUEUED'], 'WAITING_FOR_APPLY'),
      [run(['SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL'], 'SUCCESSFUL')]
    )
    expect(approved).toEqual([12])
    expect(warnings).toEqual([])
  })

  it('refuses to guess: a run that waits with no approval action in sight is left to a person', async () => {
    const unnamed: Execution = {
      id: 1,
      status: 'WAITING_FOR_APPLY',
      html_url: 'https://app.buddy.works/r/1'
    }
    const { result, approved, warnings } = await follow(unnamed, [
      unnamed,
      unnamed,
      { id: 1, status: 'SUCCESSFUL' }
    ])
    expect(result.outcome).toBe('finished')
    expect(approved).toEqual([])
    expect(warnings).toEqual([
      "warning: Run #1 waits for a person (WAITING_FOR_APPLY); on-approval: approve cannot answer it, as Buddy's answer gives no id of an action that waits for approval (an APPLY must name one): approve or answer it in Buddy at https://app.buddy.works/r/1. Still following."
    ])
  })

  it('sends nothing for a waiting action whose answer gives no usable id', async () => {
    const hashOnly: Execution = {
      id: 1,
      status: 'INPROGRESS',
      action_executions: [{ action_execution_id: '5f3a9c', status: 'WAITING_FOR_APPLY' }]
    }
    const { approved, warnings } = await follow(hashOnly, [
      hashOnly,
      { id: 1, status: 'SUCCESSFUL' }
    ])
    expect(approved).toEqual([])
    expect(warnings).toEqual([
      expect.stringContaining(
        "on-approval: approve cannot answer it, as Buddy's answer gives no id of an action that waits for approval"
      )
    ])
  })

  it('approves once the answer names the waiting action', async () => {
    const unnamed: Execution = { id: 1, status: 'WAITING_FOR_APPLY' }
    const { approved } = await follow(unnamed, [
      run(['SUCCESSFUL', 'WAITING_FOR_APPLY', 'ENQUEUED'], 'WAITING_FOR_APPLY'),
      run(['SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL'], 'SUCCESSFUL')
    ])
    expect(approved).toEqual([12])
  })

  it('never answers a wait for a visual tests session: a person does, in Buddy', async () => {
    const vt = run(['SUCCESSFUL', 'WAITING_FOR_VT_SESSION', 'ENQUEUED'], 'WAITING_FOR_VT_SESSION')
    const { approved, warnings } = await follow(vt, [
      vt,
      run(['SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL'], 'SUCCESSFUL')
    ])
    expect(approved).toEqual([])
    expect(warnings).toEqual([
      'warning: Run #1 waits for a person (WAITING_FOR_VT_SESSION): approve or answer it in Buddy at https://app.buddy.works/r/1. Still following.'
    ])
  })

  it('approves a new wait once the run went on (the same action after a retry)', async () => {
    const waits = run(['SUCCESSFUL', 'WAITING_FOR_APPLY', 'ENQUEUED'])
    const { approved } = await follow(waits, [
      run(['SUCCESSFUL', 'INPROGRESS', 'ENQUEUED']),
      waits,
      run(['SUCCESSFUL', 'SUCCESSFUL', 'SUCCESSFUL'], 'SUCCESSFUL')
    ])
    expect(approved).toEqual([12, 12])
  })

  it('says a refused approval and keeps following', async () => {
    const clock = fakeClock()
    const log = recordingLog()
    const result = await waitForRunEnd(
      async () => ({ id: 1, status: 'SUCCESSFUL' }),
      run(['SUCCESSFUL', 'WAITING_FOR_APPLY', 'ENQUEUED']),
      {
        clock,
        log,
        timeoutMs: 600_000,
        pollIntervalMs: 10_000,
        onApproval: 'approve',
        approve: () => Promise.reject(new Error('Forbidden (403).'))
      }
    )
    expect(result.outcome).toBe('finished')
    expect(log.lines).toContain(
      'warning: Could not approve run #1: Forbidden (403). Approve it in Buddy at https://app.buddy.works/r/1. Still following.'
    )
  })
})
