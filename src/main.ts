import * as core from '@actions/core'
import { systemClock, type Clock } from './base/clock.js'
import { pipelinePath, type BuddyClient, type PipelineRef } from './buddy/client.js'
import { BuddyApiError } from './buddy/failures.js'
import type { Execution, Pipeline } from './buddy/model.js'
import { startExecution } from './buddy/start-execution.js'
import { JobCancelledError } from './base/job-cancel.js'
import { connect } from './buddy/connect.js'
import { readEventContext } from './github/event.js'
import { readSettings } from './inputs/read-settings.js'
import { failStep, failureMessage } from './report/fail-step.js'
import {
  endGroup,
  log,
  oneLine,
  printUntrusted,
  printUntrustedLines,
  startGroup
} from './base/log.js'
import { followRun } from './follow/follow-run.js'
import type { JobCancel } from './base/job-cancel.js'
import { markCancelSent, markRunSettled, saveFollowedRun, savePendingRun, SETTLED } from './post.js'
import { completeTarget, lookUpForFork, type CompletedTarget } from './github/lookups.js'
import { decideForkCode, forkCase } from './github/fork-policy.js'
import { reportFinished, reportStarted, type StartedRun } from './report/report.js'
import {
  writeFailureSummary,
  writeFinalSummary,
  writeSummary,
  type Attempt
} from './report/summary.js'
import {
  buildRunRequest,
  defaultComment,
  pipelineRefs,
  redactBody,
  type RunRequest
} from './buddy/run-request.js'
import {
  describeTarget,
  resolveRunTarget,
  RunTargetError,
  type EventContext,
  type RunTarget
} from './github/run-target.js'
import { formatDuration } from './inputs/duration.js'
import type { Settings } from './inputs/settings.js'
import { stepMarker, withStepMarker, workflowRunOf } from './buddy/step-marker.js'
import { cancelPreviousRuns } from './buddy/supersede.js'
import { pullRequestNumber } from './buddy/ref-names.js'
import { FINISH_ALLOWANCE_MS } from './follow/deadline.js'

/**
 * run(): inputs → what to run → credentials → pipeline → run request → outputs → (follow) →
 * report. Returns "exit-now" when the job was cancelled: the runner kills the step seconds later.
 * It never throws: a failure fails the step with its message (failStep), as users see it.
 */

export interface Dependencies {
  /** The runner's environment, for all but the inputs: those come through @actions/core. */
  env: NodeJS.ProcessEnv
  clock: Clock
  /** The limit for one request, instead of input "request-timeout" (in-process tests). */
  requestTimeoutMs?: number
  /** The job's cancellation, watched since the step began (index.ts). */
  jobCancel?: JobCancel
}

export async function run(
  deps: Dependencies = { env: process.env, clock: systemClock }
): Promise<'done' | 'exit-now'> {
  // How far the step got, for the job summary when it fails.
  const attempt: Attempt = { stage: 'reading the inputs' }
  try {
    return await runSteps(deps, attempt)
  } catch (error) {
    failStep(error)
    await summarize(deps.env, () => writeFailureSummary(attempt, failureMessage(error)))
    return 'done'
  }
}

async function runSteps(deps: Dependencies, attempt: Attempt): Promise<'done' | 'exit-now'> {
  const { env, clock } = deps
  const stepStartedAt = clock.now()

  // 1. Inputs, secrets masked first (times checked against the step's clock).
  const settings = readSettings(stepStartedAt)
  const deadlineMs = stepDeadline(settings, stepStartedAt)
  attempt.pipeline = `${'id' in settings.pipeline ? `pipeline ${settings.pipeline.id}` : `pipeline "${settings.pipeline.identifier}"`} in ${settings.workspace}/${settings.project}`

  // 2. What to run, from the event (before any request to Buddy: a mistake here costs nothing).
  attempt.stage = 'working out what to run from the event'
  const event = readEventContext(env)
  // A run started elsewhere (execution-id): nothing is run, that run is read and followed.
  if (settings.executionId !== undefined) {
    attempt.stage = `reading run #${settings.executionId}`
    return followGivenRun(settings.executionId, settings, event, deps, deadlineMs)
  }
  const target = await whatToRun(event, settings, env)
  log.info(`What to run (from ${target.source}): ${describeTarget(target)} at ${target.revision}`)
  attempt.target = `${describeTarget(target)} at ${target.revision}`

  // 3. Credentials and where the API is.
  attempt.stage = 'connecting to Buddy'
  const client = await connectWithin(deadlineMs, settings, event, deps)

  // 4. The pipeline: its id, and whether it runs one fixed ref or any.
  attempt.stage = 'finding the pipeline'
  const { ref, pipeline } = await findPipeline(client, settings)

  // 5. The run request, sent so that at most one run is created.
  attempt.stage = 'sending the run request'
  const request = prepareRunRequest(settings, target, pipeline, env)
  // Before the run request: the run it creates can never be among them.
  if (settings.cancelPrevious) attempt.stage = 'cancelling the previous runs'
  const superseded = settings.cancelPrevious
    ? await cancelPreviousRuns(client, ref, request.body, request.description, log, {
        workflowRun: workflowRunOf(env),
        startedAtMs: stepStartedAt
      })
    : undefined
  attempt.stage = 'sending the run request'
  logRunRequest(client, ref, pipeline, request)
  const sent = await sendRunRequest(client, ref, request, pipeline, settings, deps, {
    stepStartedAt,
    deadlineMs
  })
  if (sent === 'exit-now') return sent
  attempt.execution = sent
  attempt.stage = 'following the run'

  // 6. Outputs at once.
  const started: StartedRun = {
    execution: sent,
    pipelineId: ref.pipelineId,
    pipelineName: pipeline?.name ?? sent.pipeline?.name ?? undefined,
    pipelineUrl: pipeline?.html_url ?? undefined,
    description: request.description,
    // Empty for a codeless pipeline: no revision is sent.
    revision: request.body.to_revision?.revision ?? '',
    superseded
  }
  return reportAndFollow(started, client, ref, settings, deps, deadlineMs)
}

