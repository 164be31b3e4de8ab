import type { Clock } from '../base/clock.js'
import type { Logger } from '../base/log.js'
import { BuddyApiError } from '../buddy/failures.js'
import { pausedStatus, statusKind, type Execution } from '../buddy/model.js'
import { abortable, abortablePause, Aborted } from './abortable.js'
import { approvalWait, approver } from './approval.js'
import { ReadPace } from './read-pace.js'
import { endDetector, type EndDetector } from './retry-end.js'

/**
 * The wait loop: reads the run's status until it is final, the timeout passes, the job is
 * cancelled (signal), or the run pauses for a person and the user asked to fail then.
 * Time and pauses come from the injected clock, so tests never sleep. The reads' pace
 * (read-pace.ts), the approvals (approval.ts) and the end after a RETRY (retry-end.ts) each have
 * a module of their own.
 */

export interface WaitOptions {
  clock: Clock
  log: Logger
  timeoutMs: number
  pollIntervalMs: number
  onApproval: 'wait' | 'fail' | 'approve'
  /**
   * With on-approval: approve, sends Buddy's APPLY for the action that waits (its id); the run
   * as the answer shows it.
   */
  approve?: (execution: Execution, actionId: number) => Promise<Execution>
  /** Aborted when the GitHub job is cancelled. */
  signal?: AbortSignal
  /** A longer pause the rate limit asks for, in ms (0 when there is plenty left). */
  rateLimitPause?: () => number
  /** Each status read, for progress lines. */
  onUpdate?: (execution: Execution) => void | Promise<void>
  /**
   * After a RETRY: the failed attempt that was retried. Buddy may answer a read with its old
   * final status (and finish date) until it has restarted the run, which is not the retry's end.
   */
  retriedAttempt?: Execution
}

/** The time limit of the status read sent once the timeout has passed. */
const FINAL_READ_LIMIT_MS = 5000

/** token-refused: Buddy refused the token (401) while following, for good (see tokenRefused). */
export type WaitOutcome =
  'finished' | 'timed-out' | 'job-cancelled' | 'needs-approval' | 'token-refused'

export interface WaitResult {
  outcome: WaitOutcome
  /** The run as last seen. */
  execution: Execution
  /** When the wait ended: the last fault that kept the status from being read. */
  problem?: string
  paused?: { status: string; action?: string }
  /**
   * After a RETRY, no read has shown the run going again yet: it may be going (the RETRY was
   * sent) though the last read shows the old end. A cancel must not be skipped for it.
   */
  restarting?: boolean
}

export class RunDeletedError extends Error {
  override name = 'RunDeletedError'
}

/**
 * `read(limitMs)` reads the status once, giving up after limitMs: a read still waiting when the
 * timeout runs out is abandoned then, not at the request's own limit.
 */
export async function waitForRunEnd(
  read: (limitMs: number) => Promise<Execution>,
  initial: Execution,
  options: WaitOptions
): Promise<WaitResult> {
  const { clock, signal } = options
  const deadline = clock.now() + options.timeoutMs
  const ended = endDetector(options)
  const judge = statusJudge(options, ended)
  const pace = new ReadPace(clock, options.pollIntervalMs, options.rateLimitPause)
  let execution = initial

  const approveOnce = approver(options)
  const first = judge(execution)
  if (first) return first
  execution = await approveOnce(execution)

  for (;;) {
    const left = deadline - clock.now()
    if (left <= 0) return lastLook(read, execution, options, ended)
    try {
      await abortablePause(clock, Math.min(pace.pause(), left), signal)
      const limit = deadline - clock.now()
      if (limit <= 0) return lastLook(read, execution, options, ended)
      pace.readSent()
      execution = await abortable(read(limit), signal)
    } catch (error) {
      if (error instanceof Aborted || signal?.aborted)
        return { outcome: 'job-cancelled', execution, restarting: ended.restarting() }
      if (!(error instanceof BuddyApiError)) throw error
      if (error.status === 404) throw runDeleted(execution)
      if (!error.transient) return tokenRefused(error, execution)
      const faultDelay = pace.failed(error)
      options.log.debug(
        `${error.message} Reading the status again in ${(faultDelay / 1000).toFixed(1)} s.`
      )
      continue
    }
    pace.answered()
    const updateStartedAt = clock.now()
    await options.onUpdate?.(execution)
    pace.updateTook(clock.now() - updateStartedAt)
    const verdict = judge(execution)
    if (verdict) return verdict
    execution = await approveOnce(execution)
  }
}

