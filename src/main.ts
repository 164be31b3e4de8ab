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
import { completeTarget, movedAfterCommentRefusal } from './github-lookups.js'
import {
  printUntrusted,
  reportFinished,
  reportStarted,
  writeFinalSummary,
  writeSummary,
  type StartedRun
} from './report.js'
import { buildRunRequest, defaultComment, pipelineRefs, redactBody } from './run-request.js'
import {
  describeTarget,
  forkCodeRefusal,
  resolveRunTarget,
  RunTargetError,
  type EventContext,
  type RunTarget
} from './run-target.js'
import { formatDuration, type Settings } from './inputs.js'

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

  // 2. What to run, from the event (before any request to Buddy: a mistake here costs nothing).
  const event = readEventContext(env)
  const target = await whatToRun(event, settings, env)
  log.info(`What to run (from ${target.source}): ${describeTarget(target)} at ${target.revision}`)

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

  // 5. The run request, sent so that at most one run is created.
  const revision = target.revision
  const refs = pipelineRefs(pipeline)
  core.debug(
    refs.kind === 'fixed'
      ? `The pipeline runs one fixed ref (${refs.ref}).`
      : `Sending the ${target.kind.replace('_', ' ')}: ${refs.why}.`
  )
  const request = buildRunRequest(settings, target, refs, settings.comment ?? defaultComment(env))
  for (const warning of request.warnings) core.warning(warning)
  log.info(
    `Running ${pipeline?.name ? `pipeline "${pipeline.name}"` : `pipeline ${pipelineId}`} for ${request.description} at ${revision}`
  )
  core.startGroup('Run request')
  log.info(`POST ${client.url(`${pipelinePath(ref)}/executions`)}`)
  log.info(JSON.stringify(redactBody(request.body), null, 2))
  core.endGroup()
  const execution = await startExecution(client, ref, request.body, { clock, log })

  // 6. Outputs at once.
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

  // 7. Follow the run to its end, cancelling it where the user asked to.
  const jobCancel = watchJobCancel(process)
  if (settings.follow.cancelOnJobCancel) saveFollowedRun({ ...ref, executionId: execution.id })
  try {
    const report = await followRun(execution, followSettings(settings, clock), {
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

/**
 * The event's target, completed by GitHub where the event does not carry it, and refused where
 * it is a fork's code that the user did not allow.
 */
async function whatToRun(
  event: EventContext,
  settings: Settings,
  env: NodeJS.ProcessEnv
): Promise<RunTarget & { revision: string }> {
  const fromEvent = resolveRunTarget(event, settings)
  // Refuse before asking GitHub anything where the event already tells.
  const early = forkCodeRefusal(fromEvent, settings.allowForkCode)
  if (early) throw new RunTargetError(early)
  // With a revision given and fork code allowed, a pull request's look-up has nothing to add.
  const nothingToAsk =
    fromEvent.lookUp?.kind === 'pull-request' &&
    fromEvent.revision !== undefined &&
    settings.allowForkCode
  const target = await completeTarget(
    nothingToAsk ? { ...fromEvent, lookUp: undefined } : fromEvent,
    {
      token: settings.githubToken,
      repository: env.GITHUB_REPOSITORY,
      apiUrl: env.GITHUB_API_URL
    }
  )
  const refusal =
    forkCodeRefusal(target, settings.allowForkCode) ?? movedAfterCommentRefusal(target)
  if (refusal) throw new RunTargetError(refusal)
  if (target.code?.fork) {
    core.warning(
      `Running code from the fork ${target.code.headRepository ?? '(deleted)'} with this repository's secrets, as input "allow-fork-code" allows.`
    )
  }
  return { ...target, revision: target.revision ?? 'HEAD' }
}

/** A delayed run is followed from its start: the timeout counts from then, not from now. */
function followSettings(settings: Settings, clock: Clock): Settings['follow'] {
  const delayMs = settings.delayUntil ? Date.parse(settings.delayUntil) - clock.now() : 0
  if (delayMs <= 0) return settings.follow
  log.info(
    `The run starts at ${settings.delayUntil}: the ${formatDuration(settings.follow.timeoutMs)} timeout counts from then.`
  )
  return { ...settings.follow, timeoutMs: settings.follow.timeoutMs + delayMs }
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
