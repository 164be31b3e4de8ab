import { backoffDelay, serverRequestedDelay } from '../src/backoff.js'

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
  it.each<[Record<string, string>, number | undefined]>([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': 'Fri, 27 Nov 2026 12:00:10 GMT' }, 10_000],
    [{ 'retry-after': 'Fri, 27 Nov 2026 11:00:00 GMT' }, 0],
    [{ 'x-rate-limit-reset': String(now / 1000 + 20) }, 20_000],
    [{ 'retry-after': 'soon', 'x-rate-limit-reset': String(now / 1000 + 5) }, 5000],
    [{}, undefined]
  ])('%j', (headers, expected) => {
    expect(serverRequestedDelay(headers, now)).toBe(expected)
  })
})
