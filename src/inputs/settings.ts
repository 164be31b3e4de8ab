import { z } from 'zod'
import { hasControlCharacter } from '../base/log.js'
import { formatDuration, parseDuration } from './duration.js'

/**
 * Raw action inputs → typed Settings. Defaults live in action.yml only: this module validates and
 * converts what the runner hands over, and every message names the input and what it accepts.
 */

export const INPUT_NAMES = [
  'token',
  'provider-id',
  'audience',
  'api-url',
  'region',
  'workspace',
  'project',
  'pipeline-id',
  'pipeline',
  'execution-id',
  'revision',
  'branch',
  'tag',
  'pull-request',
  'variables',
  'secret-variables',
  'comment',
  'priority',
  'refresh',
  'clear-cache',
  'actions-to-run',
  'delay-until',
  'cancel-previous',
  'github-token',
  'allow-fork-code',
  'wait',
  'timeout',
  'request-timeout',
  'poll-interval',
  'cancel-on-timeout',
  'cancel-on-job-cancel',
  'propagate-failure',
  'retries',
  'on-approval',
  'logs'
] as const
export type InputName = (typeof INPUT_NAMES)[number]
export type RawInputs = Record<InputName, string>

/** Inputs taken as written: their own spacing is the user's (the rest are trimmed). */
export const UNTRIMMED_INPUTS: readonly InputName[] = ['comment', 'variables', 'secret-variables']

/** Inputs whose values are never shown, not even in a validation error. */
const SECRET_INPUTS: readonly InputName[] = ['token', 'secret-variables', 'github-token']

export type Region = 'US' | 'EU' | 'AP'
export type TargetKind = 'branch' | 'tag' | 'pull_request'
export interface ExplicitTarget {
  kind: TargetKind
  /** Branch or tag name, or the pull request number as a string. */
  name: string
}
export interface RunVariable {
  key: string
  value: string
  encrypted: boolean
}
export type PipelineSelector = { id: number } | { identifier: string }

export interface Settings {
  token?: string
  providerId?: string
  audience?: string
  apiUrl?: URL
  region: Region
  workspace: string
  project: string
  pipeline: PipelineSelector
  /** A run started elsewhere, to read (and follow) instead of starting one. */
  executionId?: number
  revision?: string
  target?: ExplicitTarget
  variables: RunVariable[]
  comment?: string
  priority: 'LOW' | 'NORMAL' | 'HIGH'
  refresh: boolean
  clearCache: boolean
  actionsToRun?: number[]
  delayUntil?: string
  /** Cancel the pipeline's runs for the same ref still going, before starting this one. */
  cancelPrevious: boolean
  githubToken?: string
  /** Run code from a fork's pull request in events that have the base repository's secrets. */
  allowForkCode: boolean
  /** The time limit of one request to Buddy. */
  requestTimeoutMs: number
  follow: FollowSettings
}

export interface FollowSettings {
  wait: boolean
  /** How long the whole step may take (see stepDeadline in main.ts). */
  timeoutMs: number
  pollIntervalMs: number
  cancelOnTimeout: boolean
  cancelOnJobCancel: boolean
  propagateFailure: boolean
  /** How many times a run that ends FAILED is retried (Buddy's RETRY) and followed again. */
  retries: number
  onApproval: 'wait' | 'fail' | 'approve'
  logs: 'failed' | 'all' | 'live' | 'none'
}

export class InputError extends Error {
  override name = 'InputError'
}

// ---------------------------------------------------------------------------------------------
// Field rules. Each returns the converted value, or throws a RuleError with what is accepted.

class RuleError extends Error {}

/** Workspace and project handles go into URL paths: letters, digits, '-', '_', '.', no '..'. */
const HANDLE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/
function handle(value: string): string {
  if (!HANDLE.test(value) || value.includes('..')) {
    throw new RuleError(
      "expected a URL handle as in Buddy's address bar: letters, digits, '-', '_' or '.'"
    )
  }
  return value
}

