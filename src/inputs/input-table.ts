import { z } from 'zod'
import {
  actionIds,
  apiBaseUrl,
  boolean,
  comment,
  duration,
  field,
  handle,
  isoTime,
  oneOf,
  pipelineIdentifier,
  positiveInteger,
  pullRequestNumber,
  refName,
  required,
  retryCount,
  revision,
  text
} from './field-rules.js'
import { parseVariables } from './variables-and-secrets.js'

/**
 * Every input of action.yml, declared once with its rule and what the step must know of it. The
 * input names, the inputs read as written, the zod schema and the run request's inputs are all
 * derived from this one table, so that a new input cannot be left out of any of them. Defaults
 * are not here: they live in action.yml only.
 */

interface InputFlags {
  /** Taken as written: neither the runner nor the rule trims it (the spacing is the user's). */
  asWritten?: boolean
  /**
   * Shapes the run request, and leaving it out shows (blank, or false): so it is refused with
   * "execution-id", which follows a run that exists and requests nothing. (priority, refresh and
   * clear-cache shape it too, but their defaults cannot be told from a value given.)
   */
  runRequest?: boolean
}

/** An input that may be blank (not given). */
function optional<T>(rule: (value: string) => T, flags: InputFlags = {}) {
  return { schema: field(rule, { trim: !flags.asWritten }), ...flags }
}

/** An input that action.yml gives a default, so it is never blank. */
function mandatory<T>(rule: (value: string) => T, flags: InputFlags = {}) {
  return { schema: required(rule), ...flags }
}

// In action.yml's order: the order of the messages about them.
const INPUTS = {
  token: optional(v => v),
  'provider-id': optional(v => text(v, 200)),
  audience: optional(v => text(v, 500)),
  'api-url': optional(apiBaseUrl),
  region: mandatory(v => oneOf(v, ['US', 'EU', 'AP'] as const)),
  workspace: mandatory(handle),
  project: mandatory(handle),
  'pipeline-id': optional(v => positiveInteger(v, 'a pipeline id')),
  pipeline: optional(pipelineIdentifier),
  'execution-id': optional(v => positiveInteger(v, 'a run id')),
  revision: optional(revision, { runRequest: true }),
  branch: optional(v => refName(v, 'branch'), { runRequest: true }),
  tag: optional(v => refName(v, 'tag'), { runRequest: true }),
  'pull-request': optional(pullRequestNumber, { runRequest: true }),
  variables: optional(v => parseVariables(v, false), { asWritten: true, runRequest: true }),
  'secret-variables': optional(v => parseVariables(v, true), { asWritten: true, runRequest: true }),
  comment: optional(comment, { asWritten: true, runRequest: true }),
  priority: mandatory(v => oneOf(v, ['LOW', 'NORMAL', 'HIGH'] as const)),
  refresh: mandatory(boolean),
  'clear-cache': mandatory(boolean),
  'actions-to-run': optional(actionIds, { runRequest: true }),
  'delay-until': optional(isoTime, { runRequest: true }),
  'cancel-previous': mandatory(boolean, { runRequest: true }),
  'github-token': optional(v => v),
  'allow-fork-code': mandatory(boolean),
  wait: mandatory(boolean),
  // GitHub's own limit for a job on a self-hosted runner is 5 days.
  timeout: mandatory(duration(1000, 5 * 24 * 3_600_000)),
  'request-timeout': mandatory(duration(1000, 10 * 60_000)),
  'poll-interval': mandatory(duration(1000, 3_600_000)),
  'cancel-on-timeout': mandatory(boolean),
  'cancel-on-job-cancel': mandatory(boolean),
  'propagate-failure': mandatory(boolean),
  retries: mandatory(retryCount),
  'on-approval': mandatory(
    v => oneOf(v, ['WAIT', 'FAIL', 'APPROVE'] as const).toLowerCase() as 'wait' | 'fail' | 'approve'
  ),
  logs: mandatory(
    v =>
      oneOf(v, ['FAILED', 'ALL', 'LIVE', 'NONE'] as const).toLowerCase() as
        'failed' | 'all' | 'live' | 'none'
  )
}

type InputTable = typeof INPUTS
export type InputName = keyof InputTable
export type RawInputs = Record<InputName, string>

export const INPUT_NAMES = Object.keys(INPUTS) as readonly InputName[]

/** Inputs taken as written: their own spacing is the user's (the rest are trimmed). */
export const UNTRIMMED_INPUTS: readonly InputName[] = INPUT_NAMES.filter(n => INPUTS[n].asWritten)

/** Inputs of the run request that can be told given: none may come with "execution-id". */
export const RUN_REQUEST_INPUTS: readonly InputName[] = INPUT_NAMES.filter(
  n => INPUTS[n].runRequest
)

/** Every input checked by its rule; a blank optional input is undefined. */
export const inputSchema = z.object(
  Object.fromEntries(INPUT_NAMES.map(n => [n, INPUTS[n].schema])) as {
    [K in InputName]: InputTable[K]['schema']
  }
)
export type InputValues = z.output<typeof inputSchema>
