/**
 * Buddy's published API schema as the judge (see support/buddy-schema.ts for where it comes
 * from). Most of this file is checked by the type checker, `npm run typecheck`: a drift from the
 * schema is a compile error there. The `@ts-expect-error` lines show that each check rejects a
 * deliberate drift (a `@ts-expect-error` whose line stops erroring is itself an error). The
 * tests below repeat what can be checked at run time, and check that the schema stays out of
 * the bundle.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { z } from 'zod'
import {
  CANCEL_RUN,
  FINAL_STATUSES,
  IDS_VIEW_FIELDS,
  PAUSED_STATUSES,
  RUNNING_STATUSES,
  type ActionExecution,
  type ExecutionOperationBody,
  type Execution,
  type KnownStatus,
  type Pipeline,
  type RunRequestBody,
  actionLogSchema,
  executionListSchema,
  identifiersSchema,
  actionExecutionLogSchema
} from '../src/buddy/model.js'
import type { buildRunRequest } from '../src/buddy/run-request.js'
import {
  ActionExecutionViewStatus,
  CancelRetryExecutionRequestOperation,
  SCHEMA_PACKAGE,
  type BuddyExecutionOperation,
  type BuddyStatus,
  type Equal,
  type Expect,
  type FieldsMissingFrom,
  type View
} from './support/buddy-schema.js'

/* eslint-disable @typescript-eslint/no-unused-vars -- the type aliases below are the checks */

// --- Statuses: our final, running and paused sets together are exactly Buddy's statuses. ---
type StatusSetsCoverBuddy = Expect<Equal<KnownStatus, BuddyStatus>>
type FinalAndRunningDisjoint = Expect<
  Equal<(typeof FINAL_STATUSES)[number] & (typeof RUNNING_STATUSES)[number], never>
>
type FinalAndPausedDisjoint = Expect<
  Equal<(typeof FINAL_STATUSES)[number] & (typeof PAUSED_STATUSES)[number], never>
>
type RunningAndPausedDisjoint = Expect<
  Equal<(typeof RUNNING_STATUSES)[number] & (typeof PAUSED_STATUSES)[number], never>
>
// @ts-expect-error drift: a set that lost one of Buddy's statuses is rejected
type MissingStatusRejected = Expect<Equal<Exclude<KnownStatus, 'SKIPPED'>, BuddyStatus>>
// @ts-expect-error drift: a status Buddy does not have (a typo) is rejected
type UnknownStatusRejected = Expect<Equal<KnownStatus | 'IN_PROGRESS', BuddyStatus>>

// --- The PATCH we send is a CancelRetryExecutionRequest, its operation one of Buddy's. ---
type OperationsAreBuddys = Expect<
  Equal<ExecutionOperationBody['operation'] extends BuddyExecutionOperation ? true : false, true>
>
type PatchBodyFields = Expect<
  Equal<FieldsMissingFrom<ExecutionOperationBody, View<'CancelRetryExecutionRequest'>>, never>
>
const patchBody: View<'CancelRetryExecutionRequest'> = CANCEL_RUN
// @ts-expect-error drift: an operation Buddy does not have is rejected
const unknownOperation: View<'CancelRetryExecutionRequest'> = { operation: 'STOP' }

// --- The run request we build is a RunExecutionRequest, with no field Buddy lacks. ---
type RunView = View<'RunExecutionRequest'>
type BuiltBody = ReturnType<typeof buildRunRequest>['body']
type BuiltBodyIsRunRequest = Expect<
  Equal<BuiltBody extends View<'RunExecutionRequest'> ? true : false, true>
>
type RunRequestFields = Expect<
  Equal<FieldsMissingFrom<RunRequestBody, View<'RunExecutionRequest'>>, never>
>
type RunBodyWithTypo = RunRequestBody & { ref: string }
// @ts-expect-error drift: a field Buddy's run request lacks is rejected
type UnknownRunFieldRejected = Expect<Equal<FieldsMissingFrom<RunBodyWithTypo, RunView>, never>>
// @ts-expect-error drift: a priority Buddy does not have is rejected
const unknownPriority: View<'RunExecutionRequest'> = { priority: 'URGENT' }

// --- Every field our parsers read is in the view Buddy answers with, except these. ---
/**
 * Fields we read that Buddy's schema lacks, each handled defensively (optional, a fallback
 * only; see the comments in src/buddy/model.ts):
 * - `id` of an action execution: Buddy's older example names an action's run so; a fallback
 *   for `action_execution_id`;
 * - `encrypted` of an outputted variable: in case Buddy marks a secret so; such values are
 *   masked and left out of the `variables` output.
 */
type ActionExecutionExtras = 'id' | 'outputted_variables.encrypted'
type ActionExecutionFields = Expect<
  Equal<FieldsMissingFrom<ActionExecution, View<'ShortActionExecutionView'>>, ActionExecutionExtras>
>
type ExecutionFields = Expect<
  Equal<
    FieldsMissingFrom<Execution, View<'ExecutionView'>>,
    `action_executions.${ActionExecutionExtras}`
  >
>
type ExecutionView = View<'ExecutionView'>
type ExecutionExtras = `action_executions.${ActionExecutionExtras}`
type ReadsTriggeredOn = FieldsMissingFrom<Execution & { triggeredOn?: string }, ExecutionView>
// @ts-expect-error drift: reading a field Buddy's run lacks (the older `triggeredOn`) is rejected
type UnknownExecutionFieldRejected = Expect<Equal<ReadsTriggeredOn, ExecutionExtras>>
type ReadsSha = FieldsMissingFrom<Execution & { to_revision?: { sha?: string } }, ExecutionView>
// @ts-expect-error drift: a nested field Buddy lacks is rejected too
type UnknownNestedFieldRejected = Expect<Equal<ReadsSha, ExecutionExtras>>