/**
 * What each status read means for the loop (undefined: keep going). Says once per status that a
 * status is unknown, and once per pause that the run waits for a person.
 */
function statusJudge(options: Pick<WaitOptions, 'log' | 'onApproval'>, ended: EndDetector) {
  const { log } = options
  const unknownStatuses = new Set<string>()
  let approvalAnnounced = false
  return (execution: Execution): WaitResult | undefined => {
    const kind = statusKind(execution.status)
    if (ended(execution)) return { outcome: 'finished', execution }
    // A stale end of the attempt just retried: the retry has not started yet.
    if (kind === 'final') return undefined
    if (kind === 'unknown' && !unknownStatuses.has(execution.status)) {
      unknownStatuses.add(execution.status)
      log.info(
        `Buddy reports status "${execution.status}", unknown to this action: still following.`
      )
    }
    const paused = pausedStatus(execution)
    const approval = options.onApproval === 'approve' ? approvalWait(execution) : undefined
    // Answered by the approver, not announced as waiting for a person.
    if (approval?.actionId !== undefined) return undefined
    if (paused && options.onApproval === 'fail')
      return { outcome: 'needs-approval', execution, paused }
    if (paused && !approvalAnnounced) {
      approvalAnnounced = true
      const unanswerable = approval
        ? "; on-approval: approve cannot answer it, as Buddy's answer gives no id of an action that waits for approval (an APPLY must name one)"
        : ''
      log.warning(
        `Run #${execution.id} waits for a person (${paused.status}${paused.action ? ` in action "${paused.action}"` : ''})${unanswerable}: approve or answer it in Buddy at ${execution.html_url ?? execution.url ?? 'its page'}. Still following.`
      )
    }
    if (!paused) approvalAnnounced = false
    return undefined
  }
}

/**
 * A final failure of a status read: a 401 is the token expiring (or revoked) while the run goes
 * on, which ends the following but not the run, so it is reported with the run as last seen.
 * Any other final failure is thrown.
 */
function tokenRefused(error: BuddyApiError, execution: Execution): WaitResult {
  if (error.status !== 401) throw error
  return { outcome: 'token-refused', execution, problem: error.message }
}

function runDeleted(execution: Execution) {
  return new RunDeletedError(
    `Run #${execution.id} is gone (404): it was deleted in Buddy while this step followed it.`
  )
}

/**
 * The timeout has passed: one more read, so that a run that ended a moment ago is reported as
 * it ended, not cancelled and reported as timed out.
 */
async function lastLook(
  read: (limitMs: number) => Promise<Execution>,
  lastSeen: Execution,
  options: WaitOptions,
  ended: EndDetector
): Promise<WaitResult> {
  const { signal } = options
  let execution = lastSeen
  let problem: string | undefined
  try {
    execution = await abortable(read(FINAL_READ_LIMIT_MS), signal)
    await options.onUpdate?.(execution)
  } catch (error) {
    if (error instanceof Aborted || signal?.aborted)
      return { outcome: 'job-cancelled', execution, restarting: ended.restarting() }
    if (error instanceof BuddyApiError && error.status === 404) throw runDeleted(execution)
    if (!(error instanceof BuddyApiError)) throw error
    if (error.status === 401 && !error.transient) return tokenRefused(error, execution)
    problem = error.message
  }
  if (ended(execution)) return { outcome: 'finished', execution }
  return { outcome: 'timed-out', execution, problem, restarting: ended.restarting() }
}
