import * as core from '@actions/core'
import type { Settings } from '../inputs/settings.js'
import type { EventContext } from './event.js'
import { forkCase } from './fork-case.js'
import { decideForkCode } from './fork-policy.js'
import { completeTarget, lookUpForFork, type CompletedTarget } from './lookups.js'
import { resolveRunTarget } from './resolve-run-target.js'
import { RunTargetError, type RunTarget } from './run-target.js'

// What to run, worked out from the event, with GitHub asked what the event does not carry.

/**
 * The event's target, completed by GitHub where the event does not carry it, and refused where
 * it is a fork's code that the user did not allow (fork-policy.ts decides; GitHub is asked what
 * the decision needs to know).
 */
export async function whatToRun(
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
