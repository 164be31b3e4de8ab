import * as core from '@actions/core'
import { systemClock, type Clock } from './backoff.js'
import type { PipelineRef } from './buddy/client.js'
import { statusKind } from './buddy/model.js'
import { connect, readEventContext, readSettings } from './connect.js'
import { log } from './log.js'

/**
 * The post step (post-if: cancelled()): the backup for cancelling the Buddy run when the job is
 * cancelled and the main step could not (it was killed first). It never fails the job, and does
 * nothing when the main step already cancelled the run or saw it end.
 */

export const STATE = {
  isPost: 'isPost',
  /** JSON FollowedRun, saved while the main step follows a run it should cancel with the job. */
  followed: 'followed-run',
  /** "true" once the main step has cancelled the run or seen it end. */
  settled: 'run-settled'
} as const

export interface FollowedRun extends PipelineRef {
  executionId: number
}

export function saveFollowedRun(run: FollowedRun): void {
  core.saveState(STATE.followed, JSON.stringify(run))
}

export function markRunSettled(): void {
  core.saveState(STATE.settled, 'true')
}

export async function runPost(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock) {
  try {
    const saved = core.getState(STATE.followed)
    if (!saved) return core.debug('No followed run: nothing to cancel.')
    if (core.getState(STATE.settled) === 'true') {
      return log.info('The main step already cancelled the Buddy run or saw it end.')
    }
    const run = JSON.parse(saved) as FollowedRun
    const settings = readSettings()
    const client = await connect(settings, env, readEventContext(env), clock)
    const execution = await client.getExecution(run, run.executionId, 3)
    if (statusKind(execution.status) === 'final') {
      return log.info(
        `Buddy run #${run.executionId} has ended (${execution.status}): nothing to cancel.`
      )
    }
    await client.cancelExecution(run, run.executionId)
    log.info(`The job was cancelled: cancelled Buddy run #${run.executionId}.`)
  } catch (error) {
    core.warning(
      `Could not cancel the Buddy run after the job was cancelled: ${(error as Error).message}`
    )
  }
}
