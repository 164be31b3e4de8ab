import { statusKind, type Execution } from '../buddy/model.js'
import { FINISH_ALLOWANCE_MS } from './deadline.js'
import type { Follow } from './follow-context.js'
import type { FollowReport } from './follow-report.js'
import type { LogBudget } from './log-source.js'
import { executionDurationMs } from './progress.js'
import type { WaitResult } from './wait-loop.js'

/**
 * The end of a follow, once the wait has ended: the run cancelled where the user asked to, the
 * logs of the actions that ended since the last read, and what happened, for report/. It keeps
 * to the step's time: its timeout plus FINISH_ALLOWANCE_MS.
 */

/**
 * Once the run has ended, its logs are read until this long before the step's time (timeout plus
 * FINISH_ALLOWANCE_MS) is up: the rest of the allowance is for the summary and the step's end.
 */
const SUMMARY_MARGIN_MS = 5000

/** Cancels the run where the user asked to, prints the logs asked for, and says what happened. */
export async function endFollow(
  result: WaitResult,
  follow: Follow
): Promise<Omit<FollowReport, 'retried' | 'retryProblem'>> {
  const { settings, deps, startedAt, deadline, logs, live } = follow
  const { client, clock } = deps
  const { execution, cancelled, cancelProblem } = await cancelIfAsked(result, follow)

  // What the ended actions logged since the last read (a cancelled job leaves no time for it),
  // within the step's time: its timeout plus the allowance, less what the summary needs.
  const afterRun: LogBudget = {
    until: deadline + FINISH_ALLOWANCE_MS - SUMMARY_MARGIN_MS,
    patient: true
  }
  // (A refused token leaves no way to read them either.)
  if (result.outcome !== 'job-cancelled' && result.outcome !== 'token-refused')
    await live?.drain(execution, afterRun)
  live?.close()
  if (result.outcome === 'finished' && logs) {
    if (settings.logs === 'all') await logs.printFinished(execution, 'all', afterRun)
    if (settings.logs === 'failed' && execution.status !== 'SUCCESSFUL') {
      await logs.printFinished(execution, 'tail', afterRun, a => a.status === 'FAILED')
    }
  }

  return {
    outcome: result.outcome,
    execution,
    statusWhenEnded: result.execution.status,
    durationMs: executionDurationMs(execution) ?? clock.now() - startedAt,
    cancelled,
    cancelProblem,
    problem: result.problem,
    paused: result.paused,
    logTails: new Map([...(logs?.tails ?? []), ...(live?.tails ?? [])]),
    renewsToken: client.renewsToken
  }
}

/** The timeout, or the job's cancel, cancels the run where the user asked for it. */
async function cancelIfAsked(
  result: WaitResult,
  follow: Follow
): Promise<{ execution: Execution; cancelled: boolean; cancelProblem?: string }> {
  const { settings, deps, live } = follow
  const execution = result.execution
  const cancel =
    (result.outcome === 'timed-out' && settings.cancelOnTimeout) ||
    (result.outcome === 'job-cancelled' && settings.cancelOnJobCancel)
  // A run that may be going again after a RETRY is cancelled even if the last read showed it
  // ended: that read was older than the restart.
  if (!cancel || (statusKind(execution.status) === 'final' && !result.restarting))
    return { execution, cancelled: false }
  live?.close()
  deps.out.info(`Cancelling run #${execution.id} in Buddy.`)
  deps.onCancelSending?.()
  try {
    return {
      execution: await deps.client.cancelExecution(deps.ref, execution.id),
      cancelled: true
    }
  } catch (error) {
    return { execution, cancelled: false, cancelProblem: (error as Error).message }
  }
}
