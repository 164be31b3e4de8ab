import type { Execution } from '../../src/buddy/model.js'
import { actionsToRead, planRead, type LiveAction } from '../../src/follow/live-log-plan.js'

describe('planRead', () => {
  const a = (id: string, status: string): LiveAction => ({ id, name: id, status })
  it.each([
    ['one running', [a('b', 'INPROGRESS')], undefined, false, ['b']],
    ['the open one first', [a('a', 'SUCCESSFUL'), a('b', 'INPROGRESS')], 'b', false, ['b', 'a']],
    [
      'ended ones before the running one',
      [a('b', 'INPROGRESS'), a('a', 'FAILED')],
      undefined,
      false,
      ['a', 'b']
    ],
    [
      'two running: side by side',
      [a('a', 'INPROGRESS'), a('b', 'INPROGRESS')],
      'a',
      true,
      ['a', 'b']
    ],
    [
      'ended and two running',
      [a('a', 'INPROGRESS'), a('b', 'SUCCESSFUL'), a('c', 'INPROGRESS')],
      undefined,
      true,
      ['a', 'b', 'c']
    ],
    ['nothing', [], 'a', false, []]
  ])('%s', (_, wanted, open, sideBySide, order) => {
    const plan = planRead(wanted, open)
    expect(plan.sideBySide).toBe(sideBySide)
    expect(plan.order.map(x => x.id)).toEqual(order)
  })
})

describe('actionsToRead', () => {
  const action = (status: string | undefined, id: string | undefined) => ({
    action: { id: 1, name: `a-${id}`, type: 'BUILD' },
    action_execution_id: id,
    status
  })
  it.each([
    ['INPROGRESS', 'a', true],
    ['SUCCESSFUL', 'a', true],
    ['FAILED', 'a', true],
    ['TERMINATED', 'a', true],
    ['ENQUEUED', 'a', false],
    ['INITIAL', 'a', false],
    ['SKIPPED', 'a', false],
    ['NOT_EXECUTED', 'a', false],
    [undefined, 'a', false],
    ['INPROGRESS', undefined, false],
    ['INPROGRESS', 'done', false]
  ])('%s (id %s): read = %s', (status, id, read) => {
    const execution = { id: 1, status, action_executions: [action(status, id)] }
    expect(actionsToRead(execution as Execution, new Set(['done']))).toHaveLength(read ? 1 : 0)
  })
})
