import { backoffDelay, serverRequestedDelay, type Clock } from '../backoff.js'
import {
  BuddyApiError,
  buddyMessageOf,
  describeHttpFailure,
  describeNetworkFailure,
  describePipeline,
  parseAnswer,
  type BuddyClient,
  type Logger,
  type PipelineRef,
  type RequestContext
} from './client.js'
import { executionSchema, type Execution, type RunRequestBody } from './model.js'

/**
 * Sends the run request so that at most one run is created per step, ever.
 * - Sent again only where nothing can have been created: 429, a refused connection, or a
 *   revision Buddy has not fetched yet (a push racing Buddy's fetch of the repository).
 * - After an ambiguous failure (5xx, reset or timeout after sending, an unreadable 2xx), the
 *   newest runs are searched for ours first; it is sent again only when ours is surely absent.
 */

export interface StartOptions {
  clock: Clock
  log: Logger
  /** How long to keep asking while Buddy does not know the revision yet. */
  unknownRevisionWaitMs?: number
  /** Tries where nothing was sent or Buddy refused before creating (429, refused connection). */
  maxRetries?: number
  /** Sends after which an ambiguous failure is final. */
  maxSends?: number
  /** The longest Retry-After that is waited out. */
  maxServerDelayMs?: number
  /** Pause before looking for our run in the list once more. */
  lookAgainAfterMs?: number
}

/** A 4xx that says Buddy does not know the commit: the wording is unconfirmed, so be broad. */
export function isUnknownRevision(status: number, message: string | undefined, revision: string) {
  if (status < 400 || status >= 500 || status === 401 || status === 403 || status === 429)
    return false
  if (!message || revision === 'HEAD') return false
  const text = message.toLowerCase()
  const namesRevision = text.includes(revision.slice(0, 7).toLowerCase())
  const aboutCommit = /revision|commit/.test(text)
  const missing =
    /not (be )?found|doesn't exist|does not exist|unknown|no such|not exist|missing|invalid/.test(
      text
    )
  return namesRevision || (aboutCommit && missing)
}

/** Does this run answer our request? Same comment, commit and ref, started after we sent it. */
export function isOurExecution(execution: Execution, body: RunRequestBody, sentAtMs: number) {
  // A list entry without a comment is judged by the rest (Buddy's list may abridge its entries).
  if (
    body.comment !== undefined &&
    execution.comment != null &&
    execution.comment !== body.comment
  ) {
    return false
  }
  const revision = execution.to_revision?.revision
  const wanted = body.to_revision.revision
  if (wanted !== 'HEAD' && revision && !revision.toLowerCase().startsWith(wanted.toLowerCase())) {
    return false
  }
  for (const kind of ['branch', 'tag', 'pull_request'] as const) {
    const name = execution[kind]?.name
    if (body[kind] && name && name !== body[kind]?.name) return false
  }
  // Two minutes of allowance for the clocks of the runner and Buddy to disagree.
  const started = execution.start_date ? Date.parse(execution.start_date) : Number.NaN
  return Number.isNaN(started) || started >= sentAtMs - 120_000
}

