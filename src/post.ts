import * as core from '@actions/core'
import { systemClock, type Clock } from './clock.js'
import type { PipelineRef } from './buddy/client.js'
import { CANCELLING_STATUS, statusKind, type Execution } from './buddy/model.js'
import { findOurRun } from './buddy/start-execution.js'
import { connect } from './buddy/connect.js'
import { readEventContext } from './github/event.js'
import { readSettings } from './inputs/read-settings.js'
import { log } from './report/log.js'

/**
 * The post step (post-if: cancelled()): the backup for cancelling the Buddy run when the job is
 * cancelled and the main step could not (it was killed first, maybe before the answer to its run
 * request arrived). It never fails the job. It does nothing when the main step already cancelled
 * the run, saw it end, or left it going because the user chose so.
 *
 * What the main step leaves for it, in the order it happens:
 * 1. pending-run, before the run request goes out: where to look and the step's marker;
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

export function savePendingRun(run: PendingRun): void {
  core.saveState(STATE.pending, JSON.stringify(run))
}

export function saveFollowedRun(run: FollowedRun): void {
  core.saveState(STATE.followed, JSON.stringify(run))
}

export function markCancelSent(): void {
  core.saveState(STATE.cancelSent, 'true')
}

export function markRunSettled(why: string): void {
  core.saveState(STATE.settled, why)
}

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
    const settings = readSettings()
    const client = await connect(settings, env, readEventContext(env), clock)

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
      const run = JSON.parse(pending) as PendingRun
      ref = run
      const identity = { marker: run.marker, notBeforeMs: run.notBeforeMs }
      // A run created a moment ago may not be listed yet: findOurRun looks twice.
      const search = await findOurRun(client, run, identity, ms => clock.sleep(ms))
      if (search.kind === 'absent') {
        return log.info(
          `No Buddy run carries this step's marker ${run.marker}: the run request created none. Nothing to cancel.`
        )
      }
      if (search.kind === 'unsure') {
        return core.warning(
          `The job was cancelled while the run request was in flight, and whether it created a run is unknown (${search.problem}). Check the pipeline's runs in Buddy${run.runsUrl ? `: ${run.runsUrl}` : ''} for one whose comment ends with ${run.marker}.`
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
