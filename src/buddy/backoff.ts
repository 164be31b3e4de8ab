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
 * The pause after a 429: the server's own wait plus a random spread (a fifth of it, between
 * 1 s and 5 s), so that the many jobs of a matrix told "in 2 s" do not all come back in the same
 * instant; without a server wait, full-jitter backoff up to 30 s. attempt counts 429s from 0.
 */
export function rateLimitDelay(
  serverMs: number | undefined,
  attempt: number,
  random: () => number
): number {
  if (serverMs === undefined) return backoffDelay(attempt, random, 1000, 30_000)
  const spread = Math.min(5000, Math.max(1000, serverMs * 0.2))
  return serverMs + Math.round(spread * random())
}

/** The longest single wait the server may ask for (Retry-After) that this step sits through. */
const MAX_SERVER_DELAY_MS = 60_000

/** Why a wait the server asks for is not waited out; undefined when it is. */
export function serverWaitRefusal(serverMs: number | undefined): string | undefined {
  if (serverMs === undefined || serverMs <= MAX_SERVER_DELAY_MS) return undefined
  return `It asks to wait ${Math.ceil(serverMs / 1000)} s, longer than this step waits.`
}

/** The 429s one request has waited out: how many and how long, within a budget. */
export class RateLimitWaits {
  count = 0
  waitedMs = 0
  constructor(private readonly budgetMs: number) {}

  /** The pause before trying again; undefined when it would go over the budget. */
  next(serverMs: number | undefined, random: () => number): number | undefined {
    const delay = rateLimitDelay(serverMs, this.count, random)
    if (this.waitedMs + delay > this.budgetMs) return undefined
    this.count++
    this.waitedMs += delay
    return delay
  }
}
