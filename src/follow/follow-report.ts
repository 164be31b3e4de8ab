import type { Execution } from '../buddy/model.js'
import type { WaitOutcome } from './wait-loop.js'

/** What following a run found, as report/ tells it: the outcome, the run as last seen, the retries. */

export interface FollowReport {
  outcome: WaitOutcome
  /** The run as last seen (after a cancel, as the cancel's answer shows it). */
  execution: Execution
  /** The status seen when the wait ended, before any cancel. */
  statusWhenEnded: string
  /** The run's own duration where Buddy gives it, else how long it was followed. */
  durationMs: number
  /** The run was cancelled by this step (timeout or cancelled job). */
  cancelled: boolean
  cancelProblem?: string
  /** The fault that kept the status from being read when the wait ended. */
  problem?: string
  paused?: { status: string; action?: string }
  /** The last lines of the action logs that were read, by action run id (for the summary). */
  logTails?: ReadonlyMap<string, string[]>
  /** The attempts that ended FAILED and were retried, in order (none when undefined). */
  retried?: FailedAttempt[]
  /** Why a retry could not be sent (the run then stays FAILED). */
  retryProblem?: string
  /** Whether a refused token was renewed (OIDC): what a token-refused outcome advises. */
  renewsToken?: boolean
}

export interface FailedAttempt {
  /** The names of the actions that failed in it. */
  failedActions: string[]
}
