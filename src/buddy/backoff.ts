/** Waiting between tries: full-jitter backoff and the server's own Retry-After. Pure. */

/**
 * Full jitter (AWS architecture blog): a random pause between 0 and min(cap, base·2^attempt),
 * so that many runners retrying at once spread out. attempt counts from 0.
 */
export function backoffDelay(attempt: number, random: () => number, baseMs = 1000, capMs = 15_000) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30))
  // Never 0: a floor of a tenth keeps a retry from hammering at once.
  return Math.round(ceiling * (0.1 + 0.9 * random()))
}

type Headers = Record<string, string | string[] | undefined>

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

/**
 * How long the server asks us to wait: Retry-After (seconds or an HTTP date), else, for a 429
 * or an answer that says no request is left, X-Rate-Limit-Reset (epoch seconds). The reset time
 * says when the rate limit's window ends, not when a failing server recovers, so a 5xx with a
 * far reset time is no reason to sit still. undefined when it does not say.
 */
export function serverRequestedDelay(
  headers: Headers,
  nowMs: number,
  status?: number
): number | undefined {
  const retryAfter = header(headers, 'retry-after')?.trim()
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000)
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs)
  }
  const exhausted = header(headers, 'x-rate-limit-remaining')?.trim() === '0'
  if (status !== 429 && !exhausted) return undefined
  const reset = header(headers, 'x-rate-limit-reset')?.trim()
  if (reset && /^\d+$/.test(reset)) {
    const resetMs = Number(reset) * 1000
    return Math.max(0, resetMs - nowMs)
  }
  return undefined
}

/**
 * The pause after a 429: the server's own wait plus a random spread, so that the many jobs of a
 * matrix told "in 2 s" do not all come back in the same instant; without a server wait,
 * full-jitter backoff up to 30 s. `attempt` counts the 429s this step has met lately (from 0):
 * the spread grows with them (2 s, ×1.5 each, up to 30 s), as the jobs that share the limit
 * are more than a short spread can part.
 */
export function rateLimitDelay(
  serverMs: number | undefined,
  attempt: number,
  random: () => number
): number {
  if (serverMs === undefined) return backoffDelay(attempt, random, 1000, 30_000)
  const spread = Math.min(
    MAX_SPREAD_MS,
    Math.max(serverMs * 0.2, FIRST_SPREAD_MS * 1.3 ** Math.min(attempt, 20))
  )
  return serverMs + Math.round(spread * random())
}

const FIRST_SPREAD_MS = 2000
const MAX_SPREAD_MS = 8000

/** What the last answer said of the rate limit (rate-limit.ts notes it from every answer). */
export interface RateLimit {
  limit?: number
  remaining?: number
  resetAtMs?: number
  seenAtMs: number
}

/**
 * The pause before the next request, from what the last answer said of the rate limit, as
 * Buddy's own Go SDK paces itself: when an answer says no request is left
 * (X-Rate-Limit-Remaining: 0), the next one waits for the reset (with a spread, so that the
 * jobs told the same reset do not all come back in the same instant) instead of spending a 429.
 * When the answer gives no reset time, a short spread pause. 0 while requests are left.
 */
export function pacingDelay(
  rate: RateLimit | undefined,
  nowMs: number,
  random: () => number,
  /** The 429s this step has met lately: the busier the limit, the wider the spread. */
  congestion = 0
) {
  // Without a reset time, as Buddy's Go SDK, no pacing: the next request goes, and a 429 (with
  // the reset it gives) is waited out.
  if (rate?.remaining === undefined || rate.remaining > 0 || rate.resetAtMs === undefined) return 0
  const untilReset = rate.resetAtMs - nowMs
  return untilReset <= 0 ? 0 : rateLimitDelay(untilReset, congestion, random)
}

/** The 429s one request has waited out: how many and how long, within a budget and a deadline. */
export class RateLimitWaits {
  count = 0
  waitedMs = 0
  constructor(private readonly budgetMs = Number.POSITIVE_INFINITY) {}

  /**
   * The pause before trying again, or why there is none: the wait Buddy asks for ends after the
   * time left (the step's timeout), or the budget is spent. Without a wait from Buddy, the
   * backoff is cut to the time left.
   */
  next(
    serverMs: number | undefined,
    random: () => number,
    timeLeftMs = Number.POSITIVE_INFINITY,
    /** The 429s this step's requests met lately, this one included (client.congestion). */
    congestion = 0
  ): { delay: number } | { refusal: string } {
    if (serverMs !== undefined && serverMs > timeLeftMs) {
      return {
        refusal: `It asks to wait ${Math.ceil(serverMs / 1000)} s, past the step's timeout (${Math.max(0, Math.floor(timeLeftMs / 1000))} s left).`
      }
    }
    const attempt = Math.max(this.count, congestion - 1)
    const delay = Math.min(rateLimitDelay(serverMs, attempt, random), timeLeftMs)
    if (this.waitedMs + delay > this.budgetMs) {
      return {
        refusal:
          this.count > 0
            ? `Waited ${Math.round(this.waitedMs / 1000)} s over ${this.count} such answers.`
            : `It asks to wait ${Math.ceil(delay / 1000)} s, longer than this request may wait (${Math.round(this.budgetMs / 1000)} s).`
      }
    }
    if (delay <= 0) return { refusal: "No time is left in the step's timeout to wait for it." }
    this.count++
    this.waitedMs += delay
    return { delay }
  }
}
