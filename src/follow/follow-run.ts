import type { Execution } from '../buddy/model.js'
import { formatDuration } from '../inputs/duration.js'
import type { FollowSettings } from '../inputs/settings.js'
import { ActionLogPrinter } from './action-logs.js'
import { endFollow } from './end-of-follow.js'
import type { Follow, FollowRunDeps } from './follow-context.js'
import type { FollowReport } from './follow-report.js'
import { LiveLogStreamer } from './live-logs.js'
import { LogSource, type LogBudget } from './log-source.js'
import { ProgressTracker } from './progress.js'
import { rateLimitPause } from './read-pace.js'
import { retryWhileFailed, type WaitFrom } from './retry-failed-run.js'
import { waitForRunEnd } from './wait-loop.js'

/**
 * Following a started run (wait: true): the wait loop with progress lines, Buddy's action logs,
 * the retries (retry-failed-run.ts), and cancelling the run where the user asked to
 * (end-of-follow.ts). Returns what happened; report/ tells it.
 */

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
  const follow: Follow = { started, settings, deps, startedAt, deadline, logSource }
  if (deps.signal?.aborted) {
    // The job was cancelled while the run request was answered: no following, just the cancel.
    return endFollow({ outcome: 'job-cancelled', execution: started }, follow)
  }
  out.info(
    `Following run #${started.id} until it ends (timeout ${formatDuration(settings.timeoutMs)}, status read at least every ${formatDuration(settings.pollIntervalMs)}).`
  )
  follow.logs = new ActionLogPrinter(logSource, out)
  follow.live = settings.logs === 'live' ? new LiveLogStreamer(logSource, out) : undefined
  const waitFrom = statusReads(follow)
  const { result, retried, retryProblem } = await retryWhileFailed(
    await waitFrom(started),
    follow,
    waitFrom
  )
  const report = await endFollow(result, follow)
  return { ...report, retried, retryProblem }
}

/**
 * The wait for the run's end, with what each status read prints: progress lines and the logs
 * asked for. One timeout for the whole follow, retries included: it bounds the step, as users
 * expect.
 */
function statusReads(follow: Follow): WaitFrom {
  const { started, settings, deps, startedAt, deadline } = follow
  const { client, ref, clock, out } = deps
  const tracker = new ProgressTracker(started, startedAt, Math.max(60_000, settings.pollIntervalMs))
  // While the run goes on, the logs of a status read keep to the poll interval's pace, and to
  // the deadline; a fault waits for a later status read.
  const whileRunning = (): LogBudget => ({
    until: Math.min(clock.now() + settings.pollIntervalMs, deadline),
    patient: false
  })
  const onUpdate = async (execution: Execution) => {
    const progress = tracker.lines(execution, clock.now(), startedAt)
    // With live logs, an action's progress lines go into its log's group.
    if (follow.live) await follow.live.stream(execution, progress, whileRunning())
    else for (const line of progress) out.info(line.text)
    if (settings.logs === 'all') await follow.logs?.printFinished(execution, 'all', whileRunning())
  }
  return (from, retriedAttempt) =>
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
        onUpdate,
        retriedAttempt
      }
    )
}
