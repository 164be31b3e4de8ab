import type { z } from 'zod'
import { formatDuration } from './duration.js'
import {
  inputSchema,
  RUN_REQUEST_INPUTS,
  type InputName,
  type InputValues,
  type RawInputs
} from './input-table.js'
import { keyInBothProblem, SECRET_INPUTS, type RunVariable } from './variables-and-secrets.js'

/**
 * Raw action inputs → typed Settings. Defaults live in action.yml only: the parse checks what the
 * runner hands over against the input table and adds the mistakes that no single input shows;
 * every message names the input and what it accepts. The parse is pure and never reads a clock,
 * since the post step reuses it; the main step adds its check against its clock
 * (checkSettingsAgainstClock).
 */

export type Region = 'US' | 'EU' | 'AP'
export type TargetKind = 'branch' | 'tag' | 'pull_request'
export interface ExplicitTarget {
  kind: TargetKind
  /** Branch or tag name, or the pull request number as a string. */
  name: string
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
  /** Input "delay-until" as the step wrote it (trimmed), for messages. */
  delayUntilAsWritten?: string
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

/** Every secret input is an input of the table (checked by the type). */
const SECRET: readonly InputName[] = SECRET_INPUTS

function describeIssue(issue: z.core.$ZodIssue, raw: RawInputs): string {
  const name = String(issue.path[0]) as InputName
  const value = raw[name]?.trim() ?? ''
  // Multi-line values (variables) are quoted line by line in the message itself.
  const quotable = value !== '' && !value.includes('\n') && value.length <= 200
  const shown = SECRET.includes(name) || !quotable ? '' : ` ("${value}")`
  return `Input "${name}"${shown} ${issue.message === 'is required' ? 'is required' : `is not valid: ${issue.message}`}.`
}

/** Mistakes that no single input shows: inputs that exclude each other. */
function crossInputProblems(values: InputValues, raw: RawInputs): string[] {
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
  const keyInBoth = keyInBothProblem(values.variables ?? [], values['secret-variables'] ?? [])
  if (keyInBoth) problems.push(keyInBoth)
  if (values['execution-id'] !== undefined) {
    // These shape a run request, and no run is requested for a run that exists already.
    const runInputs = RUN_REQUEST_INPUTS.filter(n => values[n] !== undefined && values[n] !== false)
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
  return problems
}

/** The checked values, shaped as the rest of the action uses them. */
function toSettings(values: InputValues, raw: RawInputs): Settings {
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
    comment: values.comment,
    priority: values.priority,
    refresh: values.refresh,
    clearCache: values['clear-cache'],
    actionsToRun: values['actions-to-run'],
    delayUntil: values['delay-until'],
    delayUntilAsWritten:
      values['delay-until'] === undefined ? undefined : raw['delay-until'].trim(),
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
 * Throws InputError; never returns partial settings. The clock plays no part: the post step
 * reuses this parse later, when a time given may have passed (see checkSettingsAgainstClock).
 */
export function parseSettings(raw: RawInputs): Settings {
  const result = inputSchema.safeParse(raw)
  const problems = result.success ? [] : result.error.issues.map(i => describeIssue(i, raw))
  const values = result.success ? result.data : undefined

  if (values) problems.push(...crossInputProblems(values, raw))
  if (problems.length > 0 || !values) throw new InputError(problems.join('\n'))

  return toSettings(values, raw)
}

/**
 * The main step's check of the settings against its clock, before any request: a delay-until
 * that has passed. Not for the post step, which runs later and only cancels. Throws InputError.
 */
export function checkSettingsAgainstClock(settings: Settings, nowMs: number): void {
  const { delayUntil, delayUntilAsWritten } = settings
  if (delayUntil !== undefined && Date.parse(delayUntil) <= nowMs) {
    throw new InputError(
      `Input "delay-until" ("${delayUntilAsWritten}") is not valid: expected a time in the future, but it was ${formatDuration(nowMs - Date.parse(delayUntil))} ago (now: ${new Date(nowMs).toISOString()}).`
    )
  }
}
