import {
  backoffDelay,
  RateLimitWaits,
  rateLimitDelay,
  serverRequestedDelay,
  pacingDelay
} from '../../src/buddy/backoff.js'

describe('backoffDelay (full jitter)', () => {
  it.each([
    [0, 0, 100],
    [0, 1, 1000],
    [1, 1, 2000],
    [3, 1, 8000],
    [4, 1, 15000],
    [40, 1, 15000],
    [2, 0.5, 2200]
  ])('attempt %d, random %d → %d ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, () => random)).toBe(expected)
  })
})

describe('serverRequestedDelay', () => {
  const now = Date.parse('2026-11-27T12:00:00Z')
  const reset = (s: number) => String(now / 1000 + s)
  it.each<[Record<string, string>, number, number | undefined]>([
    [{ 'retry-after': '3' }, 429, 3000],
    [{ 'retry-after': '0.5' }, 429, 500],
    [{ 'retry-after': 'Fri, 27 Nov 2026 12:00:10 GMT' }, 429, 10_000],
    [{ 'retry-after': 'Fri, 27 Nov 2026 11:00:00 GMT' }, 429, 0],
    [{ 'retry-after': '3' }, 503, 3000],
    [{ 'x-rate-limit-reset': reset(20) }, 429, 20_000],
    [{ 'retry-after': 'soon', 'x-rate-limit-reset': reset(5) }, 429, 5000],
    // The reset time is the rate limit's, not a failing server's: not for a 5xx...
    [{ 'x-rate-limit-reset': reset(3600) }, 503, undefined],
    [{ 'x-rate-limit-reset': reset(3600), 'x-rate-limit-remaining': '40' }, 500, undefined],
    // ...unless the answer says that no request is left.
    [{ 'x-rate-limit-reset': reset(30), 'x-rate-limit-remaining': '0' }, 502, 30_000],
    [{}, 429, undefined]
  ])('%j on %d', (headers, status, expected) => {
    expect(serverRequestedDelay(headers, now, status)).toBe(expected)
  })
})

describe('rateLimitDelay', () => {
  it.each<[number | undefined, number, number, number]>([
    [2000, 0, 0, 2000],
    [2000, 0, 1, 4000],
    // The spread grows with the 429s met: 2 s × 1.3³.
    [10_000, 3, 0.5, 12_197],
    // A fifth of a long wait, up to 8 s.
    [30_000, 0, 1, 36_000],
    [60_000, 0, 1, 68_000],
    [undefined, 0, 1, 1000],
    [undefined, 5, 1, 30_000]
  ])('server %j, 429 number %d, random %d → %d ms', (server, attempt, random, expected) => {
    expect(rateLimitDelay(server, attempt, () => random)).toBe(expected)
  })

  it('spreads jobs told the same Retry-After over at least a second', () => {
    const waits = [0, 0.25, 0.5, 0.75, 0.999].map(r => rateLimitDelay(2000, 0, () => r))
    expect(new Set(waits).size).toBe(5)
    expect(Math.max(...waits) - Math.min(...waits)).toBeGreaterThanOrEqual(990)
  })
})

describe('RateLimitWaits', () => {
  it('counts the 429s waited out and refuses a pause past the budget', () => {
    const waits = new RateLimitWaits(5000)
    // random 0: exactly the server's wait.
    expect(waits.next(2000, () => 0)).toEqual({ delay: 2000 })
    expect(waits.next(2000, () => 0)).toEqual({ delay: 2000 })
    expect(waits.next(2000, () => 0)).toEqual({
      refusal: 'Waited 4 s over 2 such answers.'
    })
    expect({ count: waits.count, waitedMs: waits.waitedMs }).toEqual({ count: 2, waitedMs: 4000 })
  })

  it.each<[number | undefined, number, { delay: number } | { refusal: string }]>([
    // Buddy's reset within the time left: waited, whatever its length (no cap of its own).
    [3_000_000, 3_600_000, { delay: 3_008_000 }],
    // Its spread is cut to the time left: the reset itself fits.
    [59_000, 59_500, { delay: 59_500 }],
    // The reset after the step's timeout: refused at once, saying both.
    [
      3_600_000,
      600_000,
      { refusal: "It asks to wait 3600 s, past the step's timeout (600 s left)." }
    ],
    // No wait from Buddy: the backoff, cut to the time left.
    [undefined, 400, { delay: 400 }],
    [undefined, 0, { refusal: "No time is left in the step's timeout to wait for it." }]
  ])('Buddy asks %j ms with %j ms left in the step → %j', (server, left, expected) => {
    const waits = new RateLimitWaits()
    expect(waits.next(server, () => 1, left)).toEqual(expected)
  })
})

describe('pacingDelay', () => {
  const now = 1_000_000
  it.each<[string, Parameters<typeof pacingDelay>[0], number, number]>([
    ['nothing known', undefined, 0.5, 0],
    ['requests left', { limit: 10, remaining: 3, seenAtMs: now }, 0.5, 0],
    [
      'none left, reset in 2 s: the reset, with its spread',
      { remaining: 0, resetAtMs: now + 2000, seenAtMs: now },
      0,
      2000
    ],
    [
      'none left, reset in 2 s, largest spread',
      { remaining: 0, resetAtMs: now + 2000, seenAtMs: now },
      1,
      4000
    ],
    ['none left, reset passed', { remaining: 0, resetAtMs: now - 1, seenAtMs: now - 5000 }, 1, 0],
    [
      'none left, no reset given: no pacing (a 429 will say when)',
      { remaining: 0, seenAtMs: now },
      0.5,
      0
    ]
  ])('%s', (_, rate, random, expected) => {
    expect(pacingDelay(rate, now, () => random)).toBe(expected)
  })
})
