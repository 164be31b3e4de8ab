import type { Execution } from '../buddy/model.js'
import { actionExecutionId, KEPT_TAIL_LINES, PAGE } from './action-logs.js'
import { actionsToRead, ended, hasLog, planRead, type LiveAction } from './live-log-plan.js'
import type { LogOutput } from './log-output.js'
import { LogReadStop, type LogBudget, type LogSource } from './log-source.js'
import type { ProgressLine } from './progress.js'

/**
 * logs: live — each action's new log lines, printed while the run goes on. Per action it keeps
 * how many lines it has printed (the offset of the next request), so no line prints twice; on
 * each status read it sends at most one request per running action (an ended action's rest is
 * read to its end), and at the run's end it reads what is left of each ended action.
 *
 * Groups, as a person reads them: while actions run one after another, each action's log and its
 * progress lines stay in ONE group, open across status reads, from its first line to its end. The
 * runner does not nest groups, so while two or more actions run at once each one's news of a
 * status read gets a group of its own, whose title names the action and the lines it holds.
 * Buddy's text is always between stop-commands markers (a fresh token each time), so none of it
 * can act as a workflow command, while the step's own lines and commands in between still work.
 * What each status read reads, and in which order, is live-log-plan.ts's.
 */

/** An action's log longer than this is cut, with a note, as logs: all does. */
export const MAX_LIVE_LINES = 20_000

export class LiveLogStreamer {
  /** Action run id → lines printed so far. */
  private readonly printed = new Map<string, number>()
  /** Actions ended and read to the end (or cut). */
  private readonly finished = new Set<string>()
  /** Action run id → its progress lines not printed yet: they go into its group. */
  private readonly waiting = new Map<string, string[]>()
  /** Action run id → the last lines printed of its log. */
  readonly tails = new Map<string, string[]>()
  /** The group open across status reads: one action's, while it runs alone. */
  private open?: LiveAction

  constructor(
    private readonly source: LogSource,
    private readonly out: LogOutput
  ) {
    // What the source says (logs removed, unavailable, cut short) is said outside any group.
    source.beforeNote = () => this.closeGroup({ interrupted: false })
  }

  /** After a status read: its progress lines, and one request per action with possible news. */
  async stream(execution: Execution, progress: ProgressLine[], budget: LogBudget): Promise<void> {
    const actions = execution.action_executions ?? []
    if (!this.readable(execution)) {
      this.flushWaiting()
      for (const line of progress) this.out.info(line.text)
      return
    }
    // An ended action that runs again (a retried run) has news again.
    for (const action of actions) {
      const id = actionExecutionId(action)
      if (id && action.status === 'INPROGRESS') this.finished.delete(id)
    }
    const wanted = actionsToRead(execution, this.finished)
    const runLines: string[] = []
    for (const line of progress) {
      const action = line.action === undefined ? undefined : actions[line.action]
      const id = action ? actionExecutionId(action) : undefined
      if (id && wanted.some(a => a.id === id)) this.wait(id, line.text)
      else runLines.push(line.text)
    }
    await this.read(wanted, budget)
    for (const text of runLines) this.out.info(text)
  }

  /** The run has ended: the rest of each ended action's log, one action after another. */
  async drain(execution: Execution, budget: LogBudget): Promise<void> {
    if (this.readable(execution))
      await this.read(actionsToRead(execution, this.finished).filter(ended), budget)
    this.close()
  }

  /** The follow is over: the open group closes, and progress lines not printed yet are. */
  close(): void {
    this.closeGroup({ interrupted: false })
    this.flushWaiting()
  }

  /**
   * A retried run runs these actions again: their logs begin anew, whether or not a status read
   * catches them running or sees Buddy's log shorter than what was printed.
   */
  restart(actionIds: readonly string[]): void {
    if (this.open && actionIds.includes(this.open.id)) this.closeGroup({ interrupted: false })
    for (const id of actionIds) {
      this.printed.delete(id)
      this.finished.delete(id)
      this.tails.delete(id)
    }
  }

  private readable(execution: Execution): boolean {
    if (!this.source.usable(execution)) return false
    if ((execution.action_executions ?? []).some(a => hasLog(a) && !actionExecutionId(a))) {
      this.source.unavailable("Buddy's answer does not identify the actions' runs")
      return false
    }
    return true
  }

  private async read(wanted: LiveAction[], budget: LogBudget): Promise<void> {
    const plan = planRead(wanted, this.open?.id)
    if (plan.sideBySide) this.closeGroup({ interrupted: true })
    for (const action of plan.order) {
      try {
        if (plan.sideBySide) await this.readBeside(action, budget)
        else await this.readAlone(action, budget)
      } catch (error) {
        if (!(error instanceof LogReadStop)) throw error
        // Out of time or a fault while the run goes on: a later status read goes on from here.
        if (budget.patient || error.reason === 'unavailable') this.source.explain(error)
        if (error.reason === 'unavailable') this.flushWaiting()
        return
      }
    }
  }

