import type { Clock } from '../base/clock.js'
import type { Logger } from '../base/log.js'
import { formatDuration } from '../inputs/duration.js'
import type { BuddyClient, PipelineRef } from './client.js'
import { BuddyApiError } from './failures.js'
import type { Execution, RunRequestBody } from './model.js'
import { REF_KINDS, sameRef } from './ref-names.js'
import { hasStepMarker } from './step-marker.js'

/**
 * Finding the step's own run in the pipeline's list, by the marker in its comment: after a run
 * request whose answer leaves unknown whether a run was created (start-execution.ts), and in the
 * post step after a job cancel during the run request (post.ts). Buddy may still create the run
 * for a while after the request was sent (the creation window): it is looked for again and again
 * until then, and called absent only once the window has passed.
 */

/**
 * How long after a run request was sent Buddy may still create its run: three times the
 * request's time limit (at least twice is needed: a gateway may give up on the request at the
 * limit while Buddy's backend goes on for as long again). The README states it.
 */
export const CREATION_WINDOW_REQUEST_LIMITS = 3
export function creationWindowMs(requestTimeoutMs: number): number {
  return CREATION_WINDOW_REQUEST_LIMITS * requestTimeoutMs
}
/** The pause before the first look at the run list again, growing ×1.5 up to the longest. */
const FIRST_LOOK_PAUSE_MS = 2000
const LONGEST_LOOK_PAUSE_MS = 10_000

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
  | { kind: 'found'; execution: Execution }
  | { kind: 'absent' }
  /** lasting: looking again cannot settle it (a marked run that matches nothing else). */
  | { kind: 'unsure'; problem: string; lasting?: boolean }

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
        lasting: true,
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

/** What lookForOurRun needs of the run request's options. */
export interface LookOptions {
  clock: Clock
  log: Logger
  /** This step's marker, for the "check the runs" message. */
  marker: string
  /** The pipeline's page in Buddy, for the "check the runs" message. */
  runsUrl?: string
  /** The step's timeout, by the clock: the look ends by it. */
  deadlineMs?: number
}

function checkRuns(options: Pick<LookOptions, 'runsUrl' | 'marker'>): string {
  return `Check the pipeline's runs in Buddy${options.runsUrl ? ` (${options.runsUrl})` : ''} for one whose comment ends with ${options.marker}.`
}

/**
 * After an answer that leaves unknown whether a run was created: the run this step's request
 * created, else undefined once the creation window after that request has passed with no run
 * listed (surely none was created); throws when it cannot tell.
 */
export async function lookForOurRun(
  ambiguity: string,
  sentAt: number,
  client: BuddyClient,
  ref: PipelineRef,
  identity: RunIdentity,
  options: LookOptions,
  pause: (ms: number) => Promise<void>
): Promise<Execution | undefined> {
  const { log, clock } = options
  const windowEnd = sentAt + creationWindowMs(client.requestTimeoutMs)
  const deadline = options.deadlineMs ?? Number.POSITIVE_INFINITY
  log.info(
    `${ambiguity} Looking for the run it may have created before sending anything again: Buddy may still create it until ${formatDuration(windowEnd - sentAt)} after the request was sent.`
  )
  const found = await watchForOurRun(client, ref, identity, {
    until: Math.min(windowEnd, deadline),
    clock,
    pause
  })
  if (found.kind === 'found') {
    log.info(
      `Found run #${found.execution.id}, created by that request (its comment carries this step's marker): following it instead of sending again.`
    )
    return found.execution
  }
  if (found.kind === 'unsure') {
    throw new BuddyApiError(
      `${ambiguity} Whether a run was created is unknown (${found.problem}), so the request is not sent again, to avoid a second run. ${checkRuns(options)}`,
      undefined,
      undefined,
      true
    )
  }
  if (clock.now() < windowEnd) {
    // The step's timeout came first: Buddy may still create the run.
    throw new BuddyApiError(
      `${ambiguity} Could not tell whether Buddy created a run: none was listed by the end of the step's timeout, but Buddy may still create one until ${formatDuration(windowEnd - sentAt)} after the request. The request is not sent again, to avoid a second run. ${checkRuns(options)}`,
      undefined,
      undefined,
      true
    )
  }
  return undefined
}

/**
 * Looks for this step's run in the pipeline's list again and again, a little further apart each
 * time, until it is found, the list shows something only a person can settle, or `until` has
 * passed (then the last look's answer: "absent" means none was listed by then). A list that
 * cannot be read now is looked at again; only the last look's failure is the answer.
 */
export async function watchForOurRun(
  client: BuddyClient,
  ref: PipelineRef,
  identity: RunIdentity,
  { until, clock, pause }: { until: number; clock: Clock; pause: (ms: number) => Promise<void> }
): Promise<Search> {
  for (let look = 0; ; look++) {
    const search = await searchForRun(client, ref, identity)
    if (search.kind === 'found' || (search.kind === 'unsure' && search.lasting)) return search
    const left = until - clock.now()
    if (left <= 0) return search
    await pause(Math.min(left, lookAgainPause(look)))
  }
}

function lookAgainPause(look: number): number {
  return Math.min(LONGEST_LOOK_PAUSE_MS, Math.round(FIRST_LOOK_PAUSE_MS * 1.5 ** look))
}
