import type { ExplicitTarget } from '../inputs/settings.js'
import type { EventContext } from './event.js'
import { targetFromEvent } from './event-targets.js'
import { pullRequestName, type RunTarget } from './run-target.js'

/**
 * The target that runs: the event's (event-targets.ts), or the one the inputs name ("branch",
 * "tag", "pull-request", "revision"), which win over the event. Pure. Whose code the target is
 * does not change here: the fork policy (fork-policy.ts) decides that.
 */

export interface Overrides {
  target?: ExplicitTarget
  revision?: string
}

function sameTarget(a: Pick<RunTarget, 'kind' | 'name'>, b: Pick<RunTarget, 'kind' | 'name'>) {
  return a.kind === b.kind && a.name === b.name
}

/**
 * Explicit inputs win over the event. An explicit target other than the event's runs that ref's
 * head (HEAD) unless a revision is given: the event's commit belongs to another ref. A target
 * that is the event's own keeps what the event says of it (its commit, its look-ups, whose code
 * it is), so that naming it again in the inputs does not skip the fork check. (Whose code another
 * pull request is, the fork policy asks GitHub where it matters: fork-policy.ts.)
 */
export function resolveRunTarget(ctx: EventContext, overrides: Overrides): RunTarget {
  const explicitRevision = overrides.revision !== undefined
  if (overrides.target) {
    const explicit = {
      kind: overrides.target.kind,
      name:
        overrides.target.kind === 'pull_request'
          ? pullRequestName(overrides.target.name)
          : overrides.target.name
    }
    let fromEvent: RunTarget | undefined
    try {
      fromEvent = targetFromEvent(ctx)
    } catch {
      fromEvent = undefined
    }
    if (fromEvent && (sameTarget(fromEvent, explicit) || sameLookedUpName(fromEvent, explicit))) {
      return {
        ...fromEvent,
        ...explicit,
        // The inputs say whether head_branch is a branch or a tag: nothing left to ask.
        lookUp: fromEvent.lookUp?.kind === 'ref-kind' ? undefined : fromEvent.lookUp,
        revision: overrides.revision ?? fromEvent.revision,
        explicitTarget: true,
        explicitRevision
      }
    }
    return {
      ...explicit,
      revision: overrides.revision ?? 'HEAD',
      explicitTarget: true,
      explicitRevision,
      source: 'inputs'
    }
  }
  const target = targetFromEvent(ctx)
  if (overrides.revision) return { ...target, revision: overrides.revision, explicitRevision }
  return target
}

/** workflow_run's head_branch is a branch or a tag: either input names the same ref. */
function sameLookedUpName(fromEvent: RunTarget, explicit: Pick<RunTarget, 'kind' | 'name'>) {
  return (
    fromEvent.lookUp?.kind === 'ref-kind' &&
    explicit.kind !== 'pull_request' &&
    explicit.name === fromEvent.lookUp.name
  )
}
