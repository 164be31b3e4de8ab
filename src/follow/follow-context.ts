import type { Clock } from '../base/clock.js'
import type { BuddyClient, PipelineRef } from '../buddy/client.js'
import type { Execution } from '../buddy/model.js'
import type { FollowSettings } from '../inputs/settings.js'
import type { ActionLogPrinter } from './action-logs.js'
import type { LiveLogStreamer } from './live-logs.js'
import type { LogOutput } from './log-output.js'
import type { LogSource } from './log-source.js'

/**
 * What one follow of a run keeps from start to end, shared by its parts: the wait with its
 * progress lines and logs (follow-run.ts), the retries (retry-failed-run.ts) and its end
 * (end-of-follow.ts).
 */

export interface FollowRunDeps {
  client: BuddyClient
  ref: PipelineRef
  clock: Clock
  out: LogOutput
  /** Aborted when the job is cancelled (maybe already, while the run request was answered). */
  signal?: AbortSignal
  /** Called right before a cancel is sent, so that the post step never sends a second one. */
  onCancelSending?: () => void
}

export interface Follow {
  started: Execution
  settings: FollowSettings
  deps: FollowRunDeps
  startedAt: number
  /** When the follow's time is up (see followRun). */
  deadline: number
  /** Where the action logs come from (one for the whole follow: what it learns, it keeps). */
  logSource: LogSource
  /** logs: all and failed. A retry runs the same actions again: a new printer, as their logs are new. */
  logs?: ActionLogPrinter
  /** logs: live. One streamer for the whole follow: after a retry, a log that begins anew is said so. */
  live?: LiveLogStreamer
}
