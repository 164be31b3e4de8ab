import { backoffDelay } from '../buddy/backoff.js'
import type { Logger } from '../base/log.js'
import type { BuddyClient, PipelineRef } from '../buddy/client.js'
import { BuddyApiError } from '../buddy/failures.js'
import type { Execution } from '../buddy/model.js'
import type { Clock } from '../base/clock.js'
import { formatDuration } from '../inputs/duration.js'
import { oneLine } from '../base/log.js'
import { abortable, abortablePause, Aborted } from './abortable.js'

/**
 * Where the action logs come from, within the step's time. Buddy's paginated endpoint
 * (`…/action_executions/{id}/logs?offset&limit`) is recent: an older or self-hosted Buddy answers
 * 404 there, and then every log is read whole from the action's run (`…/action_executions/{id}`,
 * its `log`); the 404 is met once per step. A run whose logs Buddy removed (`logs_removed`) is
 * asked for none. Each request is limited to the time left, a wait Buddy asks for (Retry-After,
 * a rate limit's reset) is kept only where it fits, and a cancelled job abandons a read at once.
 */

/** One page of an action's log; `total`: the log's length, where Buddy says it. */
export interface LogPage {
  lines: string[]
  total?: number
}

/**
 * How long a log read may go on. While the run goes on (`patient: false`) a read tries once: a
 * failure waits for a later status read. Once the run has ended it tries a few times, with
 * backoff or Buddy's own wait, as long as that fits before `until`.
 */
export interface LogBudget {
  until: number
  patient: boolean
}

/** Why a log read stopped. */
export type LogStopReason =
  /** The job was cancelled: nothing more is read, nothing is said. */
  | 'aborted'
  /** No time left in this budget: while the run goes on, a later status read goes on. */
  | 'time'
  /** A transient fault while the run goes on: a later status read tries again. */
  | 'later'
  /** No log can be read here (said once): no more log requests. */
  | 'unavailable'

export class LogReadStop extends Error {
  override name = 'LogReadStop'
  constructor(
    readonly reason: LogStopReason,
    message: string
  ) {
    super(message)
  }
}

/** Tries of one page once the run has ended. */
const PATIENT_TRIES = 3
/** No request is started with less time left than this: it could not be answered. */
const MIN_REQUEST_MS = 250

export interface LogSourceDeps {
  client: BuddyClient
  ref: PipelineRef
  clock: Clock
  out: Logger
  /** Aborted when the job is cancelled. */
  signal?: AbortSignal
}

export class LogSource {
  /** This Buddy has no paginated log endpoint (it answered 404 once). */
  private pagedMissing = false
  /** No log request before this time: Buddy asked to wait (Retry-After, a rate limit's reset). */
  private notBefore = 0
  /** Why no log can be read here. */
  private stoppedBecause?: string
  private stopSaid = false
  private cutShortSaid = false
  private runPage?: string
  /** Called before the source says anything (live logs close their open group then). */
  beforeNote?: () => void

  constructor(
    private readonly deps: LogSourceDeps,
    private readonly executionId: number
  ) {}

  /** Whether logs may be asked for, as this read of the run tells; says once why not. */
  usable(execution: Execution): boolean {
    this.runPage = execution.html_url ?? execution.url ?? this.runPage
    if (!this.stopSaid && execution.logs_removed) {
      this.stoppedBecause = 'Buddy has removed them'
      this.stopSaid = true
      this.beforeNote?.()
      this.deps.out.info(
        `Buddy has removed the logs of run #${this.executionId} (logs_removed): there are none to print.`
      )
    }
    return this.stoppedBecause === undefined
  }

  /** No log can be read here: says so once, and sends no more log requests. */
  unavailable(why: string): void {
    if (this.stopSaid) return
    this.stopSaid = true
    this.stoppedBecause ??= why
    this.beforeNote?.()
    this.deps.out.info(
      `Buddy's action logs are unavailable here (${why}); see them on the run's page${this.where()}.`
    )
  }

  /** Tells, once, what a read that stopped means for the user (nothing for aborts and retries). */
  explain(stop: LogReadStop): void {
    if (stop.reason === 'unavailable') this.unavailable(stop.message)
    if (stop.reason !== 'time' || this.cutShortSaid) return
    this.cutShortSaid = true
    this.beforeNote?.()
    this.deps.out.info(
      `Buddy's action logs were cut short: the step's time is up${stop.message ? ` (${stop.message})` : ''}; see the run's page${this.where()}.`
    )
  }

