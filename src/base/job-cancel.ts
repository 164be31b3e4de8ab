/**
 * The job's cancellation, watched from the step's first moment. The runner cancels a job by
 * sending SIGINT, then SIGTERM 7.5 s later, then killing the process; a SIGTERM alone means the
 * same. On Windows the runner's cancel is a console Ctrl+C or Ctrl+Break, which Node.js reports
 * as SIGINT or SIGBREAK. Every signal aborts one AbortSignal, once: a second signal changes
 * nothing, so it can never cause a second cancel.
 *
 * Until the run request is about to go out, nothing this step sent can have created a run, so a
 * cancel then ends the step at once (onCancelledEarly). From beginRunRequest() on, the code that
 * sends and follows the run sees the signal and sees its run cancelled.
 */
/** The signals that mean "the job is cancelled" (SIGBREAK: Ctrl+Break on Windows). */
export const CANCEL_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGBREAK']

export interface JobCancel {
  readonly signal: AbortSignal
  /** Call right before the run request goes out. Throws JobCancelledError if too late. */
  beginRunRequest(): void
  dispose(): void
}

export function watchJobCancel(
  process: Pick<NodeJS.Process, 'on' | 'off'>,
  handlers: {
    /** The first signal, before the run request: nothing can have been created. */
    onCancelledEarly?: (signal: NodeJS.Signals) => void
    /** The first signal, once the run request has begun. */
    onCancelled?: (signal: NodeJS.Signals) => void
  } = {}
): JobCancel {
  const controller = new AbortController()
  let runRequestBegun = false
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) return
    controller.abort(new Error(`received ${name}`))
    if (runRequestBegun) handlers.onCancelled?.(name)
    else handlers.onCancelledEarly?.(name)
  }
  for (const name of CANCEL_SIGNALS) process.on(name, onSignal)
  return {
    signal: controller.signal,
    beginRunRequest() {
      // Both run synchronously: either the signal came first (nothing is sent) or this did.
      if (controller.signal.aborted) throw new JobCancelledError(false)
      runRequestBegun = true
    },
    dispose() {
      for (const name of CANCEL_SIGNALS) process.off(name, onSignal)
    }
  }
}

/** The job was cancelled while the run request waited; no run was returned. */
export class JobCancelledError extends Error {
  override name = 'JobCancelledError'
  constructor(
    /** A request whose outcome is unknown went out: a run of this step may exist. */
    readonly mayHaveCreated: boolean
  ) {
    super(
      mayHaveCreated
        ? 'The job was cancelled while the action looked for the run its request may have created.'
        : 'The job was cancelled before Buddy created a run: no run was started.'
    )
  }
}
