import type { BuddyClient, PipelineRef } from '../buddy/client.js'
import type { ActionExecution } from '../buddy/model.js'

/** Buddy's action logs: which id fetches them, and fetching a whole log or its tail. */

const TAIL_LINES = 200
const PAGE = 1000
/** A log longer than this is cut, with a note: the GitHub log is no place for gigabytes. */
const MAX_LINES = 20_000

/** Newer answers name each action's run (action_execution_id); Buddy's older example does not. */
export function actionExecutionId(action: ActionExecution): string | undefined {
  const id = action.action_execution_id ?? action.id
  return id === undefined || id === null || id === '' ? undefined : String(id)
}

export interface FetchedLog {
  lines: string[]
  /** Lines before these that were not fetched. */
  skipped: number
  truncated: boolean
}

export async function fetchActionLog(
  client: BuddyClient,
  ref: PipelineRef,
  executionId: number,
  actionExecution: string,
  mode: 'tail' | 'all'
): Promise<FetchedLog> {
  const page = (offset: number, limit: number) =>
    client.getActionLog(ref, executionId, actionExecution, offset, limit)
  const first = await page(0, PAGE)
  let lines = first.logs ?? first.lines ?? []
  const total = first.total_element_count ?? lines.length
  if (mode === 'tail') {
    if (total <= lines.length) {
      return {
        lines: lines.slice(-TAIL_LINES),
        skipped: Math.max(0, lines.length - TAIL_LINES),
        truncated: false
      }
    }
    const offset = Math.max(0, total - TAIL_LINES)
    const last = await page(offset, TAIL_LINES)
    return { lines: last.logs ?? last.lines ?? [], skipped: offset, truncated: false }
  }
  while (lines.length < total && lines.length < MAX_LINES) {
    const next = await page(lines.length, PAGE)
    const more = next.logs ?? next.lines ?? []
    if (more.length === 0) break
    lines = lines.concat(more)
  }
  return { lines: lines.slice(0, MAX_LINES), skipped: 0, truncated: total > MAX_LINES }
}