function positiveInteger(value: string, what: string): number {
  const text = value.startsWith('#') ? value.slice(1) : value
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) {
    throw new RuleError(`expected ${what}: a whole number from 1 upwards`)
  }
  return Number(text)
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): T {
  const upper = value.toUpperCase()
  const found = allowed.find(a => a === upper)
  if (!found) throw new RuleError(`expected one of ${allowed.join(', ')}`)
  return found
}

/** YAML 1.2 core booleans, as core.getBooleanInput accepts them. */
function boolean(value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new RuleError('expected true or false')
}

function revision(value: string): string {
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
function refName(value: string, kind: 'branch' | 'tag'): string {
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
function pullRequestNumber(value: string): number {
  const ref = /^(?:refs\/)?pull\/(\d+)(?:\/(?:head|merge))?$/.exec(value)
  return positiveInteger(
    ref ? (ref[1] as string) : value,
    'a pull request number (42, #42, pull/42 or refs/pull/42/head)'
  )
}

const VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/

/** One entry of a variables input: KEY=VALUE on one line, or KEY<<DELIMITER … DELIMITER. */
interface VariableEntry {
  /** 1-based number of the entry's first line. */
  line: number
  /** The entry's first line as written (for messages about non-secret input). */
  text: string
  key?: string
  value?: string
  /** Every line of the value (one, or those of a multi-line value). */
  valueLines: string[]
  problem?: string
}

/**
 * Splits a variables input into entries, taking every value exactly as written (no trimming):
 * KEY=VALUE per line (the value may hold "="), or the multi-line form of $GITHUB_ENV:
 * KEY<<DELIMITER, the value's lines, then DELIMITER alone on a line. Blank lines between
 * entries are ignored. Never throws: problems are reported per entry.
 */
function splitVariables(value: string): VariableEntry[] {
  const entries: VariableEntry[] = []
  const lines = value.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] as string
    if (text.trim() === '') continue
    const entry: VariableEntry = { line: i + 1, text, valueLines: [] }
    entries.push(entry)
    const eq = text.indexOf('=')
    const heredoc = text.indexOf('<<')
    if (heredoc >= 0 && (eq < 0 || heredoc < eq)) {
      entry.key = text.slice(0, heredoc).trim()
      const delimiter = text.slice(heredoc + 2).trim()
      if (delimiter === '' || /\s/.test(delimiter)) {
        entry.problem = `has no delimiter after "<<": expected KEY<<DELIMITER, the value's lines, then DELIMITER alone on a line`
        continue
      }
      const end = lines.findIndex((l, at) => at > i && l.trimEnd() === delimiter)
      const body = lines.slice(i + 1, end < 0 ? undefined : end)
      entry.valueLines = body
      if (end < 0) {
        entry.problem = `starts a multi-line value that no line "${delimiter}" ends`
        i = lines.length
        continue
      }
      entry.value = body.join('\n')
      i = end
      continue
    }
    if (eq < 0) {
      entry.problem =
        'has no "=": expected KEY=VALUE, one per line, or KEY<<DELIMITER for a multi-line value'
      entry.valueLines = [text]
      continue
    }
    entry.key = text.slice(0, eq).trim()
    entry.value = text.slice(eq + 1)
    entry.valueLines = [entry.value]
  }
  return entries
}

function variableLines(value: string, encrypted: boolean): RunVariable[] {
  const variables: RunVariable[] = []
  for (const entry of splitVariables(value)) {
    // A secret's lines are never quoted: a line without "=" may be the secret itself.
    const shown = encrypted ? `line ${entry.line}` : `line ${entry.line} ("${entry.text.trim()}")`
    if (entry.problem) throw new RuleError(`${shown} ${entry.problem}`)
    const key = entry.key as string
    if (!VARIABLE_KEY.test(key)) {
      throw new RuleError(
        `${encrypted ? `line ${entry.line}` : `key "${key}"`} is not a variable name: expected letters, digits, '_', '.' or '-', starting with a letter or '_'`
      )
    }
    if (variables.some(v => v.key === key)) {
      throw new RuleError(`${encrypted ? `line ${entry.line}: a key` : key} is given twice`)
    }
    if (encrypted && /^[=\s]*$/.test(entry.value as string)) {
      // "dGhpcw==" reads as key "dGhpcw" and value "=": a secret pasted without its key would
      // travel as a variable's name, in plain text. An empty secret is a mistake anyway.
      throw new RuleError(
        `line ${entry.line} has an empty value: is the secret it comes from set? A secret written without "KEY=" would be read as a key, so this is refused`
      )
    }
    variables.push({ key, value: entry.value as string, encrypted })
  }
  return variables
}

