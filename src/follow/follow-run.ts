import { actionExecutionId, ActionLogPrinter } from './action-logs.js'
import type { Clock } from '../base/clock.js'
import type { BuddyClient, PipelineRef } from '../buddy/client.js'
import { statusKind, type Execution } from '../buddy/model.js'
import {
  abortable,
  Aborted,
  waitForRunEnd,
  rateLimitPause,
  type WaitOutcome,
  type WaitResult
} from './wait-loop.js'
import { formatDuration } from '../inputs/duration.js'
import type { FollowSettings } from '../inputs/settings.js'
import { executionDurationMs, failedActionNames, ProgressTracker } from './progress.js'
import { LiveLogStreamer } from './live-logs.js'
import { FINISH_ALLOWANCE_MS } from './deadline.js'
import { LogSource, type LogBudget } from './log-source.js'
import type { LogOutput } from './log-output.js'

/**
 * Following a started run (wait: true): the wait loop with progress lines, Buddy's action logs,
 * and cancelling the run where the user asked to. Returns what happened; report.ts tells it.
 */

/**
 * Once the run has ended, its logs are read until this long before the step's time (timeout plus
 * FINISH_ALLOWANCE_MS) is up: the rest of the allowance is for the summary and the step's end.
 */
const SUMMARY_MARGIN_MS = 5000

export interface FollowReport {
  outcome: WaitOutcome
  /** The run as last seen (after a cancel, as the cancel's answer shows it). */
  execution: Execution
  /** The status seen when the wait ended, before any cancel. */
  statusWhenEnded: string
  /** The run's own duration where Buddy gives it, else how long it was followed. */
  durationMs: number
  /** The run was cancelled by this step (timeout or cancelled job). */
  cancelled: boolean
  cancelProblem?: string
  /** The fault that kept the status from being read when the wait ended. */
  problem?: string
  paused?: { status: string; action?: string }
  /** The last lines of the action logs that were read, by action run id (for the summary). */
  logTails?: ReadonlyMap<string, string[]>
  /** The attempts that ended FAILED and were retried, in order (none when undefined). */
  retried?: FailedAttempt[]
  /** Why a retry could not be sent (the run then stays FAILED). */
  retryProblem?: string
  /** Whether a refused token was renewed (OIDC): what a token-refused outcome advises. */
  renewsToken?: boolean
}

export interface FailedAttempt {
  /** The names of the actions that failed in it. */
  failedActions: string[]
}

export interface FollowRunDeps {
  client: BuddyClient
  ref: PipelineRef
  clock: Clock
  out: LogOutput
  /** Aborted when the job is cancelled (maybe already, while the run request was answered). */
  signal?: AbortSignal
  /** Called right before a cancel is sent, so that the post step never sends a second one. */
  onCancelSending?: () => void
}

