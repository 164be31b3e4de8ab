import * as core from '@actions/core'
import { systemClock, type Clock } from './base/clock.js'
import type { PipelineRef } from './buddy/client.js'
import { CANCELLING_STATUS, statusKind, type Execution } from './buddy/model.js'
import { creationWindowMs, watchForOurRun } from './buddy/start-execution.js'
import { connect } from './buddy/connect.js'
import { readEventContext } from './github/event.js'
import { readSettings } from './inputs/read-settings.js'
import { log } from './base/log.js'
import { formatDuration } from './inputs/duration.js'

/**
 * The post step (post-if: cancelled()): the backup for cancelling the Buddy run when the job is
 * cancelled and the main step could not (it was killed first, maybe before the answer to its run
 * request arrived). It never fails the job. It does nothing when the main step already cancelled
 * the run, saw it end, or left it going because the user chose so.
 *
 * What the main step leaves for it, in the order it happens:
 * 1. pending-run, right before each run request goes out: where to look, the step's marker, and
 *    when the request was sent (Buddy may create its run for a while after: creationWindowMs);
 * 2. followed-run, as soon as the run's id is known;
 * 3. cancel-sent, right before the main step sends a cancel;
 * 4. run-settled, why nothing is left to do (see SETTLED).
 * Nothing is saved with cancel-on-job-cancel: false.
 */

export const STATE = {
  pending: 'pending-run',
  followed: 'followed-run',
  cancelSent: 'cancel-sent',
  settled: 'run-settled'
} as const

export interface PendingRun extends PipelineRef {
  /** The step's marker, in the run's comment. */
  marker: string
  /** When the step began: only runs started after it can be the step's. */
  notBeforeMs: number
  /** The pipeline's page in Buddy, for a "check the runs" message. */
  runsUrl?: string
  /** When the last run request was sent (by the clock). */
  sentAtMs?: number
}

export interface FollowedRun extends PipelineRef {
  executionId: number
}

/** Why the post step has nothing to do; left-going: the user chose to leave the run going. */
export const SETTLED = {
  ended: 'ended',
  cancelled: 'cancelled',
  noRun: 'no-run',
  leftGoing: (why: string) => `left-going: ${why}`
} as const

/**
 * What this process has told the post step, for jobCancelledBeforeExit. (The runner keeps the
 * last value saved under a name: a later saveState replaces an earlier one.)
 */
const told: { runToCancel: boolean; settled?: string } = { runToCancel: false }

export function savePendingRun(run: PendingRun): void {
  told.runToCancel = true
  core.saveState(STATE.pending, JSON.stringify(run))
}

export function saveFollowedRun(run: FollowedRun): void {
  told.runToCancel = true
  core.saveState(STATE.followed, JSON.stringify(run))
}

export function markCancelSent(): void {
  core.saveState(STATE.cancelSent, 'true')
}

export function markRunSettled(why: string): void {
  told.settled = why
  core.saveState(STATE.settled, why)
}

/**
 * The job was cancelled before the main step exited. A cancelled job wins over "left going"
 * (wait: false, cancel-on-timeout: false, on-approval: fail): the post step must cancel the run,
 * so the main step takes that back. A run this step only reads (execution-id with wait: false)
 * was never saved for the post step, so it stays untouched.
 */
export function jobCancelledBeforeExit(): void {
  if (told.runToCancel && told.settled?.startsWith('left-going')) {
    told.settled = undefined
    core.saveState(STATE.settled, '')
  }
}

/**
 * How long the post step may look for a run that its main step's request may have created: a
 * cancelled job gets five minutes in all from GitHub's runner before it is stopped.
 */
const POST_LOOK_BUDGET_MS = 3 * 60_000

