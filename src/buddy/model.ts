import { z } from 'zod'

/**
 * Buddy's answers, parsed leniently: Buddy adds fields freely and older answers lack some, so
 * every field is optional unless the action cannot work without it, and unknown keys pass.
 */

/** The one place that says what each run status means. */
export const FINAL_STATUSES = [
  'SUCCESSFUL',
  'FAILED',
  'TERMINATED',
  'SKIPPED',
  'NOT_EXECUTED'
] as const
export const RUNNING_STATUSES = ['INITIAL', 'ENQUEUED', 'INPROGRESS', 'TERMINATING'] as const
/** Still going, but a cancel has reached it. */
export const CANCELLING_STATUS = 'TERMINATING'
export const PAUSED_STATUSES = [
  'WAITING_FOR_APPLY',
  'WAITING_FOR_VARIABLES',
  'WAITING_FOR_SETTABLE_VARIABLES',
  'WAITING_FOR_VT_SESSION'
] as const
/** A run that cancel-previous supersedes: queued, running or paused, not already cancelling. */
export const SUPERSEDABLE_STATUSES = [
  'INITIAL',
  'ENQUEUED',
  'INPROGRESS',
  ...PAUSED_STATUSES
] as const
export type FinalStatus = (typeof FINAL_STATUSES)[number]
export type RunningStatus = (typeof RUNNING_STATUSES)[number]
export type PausedStatus = (typeof PAUSED_STATUSES)[number]
/** Together these cover Buddy's status enum exactly (checked in __tests__/conformance.test.ts). */
export type KnownStatus = FinalStatus | RunningStatus | PausedStatus

export type StatusKind = 'final' | 'running' | 'paused' | 'unknown'

export function statusKind(status: string): StatusKind {
  if ((FINAL_STATUSES as readonly string[]).includes(status)) return 'final'
  if ((RUNNING_STATUSES as readonly string[]).includes(status)) return 'running'
  if ((PAUSED_STATUSES as readonly string[]).includes(status)) return 'paused'
  return 'unknown'
}

const optionalString = z.string().nullish()
const named = z.looseObject({ name: optionalString }).nullish()

export const pipelineSchema = z.looseObject({
  id: z.number().int(),
  identifier: optionalString,
  name: optionalString,
  html_url: optionalString,
  refs: z.array(z.string()).nullish(),
  // Newer pipelines may give their refs only per trigger event (PipelineResponse.events[].refs).
  events: z
    .array(
      z.looseObject({
        type: optionalString,
        refs: z.array(z.string()).nullish(),
        branches: z.array(z.string()).nullish()
      })
    )
    .nullish(),
  // Older answers describe the ref with these two instead of `refs`.
  ref_name: optionalString,
  ref_type: optionalString,
  // Not in Buddy's schema 0.20.0, and what it means is unconfirmed (see run-request.ts): read so
  // that a pipeline bound strictly to its context refs is never taken to run more.
  strict_context: z.boolean().nullish().catch(undefined)
})
export type Pipeline = z.infer<typeof pipelineSchema>

/**
 * A variable an action exported (`outputted_variables`, Buddy's SimpleVariableView: key and
 * value, both optional). Parsed field by field with fallbacks: a malformed variable is left out
 * later, and never makes the run's status unreadable.
 */
const outputtedVariableSchema = z.looseObject({
  key: z.string().nullish().catch(undefined),
  value: z.string().nullish().catch(undefined),
  // Not in Buddy's schema: read in case Buddy marks a secret variable so; such a value is masked
  // and left out of the outputs (exported-variables.ts).
  encrypted: z.boolean().nullish().catch(undefined)
})
export type OutputtedVariable = z.infer<typeof outputtedVariableSchema>

