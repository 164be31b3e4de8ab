import { backoffDelay, RateLimitWaits, serverRequestedDelay, serverWaitRefusal } from './backoff.js'
import type { Clock } from '../clock.js'
import { hasStepMarker } from './step-marker.js'
import {
  BuddyApiError,
  buddyMessageOf,
  describeHttpFailure,
  describeNetworkFailure,
  describePipeline,
  parseAnswer,
  type Attempt,
  type BuddyClient,
  type Logger,
  type PipelineRef,
  type RequestContext
} from './client.js'
import { executionSchema, type Execution, type RunRequestBody } from './model.js'
import { REF_KINDS, sameRef } from './ref-names.js'

/**
 * Sends the run request so that at most one run is created per step, ever.
 * - Sent again only where nothing can have been created: 429, a refused connection, or a
 *   revision Buddy has not fetched yet (a push racing Buddy's fetch of the repository). Each of
 *   these causes has its own count and its own pace.
 * - After an ambiguous failure (5xx, reset or timeout after sending, a cut or unreadable answer),
 *   the pipeline's newest runs are searched for the one carrying this step's marker first; the
 *   request is sent again only when that run is surely absent, and the step fails (with the link
 *   to the pipeline's runs) when it cannot tell.
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
}

/** How long to keep asking while Buddy does not know the revision yet. */
const UNKNOWN_REVISION_WAIT_MS = 60_000
/** Tries where the request never left this machine (refused connection, DNS). */
const MAX_NOT_SENT_TRIES = 6
/** Sends after which an ambiguous failure is final. */
const MAX_SENDS = 2
/** How long after the first send an ambiguous failure is final, whatever the count. */
const MAX_SENDING_MS = 5 * 60_000
/** How long 429s are waited out in all (a 429 is pacing, not a failed try). */
const RATE_LIMIT_BUDGET_MS = 5 * 60_000
/** Pause before looking for our run in the list once more. */
const LOOK_AGAIN_AFTER_MS = 3000