function settledMessage(why: string): string {
  if (why === SETTLED.ended) return 'The main step saw the Buddy run end: nothing to cancel.'
  if (why === SETTLED.cancelled) return 'The main step already cancelled the Buddy run.'
  if (why === SETTLED.noRun) return 'No Buddy run was started: nothing to cancel.'
  if (why.startsWith('left-going: ')) {
    return `The Buddy run was left going, as asked (${why.slice('left-going: '.length)}): not cancelling it.`
  }
  return 'The main step already cancelled the Buddy run or saw it end.'
}

export async function runPost(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock) {
  try {
    const settled = core.getState(STATE.settled)
    if (settled) return log.info(settledMessage(settled))
    const followed = core.getState(STATE.followed)
    const pending = core.getState(STATE.pending)
    if (!followed && !pending) return core.debug('No run to cancel was saved: nothing to do.')
    // Not checked against the clock: a time that has passed since the main step (delay-until)
    // must not stop the cancel.
    const settings = readSettings()
    const startedAt = clock.now()
    const client = await connect(settings, env, readEventContext(env), clock, {
      requestTimeoutMs: settings.requestTimeoutMs,
      // Within the budget, plus one request's time to cancel what it finds at its end.
      deadlineMs: startedAt + POST_LOOK_BUDGET_MS + settings.requestTimeoutMs
    })

    let ref: PipelineRef
    let execution: Execution
    if (followed) {
      const run = JSON.parse(followed) as FollowedRun
      ref = run
      execution = await client.getExecution(run, run.executionId, {
        attempts: 3,
        rateLimitBudgetMs: 30_000
      })
    } else {
      // The answer to the run request never reached the main step: find the run by its marker.
      // Buddy may still create it until the creation window after the request has passed.
      const run = JSON.parse(pending) as PendingRun
      ref = run
      const identity = { marker: run.marker, notBeforeMs: run.notBeforeMs }
      const windowEnd =
        (run.sentAtMs ?? run.notBeforeMs) + creationWindowMs(settings.requestTimeoutMs)
      log.info(
        `The job was cancelled while the run request was in flight: looking for the run it may have created (its comment ends with ${run.marker}).`
      )
      const search = await watchForOurRun(client, run, identity, {
        until: Math.min(windowEnd, startedAt + POST_LOOK_BUDGET_MS),
        clock,
        pause: ms => clock.sleep(ms)
      })
      const checkRuns = `Check the pipeline's runs in Buddy${run.runsUrl ? `: ${run.runsUrl}` : ''} for one whose comment ends with ${run.marker}.`
      if (search.kind === 'unsure') {
        return core.warning(
          `The job was cancelled while the run request was in flight, and whether it created a run is unknown (${search.problem}). ${checkRuns}`
        )
      }
      if (search.kind === 'absent' && clock.now() < windowEnd) {
        return core.warning(
          `The job was cancelled while the run request was in flight, and the post step could not tell whether Buddy created a run: none was listed by the time the post step had to stop, but Buddy may still create one until ${formatDuration(windowEnd - (run.sentAtMs ?? run.notBeforeMs))} after the request. ${checkRuns}`
        )
      }
      if (search.kind === 'absent') {
        return log.info(
          `No Buddy run carries this step's marker ${run.marker}, ${formatDuration(windowEnd - (run.sentAtMs ?? run.notBeforeMs))} after the run request: it created none. Nothing to cancel.`
        )
      }
      execution = search.execution
      log.info(`Found Buddy run #${execution.id} by this step's marker.`)
    }
    if (statusKind(execution.status) === 'final') {
      return log.info(
        `Buddy run #${execution.id} has ended (${execution.status}): nothing to cancel.`
      )
    }
    if (core.getState(STATE.cancelSent) === 'true' && execution.status === CANCELLING_STATUS) {
      return log.info(
        `Buddy run #${execution.id} is being cancelled already (${execution.status}).`
      )
    }
    await client.cancelExecution(ref, execution.id)
    log.info(`The job was cancelled: cancelled Buddy run #${execution.id}.`)
  } catch (error) {
    core.warning(
      `Could not cancel the Buddy run after the job was cancelled: ${(error as Error).message}`
    )
  }
}
