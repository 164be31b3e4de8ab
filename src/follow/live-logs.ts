import type { BuddyClient, PipelineRef } from '../buddy/client.js'
import { BuddyApiError } from '../buddy/client.js'
import { statusKind, type ActionExecution, type Execution } from '../buddy/model.js'
import { actionExecutionId } from './action-logs.js'
import type { LogOutput } from './follow-run.js'
import { actionName } from './progress.js'

/**
 * logs: live — each action's new log lines, printed while the run goes on. Per action it keeps
 * how many lines it has printed (the offset of the next request), so no line prints twice; on
 * each status read it sends at most one request per action that runs (or has ended with lines
 * still unread); at the run's end it reads what is left of each ended action.
 */

/** Buddy's largest page. */
const PAGE = 1000
/** An action's log longer than this is cut, with a note, as logs: all does. */
export const MAX_LIVE_LINES = 20_000
/** The lines kept of each action's log, for the summary's log tail of a failed action. */
export const KEPT_TAIL_LINES = 30

/** Actions whose log may have news: running, or ended (not skipped) and not read to the end. */
export function actionsToRead(
  execution: Execution,
  finished: ReadonlySet<string>
): { id: string; name: string; status: string }[] {
  const wanted: { id: string; name: string; status: string }[] = []
  for (const [index, action] of (execution.action_executions ?? []).entries()) {
    const id = actionExecutionId(action)
    if (!id || finished.has(id) || !hasLog(action)) continue
    wanted.push({ id, name: actionName(action, index), status: action.status as string })
  }
  return wanted
}

function hasLog(action: ActionExecution): boolean {
  if (!action.status || ['SKIPPED', 'NOT_EXECUTED'].includes(action.status)) return false
  return action.status === 'INPROGRESS' || statusKind(action.status) === 'final'
}

export class LiveLogStreamer {
  /** Action run id → lines printed so far. */
  private readonly printed = new Map<string, number>()
  /** Actions ended and read to the end (or cut). */
  private readonly finished = new Set<string>()
  /** Action run id → the last lines printed of its log. */
  readonly tails = new Map<string, string[]>()
  private unavailable = false

  constructor(
    private readonly deps: { client: BuddyClient; ref: PipelineRef; out: LogOutput },
    private readonly executionId: number
  ) {}

  /** After a status read: one request per action with possible news. */
  async stream(execution: Execution): Promise<void> {
    if (this.unavailable) return
    const actions = execution.action_executions ?? []
    if (actions.some(a => hasLog(a) && !actionExecutionId(a))) {
      this.sayUnavailable("Buddy's answer does not identify the actions' runs")
      return
    }
    // An ended action that runs again (a retried run) has news again.
    for (const action of actions) {
      const id = actionExecutionId(action)
      if (id && action.status === 'INPROGRESS') this.finished.delete(id)
    }
    for (const action of actionsToRead(execution, this.finished)) {
      if (!(await this.readOnce(action))) return
    }
  }

  /** The run has ended: the rest of each ended action's log, page after page. */
  async drain(execution: Execution): Promise<void> {
    if (this.unavailable) return
    const ended = () =>
      actionsToRead(execution, this.finished).filter(a => statusKind(a.status) === 'final')
    // Each round reads one page of each action still unread; a page is 1000 lines.
    for (let round = 0; round <= MAX_LIVE_LINES / PAGE && ended().length > 0; round++) {
      for (const action of ended()) {
        if (!(await this.readOnce(action))) return
      }
    }
  }

  /**
   * A retried run runs these actions again: their logs begin anew, whether or not a status read
   * catches them running or sees Buddy's log shorter than what was printed.
   */
  restart(actionIds: readonly string[]): void {
    for (const id of actionIds) {
      this.printed.delete(id)
      this.finished.delete(id)
      this.tails.delete(id)
    }
  }

  private sayUnavailable(why: string) {
    this.unavailable = true
    this.deps.out.info(
      `Buddy's action logs are unavailable here (${why}); see them on the run's page.`
    )
  }

  /** One page from where printing stopped; false when logs became unavailable. */
  private async readOnce(action: { id: string; name: string; status: string }) {
    const { client, ref, out } = this.deps
    const offset = this.printed.get(action.id) ?? 0
    let lines: string[]
    let total: number
    try {
      const page = await client.getActionLog(ref, this.executionId, action.id, offset, PAGE)
      lines = page.logs ?? page.lines ?? []
      total = page.total_element_count ?? offset + lines.length
    } catch (error) {
      if (error instanceof BuddyApiError && error.transient) {
        // The next status read tries again from the same offset.
        out.debug(`Live log of ${action.name}: ${error.message}`)
        return true
      }
      this.sayUnavailable((error as Error).message)
      return false
    }
    if (total < offset) {
      // Shorter than what was printed: Buddy began this log anew (the action runs again). The
      // next read prints it from its start.
      out.info(`The log of ${action.name} began anew in Buddy: printing it again from its start.`)
      this.printed.set(action.id, 0)
      return true
    }
    const room = Math.max(0, MAX_LIVE_LINES - offset)
    const shown = lines.slice(0, room)
    const next = offset + shown.length
    const cut = next >= MAX_LIVE_LINES && total > next
    if (shown.length > 0 || cut) {
      out.printUntrusted(
        `Log of ${action.name} (${action.status}): lines ${offset + 1}–${next}${statusKind(action.status) === 'final' ? ` of ${total}` : ''}`,
        cut ? [...shown, `[cut after ${next} lines]`] : shown
      )
      this.tails.set(
        action.id,
        [...(this.tails.get(action.id) ?? []), ...shown].slice(-KEPT_TAIL_LINES)
      )
    }
    this.printed.set(action.id, next)
    if (cut || (statusKind(action.status) === 'final' && (next >= total || lines.length === 0)))
      this.finished.add(action.id)
    return true
  }
}