  private where(): string {
    return this.runPage ? `: ${oneLine(this.runPage)}` : ''
  }

  /**
   * The lines of an action's log from `offset`: a page of at most `limit` from the paginated
   * endpoint, or all the rest from the action's run where that endpoint is missing.
   */
  async page(actionId: string, offset: number, limit: number, budget: LogBudget): Promise<LogPage> {
    const { clock, signal } = this.deps
    for (let tries = 1; ; tries++) {
      if (this.stoppedBecause !== undefined)
        throw new LogReadStop('unavailable', this.stoppedBecause)
      if (signal?.aborted) throw new LogReadStop('aborted', 'the job was cancelled')
      await this.waitAsAsked(budget)
      try {
        return await abortable(this.request(actionId, offset, limit, budget.until), signal)
      } catch (error) {
        if (error instanceof Aborted || signal?.aborted)
          throw new LogReadStop('aborted', 'the job was cancelled')
        if (error instanceof LogReadStop) throw error
        if (!(error instanceof BuddyApiError) || !error.transient) {
          this.stoppedBecause = (error as Error).message
          throw new LogReadStop('unavailable', this.stoppedBecause)
        }
        const waitMs =
          error.retryAfterMs ?? (budget.patient ? backoffDelay(tries - 1, clock.random) : 0)
        this.notBefore = clock.now() + waitMs
        if (budget.until - clock.now() < MIN_REQUEST_MS)
          throw new LogReadStop('time', 'no answer in the time left')
        if (!budget.patient) throw new LogReadStop('later', error.message)
        if (tries >= PATIENT_TRIES) {
          this.stoppedBecause = `${error.message} Tried ${tries} times.`
          throw new LogReadStop('unavailable', this.stoppedBecause)
        }
        this.deps.out.debug(`${error.message} Reading the log again in ${formatDuration(waitMs)}.`)
      }
    }
  }

  /** Waits out what Buddy asked for, where it fits in the budget; else stops. */
  private async waitAsAsked(budget: LogBudget): Promise<void> {
    const { clock, signal } = this.deps
    const waitMs = this.notBefore - clock.now()
    if (waitMs > 0) {
      if (!budget.patient) throw new LogReadStop('later', 'Buddy asked to wait')
      if (waitMs > budget.until - clock.now() - MIN_REQUEST_MS) {
        throw new LogReadStop('time', `Buddy asked to wait ${formatDuration(waitMs)}`)
      }
      try {
        await abortablePause(clock, waitMs, signal)
      } catch {
        throw new LogReadStop('aborted', 'the job was cancelled')
      }
    }
    if (budget.until - clock.now() < MIN_REQUEST_MS) throw new LogReadStop('time', '')
  }

  /** One request, limited to the time left; the paginated endpoint unless it is missing here. */
  private async request(
    actionId: string,
    offset: number,
    limit: number,
    until: number
  ): Promise<LogPage> {
    const { client, ref } = this.deps
    const limits = () => ({
      timeoutMs: Math.max(1, Math.min(client.requestTimeoutMs, until - this.deps.clock.now()))
    })
    if (!this.pagedMissing) {
      try {
        const page = await client.getActionLog(
          ref,
          this.executionId,
          actionId,
          offset,
          limit,
          limits()
        )
        return {
          lines: page.logs ?? page.lines ?? [],
          total: page.total_element_count ?? undefined
        }
      } catch (error) {
        if (!(error instanceof BuddyApiError) || error.status !== 404) throw error
        // This Buddy lacks the endpoint (or the action's run is gone, which its read tells):
        // one 404 per step, never one per action.
        this.pagedMissing = true
        this.deps.out.debug(
          "This Buddy has no paginated log endpoint (404): each action's log is read whole from its run."
        )
      }
    }
    return this.wholeLog(actionId, offset, limits())
  }

  private async wholeLog(
    actionId: string,
    offset: number,
    limits: { timeoutMs: number }
  ): Promise<LogPage> {
    const run = await this.deps.client.getActionExecution(
      this.deps.ref,
      this.executionId,
      actionId,
      limits
    )
    // No `log` yet (an action that has not logged): nothing to print, and no length to trust.
    if (!run.log) return { lines: [] }
    return { lines: run.log.slice(offset), total: run.log.length }
  }
}
