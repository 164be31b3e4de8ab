import type { Logger } from '../base/log.js'
import type { BuddyClient, PipelineRef } from './client.js'
import { SUPERSEDABLE_STATUSES, type Execution, type RunRequestBody } from './model.js'
import { REF_KINDS, sameRef } from './ref-names.js'
import { CLOCK_ALLOWANCE_MS } from './find-our-run.js'
import { markedWorkflowRun, type WorkflowRun } from './step-marker.js'
import { oneLine } from '../base/log.js'

/**
 * cancel-previous: before the run request, the pipeline's older runs for the same branch, tag or
 * pull request that are still queued, running or paused are cancelled, as GitHub's
 * concurrency.cancel-in-progress does. Runs of other refs are never touched; the run this step
 * requests does not exist yet. Newer runs of the same ref (a late job of an older push finds
 * the newer push's run) are left alone and listed: see runAge.
 */

/** The runs looked at: the newest, a page at a time. Runs still going are recent. */
const PAGES = 3
const PER_PAGE = 50

export interface SupersededRun {
  id: number
  status: string
  url?: string
  /** Why the cancel failed; undefined when the run was cancelled. */
  problem?: string
  /** Why it is newer than this step's run: it was left alone. */
  newer?: string
}

/** This step, as the runs of the same ref are compared with it. */
export interface ThisStep {
  /** Its workflow run (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT), undefined outside GitHub. */
  workflowRun?: WorkflowRun
  /** When it began, by the runner's clock. */
  startedAtMs: number
}

/** by: what told that a run is newer, its step's marker (surely) or its start date (maybe). */
export type RunAge = { kind: 'older' } | { kind: 'newer'; why: string; by: 'marker' | 'start' }

/**
 * Is a run of the same ref older than this step's run (to be cancelled) or newer (left alone)?
 * 1. A run whose comment carries a step's marker from another workflow run, or another attempt
 *    of this one: the marker decides. GitHub's run ids grow with time and a re-run keeps its id,
 *    so a higher id is a later push (or event), and at the same id a higher attempt a later
 *    re-run. This holds whenever each started: a late job of an older push is older even when
 *    its run started after this step began.
 * 2. Any other run (no marker: started in Buddy's UI, by Buddy's own trigger or another tool; or
 *    another job of this same workflow run and attempt): its start date decides. Started after
 *    this step began, or less than the clock allowance before (the runner's and Buddy's clocks
 *    may differ), it may be newer: left alone. Started earlier: older, cancelled, as before this
 *    rule. No start date: its age is unknown, so it is left alone.
 */
export function runAge(run: Execution, step: ThisStep): RunAge {
  const marked = markedWorkflowRun(run.comment)
  const own = step.workflowRun
  if (marked && own && (marked.id !== own.id || marked.attempt !== own.attempt)) {
    if (marked.id > own.id) {
      return { kind: 'newer', by: 'marker', why: `a later workflow run (${marked.id}) started it` }
    }
    if (marked.id === own.id && marked.attempt > own.attempt) {
      const why = `a later attempt (${marked.attempt}) of this workflow run started it`
      return { kind: 'newer', by: 'marker', why }
    }
    return { kind: 'older' }
  }
  const started = run.start_date ? Date.parse(run.start_date) : Number.NaN
  if (Number.isNaN(started)) {
    return { kind: 'newer', by: 'start', why: 'Buddy gives no start date for it: it may be newer' }
  }
  if (started >= step.startedAtMs - CLOCK_ALLOWANCE_MS) {
    return {
      kind: 'newer',
      by: 'start',
      why: `it started at ${new Date(started).toISOString()}, after this step began (or less than ${CLOCK_ALLOWANCE_MS / 60_000} minutes before, as the clocks of the runner and Buddy may differ)`
    }
  }
  return { kind: 'older' }
}

/**
 * Whether a listed run is for the ref the request runs (a pull request named pull/5 or 5 is the
 * same one). A request without a ref (a pipeline bound to one ref, or a codeless one) runs the
 * pipeline's own context, as every run of it does.
 */
export function isSameRef(run: Execution, request: RunRequestBody): boolean {
  const kind = REF_KINDS.find(k => request[k] !== undefined)
  if (!kind) return true
  return sameRef(kind, request[kind], run[kind]) === true
}

export function isStillGoing(run: Execution): boolean {
  return (SUPERSEDABLE_STATUSES as readonly string[]).includes(run.status)
}

/** The runs to supersede: still going, same ref, each once. */
export async function findPreviousRuns(
  client: BuddyClient,
  ref: PipelineRef,
  request: RunRequestBody
): Promise<Execution[]> {
  const found = new Map<number, Execution>()
  for (let page = 1; page <= PAGES; page++) {
    const list = await client.listExecutions(ref, page, PER_PAGE)
    for (const run of list.executions) {
      if (isStillGoing(run) && isSameRef(run, request)) found.set(run.id, run)
    }
    if (list.lastPage) break
  }
  return [...found.values()]
}

/**
 * Cancels the older ones; a cancel that fails is said and does not stop the new run. The newer
 * ones are left alone, and listed with why.
 */
export async function cancelPreviousRuns(
  client: BuddyClient,
  ref: PipelineRef,
  request: RunRequestBody,
  description: string,
  log: Logger,
  step: ThisStep
): Promise<SupersededRun[]> {
  let previous: Execution[]
  try {
    previous = await findPreviousRuns(client, ref, request)
  } catch (error) {
    log.warning(
      `cancel-previous: the pipeline's runs could not be listed, so none was cancelled: ${(error as Error).message}`
    )
    return []
  }
  const superseded: SupersededRun[] = []
  const older: Execution[] = []
  for (const run of previous) {
    const age = runAge(run, step)
    if (age.kind === 'older') {
      older.push(run)
      continue
    }
    const entry = listed(run)
    entry.newer = age.why
    superseded.push(entry)
    const link = entry.url ? ` ${entry.url}` : ''
    const said = `cancel-previous: left run #${run.id} (${entry.status}) for ${description} alone, as newer than this step's run: ${age.why}.`
    // A late job of an older push: its run still starts, and may end after the newer one.
    if (age.by === 'marker') {
      log.warning(
        `${said} This step's run starts all the same, for an older workflow run: should both deploy, it may end last.${link}`
      )
    } else log.info(`${said}${link}`)
  }
  if (older.length === 0) {
    log.info(`cancel-previous: no earlier run for ${description} is still going.`)
    return superseded
  }
  for (const run of older) {
    const entry = listed(run)
    try {
      await client.cancelExecution(ref, run.id)
      log.info(
        `cancel-previous: cancelled run #${run.id} (${entry.status}) for ${description}${entry.url ? `: ${entry.url}` : ''}`
      )
    } catch (error) {
      entry.problem = (error as Error).message
      log.warning(`cancel-previous: could not cancel run #${run.id}: ${entry.problem}`)
    }
    superseded.push(entry)
  }
  return superseded
}

function listed(run: Execution): SupersededRun {
  return { id: run.id, status: oneLine(run.status), url: run.html_url ?? undefined }
}
