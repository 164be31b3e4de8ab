import type { Clock } from '../base/clock.js'
import { backoffDelay, rateLimitDelay } from '../buddy/backoff.js'
import type { BuddyApiError } from '../buddy/failures.js'

/**
 * The pace of the status reads: sooner at first, growing to the poll interval; slower when the
 * rate limit runs low, but never past the interval; after a failed read, a backoff or Buddy's
 * own wait (a 429's is kept whole). Pure functions, and the small state the wait loop keeps.
 */

/**
 * The pause before read number `index` (from 0): 1 s, growing ×1.6 per read, with ±20 % jitter
 * while it grows so that runners started together spread out; exactly the poll interval once
 * reached, so that a long run costs (length ÷ interval) reads plus a handful.
 */
export function pollPause(index: number, pollIntervalMs: number, random: () => number): number {
  const growing = 1000 * 1.6 ** Math.min(index, 40)
  if (growing >= pollIntervalMs) return pollIntervalMs
  return Math.min(pollIntervalMs, Math.round(growing * (0.8 + 0.4 * random())))
}

/**
 * The pause before the next read. Never longer than the poll interval, whatever the rate limit's
 * pacing suggests; only a 429's own wait (the fault delay) may be longer.
 */
function nextPause(
  read: number,
  pollIntervalMs: number,
  random: () => number,
  rateLimitPauseMs = 0
): number {
  return Math.max(
    pollPause(read, pollIntervalMs, random),
    Math.min(rateLimitPauseMs, pollIntervalMs)
  )
}

/**
 * The pause after a status read failed. A 429's own wait is Buddy's pacing and is kept (with a
 * spread); any other fault waits at most the poll interval, whatever a reset time in its headers
 * says. failures counts from 1, rateLimited (the 429s before this one) from 0.
 */
function faultPause(
  error: BuddyApiError,
  failures: number,
  rateLimited: number,
  clock: Clock,
  pollIntervalMs: number
): number {
  if (error.status === 429) return rateLimitDelay(error.retryAfterMs, rateLimited, clock.random)
  return Math.min(
    error.retryAfterMs ?? backoffDelay(failures - 1, clock.random, 1000, pollIntervalMs),
    pollIntervalMs
  )
}

/**
 * A longer pause when few requests are left in the rate limit's window: what is left is spread
 * over the time until the window resets. 0 while there is plenty.
 */
export function rateLimitPause(
  rate: { limit?: number; remaining?: number; resetAtMs?: number } | undefined,
  now: number,
  pollIntervalMs: number
): number {
  if (rate?.remaining === undefined) return 0
  const low = Math.max(5, (rate.limit ?? 0) * 0.05)
  if (rate.remaining > low) return 0
  const untilReset = rate.resetAtMs !== undefined ? Math.max(0, rate.resetAtMs - now) : undefined
  if (rate.remaining <= 0) return untilReset ?? 60_000
  return untilReset !== undefined ? Math.ceil(untilReset / rate.remaining) : 2 * pollIntervalMs
}

/** What the wait loop counts between its reads, and the pause it gets from them. */
export class ReadPace {
  private reads = 0
  private failures = 0
  private rateLimited = 0
  private faultDelay = 0
  // The time onUpdate took after the last read (action logs): the next read keeps its pace.
  private updateMs = 0

  constructor(
    private readonly clock: Clock,
    private readonly pollIntervalMs: number,
    /** A longer pause the rate limit asks for, in ms (0 when there is plenty left). */
    private readonly rateLimitPause?: () => number
  ) {}

  /** The pause before the next read: a failed read's own, else the poll's, less onUpdate's time. */
  pause(): number {
    if (this.failures > 0) return this.faultDelay
    const pause = nextPause(
      this.reads,
      this.pollIntervalMs,
      this.clock.random,
      this.rateLimitPause?.()
    )
    return Math.max(0, pause - this.updateMs)
  }

  /** A read is sent (failed reads count too: the pause keeps growing). */
  readSent(): void {
    this.reads++
  }

  /** A read failed with a transient fault: the pause before the next one. */
  failed(error: BuddyApiError): number {
    this.failures++
    this.faultDelay = faultPause(
      error,
      this.failures,
      this.rateLimited,
      this.clock,
      this.pollIntervalMs
    )
    if (error.status === 429) this.rateLimited++
    return this.faultDelay
  }

  /** A read was answered. */
  answered(): void {
    this.failures = 0
    this.rateLimited = 0
  }

  /** How long the work after a read took (progress lines, action logs). */
  updateTook(ms: number): void {
    this.updateMs = ms
  }
}