/** The job was cancelled while the run request waited; no run was returned. */
export class JobCancelledError extends Error {
  override name = 'JobCancelledError'
  constructor(
    /** A request whose outcome is unknown went out: a run of this step may exist. */
    readonly mayHaveCreated: boolean
  ) {
    super(
      mayHaveCreated
        ? 'The job was cancelled while the action looked for the run its request may have created.'
        : 'The job was cancelled before Buddy created a run: no run was started.'
    )
  }
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

/** How a step recognises its own run. */
export interface RunIdentity {
  marker: string
  notBeforeMs: number
  /** When known, the run must also match its commit and ref. */
  body?: RunRequestBody
}

/** Two minutes of allowance for the clocks of the runner and Buddy to disagree. */
export const CLOCK_ALLOWANCE_MS = 120_000

function startedAtMs(execution: Execution): number {
  return execution.start_date ? Date.parse(execution.start_date) : Number.NaN
}

/**
 * Is this run the one this step asked for? Only when its comment carries the step's marker and
 * it started after the step began. A run without a comment or a start date is never adopted.
 */
export function isOurExecution(execution: Execution, identity: RunIdentity): boolean {
  if (!hasStepMarker(execution.comment, identity.marker)) return false
  const started = startedAtMs(execution)
  if (Number.isNaN(started) || started < identity.notBeforeMs - CLOCK_ALLOWANCE_MS) return false
  const body = identity.body
  if (!body) return true
  const revision = execution.to_revision?.revision
  const wanted = body.to_revision?.revision ?? 'HEAD'
  if (wanted !== 'HEAD' && revision && !revision.toLowerCase().startsWith(wanted.toLowerCase())) {
    return false
  }
  // A ref the run does not show is no mismatch; one it shows otherwise (pull/5 or 5) may match.
  return REF_KINDS.every(
    kind => !body[kind] || sameRef(kind, body[kind], execution[kind]) !== false
  )
}

export type Search =
  { kind: 'found'; execution: Execution } | { kind: 'absent' } | { kind: 'unsure'; problem: string }

/**
 * Looks through the pipeline's newest runs for this step's run, page by page until runs older
 * than the step. "unsure" when the list cannot be read, or when a run that may be ours does not
 * show its comment or start date: the caller must not guess then.
 */
export async function searchForRun(
  client: BuddyClient,
  ref: PipelineRef,
  identity: RunIdentity,
  { maxPages = 5, perPage = 20 } = {}
): Promise<Search> {
  let blind = 0
  for (let page = 1; page <= maxPages; page++) {
    let list: Awaited<ReturnType<BuddyClient['listExecutions']>>
    try {
      list = await client.listExecutions(ref, page, perPage)
    } catch (error) {
      return {
        kind: 'unsure',
        problem: `the pipeline's runs could not be listed: ${(error as Error).message}`
      }
    }
    const ours = list.executions.find(e => isOurExecution(e, identity))
    if (ours) return { kind: 'found', execution: ours }
    // The marker is unique to this step: a run that carries it but differs in another field
    // (a ref Buddy spells otherwise) is not "absent", or the request would be sent again.
    const marked = list.executions.find(e => hasStepMarker(e.comment, identity.marker))
    if (marked) {
      return {
        kind: 'unsure',
        problem: `run #${marked.id} carries this step's marker but does not match its request (ref, commit or start time)`
      }
    }
    const older = (e: Execution) => startedAtMs(e) < identity.notBeforeMs - CLOCK_ALLOWANCE_MS
    blind += list.executions.filter(e => !older(e) && (!e.comment || !e.start_date)).length
    const reachedOlder = list.executions.some(older)
    if (reachedOlder || list.lastPage) {
      return blind > 0
        ? {
            kind: 'unsure',
            problem: `${blind} recent run(s) in Buddy's list show no comment or start date, so the step's marker cannot be checked`
          }
        : { kind: 'absent' }
    }
  }
  return {
    kind: 'unsure',
    problem: `more than ${maxPages * perPage} runs started since this step began`
  }
}

/** What one answer to the run request means; the loop in startExecution decides what follows. */
export type RunAnswer =
  | { kind: 'created'; execution: Execution }
  /** Final: nothing was created, and sending again cannot help. */
  | { kind: 'refused'; error: BuddyApiError }
  /** The request never left this machine: nothing can have been created. */
  | { kind: 'not-sent'; why: string }
  /** 429: nothing was created; serverMs is the wait Buddy asks for, when it says. */
  | { kind: 'rate-limited'; serverMs?: number; message?: string }
  /** Buddy does not know the commit yet: nothing was created. */
  | { kind: 'unknown-revision'; status: number; message?: string }
  /** A run may have been created: look for it before sending anything again. */
  | { kind: 'ambiguous'; why: string }

/** Classifies one try of the run request. Pure. */
export function classifyRunAnswer(
  result: Attempt,
  revision: string,
  ctx: RequestContext,
  host: string,
  nowMs: number
): RunAnswer {
  if (result.kind === 'network') {
    const why = describeNetworkFailure(result, ctx, host)
    if (result.fatal) return { kind: 'refused', error: new BuddyApiError(why) }
    return result.sent ? { kind: 'ambiguous', why } : { kind: 'not-sent', why }
  }
  if (result.status >= 200 && result.status < 300) {
    const parsed = parseAnswer(result.text, executionSchema)
    if (parsed.ok) return { kind: 'created', execution: parsed.value }
    return {
      kind: 'ambiguous',
      why: `Buddy accepted the run request but its answer could not be read (${parsed.problem}).`
    }
  }
  const message = buddyMessageOf(result.text)
  if (result.status === 429) {
    return {
      kind: 'rate-limited',
      serverMs: serverRequestedDelay(result.headers, nowMs, 429),
      message
    }
  }
  if (isUnknownRevision(result.status, message, revision)) {
    return { kind: 'unknown-revision', status: result.status, message }
  }
  const why = describeHttpFailure(result.status, message, ctx)
  if (result.status < 500) {
    return { kind: 'refused', error: new BuddyApiError(why, result.status, message) }
  }
  return { kind: 'ambiguous', why }
}

export async function startExecution(
  client: BuddyClient,
  ref: PipelineRef,
  body: RunRequestBody,
  options: StartOptions
): Promise<Execution> {
  const { clock, log, signal } = options
  const revision = body.to_revision?.revision ?? 'HEAD'
  const identity: RunIdentity = { marker: options.marker, notBeforeMs: options.notBeforeMs, body }
  const ctx: RequestContext = {
    action: `run pipeline ${ref.pipelineId}`,
    notFound: describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` }),
    scopes: 'PIPELINE_RUN, older name EXECUTION_RUN'
  }
  const firstSentAt = clock.now()
  // One count per cause of sending again.
  let ambiguousSends = 0
  let notSentTries = 0
  const rateLimitWaits = new RateLimitWaits(RATE_LIMIT_BUDGET_MS)
  const unknownRevision: UnknownRevisionWait = { tries: 0 }
  /** An earlier request's outcome is unknown: a run of this step may exist. */
  let mayHaveCreated = false

  const pause = async (ms: number) => {
    try {
      await clock.sleep(ms, signal)
    } catch (error) {
      if (signal?.aborted) throw new JobCancelledError(mayHaveCreated)
      throw error
    }
  }

  for (;;) {
    if (signal?.aborted) throw new JobCancelledError(mayHaveCreated)
    const result = await client.postExecution(ref, body)
    const answer = classifyRunAnswer(result, revision, ctx, client.host, clock.now())
    switch (answer.kind) {
      case 'created':
        return answer.execution
      case 'refused':
        throw answer.error
      case 'not-sent':
        await pause(notSentPause(answer.why, ++notSentTries, clock, log))
        continue
      case 'rate-limited':
        await pause(rateLimitedPause(answer, rateLimitWaits, ctx, clock, log))
        continue
      case 'unknown-revision':
        await pause(unknownRevisionPause(answer, unknownRevision, revision, clock, log))
        continue
      case 'ambiguous': {
        ambiguousSends++
        // The request may have created a run: find it before anything else.
        mayHaveCreated = true
        const found = await lookForOurRun(answer.why, client, ref, identity, options, pause)
        if (found) return found
        // mayHaveCreated stays true: a run Buddy lists late may still be this request's, so a
        // cancel from now on leaves the post step to search for it by the marker.
        sendAgainOrGiveUp(answer.why, ambiguousSends, clock.now() - firstSentAt, log)
      }
    }
  }
}

/** Surely no run was created: the request is sent again, unless it was sent enough. */
function sendAgainOrGiveUp(ambiguity: string, sends: number, sinceFirstMs: number, log: Logger) {
  if (sends >= MAX_SENDS || sinceFirstMs > MAX_SENDING_MS) {
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

/** The pause after a 429, within the rate limit's budget. */
function rateLimitedPause(
  answer: Extract<RunAnswer, { kind: 'rate-limited' }>,
  waits: RateLimitWaits,
  ctx: RequestContext,
  clock: Clock,
  log: Logger
): number {
  const { serverMs, message } = answer
  const refusal = serverWaitRefusal(serverMs)
  if (refusal) {
    throw new BuddyApiError(
      `${describeHttpFailure(429, message, ctx)} ${refusal}`,
      429,
      message,
      true
    )
  }
  const delay = waits.next(serverMs, clock.random)
  if (delay === undefined) {
    throw new BuddyApiError(
      `${describeHttpFailure(429, message, ctx)} Waited ${Math.round(waits.waitedMs / 1000)} s over ${waits.count} such answers.`,
      429,
      message,
      true
    )
  }
  log.info(
    `Buddy's rate limit was reached (429): nothing was created. Sending the run request again in ${(delay / 1000).toFixed(1)} s.`
  )
  return delay
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

/**
 * After an answer that leaves unknown whether a run was created: the run this step's request
 * created, else undefined when surely none was; throws when it cannot tell.
 */
async function lookForOurRun(
  ambiguity: string,
  client: BuddyClient,
  ref: PipelineRef,
  identity: RunIdentity,
  options: StartOptions,
  pause: (ms: number) => Promise<void>
): Promise<Execution | undefined> {
  const { log } = options
  log.info(`${ambiguity} Looking for the run it may have created before sending anything again.`)
  const found = await findOurRun(client, ref, identity, pause)
  if (found.kind === 'found') {
    log.info(
      `Found run #${found.execution.id}, created by that request (its comment carries this step's marker): following it instead of sending again.`
    )
    return found.execution
  }
  if (found.kind === 'unsure') {
    const checkRuns = `Check the pipeline's runs in Buddy${options.runsUrl ? `: ${options.runsUrl}` : '.'}`
    throw new BuddyApiError(
      `${ambiguity} Whether a run was created is unknown (${found.problem}), so the request is not sent again, to avoid a second run. ${checkRuns}`,
      undefined,
      undefined,
      true
    )
  }
  return undefined
}

/** Looks twice, a little apart: a run just created may take a moment to be listed. */
export async function findOurRun(
  client: BuddyClient,
  ref: PipelineRef,
  identity: RunIdentity,
  pause: (ms: number) => Promise<void>
): Promise<Search> {
  const search = await searchForRun(client, ref, identity)
  if (search.kind !== 'absent') return search
  await pause(LOOK_AGAIN_AFTER_MS)
  return searchForRun(client, ref, identity)
}
