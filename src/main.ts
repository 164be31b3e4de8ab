import * as core from '@actions/core'
import { systemClock, type Clock } from './backoff.js'
import { BuddyApiError, pipelinePath, type BuddyClient, type PipelineRef } from './buddy/client.js'
import type { Execution, Pipeline } from './buddy/model.js'
import { JobCancelledError, startExecution } from './buddy/start-execution.js'
import { connect, readEventContext, readSettings } from './connect.js'
import { log } from './log.js'
import { followRun } from './follow-run.js'
import type { JobCancel } from './job-cancel.js'
import { markCancelSent, markRunSettled, saveFollowedRun, savePendingRun, SETTLED } from './post.js'
import { lookUpPullRequestHead } from './pull-request-head.js'
import {
  printUntrusted,
  reportFinished,
  reportStarted,
  writeFinalSummary,
  writeSummary,
  type StartedRun
} from './report.js'
import { buildRunRequest, defaultComment, pipelineRefs, redactBody } from './run-request.js'
import { describeTarget, resolveRunTarget } from './run-target.js'
import { stepMarker, withStepMarker } from './step-marker.js'

/**
 * run(): inputs → what to run → credentials → pipeline → run request → outputs → (follow) →
 * report. Returns "exit-now" when the job was cancelled: the runner kills the step seconds later.
 */

export interface Dependencies {
  env: NodeJS.ProcessEnv
  clock: Clock
  /** The limit for one request (the client's default when undefined). */
  requestTimeoutMs?: number
  /** The job's cancellation, watched since the step began (index.ts). */
  jobCancel?: JobCancel
}

export async function run(
  deps: Dependencies = { env: process.env, clock: systemClock }
): Promise<'done' | 'exit-now'> {
  const { env, clock } = deps
  const stepStartedAt = clock.now()

  // 1. Inputs, secrets masked first.
  const settings = readSettings()

  // 2. What to run, from the event (before any request: a mistake here costs nothing).
  const event = readEventContext(env)
  const target = resolveRunTarget(event, settings)
  log.info(
    `What to run (from ${target.source}): ${describeTarget(target)} at ${target.revision ?? "the pull request's head, to look up"}`
  )

  // 3. Credentials and where the API is.
  const client = await connect(settings, env, event, clock, deps.requestTimeoutMs)

  // 4. The pipeline: its id, and whether it runs one fixed ref or any.
  const pipelineId =
    'id' in settings.pipeline
      ? settings.pipeline.id
      : await client.resolvePipelineId(
          settings.workspace,
          settings.project,
          settings.pipeline.identifier
        )
  const ref: PipelineRef = { workspace: settings.workspace, project: settings.project, pipelineId }
  const pipeline = await readPipeline(client, ref)

  // 5. The commit, where the event did not carry it.
  const revision =
    target.revision ??
    (target.pullRequestToLookUp !== undefined
      ? await lookUpPullRequestHead({
          token: settings.githubToken,
          repository: env.GITHUB_REPOSITORY,
          number: target.pullRequestToLookUp,
          apiUrl: env.GITHUB_API_URL
        })
      : 'HEAD')

  // 6. The run request, sent so that at most one run is created.
  const refs = pipelineRefs(pipeline)
  core.debug(
    refs.kind === 'fixed'
      ? `The pipeline runs one fixed ref (${refs.ref}): sending the revision only.`
      : `Sending the ${target.kind.replace('_', ' ')}: ${refs.why}.`
  )
  const request = buildRunRequest(
    settings,
    { ...target, revision },
    refs,
    settings.comment ?? defaultComment(env)
  )
  // The step's marker in the comment: how this step (or its post step) knows its run.
  const marker = stepMarker(env, redactBody(request.body))
  request.body.comment = withStepMarker(request.body.comment, marker)
  for (const warning of request.warnings) core.warning(warning)
  log.info(
    `Running ${pipeline?.name ? `pipeline "${pipeline.name}"` : `pipeline ${pipelineId}`} for ${request.description} at ${revision}`
  )
  core.startGroup('Run request')
  log.info(`POST ${client.url(`${pipelinePath(ref)}/executions`)}`)
  log.info(JSON.stringify(redactBody(request.body), null, 2))
  core.endGroup()
  const cancelWithJob = settings.follow.cancelOnJobCancel
  const runsUrl = pipeline?.html_url ?? undefined
  // Saved before the request goes out: if its answer never arrives, the post step finds the run.
  if (cancelWithJob) savePendingRun({ ...ref, marker, notBeforeMs: stepStartedAt, runsUrl })
  const signal = deps.jobCancel?.signal
  let execution: Execution
  try {
    deps.jobCancel?.beginRunRequest()
    execution = await startExecution(client, ref, request.body, {
      clock,
      log,
      marker,
      notBeforeMs: stepStartedAt,
      runsUrl,
      signal
    })
  } catch (error) {
    if (!(error instanceof JobCancelledError)) throw error
    // If a run may exist, the post step finds it by the marker and cancels it.
    if (!error.mayHaveCreated) markRunSettled(SETTLED.noRun)
    core.setFailed(error.message)
    return 'exit-now'
  }
  if (cancelWithJob) saveFollowedRun({ ...ref, executionId: execution.id })

  // 7. Outputs at once.
  const started: StartedRun = {
    execution,
    pipelineId,
    pipelineName: pipeline?.name ?? execution.pipeline?.name ?? undefined,
    pipelineUrl: pipeline?.html_url ?? undefined,
    description: request.description,
    revision
  }
  reportStarted(started)
  if (!settings.follow.wait && !signal?.aborted) {
    markRunSettled(SETTLED.leftGoing('wait: false'))
    await summarize(env, () => writeSummary(started))
    return 'done'
  }

  // 8. Follow the run to its end (at once cancelled, if the job already was), cancelling it
  //    where the user asked to.
  const report = await followRun(execution, settings.follow, {
    client,
    ref,
    clock,
    out: { ...log, printUntrusted },
    signal,
    onCancelSending: cancelWithJob ? markCancelSent : undefined
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
      core.debug(
        `Cannot read the pipeline (403: the token may lack PIPELINE_READ/EXECUTION_INFO): sending the branch, tag or pull request with the run request. ${error.message}`
      )
      return undefined
    }
    throw error
  }
}
