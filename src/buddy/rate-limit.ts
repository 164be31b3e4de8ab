import { pacingDelay, type RateLimit } from './backoff.js'

/**
 * What the step's requests have learnt of Buddy's rate limit, shared by all of them: the limit
 * as the newest answer told it (X-Rate-Limit-*), which paces the next request, and how
 * congested the limit is (the 429s met lately). The waits themselves are computed in
 * backoff.ts; this is the state they are computed from.
 */
export class RateLimitState {
  /** The rate limit as the newest answer told it; undefined before any answer. */
  rateLimit: RateLimit | undefined

  /**
   * How many 429s this step's requests have met lately: each makes the next waits' spread
   * wider (the jobs sharing the limit are many), each answer with requests left narrows it.
   */
  congestion = 0

  /**
   * An answer read whole. A 429's own wait is its caller's to keep; what other answers say
   * paces the next request.
   */
  noteAnswer(
    status: number | undefined,
    headers: Record<string, string | string[] | undefined>,
    nowMs: number
  ) {
    if (status === 429) this.congestion++
    else this.noteHeaders(headers, nowMs)
  }

  private noteHeaders(headers: Record<string, string | string[] | undefined>, nowMs: number) {
    const number = (name: string) => {
      const raw = headers[name]
      const value = Number(Array.isArray(raw) ? raw[0] : raw)
      return raw !== undefined && Number.isFinite(value) ? value : undefined
    }
    const limit = number('x-rate-limit-limit')
    const remaining = number('x-rate-limit-remaining')
    const reset = number('x-rate-limit-reset')
    if (limit === undefined && remaining === undefined) return
    if (remaining !== undefined && remaining > 0) this.congestion = Math.max(0, this.congestion - 1)
    this.rateLimit = {
      limit,
      remaining,
      resetAtMs: reset === undefined ? undefined : reset * 1000,
      seenAtMs: nowMs
    }
  }

  /**
   * The pause the rate limit asks for before the next request (0 when requests are left), cut
   * to the time left: see pacingDelay.
   */
  pacingMs(nowMs: number, random: () => number, timeLeftMs: number): number {
    return Math.max(
      0,
      Math.min(pacingDelay(this.rateLimit, nowMs, random, this.congestion), timeLeftMs)
    )
  }
}
