import type { BuddyClient, Logger, PipelineRef } from './client.js'
import { SUPERSEDABLE_STATUSES, type Execution, type RunRequestBody } from './model.js'
import { REF_KINDS, sameRef } from './ref-names.js'
import { oneLine } from '../report/log.js'

/**
 * cancel-previous: before the run request, the pipeline's runs for the same branch, tag or pull
 * request that are still queued, running or paused are cancelled, as GitHub's
 * concurrency.cancel-in-progress does. Runs of other refs are never touched; the run this step
 * requests does not exist yet.
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

/** Cancels them; a cancel that fails is said and does not stop the new run. */
export async function cancelPreviousRuns(
  client: BuddyClient,
  ref: PipelineRef,
  request: RunRequestBody,
  description: string,
  log: Logger
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
  if (previous.length === 0) {
    log.info(`cancel-previous: no earlier run for ${description} is still going.`)
    return []
  }
  const superseded: SupersededRun[] = []
  for (const run of previous) {
    const entry: SupersededRun = {
      id: run.id,
      status: oneLine(run.status),
      url: run.html_url ?? undefined
    }
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