const actionExecutionSchema = z.looseObject({
  // Newer answers identify an action's run (needed for its log); Buddy's older example does not.
  // The schema types it as a string; a number is accepted too.
  action_execution_id: z.union([z.string(), z.number()]).nullish(),
  // Not in Buddy's schema: the older example identified an action's run by `id`. Only a fallback
  // for action_execution_id.
  id: z.union([z.string(), z.number()]).nullish(),
  status: z.string().nullish(),
  progress: z.number().nullish(),
  start_date: optionalString,
  finish_date: optionalString,
  action: z
    .looseObject({ id: z.number().nullish(), name: optionalString, type: optionalString })
    .nullish(),
  // Why the action failed, in Buddy's words (untrusted text: report.ts shortens and escapes it).
  error_message: z.string().nullish().catch(undefined),
  outputted_variables: z.array(outputtedVariableSchema).nullish().catch(undefined)
})
export type ActionExecution = z.infer<typeof actionExecutionSchema>

export const executionSchema = z.looseObject({
  // Buddy's schema marks every field optional; without an id and a status the action can neither
  // follow nor report a run, so an answer lacking them is "unexpected shape" (a clear error, and
  // retried where reads are retried), never a crash.
  id: z.number().int(),
  url: optionalString,
  html_url: optionalString,
  status: z.string(),
  start_date: optionalString,
  finish_date: optionalString,
  priority: optionalString,
  comment: optionalString,
  branch: named,
  tag: named,
  // Buddy names a pull request `pull/5` or `5`, and may give its `number` (PullRequestView).
  pull_request: z
    .looseObject({ name: optionalString, number: z.number().nullish().catch(undefined) })
    .nullish(),
  to_revision: z.looseObject({ revision: optionalString, message: optionalString }).nullish(),
  creator: named,
  pipeline: z.looseObject({ id: z.number().nullish(), name: optionalString }).nullish(),
  action_executions: z.array(actionExecutionSchema).nullish(),
  // Buddy has removed the run's logs: none can be read, and none is asked for.
  logs_removed: z.boolean().nullish().catch(undefined)
})
export type Execution = z.infer<typeof executionSchema>

export const executionListSchema = z.looseObject({
  // Its items (Buddy's ShortExecutionView) say nothing of the run's logs.
  executions: z.array(executionSchema.omit({ logs_removed: true })),
  page: z.number().nullish(),
  total_page_count: z.number().nullish()
})

/** Every field of Buddy's IdsView, the identifiers look-up's answer (all optional). */
export const IDS_VIEW_FIELDS = [
  'domain',
  'environment_id',
  'html_url',
  'pipeline_id',
  'pkg_id',
  'pkg_version_id',
  'project_identifier',
  'url'
] as const

/**
 * The identifiers look-up. Buddy answers 200 also for an identifier it does not know, only
 * without `pipeline_id`: the client then says so at once. An answer with none of IdsView's
 * fields (and not empty) is no identifiers answer at all: "unexpected shape", retried like any
 * unreadable answer.
 */
export const identifiersSchema = z
  .looseObject({
    pipeline_id: z.number().int().nullish()
  })
  .refine(
    answer => Object.keys(answer).length === 0 || IDS_VIEW_FIELDS.some(field => field in answer),
    { message: 'not an identifiers answer' }
  )

/** Characters a bare token is made of; anything else in a bare answer is not a token. */
const TOKEN_TEXT = /^[\w.~+/=-]+$/

/**
 * The OIDC exchange's answer as JSON-ish data for oidcTokenSchema. Buddy documents it as a JSON
 * string literal (`"a1b2…"`, quotes included); `buddy/login` also accepts a bare token and JSON
 * objects with `token`, `access_token` or `buddy_token`. Throws when it is none of them.
 */
export function parseOidcAnswer(text: string): unknown {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) return JSON.parse(trimmed)
  const token: unknown = trimmed.startsWith('"') ? JSON.parse(trimmed) : trimmed
  if (typeof token === 'string' && TOKEN_TEXT.test(token)) return { token }
  throw new SyntaxError('not a token')
}