/**
 * When the step's timeout ends: "timeout" counts from the step's start, so that it bounds the
 * run request too; a delayed run (delay-until) is followed from its start.
 */
function stepDeadline(settings: Settings, stepStartedAt: number): number {
  const delayMs = settings.delayUntil ? Date.parse(settings.delayUntil) - stepStartedAt : 0
  return stepStartedAt + settings.follow.timeoutMs + Math.max(0, delayMs)
}

/** A client whose requests and waits all end by the step's deadline plus the allowance. */
function connectWithin(
  deadlineMs: number,
  settings: Settings,
  event: EventContext,
  deps: Dependencies
): Promise<BuddyClient> {
  return connect(settings, deps.env, event, deps.clock, {
    requestTimeoutMs: deps.requestTimeoutMs ?? settings.requestTimeoutMs,
    deadlineMs: deadlineMs + FINISH_ALLOWANCE_MS
  })
}

/** 6. Outputs at once; 7. follow the run to its end where asked (cancelled, if the job was). */
async function reportAndFollow(
  started: StartedRun,
  client: BuddyClient,
  ref: PipelineRef,
  settings: Settings,
  deps: Dependencies,
  deadlineMs: number,
  { given = false } = {}
): Promise<'done' | 'exit-now'> {
  reportStarted(started)
  // A run this step started is cancelled with the job even with wait: false; one it was only
  // given (execution-id) never is then.
  if (!settings.follow.wait && (given || !deps.jobCancel?.signal.aborted)) {
    markRunSettled(SETTLED.leftGoing('wait: false'))
    await summarize(deps.env, () => writeSummary(started))
    return 'done'
  }
  return followAndReport(started, client, ref, settings, deps, deadlineMs)
}

/**
 * execution-id: a run this step did not start (another job's, another workflow's). It is read
 * (a clear error if it does not exist), gives the same outputs, and with wait: true is followed
 * like a started one: timeout, cancels, logs, summary, the post step.
 */
async function followGivenRun(
  executionId: number,
  settings: Settings,
  event: EventContext,
  deps: Dependencies,
  deadlineMs: number
): Promise<'done' | 'exit-now'> {
  // With wait: true the run is followed like a started one: from here a cancelled job cancels
  // it (cancel-on-job-cancel). With wait: false it is only read: a cancelled job leaves it be.
  const follows = settings.follow.wait
  if (follows) deps.jobCancel?.beginRunRequest()
  const client = await connectWithin(deadlineMs, settings, event, deps)
  const { ref, pipeline } = await findPipeline(client, settings)
  if (follows && settings.follow.cancelOnJobCancel) saveFollowedRun({ ...ref, executionId })
  let execution: Execution
  try {
    execution = await client.getExecution(ref, executionId, { attempts: 3 })
  } catch (error) {
    if (error instanceof BuddyApiError && error.status === 404) {
      markRunSettled(SETTLED.noRun)
      throw new Error(
        `Input "execution-id" (${executionId}): ${pipeline?.name ? `pipeline "${pipeline.name}"` : `pipeline ${ref.pipelineId}`} has no run #${executionId} in project "${ref.project}" of workspace "${ref.workspace}". Give the id of one of its runs (the execution-id output of the step that started it). ${error.buddyMessage ?? ''}`.trim(),
        { cause: error }
      )
    }
    throw error
  }
  const description = describeGivenRun(execution)
  log.info(
    `Reading run #${executionId} (${description}), which this step did not start: nothing is run.`
  )
  const started: StartedRun = {
    execution,
    pipelineId: ref.pipelineId,
    pipelineName: pipeline?.name ?? execution.pipeline?.name ?? undefined,
    pipelineUrl: pipeline?.html_url ?? undefined,
    description,
    revision: execution.to_revision?.revision ?? ''
  }
  return reportAndFollow(started, client, ref, settings, deps, deadlineMs, { given: true })
}

