import * as core from '@actions/core'
import type { Clock } from './base/clock.js'
import { endGroup, log, printUntrusted, printUntrustedLines, startGroup } from './base/log.js'
import type { BuddyClient, PipelineRef } from './buddy/client.js'
import type { Dependencies } from './connect-to-pipeline.js'
import { followRun } from './follow/follow-run.js'
import { formatDuration } from './inputs/duration.js'
import type { Settings } from './inputs/settings.js'
import { postHandoff, SETTLED } from './post-handoff.js'
import { reportStarted, reportFinished, type StartedRun } from './report/report.js'
import { writeFinalSummary, writeSummary } from './report/summary.js'

/**
 * The main step's end, the same for a run it started and a run it was given: the outputs at
 * once, then the run followed to its end where asked, what is left told to the post step, and
 * the report and job summary.
 */

/** 6. Outputs at once; 7. follow the run to its end where asked (cancelled, if the job was). */
export async function reportAndFollow(
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
    postHandoff.markRunSettled(SETTLED.leftGoing('wait: false'))
    await summarize(deps.env, () => writeSummary(started))
    return 'done'
  }
  return followAndReport(started, client, ref, settings, deps, deadlineMs)
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
    onCancelSending: settings.follow.cancelOnJobCancel
      ? () => postHandoff.markCancelSent()
      : undefined
  })
  postHandoff.markFollowEnded(report, settings.follow)
  reportFinished(report, settings.follow)
  await summarize(env, () => writeFinalSummary(started, report))
  return report.outcome === 'job-cancelled' ? 'exit-now' : 'done'
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
export async function summarize(env: NodeJS.ProcessEnv, write: () => Promise<void>) {
  if (!env.GITHUB_STEP_SUMMARY) return
  await write().catch(error =>
    core.warning(`Cannot write the job summary: ${(error as Error).message}`)
  )
}
