import * as core from '@actions/core'
import type { Clock } from './base/clock.js'
import type { JobCancel } from './base/job-cancel.js'
import type { BuddyClient, PipelineRef } from './buddy/client.js'
import { BuddyApiError } from './buddy/failures.js'
import { connect } from './buddy/connect.js'
import type { Pipeline } from './buddy/model.js'
import { FINISH_ALLOWANCE_MS } from './follow/deadline.js'
import type { EventContext } from './github/event.js'
import type { Settings } from './inputs/settings.js'

/**
 * What the main step is given (Dependencies), its client, and the pipeline: connecting to Buddy
 * and finding the pipeline are the same for a run the step starts (main.ts) and a run it is
 * given (follow-given-run.ts).
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

/** A client whose requests and waits all end by the step's deadline plus the allowance. */
export function connectWithin(
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

/** The pipeline's id (looked up from its identifier where needed) and, if readable, itself. */
export async function findPipeline(
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
