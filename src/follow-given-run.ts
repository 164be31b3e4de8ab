import { log, oneLine } from './base/log.js'
import { BuddyApiError } from './buddy/failures.js'
import type { Execution } from './buddy/model.js'
import { pullRequestNumber } from './buddy/ref-names.js'
import { connectWithin, findPipeline, type Dependencies } from './connect-to-pipeline.js'
import type { EventContext } from './github/event.js'
import type { Settings } from './inputs/settings.js'
import { postHandoff, SETTLED } from './post-handoff.js'
import { reportAndFollow } from './report-and-follow.js'
import type { StartedRun } from './report/report.js'

/**
 * execution-id: a run this step did not start (another job's, another workflow's). It is read
 * (a clear error if it does not exist), gives the same outputs, and with wait: true is followed
 * like a started one: timeout, cancels, logs, summary, the post step.
 */
export async function followGivenRun(
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
  if (follows && settings.follow.cancelOnJobCancel)
    postHandoff.saveFollowedRun({ ...ref, executionId })
  let execution: Execution
  try {
    execution = await client.getExecution(ref, executionId, { attempts: 3 })
  } catch (error) {
    if (error instanceof BuddyApiError && error.status === 404) {
      postHandoff.markRunSettled(SETTLED.noRun)
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
