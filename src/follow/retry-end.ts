import type { Logger } from '../base/log.js'
import { oneLine } from '../base/log.js'
import { statusKind, type Execution } from '../buddy/model.js'

/**
 * The run's end, as the status reads show it, after a RETRY too: Buddy may answer a read with the
 * retried attempt's old final status (and finish date) until it has restarted the run, and that
 * is not the retry's result.
 */

/** Whether a read shows the run's end; restarting(): after a RETRY, not yet seen going again. */
export type EndDetector = ((execution: Execution) => boolean) & { restarting(): boolean }

/**
 * A final status is the run's end, except right after a RETRY: until a read shows the run going
 * again, a final status with the retried attempt's finish date (or none newer) is Buddy not
 * having restarted the run yet, said once, and waited out within the time left. So one failure
 * is never taken for the retry's result, and never retried twice.
 */
export function endDetector(options: { log: Logger; retriedAttempt?: Execution }): EndDetector {
  const retried = options.retriedAttempt
  let seenGoing = retried === undefined
  let staleSaid = false
  const isNewerEnd = (execution: Execution) => {
    const before = retried?.finish_date ? Date.parse(retried.finish_date) : Number.NaN
    const now = execution.finish_date ? Date.parse(execution.finish_date) : Number.NaN
    return !Number.isNaN(before) && !Number.isNaN(now) && now > before
  }
  const ended = (execution: Execution) => {
    if (statusKind(execution.status) !== 'final') {
      seenGoing = true
      return false
    }
    if (seenGoing || isNewerEnd(execution)) return true
    if (!staleSaid) {
      staleSaid = true
      options.log.info(
        `Buddy still shows run #${execution.id}'s retried attempt as ${oneLine(execution.status)}: waiting for the retry to start.`
      )
    }
    return false
  }
  return Object.assign(ended, { restarting: () => !seenGoing })
}