/**
 * The list of runs answers ExecutionsView, whose items (ShortExecutionView) lack a run's
 * actions and pipeline: the items are parsed with the run's schema, where both are optional,
 * and the action reads neither from a list.
 */
type ExecutionListFields = Expect<
  Equal<
    FieldsMissingFrom<z.output<typeof executionListSchema>, View<'ExecutionsView'>>,
    'executions.action_executions' | 'executions.pipeline'
  >
>

/** `ref_name` and `ref_type`: older answers' form of a pipeline's single ref, read as a fallback. */
type PipelineFields = Expect<
  Equal<FieldsMissingFrom<Pipeline, View<'PipelineResponse'>>, 'ref_name' | 'ref_type'>
>

type IdentifiersFields = Expect<
  Equal<FieldsMissingFrom<z.output<typeof identifiersSchema>, View<'IdsView'>>, never>
>
/** The list that tells an identifiers answer from another shape is exactly IdsView's fields. */
type IdsViewFieldsAreBuddys = Expect<Equal<(typeof IDS_VIEW_FIELDS)[number], keyof View<'IdsView'>>>

/**
 * The paginated log endpoint (`…/action_executions/{id}/logs?offset=&limit=`, in Buddy's docs)
 * is not in the schema 0.20.0, whose nearest view is the action execution (`getActionExecution`:
 * the whole log as `log`). Every field of a log page is therefore read as optional, and a page
 * with no list of lines is "unexpected shape".
 */
type LogPageFields = Expect<
  Equal<
    FieldsMissingFrom<z.output<typeof actionLogSchema>, View<'ActionExecutionView'>>,
    'logs' | 'lines' | 'offset' | 'element_count' | 'total_element_count'
  >
>

// --- Buddy's own examples (__tests__/fixtures, from its "Run execution" page) against its schema. ---
type RequestExample = typeof import('./fixtures/run-execution-request.json', {
  with: { type: 'json' }
})
type RequestExampleFields = Expect<Equal<FieldsMissingFrom<RequestExample, RunView>, never>>
type ResponseExample = typeof import('./fixtures/run-execution-response.json', {
  with: { type: 'json' }
})
/**
 * Buddy's example of a run is older than its schema: it says `triggeredOn` (the schema:
 * `triggered_on`, which the action does not read) and gives the run's pipeline an `on`.
 */
type ResponseExampleFields = Expect<
  Equal<FieldsMissingFrom<ResponseExample, ExecutionView>, 'triggeredOn' | 'pipeline.on'>
>

/* eslint-enable @typescript-eslint/no-unused-vars */

describe(`conformance with Buddy's schema (${SCHEMA_PACKAGE})`, () => {
  it("has the status sets cover Buddy's statuses, each in one set", () => {
    const ours = [...FINAL_STATUSES, ...RUNNING_STATUSES, ...PAUSED_STATUSES]
    expect(new Set(ours).size).toBe(ours.length)
    expect([...ours].sort()).toEqual(
      [...Object.values(ActionExecutionViewStatus), 'WAITING_FOR_VT_SESSION'].sort()
    )
  })

  it("sends only Buddy's PATCH operations", () => {
    expect(Object.values(CancelRetryExecutionRequestOperation)).toContain(patchBody.operation)
    expect(unknownOperation.operation).toBe('STOP')
    expect(unknownPriority.priority).toBe('URGENT')
  })

  it('keeps the schema out of the action: no import in src/, nothing in dist/', () => {
    const files = (dir: URL): string[] =>
      readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter(e => e.isFile() && /\.(ts|js|mjs)$/.test(e.name))
        .map(e => readFileSync(`${e.parentPath}/${e.name}`, 'utf8'))
    for (const text of files(new URL('../src/', import.meta.url))) {
      expect(text).not.toContain('@buddy-works/unit-tests')
    }
    for (const text of files(new URL('../dist/', import.meta.url))) {
      expect(text).not.toContain('@buddy-works/unit-tests')
      // A name only the schema's enums carry.
      expect(text).not.toContain('issueCredentialsWithOIDCProvider')
    }
  })
})

// ===== Action logs on every Buddy (issue 17, logs part): rows kept apart for an easy merge =====
/* eslint-disable @typescript-eslint/no-unused-vars -- the type aliases below are the checks */
/**
 * Where the paged endpoint is missing (an older or self-hosted Buddy answers 404), a log is read
 * whole from the action's run, `getActionExecution`, whose view is ActionExecutionView: every
 * field read from it is one of that view's (`log`, `log_url`).
 */
type ActionRunLogFields = Expect<
  Equal<
    FieldsMissingFrom<z.output<typeof actionExecutionLogSchema>, View<'ActionExecutionView'>>,
    never
  >
>
type ReadsLogLines = FieldsMissingFrom<
  z.output<typeof actionExecutionLogSchema> & { log_lines?: string[] },
  View<'ActionExecutionView'>
>
// @ts-expect-error drift: a field the action's run lacks (a guessed `log_lines`) is rejected
type UnknownActionRunFieldRejected = Expect<Equal<ReadsLogLines, never>>
/** `logs_removed` is the run's (ExecutionView), not its actions' nor a list item's. */
type LogsRemovedIsTheRuns = Expect<
  Equal<'logs_removed' extends keyof View<'ExecutionView'> ? true : false, true>
>
type LogsRemovedNotInListItems = Expect<
  Equal<'logs_removed' extends keyof View<'ShortExecutionView'> ? true : false, false>
>
type LogsRemovedRead = Expect<Equal<'logs_removed' extends keyof Execution ? true : false, true>>
/* eslint-enable @typescript-eslint/no-unused-vars */
// ===== end of the action logs rows =====
