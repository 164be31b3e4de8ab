/**
 * The hand-off from the main step to the post step (src/post-handoff.ts), in-process with
 * @actions/core recorded: every state the post step reads, and every transition the main step
 * makes, including a job cancel that comes after "left going".
 */
import { jest } from '@jest/globals'
import { createFakeCore } from './support/fake-core.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const { PostHandoff, readHandoff, SETTLED, STATE } = await import('../src/post-handoff.js')

beforeEach(() => fake.reset())

const ref = { workspace: 'acme', project: 'web', pipelineId: 1 }
const pendingRun = { ...ref, marker: '[gh-step 1.1.deploy.0badc0de.00000001]', notBeforeMs: 1000 }

describe('what the post step reads', () => {
  it('nothing saved: nothing to do', () => {
    expect(readHandoff()).toEqual({ state: 'nothing-saved' })
  })

  it('pending, right before each run request; the last send counts', () => {
    const handoff = new PostHandoff()
    handoff.savePendingRun({ ...pendingRun, sentAtMs: 2000 })
    handoff.savePendingRun({ ...pendingRun, sentAtMs: 5000 })
    expect(readHandoff()).toEqual({
      state: 'pending',
      run: { ...pendingRun, sentAtMs: 5000 },
      cancelSent: false
    })
  })

  it('followed, once the run is known, wins over pending', () => {
    const handoff = new PostHandoff()
    handoff.savePendingRun({ ...pendingRun, sentAtMs: 2000 })
    handoff.saveFollowedRun({ ...ref, executionId: 7 })
    expect(readHandoff()).toEqual({
      state: 'followed',
      run: { ...ref, executionId: 7 },
      cancelSent: false
    })
  })

  it('cancel sent, right before the main step sends its cancel', () => {
    const handoff = new PostHandoff()
    handoff.saveFollowedRun({ ...ref, executionId: 7 })
    handoff.markCancelSent()
    expect(fake.record.state[STATE.cancelSent]).toBe('true')
    expect(readHandoff()).toMatchObject({ state: 'followed', cancelSent: true })
  })

  it.each([
    ['ended', SETTLED.ended],
    ['cancelled', SETTLED.cancelled],
    ['no run', SETTLED.noRun],
    ['left going', SETTLED.leftGoing('wait: false')]
  ])('settled (%s) wins over a saved run', (_name, why) => {
    const handoff = new PostHandoff()
    handoff.saveFollowedRun({ ...ref, executionId: 7 })
    handoff.markRunSettled(why)
    expect(readHandoff()).toEqual({ state: 'settled', why })
  })

  it('settled with no run saved (a job cancelled before the run request)', () => {
    new PostHandoff().markRunSettled(SETTLED.noRun)
    expect(readHandoff()).toEqual({ state: 'settled', why: 'no-run' })
  })
})

describe('the end of following, as the post step is told it', () => {
  it.each<[string, { cancelled: boolean; outcome: string }, boolean, string | undefined]>([
    ['cancelled by this step', { cancelled: true, outcome: 'timed-out' }, true, 'cancelled'],
    ['ended', { cancelled: false, outcome: 'finished' }, true, 'ended'],
    [
      'timed out, left going',
      { cancelled: false, outcome: 'timed-out' },
      false,
      'left-going: cancel-on-timeout: false'
    ],
    ['timed out, cancel not sent', { cancelled: false, outcome: 'timed-out' }, true, undefined],
    [
      'waiting for an approval, on-approval: fail',
      { cancelled: false, outcome: 'needs-approval' },
      true,
      'left-going: on-approval: fail'
    ],
    [
      'the job cancelled, cancel not sent',
      { cancelled: false, outcome: 'job-cancelled' },
      true,
      undefined
    ]
  ])('%s → %s', (_name, report, cancelOnTimeout, settled) => {
    const handoff = new PostHandoff()
    handoff.saveFollowedRun({ ...ref, executionId: 7 })
    handoff.markFollowEnded(report as never, { cancelOnTimeout })
    expect(fake.record.state[STATE.settled]).toBe(settled)
    expect(readHandoff().state).toBe(settled === undefined ? 'followed' : 'settled')
  })
})

describe('a job cancel before the main step exits', () => {
  it('takes back "left going" where a run of this step is saved for the post step', () => {
    const handoff = new PostHandoff()
    handoff.saveFollowedRun({ workspace: 'acme', project: 'web', pipelineId: 1, executionId: 7 })
    handoff.markRunSettled(SETTLED.leftGoing('wait: false'))
    handoff.jobCancelledBeforeExit()
    expect(fake.record.state['run-settled']).toBe('')
    expect(readHandoff()).toMatchObject({ state: 'followed', run: { executionId: 7 } })
  })

  it('leaves "ended", "cancelled" and "no run" as they are', () => {
    for (const why of [SETTLED.ended, SETTLED.cancelled, SETTLED.noRun]) {
      const handoff = new PostHandoff()
      handoff.saveFollowedRun({ ...ref, executionId: 7 })
      handoff.markRunSettled(why)
      handoff.jobCancelledBeforeExit()
      expect(fake.record.state['run-settled']).toBe(why)
    }
  })

  it('leaves "left going" where no run was saved for the post step (execution-id, wait: false)', () => {
    const handoff = new PostHandoff()
    handoff.markRunSettled(SETTLED.leftGoing('wait: false'))
    handoff.jobCancelledBeforeExit()
    expect(readHandoff()).toEqual({ state: 'settled', why: 'left-going: wait: false' })
  })

  it('takes back "left going" with a pending run too, and only once', () => {
    const handoff = new PostHandoff()
    handoff.savePendingRun({ ...pendingRun, sentAtMs: 2000 })
    handoff.markRunSettled(SETTLED.leftGoing('wait: false'))
    handoff.jobCancelledBeforeExit()
    handoff.jobCancelledBeforeExit()
    expect(readHandoff()).toMatchObject({ state: 'pending' })
  })
})
