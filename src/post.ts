import * as core from '@actions/core'
import { systemClock, type Clock } from './base/clock.js'
import type { BuddyClient, PipelineRef } from './buddy/client.js'
import { CANCELLING_STATUS, statusKind, type Execution } from './buddy/model.js'
import { creationWindowMs, watchForOurRun } from './buddy/find-our-run.js'
import { connect } from './buddy/connect.js'
import { readEventContext } from './github/event.js'
import { readSettings } from './inputs/read-settings.js'
import { log } from './base/log.js'
import { formatDuration } from './inputs/duration.js'
import { leftGoingReason, readHandoff, SETTLED, type PendingRun } from './post-handoff.js'

/**
 * The post step (post-if: cancelled()): the backup for cancelling the Buddy run when the job is
 * cancelled and the main step could not (it was killed first, maybe before the answer to its run
 * request arrived). It never fails the job. It does nothing when the main step already cancelled
 * the run, saw it end, or left it going because the user chose so. What the main step leaves for
 * it: post-handoff.ts.
 */

/**
 * How long the post step may look for a run that its main step's request may have created: a
 * cancelled job gets five minutes in all from GitHub's runner before it is stopped.
 */
const POST_LOOK_BUDGET_MS = 3 * 60_000

function settledMessage(why: string): string {
  if (why === SETTLED.ended) return 'The main step saw the Buddy run end: nothing to cancel.'
  if (why === SETTLED.cancelled) return 'The main step already cancelled the Buddy run.'
  if (why === SETTLED.noRun) return 'No Buddy run was started: nothing to cancel.'
  const leftGoing = leftGoingReason(why)
  if (leftGoing !== undefined) {
    return `The Buddy run was left going, as asked (${leftGoing}): not cancelling it.`
  }
  return 'The main step already cancelled the Buddy run or saw it end.'
}

export async function runPost(env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock) {
  try {
    const handoff = readHandoff()
    if (handoff.state === 'settled') return log.info(settledMessage(handoff.why))
    if (handoff.state === 'nothing-saved')
      return core.debug('No run to cancel was saved: nothing to do.')
    // Not checked against the clock: a time that has passed since the main step (delay-until)
    // must not stop the cancel.
    const settings = readSettings()
    const startedAt = clock.now()
    const client = await connect(settings, env, readEventContext(env), clock, {
      requestTimeoutMs: settings.requestTimeoutMs,
      // Within the budget, plus one request's time to cancel what it finds at its end.
      deadlineMs: startedAt + POST_LOOK_BUDGET_MS + settings.requestTimeoutMs
    })
    const { run } = handoff
    const execution =
      handoff.state === 'followed'
        ? await client.getExecution(run, handoff.run.executionId, {
            attempts: 3,
            rateLimitBudgetMs: 30_000
          })
        : await findPendingRun(client, handoff.run, settings.requestTimeoutMs, clock, startedAt)
    if (execution) await cancelUnlessEnded(client, run, execution, handoff.cancelSent)
  } catch (error) {
    core.warning(
      `Could not cancel the Buddy run after the job was cancelled: ${(error as Error).message}`
    )
  }
}

/**
 * The answer to the run request never reached the main step: the run, found by its marker, or
 * undefined when there is nothing to cancel or the post step could not tell (it said so).
 * Buddy may still create it until the creation window after the request has passed.
 */
async function findPendingRun(
  client: BuddyClient,
  run: PendingRun,
  requestTimeoutMs: number,
  clock: Clock,
  startedAt: number
): Promise<Execution | undefined> {
  const identity = { marker: run.marker, notBeforeMs: run.notBeforeMs }
  const windowEnd = (run.sentAtMs ?? run.notBeforeMs) + creationWindowMs(requestTimeoutMs)
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
    core.warning(
      `The job was cancelled while the run request was in flight, and whether it created a run is unknown (${search.problem}). ${checkRuns}`
    )
    return undefined
  }
  if (search.kind === 'absent' && clock.now() < windowEnd) {
    core.warning(
      `The job was cancelled while the run request was in flight, and the post step could not tell whether Buddy created a run: none was listed by the time the post step had to stop, but Buddy may still create one until ${formatDuration(windowEnd - (run.sentAtMs ?? run.notBeforeMs))} after the request. ${checkRuns}`
    )
    return undefined
  }
  if (search.kind === 'absent') {
    log.info(
      `No Buddy run carries this step's marker ${run.marker}, ${formatDuration(windowEnd - (run.sentAtMs ?? run.notBeforeMs))} after the run request: it created none. Nothing to cancel.`
    )
    return undefined
  }
  log.info(`Found Buddy run #${search.execution.id} by this step's marker.`)
  return search.execution
}

/** Cancels the run, unless it has ended or the main step's cancel is already under way. */
async function cancelUnlessEnded(
  client: BuddyClient,
  ref: PipelineRef,
  execution: Execution,
  cancelSent: boolean
): Promise<void> {
  if (statusKind(execution.status) === 'final') {
    return log.info(
      `Buddy run #${execution.id} has ended (${execution.status}): nothing to cancel.`
    )
  }
  if (cancelSent && execution.status === CANCELLING_STATUS) {
    return log.info(`Buddy run #${execution.id} is being cancelled already (${execution.status}).`)
  }
  await client.cancelExecution(ref, execution.id)
  log.info(`The job was cancelled: cancelled Buddy run #${execution.id}.`)
}
