import { EventEmitter } from 'node:events'
import { CANCEL_SIGNALS, watchJobCancel } from '../../src/base/job-cancel.js'
import { JobCancelledError } from '../../src/base/job-cancel.js'

/** The job's cancellation: any of its signals aborts once; what happens depends on the moment. */

function fakeProcess() {
  const emitter = new EventEmitter()
  return {
    process: emitter as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
    send: (signal: NodeJS.Signals) => emitter.emit(signal, signal),
    listeners: () => CANCEL_SIGNALS.reduce((n, s) => n + emitter.listenerCount(s), 0)
  }
}

/** A watch on a fake process, recording which of its callbacks each signal reached. */
function watchedProcess() {
  const fake = fakeProcess()
  const early: string[] = []
  const late: string[] = []
  const watch = watchJobCancel(fake.process, {
    onCancelledEarly: s => early.push(s),
    onCancelled: s => late.push(s)
  })
  return { send: fake.send, early, late, watch }
}

describe('watchJobCancel', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGBREAK'] as const)(
    '%s before the run request: aborted, "early", once',
    signal => {
      const { send, early, late, watch } = watchedProcess()
      send(signal)
      send('SIGTERM')
      expect(watch.signal.aborted).toBe(true)
      expect(early).toEqual([signal])
      expect(late).toEqual([])
      // Too late to send the run request: nothing can have been created.
      expect(() => watch.beginRunRequest()).toThrow(JobCancelledError)
    }
  )

  it('after the run request began: "cancelled", once, whatever follows', () => {
    const { send, early, late, watch } = watchedProcess()
    watch.beginRunRequest()
    send('SIGINT')
    send('SIGTERM')
    send('SIGBREAK')
    expect(late).toEqual(['SIGINT'])
    expect(early).toEqual([])
  })

  it('removes its listeners when disposed', () => {
    const fake = fakeProcess()
    const watch = watchJobCancel(fake.process)
    expect(fake.listeners()).toBe(3)
    watch.dispose()
    expect(fake.listeners()).toBe(0)
    fake.send('SIGINT')
    expect(watch.signal.aborted).toBe(false)
  })
})
