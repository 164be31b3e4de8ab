/**
 * Many steps against one token bucket, in virtual time: a model of the rate limit's arithmetic,
 * to see what any spread after a 429 can and cannot do, without the noise of 100 processes on a
 * small machine. Each step sends its requests one after another (the pipeline read, then the
 * run request); an answer takes 20–50 ms; a step that meets a 429 waits for Buddy's reset (the
 * next whole second, as X-Rate-Limit-Reset gives it) plus the spread of the policy. The action's
 * own spread is src/buddy/backoff.ts's rateLimitDelay, imported, not copied. Bundled by
 * scripts/bench.mjs with ncc, like virtual-follow.ts.
 */
import { rateLimitDelay } from '../../src/buddy/backoff.js'

export interface ModelPolicy {
  name: string
  /** The pause after a 429, given Buddy's wait and the 429s the step has met lately. */
  delay(serverMs: number, attempt: number, random: () => number): number
}

export const POLICIES: ModelPolicy[] = [
  { name: 'this action (rateLimitDelay)', delay: rateLimitDelay },
  {
    // Before issue 16: Buddy's wait plus up to a fifth of it, at least 1 s, at most 5 s.
    name: 'v1.0.0: a fifth of the wait (1–5 s)',
    delay: (serverMs, _attempt, random) =>
      serverMs + Math.round(Math.min(5000, Math.max(1000, serverMs / 5)) * random())
  },
  {
    name: 'a wide spread from the first 429 (12 s)',
    delay: (serverMs, _attempt, random) => serverMs + Math.round(12_000 * random())
  }
]

/** mulberry32: a small seeded generator, so that every figure can be had again. */
function seeded(seed: number): () => number {
  let a = seed | 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface ModelFigures {
  share429: number
  slowestMs: number
}

/** One matrix: `steps` steps whose first requests fall within `arrivalMs`, against the bucket. */
export function modelMatrix(
  policy: ModelPolicy,
  options: { steps: number; arrivalMs: number; seed: number; perSecond?: number; capacity?: number }
): ModelFigures {
  const { steps, arrivalMs, seed, perSecond = 10, capacity = 10 } = options
  const REQUESTS_PER_STEP = 2
  const random = seeded(seed)
  let tokens = capacity
  let countedAt = 0
  let limited = 0
  let answered = 0
  const state = Array.from({ length: steps }, () => ({ sent: 0, met429: 0, doneAt: 0 }))
  const queue: Array<{ at: number; step: number }> = state.map((_, step) => ({
    at: random() * arrivalMs,
    step
  }))
  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at)
    const { at, step } = queue.shift()!
    const s = state[step]!
    tokens = Math.min(capacity, tokens + ((at - countedAt) / 1000) * perSecond)
    countedAt = at
    const latency = 20 + 30 * random()
    if (tokens >= 1) {
      tokens -= 1
      answered++
      s.sent++
      s.met429 = Math.max(0, s.met429 - 1)
      if (s.sent === REQUESTS_PER_STEP) s.doneAt = at + latency
      else queue.push({ at: at + latency + 5, step })
    } else {
      limited++
      const nextTokenAt = at + ((1 - tokens) / perSecond) * 1000
      const serverMs = Math.ceil(nextTokenAt / 1000) * 1000 - at
      queue.push({ at: at + latency + policy.delay(serverMs, s.met429, random), step })
      s.met429++
    }
  }
  return {
    share429: limited / (limited + answered),
    slowestMs: Math.max(...state.map(s => s.doneAt))
  }
}

/**
 * The least share of 429s any policy can have when every step's first request arrives at about
 * the same moment: the bucket answers `capacity` of them at once, and the others meet a 429
 * before their step has heard anything of the limit.
 */
export function firstWaveFloor(steps: number, capacity = 10, requestsPerStep = 2): number {
  const firstWave = Math.max(0, steps - capacity)
  return firstWave / (firstWave + steps * requestsPerStep)
}
