import { oneLine } from '../base/log.js'
import { formatDuration } from '../inputs/duration.js'
import type { ActionExecution, Execution } from '../buddy/model.js'

/**
 * Progress lines for the log, from successive reads of a run. Pure: the time is passed in.
 * One line per change of an action's status, and a quiet heartbeat while nothing changes.
 */

export interface ActionRow {
  name: string
  status: string
  /** Milliseconds, when known. */
  durationMs?: number
}

export function actionName(action: ActionExecution, index: number): string {
  return oneLine(action.action?.name ?? `action ${action.action?.id ?? index + 1}`)
}

function between(
  start: string | null | undefined,
  end: string | null | undefined
): number | undefined {
  const a = start ? Date.parse(start) : Number.NaN
  const b = end ? Date.parse(end) : Number.NaN
  return Number.isNaN(a) || Number.isNaN(b) || b < a ? undefined : b - a
}

/** The run's duration from Buddy's dates, when it gives both. */
export function executionDurationMs(execution: Execution): number | undefined {
  return between(execution.start_date, execution.finish_date)
}

export function actionRows(execution: Execution): ActionRow[] {
  return (execution.action_executions ?? []).map((a, i) => ({
    name: actionName(a, i),
    status: a.status ?? 'UNKNOWN',
    durationMs: between(a.start_date, a.finish_date)
  }))
}

export function failedActionNames(execution: Execution): string[] {
  return actionRows(execution)
    .filter(row => ['FAILED', 'TERMINATED'].includes(row.status))
    .map(row => row.name)
}

/** A progress line, and the action it tells of (its index in the run's action_executions). */
export interface ProgressLine {
  text: string
  action?: number
}

export class ProgressTracker {
  private runStatus: string
  private readonly actionStatus = new Map<string, string>()
  private readonly seenRunningAt = new Map<string, number>()
  private lastLineAt: number

  constructor(
    initial: Execution,
    now: number,
    private readonly heartbeatMs = 60_000
  ) {
    this.runStatus = initial.status
    this.lastLineAt = now
    this.noteActions(initial, now)
  }

  private key(a: ActionExecution, index: number): string {
    return String(a.action?.id ?? `#${index}`)
  }

  private noteActions(execution: Execution, now: number): void {
    ;(execution.action_executions ?? []).forEach((a, i) => {
      const key = this.key(a, i)
      if (a.status) this.actionStatus.set(key, a.status)
      if (a.status === 'INPROGRESS' && !this.seenRunningAt.has(key))
        this.seenRunningAt.set(key, now)
    })
  }

  /** The lines to log for this read. */
  update(execution: Execution, now: number, startedAtMs: number): string[] {
    return this.lines(execution, now, startedAtMs).map(line => line.text)
  }

  /** The lines to log for this read, each with the action it tells of (logs: live groups them). */
  lines(execution: Execution, now: number, startedAtMs: number): ProgressLine[] {
    const lines: ProgressLine[] = []
    ;(execution.action_executions ?? []).forEach((a, i) => {
      const key = this.key(a, i)
      const status = a.status
      if (!status || this.actionStatus.get(key) === status) return
      if (status === 'INPROGRESS' && !this.seenRunningAt.has(key)) this.seenRunningAt.set(key, now)
      const runningSince = this.seenRunningAt.get(key)
      const took =
        between(a.start_date, a.finish_date) ??
        (runningSince !== undefined && status !== 'INPROGRESS' ? now - runningSince : undefined)
      const done = !['INPROGRESS', 'ENQUEUED', 'INITIAL'].includes(status)
      lines.push({
        text: `  ${actionName(a, i)}: ${oneLine(status)}${done && took !== undefined ? ` (${formatDuration(took)})` : ''}`,
        action: i
      })
      this.actionStatus.set(key, status)
    })
    if (execution.status !== this.runStatus) {
      lines.push({
        text: `Run #${execution.id}: ${oneLine(execution.status)} after ${formatDuration(now - startedAtMs)}`
      })
      this.runStatus = execution.status
    }
    if (lines.length > 0) {
      this.lastLineAt = now
      return lines
    }
    if (now - this.lastLineAt >= this.heartbeatMs) {
      this.lastLineAt = now
      const running = actionRows(execution)
        .filter(r => r.status === 'INPROGRESS')
        .map(r => r.name)
      return [
        {
          text: `Run #${execution.id} still ${oneLine(execution.status)} (${formatDuration(now - startedAtMs)} so far${running.length ? `; running: ${running.join(', ')}` : ''})`
        }
      ]
    }
    return []
  }
}