/** What a run read from Buddy runs, in the words of the target output. */
function describeGivenRun(execution: Execution): string {
  const named = (ref: { name?: string | null } | null | undefined) => ref?.name ?? undefined
  const branch = named(execution.branch)
  const tag = named(execution.tag)
  // Buddy may name it pull/5 or 5: said as the run request names it.
  const number = pullRequestNumber(execution.pull_request)
  const pullRequest = number === undefined ? named(execution.pull_request) : `pull/${number}`
  if (pullRequest) return `pull request ${oneLine(pullRequest)}`
  if (tag) return `tag ${oneLine(tag)}`
  if (branch) return `branch ${oneLine(branch)}`
  return `run #${execution.id}`
}

/** The pipeline's id (looked up from its identifier where needed) and, if readable, itself. */
async function findPipeline(
  client: BuddyClient,
  settings: Settings
): Promise<{ ref: PipelineRef; pipeline: Pipeline | undefined }> {
  const pipelineId =
    'id' in settings.pipeline
      ? settings.pipeline.id
      : await client.resolvePipelineId(
          settings.workspace,
          settings.project,
          settings.pipeline.identifier
        )
  const ref: PipelineRef = { workspace: settings.workspace, project: settings.project, pipelineId }
  return { ref, pipeline: await readPipeline(client, ref) }
}

/** The run request, its comment carrying the step's marker. */
function prepareRunRequest(
  settings: Settings,
  target: RunTarget & { revision: string },
  pipeline: Pipeline | undefined,
  env: NodeJS.ProcessEnv
): RunRequest & { marker: string } {
  const refs = pipelineRefs(pipeline)
  core.debug(
    refs.kind === 'fixed'
      ? `The pipeline runs one fixed ref (${refs.ref}).`
      : refs.kind === 'codeless'
        ? 'The pipeline is codeless (no refs, no trigger events): it takes no ref.'
        : `Sending the ${target.kind.replace('_', ' ')}: ${refs.why}.`
  )
  const request = buildRunRequest(settings, target, refs, settings.comment ?? defaultComment(env))
  // The step's marker in the comment: how this step (or its post step) knows its run.
  const marker = stepMarker(env, redactBody(request.body))
  request.body.comment = withStepMarker(request.body.comment, marker)
  return { ...request, marker }
}

/** The request's warnings, what it runs, and the request itself (secrets redacted). */
function logRunRequest(
  client: BuddyClient,
  ref: PipelineRef,
  pipeline: Pipeline | undefined,
  request: RunRequest
): void {
  for (const warning of request.warnings) core.warning(warning)
  const revision = request.body.to_revision?.revision
  log.info(
    `Running ${pipeline?.name ? `pipeline "${pipeline.name}"` : `pipeline ${ref.pipelineId}`} for ${request.description}${revision ? ` at ${revision}` : ''}`
  )
  core.startGroup('Run request')
  log.info(`POST ${client.url(`${pipelinePath(ref)}/executions`)}`)
  log.info(JSON.stringify(redactBody(request.body), null, 2))
  core.endGroup()
}

/**
 * Sends the run request; the run it created, or "exit-now" when the job was cancelled first.
 * What the post step needs to cancel the run is saved on the way.
 */
async function sendRunRequest(
  client: BuddyClient,
  ref: PipelineRef,
  request: RunRequest & { marker: string },
  pipeline: Pipeline | undefined,
  settings: Settings,
  deps: Dependencies,
  { stepStartedAt, deadlineMs }: { stepStartedAt: number; deadlineMs: number }
): Promise<Execution | 'exit-now'> {
  const { marker } = request
  const cancelWithJob = settings.follow.cancelOnJobCancel
  const runsUrl = pipeline?.html_url ?? undefined
  let execution: Execution
  try {
    deps.jobCancel?.beginRunRequest()
    execution = await startExecution(client, ref, request.body, {
      clock: deps.clock,
      log,
      marker,
      notBeforeMs: stepStartedAt,
      runsUrl,
      signal: deps.jobCancel?.signal,
      deadlineMs,
      // Saved before each request goes out: if its answer never arrives, the post step finds
      // the run, looking as long as Buddy may still create it after this send.
      onSend: sentAtMs => {
        if (cancelWithJob)
          savePendingRun({ ...ref, marker, notBeforeMs: stepStartedAt, runsUrl, sentAtMs })
      }
    })
  } catch (error) {
    if (!(error instanceof JobCancelledError)) throw error
    // If a run may exist, the post step finds it by the marker and cancels it.
    if (!error.mayHaveCreated) markRunSettled(SETTLED.noRun)
    core.setFailed(error.message)
    return 'exit-now'
  }
  if (cancelWithJob) saveFollowedRun({ ...ref, executionId: execution.id })
  return execution
}

