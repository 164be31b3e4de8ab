import { statusKind, type ActionExecution, type Execution } from '../buddy/model.js'
import type { LogOutput } from './log-output.js'
import { LogReadStop, type LogBudget, type LogPage, type LogSource } from './log-source.js'
import { actionName } from './progress.js'

/**
 * logs: all and logs: failed — each ended action's whole log, or its tail, printed once in a
 * group of its own. Paging follows Buddy's length (`total_element_count`) where it says it, and
 * goes on while pages come back full where it does not.
 */

export const TAIL_LINES = 200
/** Buddy's largest page. */
export const PAGE = 1000
/** A log longer than this is cut, with a note: the GitHub log is no place for gigabytes. */
export const MAX_LINES = 20_000
/** Without Buddy's length, the most lines a tail is looked for in; past them the log is cut. */
export const MAX_TAIL_SCAN = 100_000
/** The lines kept of each action's log, for the summary's log tail of a failed action. */
export const KEPT_TAIL_LINES = 30

/** Newer answers name each action's run (action_execution_id); Buddy's older example does not. */
export function actionExecutionId(action: ActionExecution): string | undefined {
  const id = action.action_execution_id ?? action.id
  return id === undefined || id === null || id === '' ? undefined : String(id)
}

export type PageReader = (offset: number, limit: number) => Promise<LogPage>

/**
 * Reading one action's log, page by page: its whole (up to MAX_LINES) or its tail. A read that
 * stops (the time is up, a fault) keeps what it has, and the next call goes on from there.
 */
export class LogFetch {
  /** all: the lines from the first; tail: the last lines read so far. */
  lines: string[] = []
  /** The offset of the next line to read. */
  next = 0
  /** The log's length, once Buddy has said it. */
  total?: number
  done = false
  /** all: the log goes on past MAX_LINES; tail: it goes on past MAX_TAIL_SCAN. */
  cut = false

  constructor(readonly mode: 'all' | 'tail') {}

  /** Lines before those kept that were not printed. */
  get skipped(): number {
    return this.next - this.lines.length
  }

  async run(read: PageReader): Promise<void> {
    while (!this.done) {
      if (this.mode === 'all' ? this.next >= MAX_LINES : this.next >= MAX_TAIL_SCAN) {
        await this.lookPastTheEnd(read)
        return
      }
      // A tail skips what lies before it, where Buddy says how long the log is.
      if (this.mode === 'tail' && this.total !== undefined && this.total - this.next > TAIL_LINES) {
        this.next = this.total - TAIL_LINES
        this.lines = []
      }
      const limit =
        this.total === undefined ? PAGE : Math.max(1, Math.min(PAGE, this.total - this.next))
      this.take(await read(this.next, limit), limit)
    }
  }

  private take(page: LogPage, limit: number) {
    if (page.total !== undefined) this.total = page.total
    const got = page.lines
    if (this.mode === 'all') {
      const room = Math.max(0, MAX_LINES - this.lines.length)
      this.lines = this.lines.concat(got.slice(0, room))
      if (got.length > room) this.cut = true
    } else {
      this.lines = this.lines.concat(got).slice(-TAIL_LINES)
    }
    this.next += got.length
    // Without Buddy's length, a page that is not full is the last one.
    const ended =
      got.length === 0 || (this.total !== undefined ? this.next >= this.total : got.length < limit)
    if (ended || this.cut) this.done = true
  }

  /** At the limit: is there more? Buddy's length tells, else one line's read. */
  private async lookPastTheEnd(read: PageReader) {
    if (this.total === undefined) {
      const page = await read(this.next, 1)
      if (page.total !== undefined) this.total = page.total
      this.cut = page.lines.length > 0
    } else this.cut = this.total > this.next
    if (this.mode === 'all') this.lines = this.lines.slice(0, MAX_LINES)
    this.done = true
  }
}

/** The group's title and lines for a fetched log. */
export function describeFetch(
  name: string,
  status: string,
  fetch: LogFetch
): { title: string; lines: string[] } {
  const { lines } = fetch
  if (fetch.mode === 'all') {
    return {
      title: `Log of ${name} (${status})`,
      lines: fetch.cut
        ? [...lines, `[cut after ${lines.length} lines; the whole log is on the run's page]`]
        : lines
    }
  }
  const from = fetch.skipped + 1
  const to = fetch.next
  if (fetch.cut) {
    return {
      title: `Log of ${name} (${status}): lines ${from}–${to}`,
      lines: [...lines, `[the log goes on past line ${to}; the whole log is on the run's page]`]
    }
  }
  return {
    title: `Log of ${name} (${status})${fetch.skipped > 0 ? `: last ${lines.length} of ${to} lines` : ''}`,
    lines
  }
}

/**
 * Prints each ended action's log once. A read stopped by the time of a status read goes on at
 * the next one; where logs cannot be read, that is said once (by the log source).
 */
export class ActionLogPrinter {
  private readonly printed = new Set<string>()
  /** Reads begun and not done, by action run id. */
  private readonly fetches = new Map<string, LogFetch>()
  /** Action run id → the last lines of its log. */
  readonly tails = new Map<string, string[]>()

  constructor(
    private readonly source: LogSource,
    private readonly out: LogOutput
  ) {}

  async printFinished(
    execution: Execution,
    mode: 'tail' | 'all',
    budget: LogBudget,
    which: (a: ActionExecution) => boolean = () => true
  ): Promise<void> {
    if (!this.source.usable(execution)) return
    const actions = execution.action_executions ?? []
    for (const [index, action] of actions.entries()) {
      if (!action.status || statusKind(action.status) !== 'final' || !which(action)) continue
      if (['SKIPPED', 'NOT_EXECUTED'].includes(action.status)) continue
      const id = actionExecutionId(action)
      if (!id) {
        this.source.unavailable("Buddy's answer does not identify the actions' runs")
        return
      }
      if (this.printed.has(id)) continue
      const fetch = this.fetches.get(id) ?? new LogFetch(mode)
      this.fetches.set(id, fetch)
      try {
        await fetch.run((offset, limit) => this.source.page(id, offset, limit, budget))
      } catch (error) {
        if (!(error instanceof LogReadStop)) throw error
        // Out of time while the run goes on: the next status read goes on from here.
        if (budget.patient || error.reason === 'unavailable') this.source.explain(error)
        return
      }
      this.fetches.delete(id)
      this.printed.add(id)
      const { title, lines } = describeFetch(actionName(action, index), action.status, fetch)
      this.out.printUntrusted(title, lines)
      this.tails.set(id, fetch.lines.slice(-KEPT_TAIL_LINES))
    }
  }
}