export async function followRun(
  started: Execution,
  settings: FollowSettings,
  deps: FollowRunDeps
): Promise<FollowReport> {
  const { client, ref, clock, out } = deps
  const startedAt = clock.now()
  // The one place that says when the follow's time is up: the wait, its logs and retries end
  // by then; what follows the wait (cancel, last logs, summary) has FINISH_ALLOWANCE_MS more.
  const deadline = startedAt + settings.timeoutMs
  const logSource = new LogSource({ client, ref, clock, out, signal: deps.signal }, started.id)
  const follow: Follow = { startedAt, deadline, logSource }
  if (deps.signal?.aborted) {
    // The job was cancelled while the run request was answered: no following, just the cancel.
    return finish(started, { outcome: 'job-cancelled', execution: started }, settings, deps, follow)
  }
  out.info(
    `Following run #${started.id} until it ends (timeout ${formatDuration(settings.timeoutMs)}, status read at least every ${formatDuration(settings.pollIntervalMs)}).`
  )
  const tracker = new ProgressTracker(started, startedAt, Math.max(60_000, settings.pollIntervalMs))
  let logs = new ActionLogPrinter(logSource, out)
  // One streamer for the whole follow: after a retry, a log that begins anew is said so.
  const live = settings.logs === 'live' ? new LiveLogStreamer(logSource, out) : undefined
  // While the run goes on, the logs of a status read keep to the poll interval's pace, and to
  // the deadline; a fault waits for a later status read.
  const whileRunning = (): LogBudget => ({
    until: Math.min(clock.now() + settings.pollIntervalMs, deadline),
    patient: false
  })

  // One timeout for the whole follow, retries included: it bounds the step, as users expect.
  const waitFrom = (from: Execution, retriedAttempt?: Execution): Promise<WaitResult> =>
    waitForRunEnd(
      limitMs =>
        client.getExecution(ref, started.id, {
          timeoutMs: Math.max(1, Math.min(limitMs, client.requestTimeoutMs))
        }),
      from,
      {
        clock,
        log: out,
        timeoutMs: Math.max(0, deadline - clock.now()),
        pollIntervalMs: settings.pollIntervalMs,
        onApproval: settings.onApproval,
        approve: (execution, actionId) => client.approveExecution(ref, execution.id, actionId),
        signal: deps.signal,
        rateLimitPause: () =>
          rateLimitPause(client.rateLimit, clock.now(), settings.pollIntervalMs),
        onUpdate: async execution => {
          const progress = tracker.lines(execution, clock.now(), startedAt)
          // With live logs, an action's progress lines go into its log's group.
          if (live) await live.stream(execution, progress, whileRunning())
          else for (const line of progress) out.info(line.text)
          if (settings.logs === 'all') await logs.printFinished(execution, 'all', whileRunning())
        },
        retriedAttempt
      }
    )

  let result = await waitFrom(started)
  const retried: FailedAttempt[] = []
  let retryProblem: string | undefined
  // Only FAILED is retried: TERMINATED was a person's (or a timeout's) decision to stop it.
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
      await logs.printFinished(
        result.execution,
        'tail',
        { until: deadline, patient: true },
        a => a.status === 'FAILED'
      )
    }
    let restarted: Execution
    try {
      // A job cancel while the RETRY is in flight is acted on at once: the run may have
      // restarted, so it is cancelled (finish), whatever the last read showed.
      restarted = await abortable(client.retryExecution(ref, started.id), deps.signal)
    } catch (error) {
      if (error instanceof Aborted || deps.signal?.aborted) {
        result = { outcome: 'job-cancelled', execution: result.execution, restarting: true }
        break
      }
      retryProblem = (error as Error).message
      out.warning(`Could not retry run #${started.id}: ${retryProblem}`)
      break
    }
    retried.push({ failedActions })
    // The actions that did not succeed run again: their live logs begin anew.
    live?.restart(
      (result.execution.action_executions ?? [])
        .filter(a => a.status !== 'SUCCESSFUL')
        .map(a => actionExecutionId(a))
        .filter((id): id is string => id !== undefined)
    )
    // The retry runs the same actions again: their logs are new.
    logs = new ActionLogPrinter(logSource, out)
    // Should the answer (or later reads) still show the failure just retried, that is not the
    // retry's result: the wait loop waits for the run to go again, or for a newer end.
    result = await waitFrom(restarted, result.execution)
  }

  const report = await finish(started, result, settings, deps, follow, logs, live)
  return { ...report, retried, retryProblem }
}

/** What the follow keeps from start to end. */
interface Follow {
  startedAt: number
  /** When the follow's time is up (see followRun). */
  deadline: number
  /** Where the action logs come from (one for the whole follow: what it learns, it keeps). */
  logSource: LogSource
}

/** Cancels the run where the user asked to, prints the logs asked for, and says what happened. */
async function finish(
  started: Execution,
  result: WaitResult,
  settings: FollowSettings,
  deps: FollowRunDeps,
  follow: Follow,
  logs?: ActionLogPrinter,
  live?: LiveLogStreamer
): Promise<FollowReport> {
  const { client, ref, clock, out } = deps
  const { startedAt, deadline } = follow
  let execution = result.execution
  let cancelled = false
  let cancelProblem: string | undefined
  const cancel =
    (result.outcome === 'timed-out' && settings.cancelOnTimeout) ||
    (result.outcome === 'job-cancelled' && settings.cancelOnJobCancel)
  // A run that may be going again after a RETRY is cancelled even if the last read showed it
  // ended: that read was older than the restart.
  if (cancel && (statusKind(execution.status) !== 'final' || result.restarting)) {
    live?.close()
    out.info(`Cancelling run #${execution.id} in Buddy.`)
    deps.onCancelSending?.()
    try {
      execution = await client.cancelExecution(ref, execution.id)
      cancelled = true
    } catch (error) {
      cancelProblem = (error as Error).message
    }
  }

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