function actionIds(value: string): number[] {
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
function isoTime(value: string): string {
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

function duration(minMs: number, maxMs: number) {
  return (value: string): number => {
    const ms = parseDuration(value)
    const accepted = `a duration such as 90s, 15m, 1h30m or bare seconds, from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`
    if (ms === undefined || ms < minMs || ms > maxMs) throw new RuleError(`expected ${accepted}`)
    return ms
  }
}

function text(value: string, max: number): string {
  if (value.length > max) throw new RuleError(`expected at most ${max} characters`)
  return value
}

// ---------------------------------------------------------------------------------------------

function field<T>(rule: (value: string) => T, options: { trim: boolean } = { trim: true }) {
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

const required = <T>(rule: (value: string) => T) =>
  field(rule).refine(v => v !== undefined, { message: 'is required' }) as z.ZodType<T, string>

const rawSchema = z.object({
  token: field(v => v),
  'provider-id': field(v => text(v, 200)),
  audience: field(v => text(v, 500)),
  'api-url': field(apiBaseUrl),
  region: required(v => oneOf(v, ['US', 'EU', 'AP'] as const)),
  workspace: required(handle),
  project: required(handle),
  'pipeline-id': field(v => positiveInteger(v, 'a pipeline id')),
  pipeline: field(v => {
    if (hasControlCharacter(v) || v.length > 200) {
      throw new RuleError('expected a pipeline identifier (printable, at most 200 characters)')
    }
    return v
  }),
  'execution-id': field(v => positiveInteger(v, 'a run id')),
  revision: field(revision),
  branch: field(v => refName(v, 'branch')),
  tag: field(v => refName(v, 'tag')),
  'pull-request': field(pullRequestNumber),
  // Values are taken exactly as written: these two are not trimmed.
  variables: field(v => variableLines(v, false), { trim: false }),
  'secret-variables': field(v => variableLines(v, true), { trim: false }),
  // The raw value, not trimmed: a comment's own spacing is the user's.
  comment: field(v => text(v, 10_000)),
  priority: required(v => oneOf(v, ['LOW', 'NORMAL', 'HIGH'] as const)),
  refresh: required(boolean),
  'clear-cache': required(boolean),
  'actions-to-run': field(actionIds),
  'delay-until': field(isoTime),
  'cancel-previous': required(boolean),
  'github-token': field(v => v),
  'allow-fork-code': required(boolean),
  wait: required(boolean),
  // GitHub's own limit for a job on a self-hosted runner is 5 days.
  timeout: required(duration(1000, 5 * 24 * 3_600_000)),
  'request-timeout': required(duration(1000, 10 * 60_000)),
  'poll-interval': required(duration(1000, 3_600_000)),
  'cancel-on-timeout': required(boolean),
  'cancel-on-job-cancel': required(boolean),
  'propagate-failure': required(boolean),
  retries: required(v => {
    if (!/^\d{1,2}$/.test(v) || Number(v) > MAX_RETRIES) {
      throw new RuleError(`expected a whole number from 0 to ${MAX_RETRIES}`)
    }
    return Number(v)
  }),
  'on-approval': required(
    v => oneOf(v, ['WAIT', 'FAIL', 'APPROVE'] as const).toLowerCase() as 'wait' | 'fail' | 'approve'
  ),
  logs: required(
    v =>
      oneOf(v, ['FAILED', 'ALL', 'LIVE', 'NONE'] as const).toLowerCase() as
        'failed' | 'all' | 'live' | 'none'
  )
})

function describeIssue(issue: z.core.$ZodIssue, raw: RawInputs): string {
  const name = String(issue.path[0]) as InputName
  const value = raw[name]?.trim() ?? ''
  // Multi-line values (variables) are quoted line by line in the message itself.
  const quotable = value !== '' && !value.includes('\n') && value.length <= 200
  const shown = SECRET_INPUTS.includes(name) || !quotable ? '' : ` ("${value}")`
  return `Input "${name}"${shown} ${issue.message === 'is required' ? 'is required' : `is not valid: ${issue.message}`}.`
}

type RawValues = z.output<typeof rawSchema>

/** Each retry re-runs the failed part of the pipeline: a few are a remedy, more hide a fault. */
const MAX_RETRIES = 10

/** Inputs of the run request that have no default (those with one cannot tell if given). */
const RUN_REQUEST_INPUTS = [
  'revision',
  'branch',
  'tag',
  'pull-request',
  'variables',
  'secret-variables',
  'comment',
  'actions-to-run',
  'delay-until'
] as const

/**
 * Mistakes that no single input shows: inputs that exclude each other, and (when nowMs is given:
 * the main step's validation) a time gone by.
 */
function crossInputProblems(
  values: RawValues,
  raw: RawInputs,
  nowMs: number | undefined
): string[] {
  const problems: string[] = []
  if (values['pipeline-id'] === undefined && values.pipeline === undefined) {
    problems.push(
      'Give the pipeline: input "pipeline-id" (a number) or "pipeline" (its identifier).'
    )
  }
  if (values['pipeline-id'] !== undefined && values.pipeline !== undefined) {
    problems.push('Inputs "pipeline-id" and "pipeline" are both set: give exactly one of them.')
  }
  const targets = (['branch', 'tag', 'pull-request'] as const).filter(n => values[n] !== undefined)
  if (targets.length > 1) {
    problems.push(
      `Inputs ${targets.map(t => `"${t}"`).join(' and ')} are all set: give at most one of "branch", "tag" and "pull-request".`
    )
  }
  const keys = [...(values.variables ?? []), ...(values['secret-variables'] ?? [])].map(v => v.key)
  const twice = keys.find((k, i) => keys.indexOf(k) !== i)
  if (twice) {
    problems.push(`Variable ${twice} is in both "variables" and "secret-variables": give it once.`)
  }
  if (values['execution-id'] !== undefined) {
    // These shape a run request, and no run is requested for a run that exists already.
    const runInputs = [
      ...RUN_REQUEST_INPUTS.filter(n => values[n] !== undefined),
      ...(values['cancel-previous'] ? ['cancel-previous'] : [])
    ]
    if (runInputs.length > 0) {
      problems.push(
        `Input "execution-id" follows a run that exists, so nothing is requested: remove ${runInputs.map(n => `"${n}"`).join(', ')}.`
      )
    }
  }
  if (values['execution-id'] !== undefined && values.retries > 0) {
    // RETRY re-runs a failed run at its old commit: a "wait" job re-run days later would deploy
    // old code again. Only a run this step started is retried.
    problems.push(
      `Inputs "execution-id" and "retries" ("${raw.retries.trim()}") are both set: "retries" re-runs a failed run, and a run this step did not start may be old (re-running it would deploy its old commit again). Remove "retries", or let this step start the run.`
    )
  }
  if (values.retries > 0 && !values.wait) {
    problems.push(
      `Input "retries" ("${raw.retries.trim()}") needs "wait: true": only a followed run is seen to fail and retried.`
    )
  }
  const delayUntil = values['delay-until']
  if (delayUntil !== undefined && nowMs !== undefined && Date.parse(delayUntil) <= nowMs) {
    problems.push(
      `Input "delay-until" ("${raw['delay-until'].trim()}") is not valid: expected a time in the future, but it was ${formatDuration(nowMs - Date.parse(delayUntil))} ago (now: ${new Date(nowMs).toISOString()}).`
    )
  }
  return problems
}

/** The checked values, shaped as the rest of the action uses them. */
function toSettings(values: RawValues, raw: RawInputs): Settings {
  let target: ExplicitTarget | undefined
  if (values.branch) target = { kind: 'branch', name: values.branch }
  if (values.tag) target = { kind: 'tag', name: values.tag }
  if (values['pull-request'])
    target = { kind: 'pull_request', name: String(values['pull-request']) }

  return {
    token: values.token,
    providerId: values['provider-id'],
    audience: values.audience,
    apiUrl: values['api-url'],
    region: values.region,
    workspace: values.workspace,
    project: values.project,
    pipeline:
      values['pipeline-id'] !== undefined
        ? { id: values['pipeline-id'] }
        : { identifier: values.pipeline as string },
    executionId: values['execution-id'],
    revision: values.revision,
    target,
    variables: [...(values.variables ?? []), ...(values['secret-variables'] ?? [])],
    comment: raw.comment.trim() === '' ? undefined : raw.comment,
    priority: values.priority,
    refresh: values.refresh,
    clearCache: values['clear-cache'],
    actionsToRun: values['actions-to-run'],
    delayUntil: values['delay-until'],
    cancelPrevious: values['cancel-previous'],
    githubToken: values['github-token'],
    allowForkCode: values['allow-fork-code'],
    requestTimeoutMs: values['request-timeout'],
    follow: {
      wait: values.wait,
      timeoutMs: values.timeout,
      pollIntervalMs: values['poll-interval'],
      cancelOnTimeout: values['cancel-on-timeout'],
      cancelOnJobCancel: values['cancel-on-job-cancel'],
      propagateFailure: values['propagate-failure'],
      retries: values.retries,
      onApproval: values['on-approval'],
      logs: values.logs
    }
  }
}

/**
 * Validates every input at once, so one run of the workflow shows every mistake.
 * Throws InputError; never returns partial settings. With `nowMs` (the main step), times are
 * also checked against the clock (delay-until in the future); without it (the post step, which
 * runs later and only cancels), they are not: a time that has passed since must not stop it.
 */
export function parseSettings(raw: RawInputs, nowMs?: number): Settings {
  const result = rawSchema.safeParse(raw)
  const problems = result.success ? [] : result.error.issues.map(i => describeIssue(i, raw))
  const values = result.success ? result.data : undefined

  if (values) problems.push(...crossInputProblems(values, raw, nowMs))
  if (problems.length > 0 || !values) throw new InputError(problems.join('\n'))

  return toSettings(values, raw)
}

/**
 * Lines of a multi-line secret shorter than this are not masked on their own: masking "==" or
 * "}" would hide that text everywhere in the log, and such a line reveals nothing.
 */
const MIN_SECRET_FRAGMENT = 4

/** The secret parts of the raw inputs, to be masked before anything else happens. */
export function secretValues(raw: Partial<RawInputs>): string[] {
  const secrets = new Set<string>()
  const add = (value: string | undefined, minLength = 1) => {
    if (value !== undefined && value.trim().length >= minLength) secrets.add(value)
  }
  add(raw.token?.trim())
  add(raw['github-token']?.trim())
  for (const entry of splitVariables(raw['secret-variables'] ?? '')) {
    if (entry.key === undefined || !VARIABLE_KEY.test(entry.key)) {
      // Not KEY=VALUE: it may be a secret pasted whole (base64 ending in "=" included).
      add(entry.text.trim())
      for (const line of entry.valueLines) add(line, MIN_SECRET_FRAGMENT)
      continue
    }
    const oneLine = entry.valueLines.length === 1 && entry.valueLines[0] === entry.value
    if (oneLine && /^[=\s]*$/.test(entry.value as string)) {
      // "abc==" reads as key "abc" with value "=": it may be base64 pasted without a key, so
      // the whole line is the secret (refused by the parser, but masked first), and "=" alone
      // would hide every "=" in the log.
      add(entry.text.trim(), MIN_SECRET_FRAGMENT)
      continue
    }
    add(entry.value)
    add(entry.value?.trim())
    // The runner masks line by line: each line of a multi-line value is a secret of its own.
    if (entry.valueLines.length > 1 || entry.value === undefined) {
      for (const line of entry.valueLines) {
        add(line, MIN_SECRET_FRAGMENT)
        add(line.trim(), MIN_SECRET_FRAGMENT)
      }
    }
  }
  return [...secrets]
}
