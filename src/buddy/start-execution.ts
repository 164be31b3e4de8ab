import { backoffDelay, rateLimitDelay, serverRequestedDelay } from './backoff.js'
import type { Clock } from '../clock.js'
import { hasStepMarker } from './step-marker.js'
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
  /** How long to keep asking while Buddy does not know the revision yet. */
  unknownRevisionWaitMs?: number
  /** Tries where the request never left this machine (refused connection, DNS). */
  maxRetries?: number
  /** Sends after which an ambiguous failure is final. */
  maxSends?: number
  /** The longest single Retry-After that is waited out. */
  maxServerDelayMs?: number
  /** How long 429s are waited out in all (a 429 is pacing, not a failed try). */
  rateLimitBudgetMs?: number
  /** Pause before looking for our run in the list once more. */
  lookAgainAfterMs?: number
}

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
const CLOCK_ALLOWANCE_MS = 120_000

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
  const wanted = body.to_revision.revision
  if (wanted !== 'HEAD' && revision && !revision.toLowerCase().startsWith(wanted.toLowerCase())) {
    return false
  }
  for (const kind of ['branch', 'tag', 'pull_request'] as const) {
    const name = execution[kind]?.name
    if (body[kind] && name && name !== body[kind]?.name) return false
  }
  return true
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

export async function startExecution(
  client: BuddyClient,
  ref: PipelineRef,
  body: RunRequestBody,
  options: StartOptions
): Promise<Execution> {
  const { clock, log, signal } = options
  const unknownRevisionWaitMs = options.unknownRevisionWaitMs ?? 60_000
  const maxRetries = options.maxRetries ?? 6
  const maxSends = options.maxSends ?? 2
  const maxServerDelayMs = options.maxServerDelayMs ?? 60_000
  const rateLimitBudgetMs = options.rateLimitBudgetMs ?? 5 * 60_000
  const identity: RunIdentity = { marker: options.marker, notBeforeMs: options.notBeforeMs, body }
  const checkRuns = `Check the pipeline's runs in Buddy${options.runsUrl ? `: ${options.runsUrl}` : '.'}`
  const ctx: RequestContext = {
    action: `run pipeline ${ref.pipelineId}`,
    notFound: describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` }),
    scopes: 'PIPELINE_RUN, older name EXECUTION_RUN'
  }
  const firstSentAt = clock.now()
  // One count per cause of sending again.
  let sends = 0
  let notSentRetries = 0
  let rateLimited = 0
  let rateLimitWaitedMs = 0
  let unknownRevisionTries = 0
  let unknownRevisionSince: number | undefined
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
    sends++
    const result = await client.postExecution(ref, body)
    let ambiguity: string

    if (result.kind === 'network' && result.fatal) {
      throw new BuddyApiError(describeNetworkFailure(result, ctx, client.host))
    } else if (result.kind === 'network' && !result.sent) {
      sends--
      notSentRetries++
      const why = describeNetworkFailure(result, ctx, client.host)
      if (notSentRetries > maxRetries) {
        throw new BuddyApiError(
          `${why} Gave up after ${notSentRetries} tries.`,
          undefined,
          undefined,
          true
        )
      }
      const delay = backoffDelay(notSentRetries - 1, clock.random)
      log.info(`${why} Sending the run request again in ${(delay / 1000).toFixed(1)} s.`)
      await pause(delay)
      continue
    } else if (result.kind === 'network') {
      ambiguity = describeNetworkFailure(result, ctx, client.host)
    } else if (result.status >= 200 && result.status < 300) {
      const parsed = parseAnswer(result.text, executionSchema)
      if (parsed.ok) return parsed.value
      ambiguity = `Buddy accepted the run request but its answer could not be read (${parsed.problem}).`
    } else {
      const message = buddyMessageOf(result.text)
      if (result.status === 429) {
        sends--
        const server = serverRequestedDelay(result.headers, clock.now(), 429)
        if (server !== undefined && server > maxServerDelayMs) {
          throw new BuddyApiError(
            `${describeHttpFailure(429, message, ctx)} It asks to wait ${Math.ceil(server / 1000)} s, longer than this step waits.`,
            429,
            message,
            true
          )
        }
        const delay = rateLimitDelay(server, rateLimited, clock.random)
        if (rateLimitWaitedMs + delay > rateLimitBudgetMs) {
          throw new BuddyApiError(
            `${describeHttpFailure(429, message, ctx)} Waited ${Math.round(rateLimitWaitedMs / 1000)} s over ${rateLimited} such answers.`,
            429,
            message,
            true
          )
        }
        rateLimited++
        rateLimitWaitedMs += delay
        log.info(
          `Buddy's rate limit was reached (429): nothing was created. Sending the run request again in ${(delay / 1000).toFixed(1)} s.`
        )
        await pause(delay)
        continue
      }
      if (isUnknownRevision(result.status, message, body.to_revision.revision)) {
        sends--
        unknownRevisionSince ??= clock.now()
        const waited = clock.now() - unknownRevisionSince
        if (waited < unknownRevisionWaitMs) {
          const delay = Math.min(
            backoffDelay(unknownRevisionTries, clock.random, 2000, 15_000),
            unknownRevisionWaitMs - waited
          )
          unknownRevisionTries++
          log.info(
            `Buddy does not know revision ${body.to_revision.revision} yet (it may still be fetching the repository): ${message} Asking again in ${(delay / 1000).toFixed(1)} s.`
          )
          await pause(delay)
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
    mayHaveCreated = true
    log.info(`${ambiguity} Looking for the run it may have created before sending anything again.`)
    const found = await findOurExecution(client, ref, identity, options, pause)
    if (found.kind === 'found') {
      log.info(
        `Found run #${found.execution.id}, created by that request (its comment carries this step's marker): following it instead of sending again.`
      )
      return found.execution
    }
    if (found.kind === 'unsure') {
      throw new BuddyApiError(
        `${ambiguity} Whether a run was created is unknown (${found.problem}), so the request is not sent again, to avoid a second run. ${checkRuns}`,
        undefined,
        undefined,
        true
      )
    }
    mayHaveCreated = false
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

/** Looks twice, a little apart: a run just created may take a moment to be listed. */
async function findOurExecution(
  client: BuddyClient,
  ref: PipelineRef,
  identity: RunIdentity,
  options: StartOptions,
  pause: (ms: number) => Promise<void>
): Promise<Search> {
  let search: Search = { kind: 'absent' }
  for (let look = 0; look < 2; look++) {
    if (look > 0) await pause(options.lookAgainAfterMs ?? 3000)
    search = await searchForRun(client, ref, identity)
    if (search.kind !== 'absent') return search
  }
  return search
}
