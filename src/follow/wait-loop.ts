import { backoffDelay, rateLimitDelay } from '../buddy/backoff.js'
import type { Clock } from '../base/clock.js'
import type { Logger } from '../base/log.js'
import { BuddyApiError } from '../buddy/failures.js'
import { oneLine } from '../base/log.js'
import {
  APPROVAL_ACTION_TYPE,
  APPROVAL_STATUS,
  pausedStatus,
  statusKind,
  type ActionExecution,
  type Execution
} from '../buddy/model.js'

/**
 * The wait loop: reads the run's status until it is final, the timeout passes, the job is
 * cancelled (signal), or the run pauses for a person and the user asked to fail then.
 * Time and pauses come from the injected clock, so tests never sleep.
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
 * The pause before read number `index` (from 0): 1 s, growing ×1.6 per read, with ±20 % jitter
 * while it grows so that runners started together spread out; exactly the poll interval once
 * reached, so that a long run costs (length ÷ interval) reads plus a handful.
 */
export function pollPause(index: number, pollIntervalMs: number, random: () => number): number {
  const growing = 1000 * 1.6 ** Math.min(index, 40)
  if (growing >= pollIntervalMs) return pollIntervalMs
  return Math.min(pollIntervalMs, Math.round(growing * (0.8 + 0.4 * random())))
}

/** The job was cancelled while something waited (abortable). */
export class Aborted extends Error {}

/** `work`, abandoned (rejecting with Aborted) the moment the signal is aborted. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work
  // Once abandoned, its failure is of no interest.
  work.catch(() => undefined)
  if (signal.aborted) return Promise.reject(new Aborted())
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Aborted())
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      value => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      error => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      }
    )
  })
}

/**
 * The pause before the next read. Never longer than the poll interval, whatever the rate limit's
 * pacing suggests; only a 429's own wait (the fault delay) may be longer.
 */
function nextPause(
  read: number,
  pollIntervalMs: number,
  random: () => number,
  rateLimitPauseMs = 0
): number {
  return Math.max(
    pollPause(read, pollIntervalMs, random),
    Math.min(rateLimitPauseMs, pollIntervalMs)
  )
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
  let execution = initial
  let reads = 0
  let failures = 0
  let rateLimited = 0
  let faultDelay = 0
  // The time onUpdate took after the last read (action logs): the next read keeps its pace.
  let updateMs = 0

  const approveOnce = approver(options)
  const first = judge(execution)
  if (first) return first
  execution = await approveOnce(execution)

  for (;;) {
    const left = deadline - clock.now()
    if (left <= 0) return lastLook(read, execution, options, ended)
    const pause =
      failures > 0
        ? faultDelay
        : Math.max(
            0,
            nextPause(reads, options.pollIntervalMs, clock.random, options.rateLimitPause?.()) -
              updateMs
          )
    try {
      await abortable(clock.sleep(Math.min(pause, left), signal), signal)
      const limit = deadline - clock.now()
      if (limit <= 0) return lastLook(read, execution, options, ended)
      reads++
      execution = await abortable(read(limit), signal)
    } catch (error) {
      if (error instanceof Aborted || signal?.aborted)
        return { outcome: 'job-cancelled', execution, restarting: ended.restarting() }
      if (!(error instanceof BuddyApiError)) throw error
      if (error.status === 404) throw runDeleted(execution)
      if (!error.transient) return tokenRefused(error, execution)
      failures++
      faultDelay = faultPause(error, failures, rateLimited, clock, options.pollIntervalMs)
      if (error.status === 429) rateLimited++
      options.log.debug(
        `${error.message} Reading the status again in ${(faultDelay / 1000).toFixed(1)} s.`
      )
      continue
    }
    failures = 0
    rateLimited = 0
    const updateStartedAt = clock.now()
    await options.onUpdate?.(execution)
    updateMs = clock.now() - updateStartedAt
    const verdict = judge(execution)
    if (verdict) return verdict
    execution = await approveOnce(execution)
  }
}

/**
 * on-approval: approve. Approves each wait for approval once (an action that waits for it, or
 * the run at its approval action), never a wait for variables or for a visual tests session. A
 * failed approval is said and the following goes on: a person can still approve in Buddy.
 */