  /** One action while no other runs: its group stays open until its log has ended. */
  private async readAlone(action: LiveAction, budget: LogBudget): Promise<void> {
    if (!ended(action)) this.printWaiting(action)
    do {
      const from = this.printed.get(action.id) ?? 0
      const lines = await this.readPage(action, budget)
      if (lines.length > 0) {
        this.groupFor(action, from)
        this.out.printUntrustedLines(lines)
      }
    } while (ended(action) && !this.finished.has(action.id))
    // Its status line ends its group; with no group (nothing new to print), it stands alone.
    if (this.open?.id === action.id) this.printWaiting(action)
    else this.printWaitingAlone(action)
    if (this.finished.has(action.id) && this.open?.id === action.id)
      this.closeGroup({ interrupted: false })
  }

  /** One of several actions running at once: its news of this read in a group of its own. */
  private async readBeside(action: LiveAction, budget: LogBudget): Promise<void> {
    const from = (this.printed.get(action.id) ?? 0) + 1
    const lines: string[] = []
    try {
      do lines.push(...(await this.readPage(action, budget)))
      while (ended(action) && !this.finished.has(action.id))
    } finally {
      const to = this.printed.get(action.id) ?? 0
      const status = (this.waiting.get(action.id) ?? []).splice(0)
      if (lines.length > 0) {
        const length = this.finished.has(action.id) ? ` of ${to}` : ''
        this.out.startGroup(
          `Log of ${action.name} (${action.status}): lines ${from}–${to}${length}`
        )
        if (!ended(action)) for (const text of status) this.out.info(text)
        this.out.printUntrustedLines(lines)
        if (ended(action)) for (const text of status) this.out.info(text)
        this.out.endGroup()
      } else for (const text of status) this.out.info(text)
    }
  }

  /** One page from where printing stopped: the lines to print (cut where the log is too long). */
  private async readPage(action: LiveAction, budget: LogBudget): Promise<string[]> {
    const offset = this.printed.get(action.id) ?? 0
    const page = await this.source.page(action.id, offset, PAGE, budget)
    const { total } = page
    if (total !== undefined && total < offset) {
      // Shorter than what was printed: Buddy began this log anew (the action runs again).
      this.groupFor(action)
      this.out.info(
        `The log of ${action.name} began anew in Buddy: printing it again from its start.`
      )
      this.printed.set(action.id, 0)
      return []
    }
    const room = Math.max(0, MAX_LIVE_LINES - offset)
    const shown = page.lines.slice(0, room)
    const next = offset + shown.length
    const more =
      total !== undefined
        ? total > next
        : page.lines.length > shown.length || page.lines.length >= PAGE
    const cut = next >= MAX_LIVE_LINES && more
    // Without Buddy's length, a page that is not full is the end of an ended action's log.
    const atEnd =
      page.lines.length === 0 || (total !== undefined ? next >= total : page.lines.length < PAGE)
    this.printed.set(action.id, next)
    if (cut || (ended(action) && atEnd)) this.finished.add(action.id)
    if (shown.length > 0)
      this.tails.set(
        action.id,
        [...(this.tails.get(action.id) ?? []), ...shown].slice(-KEPT_TAIL_LINES)
      )
    return cut ? [...shown, `[cut after ${next} lines; the whole log is on the run's page]`] : shown
  }

  private wait(id: string, text: string) {
    this.waiting.set(id, [...(this.waiting.get(id) ?? []), text])
  }

  /** The action's progress lines waiting to be printed, in its group. */
  private printWaiting(action: LiveAction) {
    const lines = this.waiting.get(action.id) ?? []
    if (lines.length === 0) return
    this.groupFor(action)
    for (const text of lines.splice(0)) this.out.info(text)
  }

  /** The action's progress lines waiting to be printed, outside any group. */
  private printWaitingAlone(action: LiveAction) {
    const lines = this.waiting.get(action.id) ?? []
    if (lines.length === 0) return
    this.closeGroup({ interrupted: true })
    for (const text of lines.splice(0)) this.out.info(text)
  }

  /** The action's group, opened where it is not open; `from`: the lines printed before it. */
  private groupFor(action: LiveAction, from = this.printed.get(action.id) ?? 0) {
    if (this.open?.id === action.id) return
    this.closeGroup({ interrupted: true })
    this.out.startGroup(`Log of ${action.name}${from > 0 ? ` (from line ${from + 1})` : ''}`)
    this.open = action
  }

  /** Closes the open group; one closed before its action's log ended says where it goes on. */
  private closeGroup({ interrupted }: { interrupted: boolean }) {
    const open = this.open
    if (!open) return
    this.open = undefined
    if (interrupted && !this.finished.has(open.id))
      this.out.info(
        `(The log of ${open.name} goes on below, from line ${(this.printed.get(open.id) ?? 0) + 1}.)`
      )
    this.out.endGroup()
  }

  /** Progress lines that no group will hold any more, printed as they are. */
  private flushWaiting() {
    this.closeGroup({ interrupted: false })
    for (const lines of this.waiting.values())
      for (const text of lines.splice(0)) this.out.info(text)
    this.waiting.clear()
  }
}
