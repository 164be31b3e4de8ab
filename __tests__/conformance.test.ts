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
  approveRun,
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
import type { executionAnswer, pipelineAnswer } from './support/buddy-answers.mjs'
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

// ============================== DOCUMENTED EXCEPTIONS ==============================
/**
 * What the action reads, sends or knows that Buddy's published schema 0.20.0 lacks, or whose
 * meaning only newer material gives, each with its source. Append new entries here: the checks
 * below take the fields they allow from this constant, so a field read that is not listed fails
 * to compile, and so does one listed that nothing reads any more (or that the schema now has).
 */
const SCHEMA_EXCEPTIONS = {
  /** Fields our parsers read that a view of the schema lacks: view → field path → source. */
  fields: {
    ShortActionExecutionView: {
      id: "Buddy's own example of a run (fixtures/run-execution-response.json, older than the schema) names an action's run so; read only as a fallback for action_execution_id.",
      'outputted_variables.encrypted':
        'In no version of the types (SimpleVariableView is key and value); read in case Buddy marks a secret so. Buddy\'s docs: secrets are "returned in encrypted form by the API".'
    },
    PipelineResponse: {
      ref_name:
        "Older answers' form of a pipeline's single ref (with ref_type); read as a fallback.",
      ref_type:
        "Older answers' form of a pipeline's single ref (with ref_name); read as a fallback.",
      strict_context:
        "buddy-api.md ('Checked against Buddy's own clients'); in neither 0.20.0 nor buddy/test-collector's newer types, and its meaning is unconfirmed: read as 'only the context refs run it', the narrower reading (run-request.ts)."
    },
    ExecutionsView: {
      'executions.action_executions':
        "List items (ShortExecutionView) lack a run's actions: parsed with the run's schema, where they are optional, and never read from a list.",
      'executions.pipeline':
        "List items (ShortExecutionView) lack the run's pipeline: optional in the run's schema, never read from a list."
    },
    /** The paginated logs endpoint has no view in 0.20.0; compared with getActionExecution's. */
    LogsPage: {
      logs: "GET …/action_executions/{id}/logs: Buddy's REST API docs (since about April 2026); absent from 0.20.0 (December 2025).",
      lines: 'Seen in newer answers of the logs endpoint instead of logs.',
      offset: "The logs endpoint (Buddy's REST API docs).",
      element_count: "The logs endpoint (Buddy's REST API docs).",
      total_element_count: "The logs endpoint (Buddy's REST API docs); optional there."
    },
    /** Buddy's example of a run is older than its schema. */
    RunExecutionExample: {
      triggeredOn: 'The schema says triggered_on (which the action does not read).',
      'pipeline.on': "Older pipelines' trigger mode."
    }
  },
  /** Fields the simulator's answers carry beyond the schema's view (only what the action reads). */
  simulatorFields: {
    PipelineResponse: {
      strict_context:
        'As in fields.PipelineResponse: so that a pipeline bound strictly can be simulated.'
    }
  },
  /** Statuses of a run or an action that 0.20.0's enum lacks. */
  statuses: {
    WAITING_FOR_VT_SESSION:
      "buddy/test-collector's types (0.21.x) and Buddy's docs: a run waiting for a visual tests session, for a person; never answered by on-approval: approve."
  },
  /** PATCH operations that 0.20.0's enum lacks. */
  operations: {
    APPROVE_VT:
      "buddy/test-collector's types (0.21.x) and Buddy's docs: approves a visual tests session. Known, never sent by the action."
  },
  /** Things 0.20.0 has, whose meaning comes from newer material (0.20.0 has no descriptions). */
  meanings: {
    'CancelRetryExecutionRequest.approve_action_id':
      "0.21.x types: the id of the action that requires approval (int32); Buddy's newest docs: an action execution id or an action id; `bdy pipeline run approve <run> <action-run>` always names it. Sent with every APPLY: the waiting action's action.id."
  }
} as const
// ========================== END OF DOCUMENTED EXCEPTIONS ===========================

type Fields = typeof SCHEMA_EXCEPTIONS.fields
type Allowed<V extends keyof Fields> = keyof Fields[V]

// --- Statuses: our final, running and paused sets together are exactly Buddy's statuses. ---
type NewerStatus = keyof typeof SCHEMA_EXCEPTIONS.statuses
type AllStatuses = BuddyStatus | NewerStatus
type StatusSetsCoverBuddy = Expect<Equal<KnownStatus, AllStatuses>>
type NewerStatusesAreNew = Expect<Equal<Extract<BuddyStatus, NewerStatus>, never>>
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
type MissingStatusRejected = Expect<Equal<Exclude<KnownStatus, 'SKIPPED'>, AllStatuses>>
// @ts-expect-error drift: a status Buddy does not have (a typo) is rejected
type UnknownStatusRejected = Expect<Equal<KnownStatus | 'IN_PROGRESS', AllStatuses>>