/** Follows the run to its end, tells the post step what is left to it, and reports. */
async function followAndReport(
  started: StartedRun,
  client: BuddyClient,
  ref: PipelineRef,
  settings: Settings,
  deps: Dependencies,
  deadlineMs: number
): Promise<'done' | 'exit-now'> {
  const { clock, env } = deps
  const report = await followRun(started.execution, followSettings(settings, clock, deadlineMs), {
    client,
    ref,
    clock,
    out: { ...log, printUntrusted, printUntrustedLines, startGroup, endGroup },
    signal: deps.jobCancel?.signal,
    onCancelSending: settings.follow.cancelOnJobCancel ? markCancelSent : undefined
  })
  if (report.cancelled) markRunSettled(SETTLED.cancelled)
  else if (report.outcome === 'finished') markRunSettled(SETTLED.ended)
  else if (report.outcome === 'timed-out' && !settings.follow.cancelOnTimeout)
    markRunSettled(SETTLED.leftGoing('cancel-on-timeout: false'))
  else if (report.outcome === 'needs-approval')
    markRunSettled(SETTLED.leftGoing('on-approval: fail'))
  reportFinished(report, settings.follow)
  await summarize(env, () => writeFinalSummary(started, report))
  return report.outcome === 'job-cancelled' ? 'exit-now' : 'done'
}

/**
 * The event's target, completed by GitHub where the event does not carry it, and refused where
 * it is a fork's code that the user did not allow (fork-policy.ts decides; GitHub is asked what
 * the decision needs to know).
 */
async function whatToRun(
  event: EventContext,
  settings: Settings,
  env: NodeJS.ProcessEnv
): Promise<RunTarget & { revision: string }> {
  const github = {
    token: settings.githubToken,
    repository: env.GITHUB_REPOSITORY,
    apiUrl: env.GITHUB_API_URL
  }
  const target = resolveRunTarget(event, settings)
  const decide = (t: CompletedTarget) => decideForkCode(forkCase(event, settings.allowForkCode, t))
  // Refused before asking GitHub anything where the event and the inputs already tell.
  const early = decide(target)
  if (early.verdict === 'refuse') throw new RunTargetError(early.reason)
  let completed = await completeTarget(target, github)
  let decision = decide(completed)
  // At most a pull request's head, then whether the revision is on the ref that runs.
  for (let asked = 0; decision.verdict === 'ask'; asked++) {
    if (asked === 3) throw new Error(`The fork policy keeps asking: ${decision.lookUp.kind}`)
    completed = await lookUpForFork(completed, decision.lookUp, github)
    decision = decide(completed)
  }
  if (decision.verdict === 'refuse') throw new RunTargetError(decision.reason)
  if (decision.warning) core.warning(decision.warning)
  return { ...completed, revision: decision.revision ?? completed.revision ?? 'HEAD' }
}

/** The follow has what is left of the step's timeout (a delayed run's counts from its start). */
function followSettings(settings: Settings, clock: Clock, deadlineMs: number): Settings['follow'] {
  if (settings.delayUntil && Date.parse(settings.delayUntil) > clock.now()) {
    log.info(
      `The run starts at ${settings.delayUntil}: the ${formatDuration(settings.follow.timeoutMs)} timeout counts from then.`
    )
  }
  return { ...settings.follow, timeoutMs: Math.max(0, deadlineMs - clock.now()) }
}

/** The run exists and the outputs are set: a summary that cannot be written is no failure. */
async function summarize(env: NodeJS.ProcessEnv, write: () => Promise<void>) {
  if (!env.GITHUB_STEP_SUMMARY) return
  await write().catch(error =>
    core.warning(`Cannot write the job summary: ${(error as Error).message}`)
  )
}

/** Reading the pipeline may be refused (scope): the run can still be requested. */
async function readPipeline(client: BuddyClient, ref: PipelineRef): Promise<Pipeline | undefined> {
  try {
    return await client.getPipeline(ref)
  } catch (error) {
    if (error instanceof BuddyApiError && error.status === 403) {
      // Not fatal: the run may still be requested. But the fixed-ref guard is blind now.
      core.warning(
        `Cannot read pipeline ${ref.pipelineId} (403: the token may lack PIPELINE_READ, older name EXECUTION_INFO), so whether it runs only one ref is unknown: sending the branch, tag or pull request with the run request. Give the token that scope, so that a pipeline bound to one ref is never run at another ref's commit. ${error.buddyMessage ?? ''}`.trim()
      )
      return undefined
    }
    throw error
  }
}
