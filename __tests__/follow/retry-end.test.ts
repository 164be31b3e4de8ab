import type { Execution } from '../../src/buddy/model.js'
import { endDetector } from '../../src/follow/retry-end.js'
import { recordingLog } from '../support/fake-clock.js'

const read = (status: string, finish_date?: string): Execution => ({ id: 1, status, finish_date })
const failed = read('FAILED', '2026-11-27T12:00:00Z')

describe('the end of a run', () => {
  it('is any final status when no RETRY was sent', () => {
    const ended = endDetector({ log: recordingLog() })
    expect(ended(read('INPROGRESS'))).toBe(false)
    expect(ended(read('FAILED'))).toBe(true)
    expect(ended.restarting()).toBe(false)
  })
})

describe('the end of a run after a RETRY', () => {
  it('is not the retried attempt’s old end, said once, while the run is not seen going again', () => {
    const log = recordingLog()
    const ended = endDetector({ log, retriedAttempt: failed })
    expect(ended(failed)).toBe(false)
    expect(ended(read('FAILED'))).toBe(false)
    expect(ended.restarting()).toBe(true)
    expect(log.lines).toEqual([
      "Buddy still shows run #1's retried attempt as FAILED: waiting for the retry to start."
    ])
  })

  it('is a final status once a read has shown the run going again', () => {
    const ended = endDetector({ log: recordingLog(), retriedAttempt: failed })
    expect(ended(failed)).toBe(false)
    expect(ended(read('INPROGRESS'))).toBe(false)
    expect(ended.restarting()).toBe(false)
    expect(ended(read('FAILED', '2026-11-27T12:00:00Z'))).toBe(true)
  })

  it('is a final status with a newer finish date, even when no read caught the run going', () => {
    const ended = endDetector({ log: recordingLog(), retriedAttempt: failed })
    expect(ended(read('SUCCESSFUL', '2026-11-27T12:05:00Z'))).toBe(true)
    expect(ended(read('FAILED', '2026-11-27T11:59:00Z'))).toBe(false)
  })
})
