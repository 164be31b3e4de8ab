import type { Clock } from '../../src/base/clock.js'

/** A clock whose sleeps return at once and move virtual time: tests never wait. */
export function fakeClock(start = Date.parse('2026-11-27T12:00:00Z')) {
  let now = start
  const sleeps: number[] = []
  const clock: Clock & { sleeps: number[]; advance(ms: number): void } = {
    sleeps,
    now: () => now,
    random: () => 0.5,
    advance(ms: number) {
      now += ms
    },
    async sleep(ms: number, signal?: AbortSignal) {
      if (signal?.aborted) throw signal.reason
      sleeps.push(ms)
      now += ms
    }
  }
  return clock
}

export const silentLog = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined
}

export function recordingLog() {
  const lines: string[] = []
  return {
    lines,
    debug: (m: string) => void lines.push(`debug: ${m}`),
    info: (m: string) => void lines.push(m),
    warning: (m: string) => void lines.push(`warning: ${m}`)
  }
}
