import type { TargetKind } from '../inputs/settings.js'
import type { EventContext } from './event.js'

/**
 * What runs: a branch, a tag or a pull request, at a commit (RunTarget), and the ref and commit
 * helpers every part of src/github shares — reading a git ref, naming a target, telling whose
 * code a pull request's head is. The event handlers (event-targets.ts, workflow-run-target.ts)
 * build targets; the inputs override them (resolve-run-target.ts); what the event does not carry
 * is named in `lookUp` and asked of GitHub by lookups.ts.
 */

export interface RunTarget {
  kind: TargetKind
  /** Branch or tag name; for a pull request, Buddy's form "pull/N". */
  name: string
  /** Commit SHA or HEAD; undefined when it must be looked up (see lookUp). */
  revision?: string
  /** What GitHub must be asked before the target is complete. */
  lookUp?: TargetLookUp
  /**
   * Whose code a pull request target is, as far as the event (pull_request_target, workflow_run)
   * or a look-up of the pull request tells: what the fork policy (fork-policy.ts) decides on.
   */
  code?: CodeOrigin
  /** The branch, tag or pull request came from the inputs, not the event. */
  explicitTarget?: boolean
  /** The revision came from the "revision" input. */
  explicitRevision?: boolean
  /** Where this came from, for the log. */
  source: string
}

export type TargetLookUp =
  /** A pull request whose head commit (and head repository) the event does not carry. */
  | { kind: 'pull-request'; number: number }
  /** workflow_run's head_branch: a branch or a tag of that name? */
  | { kind: 'ref-kind'; name: string; sha?: string }
  /**
   * workflow_run of a pull request that pull_requests does not name: GitHub leaves it empty
   * when the head is in a fork (and may list only other repositories' pull requests).
   */
  | { kind: 'pull-request-by-head'; headRepository: string; headBranch: string; sha?: string }

export interface CodeOrigin {
  /** The event, for messages. */
  event: string
  /** owner/name of the repository the code comes from; undefined when GitHub does not say. */
  headRepository?: string
  /** owner/name of this repository. */
  baseRepository?: string
  /** undefined until known (issue_comment: after the look-up). */
  fork?: boolean
  /** The pull request's head commit, as GitHub showed it. */
  headSha?: string
  /** When the head repository was last pushed to, as GitHub set it (a look-up, forks only). */
  pushedAt?: string
  /** The head commit's committer date, as its committer set it (a look-up, same repository). */
  committedAt?: string
}

export class RunTargetError extends Error {
  override name = 'RunTargetError'
}

export const ASK_FOR_TARGET = 'Set input "branch", "tag" or "pull-request" to say what to run.'

/**
 * A pull request's code is a fork's when its head repository is another one, or unknown (a
 * deleted fork leaves it null). GitHub's owner/name are case-insensitive.
 */
export function isForkHead(headRepository: string | undefined, baseRepository: string | undefined) {
  return (
    headRepository === undefined ||
    headRepository.toLowerCase() !== (baseRepository ?? '').toLowerCase()
  )
}

export function pullRequestName(num: number | string): string {
  return `pull/${num}`
}

/** refs/heads/B → branch B; refs/tags/T → tag T; refs/pull/N/merge → pull/N. */
export function targetFromRef(
  ref: string | undefined
): Pick<RunTarget, 'kind' | 'name'> | undefined {
  if (!ref) return undefined
  if (ref.startsWith('refs/heads/'))
    return { kind: 'branch', name: ref.slice('refs/heads/'.length) }
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', name: ref.slice('refs/tags/'.length) }
  const pull = /^refs\/pull\/(\d+)\/(merge|head)$/.exec(ref)
  if (pull) return { kind: 'pull_request', name: pullRequestName(pull[1] as string) }
  return undefined
}

/** What the runner checked out: GITHUB_REF at GITHUB_SHA (or the revision given). */
export function fromGithubRef(ctx: EventContext, revision = ctx.sha): RunTarget {
  const what = ctx.eventName || 'unknown'
  const target = targetFromRef(ctx.ref)
  if (!target) {
    const ref = ctx.ref
      ? `GITHUB_REF is "${ctx.ref}", which is no branch, tag or pull request`
      : 'GITHUB_REF is empty'
    throw new RunTargetError(
      `The ${what} event does not say what to run: ${ref}. ${ASK_FOR_TARGET}`
    )
  }
  return { ...target, revision, source: `GITHUB_REF of the ${what} event` }
}

/** "branch main", "tag v1.0", "pull request pull/4". */
export function describeTarget(target: Pick<RunTarget, 'kind' | 'name'>): string {
  return `${target.kind === 'pull_request' ? 'pull request' : target.kind} ${target.name}`
}

/** The target as a full git ref, to compare with a pipeline's fixed ref. */
export function targetRef(target: Pick<RunTarget, 'kind' | 'name'>): string {
  if (target.kind === 'branch') return `refs/heads/${target.name}`
  if (target.kind === 'tag') return `refs/tags/${target.name}`
  return `refs/${target.name}/head`
}