/** The OIDC exchange has been seen answering with each of these keys; one must be there. */
export const oidcTokenSchema = z
  .looseObject({
    token: optionalString,
    access_token: optionalString,
    buddy_token: optionalString
  })
  .refine(a => Boolean(a.token ?? a.access_token ?? a.buddy_token), {
    message: 'no token, access_token or buddy_token'
  })

/**
 * The run request body, exactly the fields Buddy documents. Without `to_revision` only for a
 * codeless pipeline, which runs no code (run-request.ts).
 */
export interface RunRequestBody {
  to_revision?: { revision: string }
  branch?: { name: string }
  tag?: { name: string }
  pull_request?: { name: string }
  variables?: { key: string; value: string; encrypted?: boolean }[]
  comment?: string
  priority?: 'LOW' | 'NORMAL' | 'HIGH'
  refresh?: boolean
  clear_cache?: boolean
  actions_to_run?: number[]
  delay_until?: string
}

/**
 * The PATCH of a run that the action sends. Its operation must be one of Buddy's
 * CancelRetryExecutionRequestOperation (checked in __tests__/conformance.test.ts).
 */
export interface ExecutionOperationBody {
  operation: 'CANCEL' | 'RETRY' | 'APPLY'
  /** With APPLY: the id of the action that waits for approval (integer in Buddy's schema). */
  approve_action_id?: number
}
export const CANCEL_RUN: ExecutionOperationBody = { operation: 'CANCEL' }
/** Re-runs a FAILED run from its failed action, as the same run (same id). */
export const RETRY_RUN: ExecutionOperationBody = { operation: 'RETRY' }
/**
 * Approves the action that waits for approval (WAITING_FOR_APPLY), named by its id as Buddy's
 * own CLI names it (`bdy pipeline run approve <run> <action>`); a newer Buddy refuses an APPLY
 * without it. Buddy's newer docs accept an action's id or an action execution's id.
 */
export function approveRun(actionId: number): ExecutionOperationBody {
  return { operation: 'APPLY', approve_action_id: actionId }
}
/**
 * The paused status that on-approval: approve answers; waiting for variables or for a visual
 * tests session (WAITING_FOR_VT_SESSION, answered in Buddy by a person) never is.
 */
export const APPROVAL_STATUS = 'WAITING_FOR_APPLY'
/** The action type of Buddy's "Wait for approval" action, where a run waits for an approval. */
export const APPROVAL_ACTION_TYPE = 'WAIT_FOR_APPLY'

/**
 * A page of an action's log; seen as `logs` and, in newer answers, `lines`. None of these fields
 * is in Buddy's schema 0.20.0, which lacks this paginated endpoint (it is in Buddy's docs, see
 * buddy-api.md): each is optional, and a page with neither list is "unexpected shape".
 */
export const actionLogSchema = z
  .looseObject({
    logs: z.array(z.string()).nullish(),
    lines: z.array(z.string()).nullish(),
    offset: z.number().nullish(),
    element_count: z.number().nullish(),
    total_element_count: z.number().nullish()
  })
  .refine(page => Array.isArray(page.logs) || Array.isArray(page.lines), {
    message: 'no logs or lines'
  })

/**
 * An action's run (getActionExecution, Buddy's ActionExecutionView): how an older or self-hosted
 * Buddy without the paginated endpoint gives an action's log, whole, as `log`. Only the log is
 * read; an answer without it has no log (yet).
 */
export const actionExecutionLogSchema = z.looseObject({
  log: z.array(z.string()).nullish(),
  log_url: optionalString
})

/** Paused-for-a-person statuses of the run, or of any of its actions (unconfirmed which). */
export function pausedStatus(
  execution: Execution
): { status: string; action?: string } | undefined {
  if (statusKind(execution.status) === 'paused') return { status: execution.status }
  for (const a of execution.action_executions ?? []) {
    if (a.status && statusKind(a.status) === 'paused') {
      return { status: a.status, action: a.action?.name ?? undefined }
    }
  }
  return undefined
}
