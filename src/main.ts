import * as core from '@actions/core'
import { systemClock } from './base/clock.js'
import { pipelinePath, type BuddyClient, type PipelineRef } from './buddy/client.js'
import type { Execution, Pipeline } from './buddy/model.js'
import { startExecution } from './buddy/start-execution.js'
import { JobCancelledError } from './base/job-cancel.js'
import { readEventContext } from './github/event.js'
import { readSettings } from './inputs/read-settings.js'
import { failStep, failureMessage } from './report/fail-step.js'
import { log } from './base/log.js'
import { postHandoff, SETTLED } from './post-handoff.js'
import type { StartedRun } from './report/report.js'
import { writeFailureSummary, type Attempt } from './report/summary.js'
import {
  buildRunRequest,
  defaultComment,
  pipelineRefs,
  redactBody,
  type RunRequest
} from './buddy/run-request.js'
import { describeTarget, type RunTarget } from './github/run-target.js'
import { checkSettingsAgainstClock, type Settings } from './inputs/settings.js'
import { stepMarker, withStepMarker, workflowRunOf } from './buddy/step-marker.js'
import { cancelPreviousRuns } from './buddy/supersede.js'
import { connectWithin, findPipeline, type Dependencies } from './connect-to-pipeline.js'
import { followGivenRun } from './follow-given-run.js'
import { whatToRun } from './github/what-to-run.js'
import { reportAndFollow, summarize } from './report-and-follow.js'

export type { Dependencies } from './connect-to-pipeline.js'

/**
 * run(): inputs → what to run → credentials → pipeline → run request → outputs → (follow) →
 * report. Returns "exit-now" when the job was cancelled: the runner kills the step seconds later.
 * It never throws: a failure fails the step with its message (failStep), as users see it.
 */

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

  // 1. Inputs, secrets masked first, then the times checked against the step's clock.
  const settings = readSettings()
  checkSettingsAgainstClock(settings, stepStartedAt)
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
          postHandoff.savePendingRun({
            ...ref,
            marker,
            notBeforeMs: stepStartedAt,
            runsUrl,
            sentAtMs
          })
      }
    })
  } catch (error) {
    if (!(error instanceof JobCancelledError)) throw error
    // If a run may exist, the post step finds it by the marker and cancels it.
    if (!error.mayHaveCreated) postHandoff.markRunSettled(SETTLED.noRun)
    core.setFailed(error.message)
    return 'exit-now'
  }
  if (cancelWithJob) postHandoff.saveFollowedRun({ ...ref, executionId: execution.id })
  return execution
}
