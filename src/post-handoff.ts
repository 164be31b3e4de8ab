import * as core from '@actions/core'
import type { PipelineRef } from './buddy/client.js'
import type { FollowReport } from './follow/follow-report.js'

/**
 * The hand-off from the main step to the post step (post.ts), through the runner's saved state:
 * one object writes it (the main step) and one function reads it (the post step), so that the
 * protocol is in one place. What the main step saves, in the order it happens:
 * 1. pending-run, right before each run request goes out: where to look, the step's marker, and
 *    when the request was sent (Buddy may create its run for a while after: creationWindowMs);
 * 2. followed-run, as soon as the run's id is known;
 * 3. cancel-sent, right before the main step sends a cancel;
 * 4. run-settled, why nothing is left to do (see SETTLED).
 * The runner keeps the last value saved under a name: a later save replaces an earlier one.
 * Nothing but run-settled is saved with cancel-on-job-cancel: false (the callers decide).
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

const LEFT_GOING = 'left-going: '

/** Why the post step has nothing to do; left-going: the user chose to leave the run going. */
export const SETTLED = {
  ended: 'ended',
  cancelled: 'cancelled',
  noRun: 'no-run',
  leftGoing: (why: string) => `${LEFT_GOING}${why}`
} as const

/** The user's reason for leaving the run going, when `settled` says so. */
export function leftGoingReason(settled: string): string | undefined {
  return settled.startsWith(LEFT_GOING) ? settled.slice(LEFT_GOING.length) : undefined
}

/** The main step's side: what it tells the post step, and what this process has told it. */
export class PostHandoff {
  private runToCancel = false
  private settled: string | undefined

  savePendingRun(run: PendingRun): void {
    this.runToCancel = true
    core.saveState(STATE.pending, JSON.stringify(run))
  }

  saveFollowedRun(run: FollowedRun): void {
    this.runToCancel = true
    core.saveState(STATE.followed, JSON.stringify(run))
  }

  markCancelSent(): void {
    core.saveState(STATE.cancelSent, 'true')
  }

  markRunSettled(why: string): void {
    this.settled = why
    core.saveState(STATE.settled, why)
  }

  /** After following: why the post step has nothing left to do, where that is so. */
  markFollowEnded(
    report: Pick<FollowReport, 'cancelled' | 'outcome'>,
    { cancelOnTimeout }: { cancelOnTimeout: boolean }
  ): void {
    if (report.cancelled) this.markRunSettled(SETTLED.cancelled)
    else if (report.outcome === 'finished') this.markRunSettled(SETTLED.ended)
    else if (report.outcome === 'timed-out' && !cancelOnTimeout)
      this.markRunSettled(SETTLED.leftGoing('cancel-on-timeout: false'))
    else if (report.outcome === 'needs-approval')
      this.markRunSettled(SETTLED.leftGoing('on-approval: fail'))
  }

  /**
   * The job was cancelled before the main step exited. A cancelled job wins over "left going"
   * (wait: false, cancel-on-timeout: false, on-approval: fail): the post step must cancel the
   * run, so the main step takes that back. A run this step only reads (execution-id with wait:
   * false) was never saved for the post step, so it stays untouched.
   */
  jobCancelledBeforeExit(): void {
    if (
      this.runToCancel &&
      this.settled !== undefined &&
      leftGoingReason(this.settled) !== undefined
    ) {
      this.settled = undefined
      core.saveState(STATE.settled, '')
    }
  }
}

/** The main step's hand-off: one per process (index.ts and main.ts share it). */
export const postHandoff = new PostHandoff()

/** The post step's side: what the main step left it, as it reads it. */
export type Handoff =
  /** Nothing is left to do, and why. */
  | { state: 'settled'; why: string }
  /** No run to cancel was saved. */
  | { state: 'nothing-saved' }
  /** The run's id is known. */
  | { state: 'followed'; run: FollowedRun; cancelSent: boolean }
  /** The answer to the run request never reached the main step: the run is found by its marker. */
  | { state: 'pending'; run: PendingRun; cancelSent: boolean }

export function readHandoff(): Handoff {
  const settled = core.getState(STATE.settled)
  if (settled) return { state: 'settled', why: settled }
  const followed = core.getState(STATE.followed)
  const pending = core.getState(STATE.pending)
  const cancelSent = core.getState(STATE.cancelSent) === 'true'
  if (followed) return { state: 'followed', run: JSON.parse(followed) as FollowedRun, cancelSent }
  if (pending) return { state: 'pending', run: JSON.parse(pending) as PendingRun, cancelSent }
  return { state: 'nothing-saved' }
}
