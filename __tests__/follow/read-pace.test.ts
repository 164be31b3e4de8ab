import { pollPause, rateLimitPause } from '../../src/follow/read-pace.js'

describe('pollPause', () => {
  it.each<[number, number, number, number]>([
    [0, 10_000, 0.5, 1000],
    [1, 10_000, 0.5, 1600],
    [2, 10_000, 0.5, 2560],
    [0, 10_000, 0, 800],
    [0, 10_000, 1, 1200],
    [5, 10_000, 0.5, 10_000],
    [5, 10_000, 0, 10_000],
    [30, 10_000, 1, 10_000],
    [0, 1000, 0, 1000],
    [0, 1000, 1, 1000]
  ])('read %d, interval %d ms, random %d → %d ms', (index, interval, random, expected) => {
    expect(pollPause(index, interval, () => random)).toBe(expected)
  })

  it('never exceeds the interval, and reaches it exactly', () => {
    for (let i = 0; i < 50; i++) {
      const pause = pollPause(i, 7000, Math.random)
      expect(pause).toBeLessThanOrEqual(7000)
      if (i > 6) expect(pause).toBe(7000)
    }
  })
})

describe('rateLimitPause', () => {
  const now = 1_000_000
  it.each<[object | undefined, number]>([
    [undefined, 0],
    [{ limit: 1000, remaining: 999 }, 0],
    [{ limit: 1000, remaining: 51 }, 0],
    [{ limit: 1000, remaining: 50, resetAtMs: now + 100_000 }, 2000],
    [{ limit: 1000, remaining: 10 }, 20_000],
    [{ limit: 1000, remaining: 0, resetAtMs: now + 30_000 }, 30_000],
    [{ remaining: 0 }, 60_000],
    [{ remaining: 3, resetAtMs: now + 9000 }, 3000]
  ])('%j → %d ms', (rate, expected) => {
    expect(rateLimitPause(rate, now, 10_000)).toBe(expected)
  })
})