export async function startExecution(
  client: BuddyClient,
  ref: PipelineRef,
  body: RunRequestBody,
  options: StartOptions
): Promise<Execution> {
  const { clock, log } = options
  const unknownRevisionWaitMs = options.unknownRevisionWaitMs ?? 60_000
  const maxRetries = options.maxRetries ?? 6
  const maxSends = options.maxSends ?? 2
  const maxServerDelayMs = options.maxServerDelayMs ?? 60_000
  const ctx: RequestContext = {
    action: `run pipeline ${ref.pipelineId}`,
    notFound: describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` }),
    scopes: 'PIPELINE_RUN, older name EXECUTION_RUN'
  }
  const firstSentAt = clock.now()
  let retries = 0
  let sends = 0
  let unknownRevisionSince: number | undefined

  const retry = async (why: string, delay: number) => {
    retries++
    if (retries > maxRetries)
      throw new BuddyApiError(`${why} Gave up after ${retries} tries.`, undefined, undefined, true)
    log.info(`${why} Sending the run request again in ${(delay / 1000).toFixed(1)} s.`)
    await clock.sleep(delay)
  }

  for (;;) {
    sends++
    const sentAt = clock.now()
    const result = await client.postExecution(ref, body)
    let ambiguity: string

    if (result.kind === 'network' && !result.sent) {
      await retry(
        describeNetworkFailure(result.code, ctx, client.host),
        backoffDelay(retries, clock.random)
      )
      sends--
      continue
    } else if (result.kind === 'network') {
      ambiguity = describeNetworkFailure(result.code, ctx, client.host)
    } else if (result.status >= 200 && result.status < 300) {
      const parsed = parseAnswer(result.text, executionSchema)
      if (parsed.ok) return parsed.value
      ambiguity = `Buddy accepted the run request but its answer could not be read (${parsed.problem}).`
    } else {
      const message = buddyMessageOf(result.text)
      if (result.status === 429) {
        const wait =
          serverRequestedDelay(result.headers, clock.now()) ?? backoffDelay(retries, clock.random)
        if (wait > maxServerDelayMs) {
          throw new BuddyApiError(
            `${describeHttpFailure(429, message, ctx)} It asks to wait ${Math.ceil(wait / 1000)} s, longer than this step waits.`,
            429,
            message,
            true
          )
        }
        await retry("Buddy's rate limit was reached (429).", wait)
        sends--
        continue
      }
      if (isUnknownRevision(result.status, message, body.to_revision.revision)) {
        unknownRevisionSince ??= clock.now()
        const waited = clock.now() - unknownRevisionSince
        if (waited < unknownRevisionWaitMs) {
          const delay = Math.min(
            backoffDelay(retries, clock.random, 2000, 10_000),
            unknownRevisionWaitMs - waited
          )
          log.info(
            `Buddy does not know revision ${body.to_revision.revision} yet (it may still be fetching the repository): ${message} Asking again in ${(delay / 1000).toFixed(1)} s.`
          )
          await clock.sleep(delay)
          sends--
          continue
        }
        throw new BuddyApiError(
          `Buddy does not know revision ${body.to_revision.revision} after ${Math.round(waited / 1000)} s: is it pushed to the repository Buddy's project uses? Buddy said: ${message}`,
          result.status,
          message
        )
      }
      if (result.status < 500) {
        throw new BuddyApiError(
          describeHttpFailure(result.status, message, ctx),
          result.status,
          message
        )
      }
      ambiguity = describeHttpFailure(result.status, message, ctx)
    }

    // The request may have created a run: find it before anything else.
    log.info(`${ambiguity} Looking for the run it may have created before sending anything again.`)
    const found = await findOurExecution(client, ref, body, sentAt, options)
    if (found.kind === 'found') {
      log.info(
        `Found run #${found.execution.id}, created by that request: following it instead of sending again.`
      )
      return found.execution
    }
    if (found.kind === 'unknown') {
      throw new BuddyApiError(
        `${ambiguity} Whether a run was created is unknown (the pipeline's runs could not be listed: ${found.problem}), so the request is not sent again, to avoid a second run. Check the pipeline's runs in Buddy.`,
        undefined,
        undefined,
        true
      )
    }
    if (sends >= maxSends || clock.now() - firstSentAt > 5 * 60_000) {
      throw new BuddyApiError(
        `${ambiguity} No run was created; gave up after ${sends} run requests.`,
        undefined,
        undefined,
        true
      )
    }
    log.info('No run was created by that request: sending it again.')
  }
}

type Search =
  | { kind: 'found'; execution: Execution }
  | { kind: 'absent' }
  | { kind: 'unknown'; problem: string }

/** Looks twice, a little apart: a run just created may take a moment to be listed. */
async function findOurExecution(
  client: BuddyClient,
  ref: PipelineRef,
  body: RunRequestBody,
  sentAt: number,
  options: StartOptions
): Promise<Search> {
  for (let look = 0; look < 2; look++) {
    if (look > 0) await options.clock.sleep(options.lookAgainAfterMs ?? 3000)
    let executions: Execution[]
    try {
      executions = await client.listExecutions(ref)
    } catch (error) {
      return { kind: 'unknown', problem: (error as Error).message }
    }
    const ours = executions.find(e => isOurExecution(e, body, sentAt))
    if (ours) return { kind: 'found', execution: ours }
  }
  return { kind: 'absent' }
}
