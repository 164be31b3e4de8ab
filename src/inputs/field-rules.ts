import { z } from 'zod'
import { hasControlCharacter } from '../base/log.js'
import { formatDuration, parseDuration } from './duration.js'

/**
 * The rules for one input's value, each on its own: it returns the converted value, or throws a
 * RuleError that says what is accepted. `field` and `required` make a rule a zod field that the
 * input table uses; the message that names the input is written by settings.ts.
 */

export class RuleError extends Error {}

/** Workspace and project handles go into URL paths: letters, digits, '-', '_', '.', no '..'. */
const HANDLE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/
export function handle(value: string): string {
  if (!HANDLE.test(value) || value.includes('..')) {
    throw new RuleError(
      "expected a URL handle as in Buddy's address bar: letters, digits, '-', '_' or '.'"
    )
  }
  return value
}

export function positiveInteger(value: string, what: string): number {
  const text = value.startsWith('#') ? value.slice(1) : value
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) {
    throw new RuleError(`expected ${what}: a whole number from 1 upwards`)
  }
  return Number(text)
}

export function oneOf<T extends string>(value: string, allowed: readonly T[]): T {
  const upper = value.toUpperCase()
  const found = allowed.find(a => a === upper)
  if (!found) throw new RuleError(`expected one of ${allowed.join(', ')}`)
  return found
}

/** YAML 1.2 core booleans, as core.getBooleanInput accepts them. */
export function boolean(value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new RuleError('expected true or false')
}

export function revision(value: string): string {
  if (value.toUpperCase() === 'HEAD') return 'HEAD'
  if (!/^[0-9a-fA-F]{4,64}$/.test(value)) {
    throw new RuleError('expected a commit SHA (4 to 64 hexadecimal digits) or HEAD')
  }
  return value.toLowerCase()
}

/** Git's own rules for ref names (git check-ref-format), plus no control characters. */
function isValidRefName(name: string): boolean {
  return !(
    name.length === 0 ||
    name.length > 255 ||
    hasControlCharacter(name) ||
    /[\s~^:?*[\\]/.test(name) ||
    name.includes('..') ||
    name.includes('@{') ||
    name.includes('//') ||
    name === '@' ||
    name.startsWith('-') ||
    name.startsWith('/') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.endsWith('.lock') ||
    name.split('/').some(part => part.startsWith('.'))
  )
}

const REF_PREFIXES = { branch: 'refs/heads/', tag: 'refs/tags/' } as const

/** A branch or tag name, given bare or as its full ref (refs/heads/x, refs/tags/x). */
export function refName(value: string, kind: 'branch' | 'tag'): string {
  const other = kind === 'branch' ? 'tag' : 'branch'
  if (value.startsWith(REF_PREFIXES[other])) {
    throw new RuleError(`expected a ${kind}, but this is a ${other} ref: use input "${other}"`)
  }
  if (value.startsWith('refs/pull/')) {
    throw new RuleError(
      `expected a ${kind}, but this is a pull request ref: use input "pull-request"`
    )
  }
  const name = value.startsWith(REF_PREFIXES[kind]) ? value.slice(REF_PREFIXES[kind].length) : value
  if (!isValidRefName(name)) {
    throw new RuleError(`expected a ${kind} name that git accepts (no spaces, '..', '~', '^', ':')`)
  }
  return name
}

/** 42, #42, pull/42 or refs/pull/42/head (or /merge). */
export function pullRequestNumber(value: string): number {
  const ref = /^(?:refs\/)?pull\/(\d+)(?:\/(?:head|merge))?$/.exec(value)
  return positiveInteger(
    ref ? (ref[1] as string) : value,
    'a pull request number (42, #42, pull/42 or refs/pull/42/head)'
  )
}

export function pipelineIdentifier(value: string): string {
  if (hasControlCharacter(value) || value.length > 200) {
    throw new RuleError('expected a pipeline identifier (printable, at most 200 characters)')
  }
  return value
}

export function actionIds(value: string): number[] {
  const parts = value
    .split(/[\s,]+/)
    .map(p => p.trim())
    .filter(p => p !== '')
  return parts.map(p => positiveInteger(p, 'action ids separated by commas or new lines'))
}

/**
 * An ISO-8601 time with a zone (Z or an offset), so that it means one instant; a date that does
 * not exist (2026-02-30, 25:00) is refused rather than rolled over as Date.parse would.
 */
export function isoTime(value: string): string {
  const iso =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(
      value
    )
  const accepted = 'expected an ISO-8601 time with a time zone, e.g. 2026-12-01T22:00:00Z'
  if (!iso) throw new RuleError(accepted)
  const [year, month, day, hour, minute, second = '0'] = iso.slice(1, 7).map(Number) as number[]
  const calendar = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, Number(second)))
  const exists =
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() === month! - 1 &&
    calendar.getUTCDate() === day &&
    calendar.getUTCHours() === hour &&
    calendar.getUTCMinutes() === minute &&
    calendar.getUTCSeconds() === Number(second)
  const time = Date.parse(value)
  if (!exists || Number.isNaN(time)) {
    throw new RuleError(`${accepted}; this date or time does not exist`)
  }
  return new Date(time).toISOString()
}

/** https only, except loopback hosts (a local Buddy, or a test double) which may use http. */
export function apiBaseUrl(value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new RuleError('expected an absolute URL such as https://buddy.example.com/api')
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new RuleError(
      'expected an https URL (http is accepted only for 127.0.0.1, localhost, [::1])'
    )
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new RuleError('expected a URL without credentials, query or fragment')
  }
  url.pathname = url.pathname.replace(/\/+$/, '')
  return url
}

export function duration(minMs: number, maxMs: number) {
  return (value: string): number => {
    const ms = parseDuration(value)
    const accepted = `a duration such as 90s, 15m, 1h30m or bare seconds, from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`
    if (ms === undefined || ms < minMs || ms > maxMs) throw new RuleError(`expected ${accepted}`)
    return ms
  }
}

export function text(value: string, max: number): string {
  if (value.length > max) throw new RuleError(`expected at most ${max} characters`)
  return value
}

/** A comment is kept as written; its length is counted without the spacing around it. */
export function comment(value: string): string {
  text(value.trim(), 10_000)
  return value
}

/** Each retry re-runs the failed part of the pipeline: a few are a remedy, more hide a fault. */
export const MAX_RETRIES = 10

export function retryCount(value: string): number {
  if (!/^\d{1,2}$/.test(value) || Number(value) > MAX_RETRIES) {
    throw new RuleError(`expected a whole number from 0 to ${MAX_RETRIES}`)
  }
  return Number(value)
}

// ---------------------------------------------------------------------------------------------

/**
 * A rule as a zod field: a blank input is undefined (not given), anything else goes through the
 * rule, trimmed unless `trim` is false, and a RuleError becomes the field's issue.
 */
export function field<T>(rule: (value: string) => T, options: { trim: boolean } = { trim: true }) {
  return z.string().transform((value, ctx): T | undefined => {
    if (value.trim() === '') return undefined
    try {
      return rule(options.trim ? value.trim() : value)
    } catch (error) {
      if (!(error instanceof RuleError)) throw error
      ctx.addIssue({ code: 'custom', message: error.message })
      return z.NEVER
    }
  })
}

/** A field that must be given (its default is in action.yml). */
export const required = <T>(rule: (value: string) => T) =>
  field(rule).refine(v => v !== undefined, { message: 'is required' }) as z.ZodType<T, string>
