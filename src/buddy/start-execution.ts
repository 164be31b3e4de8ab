import { backoffDelay, RateLimitWaits } from './backoff.js'
import type { Clock } from '../base/clock.js'
import { describePipeline, type BuddyClient, type PipelineRef } from './client.js'
import { BuddyApiError, describeHttpFailure, type RequestContext } from './failures.js'
import { classifyRunAnswer, type RunAnswer } from './run-answer.js'
import { JobCancelledError } from '../base/job-cancel.js'
import type { Logger } from '../base/log.js'
import type { Execution, RunRequestBody } from './model.js'
import { lookForOurRun, type RunIdentity } from './find-our-run.js'

/**
 * Sends the run request so that at most one run is created per step, ever.
 * - Sent again only where nothing can have been created: 429, a refused connection, or a
 *   revision Buddy has not fetched yet (a push racing Buddy's fetch of the repository). Each of
 *   these causes has its own count and its own pace.
 * - After an ambiguous failure (5xx, reset or timeout after sending, a cut or unreadable answer),
 *   the request may still be at work in Buddy: a gateway answers 502/504, or our time limit
 *   passes, while Buddy's backend goes on and creates the run seconds later. So the pipeline's
 *   newest runs are searched for the one carrying this step's marker, again and again, until
 *   the creation window after that request was sent has passed (find-our-run.ts); only then
 *   may the run be called absent and the request be sent again. When the step's timeout ends
 *   first, or the list cannot tell, the step fails with the link to the pipeline's runs and
 *   never sends again.
 * - Every wait ends by the step's deadline; a 429 whose reset comes after it fails at once.
 * - The job can be cancelled during any wait here: the wait ends at once (JobCancelledError),
 *   saying whether a run of this step may exist.
 */

export interface StartOptions {
  clock: Clock
  log: Logger
  /** This step's marker, in body.comment: how its run is recognised in the run list. */
  marker: string
  /** When the step began: a run started earlier is not this step's. */
  notBeforeMs: number
  /** The pipeline's page in Buddy, for "check the runs there" messages. */
  runsUrl?: string
  /** Aborted when the job is cancelled. The run request itself is never abandoned half-sent. */
  signal?: AbortSignal
  /** The step's timeout, by the clock: no wait goes past it, and no request is sent after it. */
  deadlineMs?: number
  /** Right before each send, with its time: the post step's creation window counts from the last. */
  onSend?: (sentAtMs: number) => void
}

/** How long to keep asking while Buddy does not know the revision yet. */
const UNKNOWN_REVISION_WAIT_MS = 60_000
/** Tries where the request never left this machine (refused connection, DNS). */
const MAX_NOT_SENT_TRIES = 6
/** Sends after which an ambiguous failure is final. */
const MAX_SENDS = 2

export async function startExecution(
  client: BuddyClient,
  ref: PipelineRef,
  body: RunRequestBody,
  options: StartOptions
): Promise<Execution> {
  const { clock, log, signal } = options
  const deadline = options.deadlineMs ?? Number.POSITIVE_INFINITY
  const revision = body.to_revision?.revision ?? 'HEAD'
  const identity: RunIdentity = { marker: options.marker, notBeforeMs: options.notBeforeMs, body }
  const ctx = runRequestContext(ref)
  // One count per cause of sending again.
  let ambiguousSends = 0
  let notSentTries = 0
  const rateLimitWaits = new RateLimitWaits()
  const unknownRevision: UnknownRevisionWait = { tries: 0 }
  /** An earlier request's outcome is unknown: a run of this step may exist. */
  let mayHaveCreated = false
  /** Why the last request was not answered with a run, for a timeout's message. */
  let lastProblem: string | undefined

  // Every pause ends by the deadline; the loop then says the time is up.
  const pause = async (ms: number) => {
    try {
      await clock.sleep(Math.max(0, Math.min(ms, deadline - clock.now())), signal)
    } catch (error) {
      if (signal?.aborted) throw new JobCancelledError(mayHaveCreated)
      throw error
    }
  }

  for (;;) {
    if (signal?.aborted) throw new JobCancelledError(mayHaveCreated)
    await paceBeforeSending(client, deadline, options, pause)
    if (clock.now() >= deadline) throw timeIsUp(ambiguousSends > 0, lastProblem)
    const sentAt = clock.now()
    options.onSend?.(sentAt)
    const result = await client.postExecution(ref, body)
    const answer = classifyRunAnswer(result, revision, ctx, client.host, clock.now())
    switch (answer.kind) {
      case 'created':
        return answer.execution
      case 'refused':
        throw answer.error
      case 'not-sent':
        lastProblem = answer.why
        await pause(notSentPause(answer.why, ++notSentTries, clock, log))
        continue
      case 'rate-limited':
        lastProblem = describeHttpFailure(429, answer.message, ctx)
        await pause(
          rateLimitedPause(answer, rateLimitWaits, deadline, client.congestion, ctx, clock, log)
        )
        continue
      case 'unknown-revision':
        lastProblem = `Buddy did not know revision ${revision} yet.`
        await pause(unknownRevisionPause(answer, unknownRevision, revision, clock, log))
        continue
      case 'ambiguous': {
        ambiguousSends++
        // The request may have created a run, or may still create it: find it first.
        mayHaveCreated = true
        const found = await lookForOurRun(answer.why, sentAt, client, ref, identity, options, pause)
        if (found) return found
        // mayHaveCreated stays true: a run Buddy lists late may still be this request's, so a
        // cancel from now on leaves the post step to search for it by the marker.
        sendAgainOrGiveUp(answer.why, ambiguousSends, log)
      }
    }
  }
}

