import type { Execution } from '../buddy/model.js'
import { abortable, Aborted } from './abortable.js'
import { actionExecutionId, ActionLogPrinter } from './action-logs.js'
import type { Follow } from './follow-context.js'
import type { FailedAttempt } from './follow-report.js'
import { failedActionNames } from './progress.js'
import type { WaitResult } from './wait-loop.js'

/**
 * retries: a run that ends FAILED is sent Buddy's RETRY and followed again, as many times as
 * asked, within the one timeout of the whole follow. After a RETRY, a read that still shows the
 * failure just retried is not the retry's result (the wait loop waits for the run to go again).
 */

/** Waits from a run as last seen (after a RETRY: with the attempt it retried) until it ends. */
export type WaitFrom = (from: Execution, retriedAttempt?: Execution) => Promise<WaitResult>

export interface Retries {
  /** How the last wait ended. */
  result: WaitResult
  retried: FailedAttempt[]
  /** Why a retry could not be sent. */
  retryProblem?: string
}

/** Only FAILED is retried: TERMINATED was a person's (or a timeout's) decision to stop it. */
export async function retryWhileFailed(
  first: WaitResult,
  follow: Follow,
  waitFrom: WaitFrom
): Promise<Retries> {
  const { started, settings, deps, deadline } = follow
  const { clock, out } = deps
  let result = first
  const retried: FailedAttempt[] = []
  while (
    result.outcome === 'finished' &&
    result.execution.status === 'FAILED' &&
    retried.length < settings.retries &&
    !deps.signal?.aborted
  ) {
    if (deadline - clock.now() <= 0) {
      // No time left to follow a retry: sending one would only start a run nobody follows.
      out.info(`Run #${started.id} ended FAILED with no time left in the timeout to retry it.`)
      break
    }
    const failedActions = failedActionNames(result.execution)
    const attempt = retried.length + 1
    out.info(
      `Run #${started.id} ended FAILED on attempt ${attempt}${failedActions.length ? ` (failed actions: ${failedActions.join(', ')})` : ''}: retrying it with Buddy's RETRY (retry ${attempt} of ${settings.retries}).`
    )
    // This attempt's failure, before the retry runs its actions again.
    if (settings.logs === 'failed') {
      await follow.logs?.printFinished(
        result.execution,
        'tail',
        { until: deadline, patient: true },
        a => a.status === 'FAILED'
      )
    }
    const sent = await sendRetry(follow)
    if (sent === 'job-cancelled') {
      // The run may have restarted: it is cancelled, whatever the last read showed.
      return {
        result: { outcome: 'job-cancelled', execution: result.execution, restarting: true },
        retried
      }
    }
    if ('problem' in sent) return { result, retried, retryProblem: sent.problem }
    retried.push({ failedActions })
    logsBeginAnew(result.execution, follow)
    // Should the answer (or later reads) still show the failure just retried, that is not the
    // retry's result: the wait loop waits for the run to go again, or for a newer end.
    result = await waitFrom(sent.restarted, result.execution)
  }
  return { result, retried }
}

/**
 * Sends the RETRY. A job cancel while it is in flight is acted on at once; a refused RETRY is
 * said, and the run stays FAILED.
 */
async function sendRetry(
  follow: Follow
): Promise<{ restarted: Execution } | { problem: string } | 'job-cancelled'> {
  const { started, deps } = follow
  try {
    return {
      restarted: await abortable(deps.client.retryExecution(deps.ref, started.id), deps.signal)
    }
  } catch (error) {
    if (error instanceof Aborted || deps.signal?.aborted) return 'job-cancelled'
    const problem = (error as Error).message
    deps.out.warning(`Could not retry run #${started.id}: ${problem}`)
    return { problem }
  }
}

/** The retry runs the actions that did not succeed again: their logs are new. */
function logsBeginAnew(failed: Execution, follow: Follow): void {
  // Their live logs begin anew.
  follow.live?.restart(
    (failed.action_executions ?? [])
      .filter(a => a.status !== 'SUCCESSFUL')
      .map(a => actionExecutionId(a))
      .filter((id): id is string => id !== undefined)
  )
  follow.logs = new ActionLogPrinter(follow.logSource, follow.deps.out)
}
