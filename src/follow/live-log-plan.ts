import { statusKind, type ActionExecution, type Execution } from '../buddy/model.js'
import { actionExecutionId } from './action-logs.js'
import { actionName } from './progress.js'

/**
 * logs: live, what a status read reads (pure): the actions whose log may have news, and in which
 * order and grouping, so that an action running alone keeps one group open across status reads.
 */

export interface LiveAction {
  id: string
  name: string
  status: string
}

/** Actions whose log may have news: running, or ended (not skipped) and not read to the end. */
export function actionsToRead(execution: Execution, finished: ReadonlySet<string>): LiveAction[] {
  const wanted: LiveAction[] = []
  for (const [index, action] of (execution.action_executions ?? []).entries()) {
    const id = actionExecutionId(action)
    if (!id || finished.has(id) || !hasLog(action)) continue
    wanted.push({ id, name: actionName(action, index), status: action.status as string })
  }
  return wanted
}

export function hasLog(action: ActionExecution): boolean {
  if (!action.status || ['SKIPPED', 'NOT_EXECUTED'].includes(action.status)) return false
  return action.status === 'INPROGRESS' || statusKind(action.status) === 'final'
}

/** Whether the action has ended (its log has no more to come once read to its end). */
export const ended = (action: LiveAction) => statusKind(action.status) === 'final'

/**
 * How a status read's logs are read and grouped. Two or more actions running: side by side, a
 * group per action and read. Else one after another: the action whose group is open first (so
 * that it stays open), then the ended ones, then the one that runs.
 */
export function planRead(
  wanted: readonly LiveAction[],
  openGroupOf?: string
): { sideBySide: boolean; order: LiveAction[] } {
  const running = wanted.filter(a => !ended(a))
  if (running.length >= 2) return { sideBySide: true, order: [...wanted] }
  const rank = (a: LiveAction) => (a.id === openGroupOf ? 0 : ended(a) ? 1 : 2)
  return { sideBySide: false, order: [...wanted].sort((a, b) => rank(a) - rank(b)) }
}