// --- Every PATCH we send is a CancelRetryExecutionRequest, its operation one of Buddy's. ---
type OperationsAreBuddys = Expect<
  Equal<ExecutionOperationBody['operation'] extends BuddyExecutionOperation ? true : false, true>
>
type PatchBodyFields = Expect<
  Equal<FieldsMissingFrom<ExecutionOperationBody, View<'CancelRetryExecutionRequest'>>, never>
>
const patchBody: View<'CancelRetryExecutionRequest'> = CANCEL_RUN
/** APPLY names the action that waits (approve_action_id, an integer in the schema). */
const approveBody: View<'CancelRetryExecutionRequest'> = approveRun(12)
type ApproveActionIdIsBuddys = Expect<
  Equal<ReturnType<typeof approveRun>['approve_action_id'], number | undefined>
>
// @ts-expect-error drift: an operation Buddy does not have is rejected
const unknownOperation: View<'CancelRetryExecutionRequest'> = { operation: 'STOP' }
const approveByString: View<'CancelRetryExecutionRequest'> = {
  operation: 'APPLY',
  // @ts-expect-error drift: an action execution's string id as approve_action_id is rejected
  approve_action_id: 'a1b2'
}
/** Newer operations (APPROVE_VT) are known, absent from 0.20.0, and never sent. */
type NewerOperation = keyof typeof SCHEMA_EXCEPTIONS.operations
type NewerOperationsAreNew = Expect<Equal<Extract<BuddyExecutionOperation, NewerOperation>, never>>
type NeverSendsNewerOperations = Expect<
  Equal<Extract<ExecutionOperationBody['operation'], NewerOperation>, never>
>
// @ts-expect-error drift: APPROVE_VT is not one of 0.20.0's operations
const approveVt: View<'CancelRetryExecutionRequest'> = { operation: 'APPROVE_VT' }

// --- The run request we build is a RunExecutionRequest, with no field Buddy lacks. ---
type RunView = View<'RunExecutionRequest'>
type BuiltBody = ReturnType<typeof buildRunRequest>['body']
type BuiltBodyIsRunRequest = Expect<
  Equal<BuiltBody extends View<'RunExecutionRequest'> ? true : false, true>
>
type RunRequestFields = Expect<
  Equal<FieldsMissingFrom<RunRequestBody, View<'RunExecutionRequest'>>, never>
>
/** A codeless pipeline's request names no revision: to_revision is optional in the schema too. */
const codelessBody: View<'RunExecutionRequest'> = {} satisfies RunRequestBody
type RunBodyWithTypo = RunRequestBody & { ref: string }
// @ts-expect-error drift: a field Buddy's run request lacks is rejected
type UnknownRunFieldRejected = Expect<Equal<FieldsMissingFrom<RunBodyWithTypo, RunView>, never>>
// @ts-expect-error drift: a priority Buddy does not have is rejected
const unknownPriority: View<'RunExecutionRequest'> = { priority: 'URGENT' }

// --- Every field our parsers read is in the view Buddy answers with, or a listed exception. ---
type ActionExecutionExtras = Allowed<'ShortActionExecutionView'>
type ActionExecutionFields = Expect<
  Equal<FieldsMissingFrom<ActionExecution, View<'ShortActionExecutionView'>>, ActionExecutionExtras>
>
type ExecutionView = View<'ExecutionView'>
type ExecutionExtras = `action_executions.${ActionExecutionExtras}`
type ExecutionFields = Expect<Equal<FieldsMissingFrom<Execution, ExecutionView>, ExecutionExtras>>
type ReadsTriggeredOn = FieldsMissingFrom<Execution & { triggeredOn?: string }, ExecutionView>
// @ts-expect-error drift: reading a field Buddy's run lacks (the older `triggeredOn`) is rejected
type UnknownExecutionFieldRejected = Expect<Equal<ReadsTriggeredOn, ExecutionExtras>>
type ReadsSha = FieldsMissingFrom<Execution & { to_revision?: { sha?: string } }, ExecutionView>
// @ts-expect-error drift: a nested field Buddy lacks is rejected too
type UnknownNestedFieldRejected = Expect<Equal<ReadsSha, ExecutionExtras>>
/** A pull request's `number` is read as PullRequestView has it: a number. */
type ShownPrNumber = NonNullable<NonNullable<Execution['pull_request']>['number']>
type PullRequestNumberIsBuddys = Expect<
  Equal<ShownPrNumber, NonNullable<View<'PullRequestView'>['number']>>
>
// @ts-expect-error drift: a pull request number read as text is rejected
type PrNumberAsTextRejected = Expect<Equal<string, NonNullable<View<'PullRequestView'>['number']>>>

