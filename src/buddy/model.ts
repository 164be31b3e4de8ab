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
  // Older answers describe the ref with these two instead of `refs`.
  ref_name: optionalString,
  ref_type: optionalString
})
export type Pipeline = z.infer<typeof pipelineSchema>

export const actionExecutionSchema = z.looseObject({
  // Newer answers identify an action's run (needed for its log); Buddy's older example does not.
  action_execution_id: z.union([z.string(), z.number()]).nullish(),
  id: z.union([z.string(), z.number()]).nullish(),
  status: z.string().nullish(),
  progress: z.number().nullish(),
  start_date: optionalString,
  finish_date: optionalString,
  action: z
    .looseObject({ id: z.number().nullish(), name: optionalString, type: optionalString })
    .nullish()
})
export type ActionExecution = z.infer<typeof actionExecutionSchema>

export const executionSchema = z.looseObject({
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
  pull_request: named,
  to_revision: z.looseObject({ revision: optionalString, message: optionalString }).nullish(),
  creator: named,
  pipeline: z.looseObject({ id: z.number().nullish(), name: optionalString }).nullish(),
  action_executions: z.array(actionExecutionSchema).nullish()
})
export type Execution = z.infer<typeof executionSchema>

export const executionListSchema = z.looseObject({
  executions: z.array(executionSchema),
  page: z.number().nullish(),
  total_page_count: z.number().nullish()
})

export const identifiersSchema = z.looseObject({
  pipeline_id: z.number().int()
})

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

/** The run request body, exactly the fields Buddy documents. */
export interface RunRequestBody {
  to_revision: { revision: string }
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

/** A page of an action's log; seen as `logs` and, in newer answers, `lines`. */
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
export type ActionLog = z.infer<typeof actionLogSchema>

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