/** What the run request's failures name: the request, the pipeline, the token's scopes. */
function runRequestContext(ref: PipelineRef): RequestContext {
  return {
    action: `run pipeline ${ref.pipelineId}`,
    notFound: describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` }),
    scopes: 'PIPELINE_RUN, older name EXECUTION_RUN'
  }
}

/** An answer said no request is left: wait for the reset rather than spend a 429. */
async function paceBeforeSending(
  client: BuddyClient,
  deadline: number,
  { clock, log }: Pick<StartOptions, 'clock' | 'log'>,
  pause: (ms: number) => Promise<void>
) {
  const pacing = Math.min(client.rateLimitPacingMs(), deadline - clock.now())
  if (pacing <= 0) return
  log.info(
    `Buddy's rate limit is spent for now: sending the run request in ${(pacing / 1000).toFixed(1)} s.`
  )
  await pause(pacing)
}

/** The step's timeout ended before a run request could be sent (again). */
function timeIsUp(sentBefore: boolean, lastProblem: string | undefined): BuddyApiError {
  const last = lastProblem ? ` The last try: ${lastProblem}` : ''
  return new BuddyApiError(
    sentBefore
      ? `The step's timeout ended before the run request could be sent again (the earlier one created no run: none carrying this step's marker was listed in the time Buddy may take to create one). No run was started.${last}`
      : `The step's timeout ended before the run request could be sent: no run was started.${last}`,
    undefined,
    undefined,
    true
  )
}

/** Surely no run was created: the request is sent again, unless it was sent enough. */
function sendAgainOrGiveUp(ambiguity: string, sends: number, log: Logger) {
  if (sends >= MAX_SENDS) {
    throw new BuddyApiError(
      `${ambiguity} No run was created; gave up after ${sends} run requests.`,
      undefined,
      undefined,
      true
    )
  }
  log.info('No run was created by that request: sending it again.')
}

/** The pause before sending again a request that never left this machine. */
function notSentPause(why: string, tries: number, clock: Clock, log: Logger): number {
  if (tries > MAX_NOT_SENT_TRIES) {
    throw new BuddyApiError(`${why} Gave up after ${tries} tries.`, undefined, undefined, true)
  }
  const delay = backoffDelay(tries - 1, clock.random)
  log.info(`${why} Sending the run request again in ${(delay / 1000).toFixed(1)} s.`)
  return delay
}

/**
 * The pause after a 429: Buddy's own wait (Retry-After or X-Rate-Limit-Reset) with a spread, as
 * long as it ends within the step's timeout; a reset after it fails at once.
 */
function rateLimitedPause(
  answer: Extract<RunAnswer, { kind: 'rate-limited' }>,
  waits: RateLimitWaits,
  deadline: number,
  congestion: number,
  ctx: RequestContext,
  clock: Clock,
  log: Logger
): number {
  const { serverMs, message } = answer
  const next = waits.next(serverMs, clock.random, deadline - clock.now(), congestion)
  if ('refusal' in next) {
    throw new BuddyApiError(
      `${describeHttpFailure(429, message, ctx)} ${next.refusal} Nothing was created.`,
      429,
      message,
      true
    )
  }
  log.info(
    `Buddy's rate limit was reached (429): nothing was created. Sending the run request again in ${(next.delay / 1000).toFixed(1)} s.`
  )
  return next.delay
}

/** Since when Buddy has not known the revision, and how often it was asked again. */
interface UnknownRevisionWait {
  since?: number
  tries: number
}

/** The pause while Buddy may still be fetching the repository; final once a minute is over. */
function unknownRevisionPause(
  answer: Extract<RunAnswer, { kind: 'unknown-revision' }>,
  wait: UnknownRevisionWait,
  revision: string,
  clock: Clock,
  log: Logger
): number {
  wait.since ??= clock.now()
  const waited = clock.now() - wait.since
  if (waited >= UNKNOWN_REVISION_WAIT_MS) {
    throw new BuddyApiError(
      `Buddy does not know revision ${revision} after ${Math.round(waited / 1000)} s: is it pushed to the repository Buddy's project uses? Buddy said: ${answer.message}`,
      answer.status,
      answer.message
    )
  }
  const delay = Math.min(
    backoffDelay(wait.tries, clock.random, 2000, 15_000),
    UNKNOWN_REVISION_WAIT_MS - waited
  )
  wait.tries++
  log.info(
    `Buddy does not know revision ${revision} yet (it may still be fetching the repository): ${answer.message} Asking again in ${(delay / 1000).toFixed(1)} s.`
  )
  return delay
}