type ExecutionListFields = Expect<
  Equal<
    FieldsMissingFrom<z.output<typeof executionListSchema>, View<'ExecutionsView'>>,
    Allowed<'ExecutionsView'>
  >
>

type PipelineFields = Expect<
  Equal<FieldsMissingFrom<Pipeline, View<'PipelineResponse'>>, Allowed<'PipelineResponse'>>
>
type ReadsContextFlag = FieldsMissingFrom<
  Pipeline & { context_refs?: string[] },
  View<'PipelineResponse'>
>
// @ts-expect-error drift: a pipeline field that is neither Buddy's nor listed is rejected
type UnlistedPipelineFieldRejected = Expect<Equal<ReadsContextFlag, Allowed<'PipelineResponse'>>>

type IdentifiersFields = Expect<
  Equal<FieldsMissingFrom<z.output<typeof identifiersSchema>, View<'IdsView'>>, never>
>
/** The list that tells an identifiers answer from another shape is exactly IdsView's fields. */
type IdsViewFieldsAreBuddys = Expect<Equal<(typeof IDS_VIEW_FIELDS)[number], keyof View<'IdsView'>>>

/**
 * The paginated log endpoint is not in the schema 0.20.0, whose nearest view is the action
 * execution (`getActionExecution`: the whole log as `log`). Every field of a log page is
 * therefore read as optional, and a page with no list of lines is "unexpected shape".
 */
type LogPageFields = Expect<
  Equal<
    FieldsMissingFrom<z.output<typeof actionLogSchema>, View<'ActionExecutionView'>>,
    Allowed<'LogsPage'>
  >
>

// --- The simulator's answers carry the schema's views, plus only listed fields. ---
type SimulatedPipeline = ReturnType<typeof pipelineAnswer>
/** The builder is typed as the view plus these (compared at the top level: the view is deep). */
type SimulatedPipelineFields = Expect<
  Equal<
    Exclude<keyof SimulatedPipeline, keyof View<'PipelineResponse'>>,
    keyof typeof SCHEMA_EXCEPTIONS.simulatorFields.PipelineResponse
  >
>
type SimulatedRunIsBuddys = Expect<
  Equal<ReturnType<typeof executionAnswer> extends ExecutionView ? true : false, true>
>

// --- Buddy's own examples (__tests__/fixtures, from its "Run execution" page) against its schema. ---
type RequestExample = typeof import('./fixtures/run-execution-request.json', {
  with: { type: 'json' }
})
type RequestExampleFields = Expect<Equal<FieldsMissingFrom<RequestExample, RunView>, never>>
type ResponseExample = typeof import('./fixtures/run-execution-response.json', {
  with: { type: 'json' }
})
type ResponseExampleFields = Expect<
  Equal<FieldsMissingFrom<ResponseExample, ExecutionView>, Allowed<'RunExecutionExample'>>
>

/* eslint-enable @typescript-eslint/no-unused-vars */

describe(`conformance with Buddy's schema (${SCHEMA_PACKAGE})`, () => {
  it("has the status sets cover Buddy's statuses, each in one set", () => {
    const ours = [...FINAL_STATUSES, ...RUNNING_STATUSES, ...PAUSED_STATUSES]
    expect(new Set(ours).size).toBe(ours.length)
    expect([...ours].sort()).toEqual(
      [
        ...Object.values(ActionExecutionViewStatus),
        ...Object.keys(SCHEMA_EXCEPTIONS.statuses)
      ].sort()
    )
  })

  it("sends only Buddy's PATCH operations, APPLY naming the waiting action", () => {
    const operations: string[] = Object.values(CancelRetryExecutionRequestOperation)
    expect(operations).toContain(patchBody.operation)
    expect(approveBody).toEqual({ operation: 'APPLY', approve_action_id: 12 })
    expect(operations).toContain(approveBody.operation)
    for (const newer of Object.keys(SCHEMA_EXCEPTIONS.operations))
      expect(operations).not.toContain(newer)
    expect(codelessBody).toEqual({})
    expect([
      unknownOperation.operation,
      approveByString.approve_action_id,
      approveVt.operation
    ]).toEqual(['STOP', 'a1b2', 'APPROVE_VT'])
    expect(unknownPriority.priority).toBe('URGENT')
  })

  it('gives every documented exception its source', () => {
    const notes = Object.values(SCHEMA_EXCEPTIONS).flatMap(group =>
      Object.values(group).flatMap(entry =>
        typeof entry === 'string' ? [entry] : Object.values(entry)
      )
    )
    expect(notes.length).toBeGreaterThan(10)
    for (const note of notes) expect(note).toMatch(/\w.{20,}/)
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
