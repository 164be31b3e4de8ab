import type { Clock } from '../base/clock.js'

/**
 * Waits that a job cancel ends at once: the status reads, the log reads, the RETRY and the
 * pauses between them are all abandoned the moment the job's signal is aborted, whatever the
 * request's own time limit, so that the main step can send the cancel.
 */

/** The job was cancelled while something waited (abortable). */
export class Aborted extends Error {}

/** `work`, abandoned (rejecting with Aborted) the moment the signal is aborted. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work
  // Once abandoned, its failure is of no interest.
  work.catch(() => undefined)
  if (signal.aborted) return Promise.reject(new Aborted())
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Aborted())
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      value => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      error => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      }
    )
  })
}

/** The clock's pause of `ms`, abandoned (rejecting with Aborted) the moment the signal is aborted. */
export function abortablePause(clock: Clock, ms: number, signal: AbortSignal | undefined) {
  return abortable(clock.sleep(ms, signal), signal)
}
