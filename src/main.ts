import * as core from '@actions/core'
import { systemClock, type Clock } from './backoff.js'
import { BuddyApiError, pipelinePath, type BuddyClient, type PipelineRef } from './buddy/client.js'
import type { Pipeline } from './buddy/model.js'
import { startExecution } from './buddy/start-execution.js'
import { connect, readEventContext, readSettings } from './connect.js'
import { log } from './log.js'
import { followRun } from './follow-run.js'
import { watchJobCancel } from './job-cancel.js'
import { markRunSettled, saveFollowedRun } from './post.js'
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

/**
 * run(): inputs → what to run → credentials → pipeline → run request → outputs → (follow) →
 * report. Returns "exit-now" when the job was cancelled: the runner kills the step seconds later.
 */

export interface Dependencies {
  env: NodeJS.ProcessEnv
  clock: Clock
  /** The limit for one request (the client's default when undefined). */
  requestTimeoutMs?: number
}

export async function run(
  deps: Dependencies = { env: process.env, clock: systemClock }
): Promise<'done' | 'exit-now'> {
  const { env, clock } = deps

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
  for (const warning of request.warnings) core.warning(warning)
  log.info(
    `Running ${pipeline?.name ? `pipeline "${pipeline.name}"` : `pipeline ${pipelineId}`} for ${request.description} at ${revision}`
  )
  core.startGroup('Run request')
  log.info(`POST ${client.url(`${pipelinePath(ref)}/executions`)}`)
  log.info(JSON.stringify(redactBody(request.body), null, 2))
  core.endGroup()
  const execution = await startExecution(client, ref, request.body, { clock, log })

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
  if (!settings.follow.wait) {
    await summarize(env, () => writeSummary(started))
    return 'done'
  }

  // 8. Follow the run to its end, cancelling it where the user asked to.
  const jobCancel = watchJobCancel(process)
  if (settings.follow.cancelOnJobCancel) saveFollowedRun({ ...ref, executionId: execution.id })
  try {
    const report = await followRun(execution, settings.follow, {
      client,
      ref,
      clock,
      out: { ...log, printUntrusted },
      signal: jobCancel.signal
    })
    if (report.outcome === 'finished' || report.cancelled) markRunSettled()
    reportFinished(report, settings.follow)
    await summarize(env, () => writeFinalSummary(started, report))
    return report.outcome === 'job-cancelled' ? 'exit-now' : 'done'
  } finally {
    jobCancel.dispose()
  }
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
