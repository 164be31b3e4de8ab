import { formatDuration, parseDuration } from '../../src/inputs/duration.js'

describe('durations', () => {
  it.each<[string, number | undefined]>([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['1h30m15s', 5_415_000],
    ['2H', 7_200_000],
    ['600', 600_000],
    [' 10s ', 10_000],
    ['1.5h', undefined],
    ['10 s', undefined],
    ['-5', undefined],
    ['m', undefined],
    ['', undefined],
    ['1d', undefined]
  ])('parseDuration(%j) = %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each([
    [0, '0s'],
    [999, '1s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_415_000, '1h30m15s']
  ])('formatDuration(%d) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})