function approver(options: WaitOptions): (execution: Execution) => Promise<Execution> {
  const approved = new Set<string>()
  return async execution => {
    const waiting = approvalWait(execution)
    // The run went on: a later wait, even at the same action (after a retry), is a new one.
    if (!waiting) approved.clear()
    if (!options.approve || options.onApproval !== 'approve') return execution
    // No action to name: statusJudge says so, and a person approves in Buddy.
    if (waiting?.actionId === undefined) return execution
    if (approved.has(waiting.key)) return execution
    approved.add(waiting.key)
    options.log.info(
      `Run #${execution.id} waits for approval in action ${waiting.action}: approving it with Buddy's APPLY (on-approval: approve).`
    )
    try {
      return await abortable(options.approve(execution, waiting.actionId), options.signal)
    } catch (error) {
      if (error instanceof Aborted || options.signal?.aborted) return execution
      options.log.warning(
        `Could not approve run #${execution.id}: ${(error as Error).message} Approve it in Buddy at ${execution.html_url ?? execution.url ?? 'its page'}. Still following.`
      )
      return execution
    }
  }
}

export interface ApprovalWait {
  /** Which wait: each is approved once. */
  key: string
  /** The action, as the log names it: its name and id. */
  action: string
  /** approve_action_id; undefined when Buddy's answer names no action to approve. */
  actionId?: number
}

/**
 * The wait for approval the run is in, if any, and the action an APPLY must name: the action
 * that shows WAITING_FOR_APPLY, else (the run itself waits) its first "Wait for approval" action
 * (type WAIT_FOR_APPLY) that has not ended, where the run stands. The id sent is the action's
 * (`action.id`), else a numeric action execution id (Buddy's newer docs accept either). A run
 * that waits while its answer shows no such action gets no id: nothing is guessed.
 */
export function approvalWait(execution: Execution): ApprovalWait | undefined {
  const actions = execution.action_executions ?? []
  let index = actions.findIndex(a => a.status === APPROVAL_STATUS)
  if (index < 0 && execution.status === APPROVAL_STATUS) {
    index = actions.findIndex(
      a => a.action?.type === APPROVAL_ACTION_TYPE && statusKind(a.status ?? '') !== 'final'
    )
    if (index < 0) return { key: 'run', action: '(none named)', actionId: undefined }
  }
  const action = actions[index]
  if (!action) return undefined
  const actionId = approveActionId(action)
  const name = action.action?.name
  return {
    key: `action ${action.action_execution_id ?? action.action?.id ?? index}`,
    action: `${name ? `"${oneLine(name)}"` : `#${index + 1}`}${actionId === undefined ? '' : ` (id ${actionId})`}`,
    actionId
  }
}

function approveActionId(action: ActionExecution): number | undefined {
  const id = action.action?.id
  if (typeof id === 'number' && Number.isSafeInteger(id)) return id
  const run = action.action_execution_id
  if (typeof run === 'number' && Number.isSafeInteger(run)) return run
  if (typeof run === 'string' && /^\d{1,15}$/.test(run)) return Number(run)
  return undefined
}

/**
 * The pause after a status read failed. A 429's own wait is Buddy's pacing and is kept (with a
 * spread); any other fault waits at most the poll interval, whatever a reset time in its headers
 * says. failures counts from 1, rateLimited (the 429s before this one) from 0.
 */
function faultPause(
  error: BuddyApiError,
  failures: number,
  rateLimited: number,
  clock: Clock,
  pollIntervalMs: number
): number {
  if (error.status === 429) return rateLimitDelay(error.retryAfterMs, rateLimited, clock.random)
  return Math.min(
    error.retryAfterMs ?? backoffDelay(failures - 1, clock.random, 1000, pollIntervalMs),
    pollIntervalMs
  )
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

/** Whether a read shows the run's end; restarting(): after a RETRY, not yet seen going again. */
type EndDetector = ((execution: Execution) => boolean) & { restarting(): boolean }

/**
 * A final status is the run's end, except right after a RETRY: until a read shows the run going
 * again, a final status with the retried attempt's finish date (or none newer) is Buddy not
 * having restarted the run yet, said once, and waited out within the time left. So one failure
 * is never taken for the retry's result, and never retried twice.
 */
function endDetector(options: Pick<WaitOptions, 'log' | 'retriedAttempt'>): EndDetector {
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

/**
 * A longer pause when few requests are left in the rate limit's window: what is left is spread
 * over the time until the window resets. 0 while there is plenty.
 */
export function rateLimitPause(
  rate: { limit?: number; remaining?: number; resetAtMs?: number } | undefined,
  now: number,
  pollIntervalMs: number
): number {
  if (rate?.remaining === undefined) return 0
  const low = Math.max(5, (rate.limit ?? 0) * 0.05)
  if (rate.remaining > low) return 0
  const untilReset = rate.resetAtMs !== undefined ? Math.max(0, rate.resetAtMs - now) : undefined
  if (rate.remaining <= 0) return untilReset ?? 60_000
  return untilReset !== undefined ? Math.ceil(untilReset / rate.remaining) : 2 * pollIntervalMs
}
