import type { Logger } from '../base/log.js'
import { oneLine } from '../base/log.js'
import {
  APPROVAL_ACTION_TYPE,
  APPROVAL_STATUS,
  statusKind,
  type ActionExecution,
  type Execution
} from '../buddy/model.js'
import { abortable, Aborted } from './abortable.js'

/**
 * on-approval: approve. Which wait for approval a run is in and the action Buddy's APPLY must
 * name (nothing guessed), and the approver the wait loop calls after each read: each wait is
 * approved once, and a refused approval is said while the following goes on.
 */

export interface ApprovalWait {
  /** Which wait: each is approved once. */
  key: string
  /** The action, as the log names it: its name and id. */
  action: string
  /** approve_action_id; undefined when Buddy's answer names no action to approve. */
  actionId?: number
}

/**
 * The wait for approval the run is in, if any, and the action an APPLY must name: the action
 * that shows WAITING_FOR_APPLY, else (the run itself waits) its first "Wait for approval" action
 * (type WAIT_FOR_APPLY) that has not ended, where the run stands. The id sent is the action's
 * (`action.id`), else a numeric action execution id (Buddy's newer docs accept either). A run
 * that waits while its answer shows no such action gets no id: nothing is guessed.
 */
export function approvalWait(execution: Execution): ApprovalWait | undefined {
  const actions = execution.action_executions ?? []
  let index = actions.findIndex(a => a.status === APPROVAL_STATUS)
  if (index < 0 && execution.status === APPROVAL_STATUS) {
    index = actions.findIndex(
      a => a.action?.type === APPROVAL_ACTION_TYPE && statusKind(a.status ?? '') !== 'final'
    )
    if (index < 0) return { key: 'run', action: '(none named)', actionId: undefined }
  }
  const action = actions[index]
  if (!action) return undefined
  const actionId = approveActionId(action)
  const name = action.action?.name
  return {
    key: `action ${action.action_execution_id ?? action.action?.id ?? index}`,
    action: `${name ? `"${oneLine(name)}"` : `#${index + 1}`}${actionId === undefined ? '' : ` (id ${actionId})`}`,
    actionId
  }
}

function approveActionId(action: ActionExecution): number | undefined {
  const id = action.action?.id
  if (typeof id === 'number' && Number.isSafeInteger(id)) return id
  const run = action.action_execution_id
  if (typeof run === 'number' && Number.isSafeInteger(run)) return run
  if (typeof run === 'string' && /^\d{1,15}$/.test(run)) return Number(run)
  return undefined
}

export interface ApproverOptions {
  log: Logger
  onApproval: 'wait' | 'fail' | 'approve'
  /** Sends Buddy's APPLY for the action that waits (its id); the run as the answer shows it. */
  approve?: (execution: Execution, actionId: number) => Promise<Execution>
  /** Aborted when the GitHub job is cancelled. */
  signal?: AbortSignal
}

/**
 * on-approval: approve. Approves each wait for approval once (an action that waits for it, or
 * the run at its approval action), never a wait for variables or for a visual tests session. A
 * failed approval is said and the following goes on: a person can still approve in Buddy.
 */
export function approver(options: ApproverOptions): (execution: Execution) => Promise<Execution> {
  const approved = new Set<string>()
  return async execution => {
    const waiting = approvalWait(execution)
    // The run went on: a later wait, even at the same action (after a retry), is a new one.
    if (!waiting) approved.clear()
    if (!options.approve || options.onApproval !== 'approve') return execution
    // No action to name: statusJudge says so, and a person approves in Buddy.
    if (waiting?.actionId === undefined) return execution
    if (approved.has(waiting.key)) return execution
    approved.add(waiting.key)
    options.log.info(
      `Run #${execution.id} waits for approval in action ${waiting.action}: approving it with Buddy's APPLY (on-approval: approve).`
    )
    try {
      return await abortable(options.approve(execution, waiting.actionId), options.signal)
    } catch (error) {
      if (error instanceof Aborted || options.signal?.aborted) return execution
      options.log.warning(
        `Could not approve run #${execution.id}: ${(error as Error).message} Approve it in Buddy at ${execution.html_url ?? execution.url ?? 'its page'}. Still following.`
      )
      return execution
    }
  }
}
