/** Durations as inputs write them and as the log shows them. Pure. */

const DURATION_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 }

/** "90s", "15m", "1h30m", "1h30m15s", or bare seconds ("600"), in milliseconds. */
export function parseDuration(value: string): number | undefined {
  const text = value.trim().toLowerCase()
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000
  const match = /^(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,9})s)?$/.exec(text)
  if (!match || text === '') return undefined
  const [, h = '0', m = '0', sec = '0'] = match
  return Number(h) * DURATION_UNITS.h! + Number(m) * DURATION_UNITS.m! + Number(sec) * 1000
}

/** 5400000 → "1h30m"; 90000 → "1m30s"; 0 → "0s". */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const sec = total % 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec || total === 0 ? `${sec}s` : ''}`
}
