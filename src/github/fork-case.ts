import type { EventContext } from './event.js'
import { obj, str } from './payload.js'
import { isForkHead, type CodeOrigin, type RunTarget } from './run-target.js'

/**
 * The facts the fork policy (fork-policy.ts) decides on, gathered in one record: the event,
 * what runs and at which commit, whose code the pull request is, the heads and commits the
 * event's payload shows, when a comment asked for the run, and what GitHub answered so far.
 * Reading them here keeps the decision free of payload details.
 */

/** What GitHub showed about the ref that runs and the revision named in the inputs. */
export interface RevisionOnRef {
  revision: string
  /** What it was compared with, for messages: "branch main", "the head of pull request pull/4". */
  ref: string
  /**
   * GitHub's comparison of the ref with the revision: identical or behind (the revision is in the
   * ref's history), ahead or diverged (it is not), or no-commit / no-ref (GitHub knows no such
   * commit in this repository's network, or no such branch or tag).
   */
  status: 'identical' | 'behind' | 'ahead' | 'diverged' | 'no-commit' | 'no-ref'
}

/** What the fork policy decides on. Built by forkCase() from the event and the target. */
export interface ForkCase {
  event: string
  /** owner/name of this repository. */
  baseRepository?: string
  allowForkCode: boolean
  /** What runs. */
  target: Pick<RunTarget, 'kind' | 'name'>
  /** The commit that runs: a SHA, HEAD, or undefined while a look-up must tell. */
  revision?: string
  /** The revision came from input "revision". */
  explicitRevision: boolean
  /** Whose code the pull request target is, once the event or a look-up showed it. */
  pullRequest?: CodeOrigin & { fork: boolean }
  /** Heads of pull requests that the event's payload shows, and whose they are. */
  eventHeads: { sha: string; headRepository?: string; fork: boolean }[]
  /** Commits the event shows to be this repository's own (GITHUB_SHA, a pull request's base). */
  ownCommits: string[]
  /** When the comment that asked for the run was made (comment events). */
  askedAt?: string
  /** GitHub's answer: is the revision named in the inputs on the ref that runs? */
  revisionOnRef?: RevisionOnRef
}

/** Events in which a comment asks for the run: its time is when the code was approved. */
const COMMENT_EVENTS = new Set(['issue_comment', 'discussion_comment'])

/** The facts of an event and its target (as completed and looked up so far), for the decision. */
export function forkCase(
  ctx: EventContext,
  allowForkCode: boolean,
  target: RunTarget & { revisionOnRef?: RevisionOnRef }
): ForkCase {
  const p = ctx.payload
  const repository = str(obj(p.repository).full_name)
  const pr = obj(p.pull_request)
  const run = obj(p.workflow_run)
  // As the event handlers read them: a pull request's base repository, a workflow_run's.
  const prBase = str(obj(obj(pr.base).repo).full_name) ?? repository
  const runBase = str(obj(run.repository).full_name) ?? repository
  const baseRepository =
    target.code?.baseRepository ??
    (ctx.eventName === 'workflow_run'
      ? runBase
      : ctx.eventName.startsWith('pull_request')
        ? prBase
        : repository)
  const eventHeads: ForkCase['eventHeads'] = []
  const addHead = (sha: string | undefined, head: string | undefined, base: string | undefined) => {
    if (sha) eventHeads.push({ sha, headRepository: head, fork: isForkHead(head, base) })
  }
  addHead(str(obj(pr.head).sha), str(obj(obj(pr.head).repo).full_name), prBase)
  addHead(str(run.head_sha), str(obj(run.head_repository).full_name), runBase)
  const ownCommits = [ctx.sha, str(obj(pr.base).sha)].filter(
    (sha): sha is string => sha !== undefined
  )
  const code = target.code
  return {
    event: ctx.eventName,
    baseRepository,
    allowForkCode,
    target: { kind: target.kind, name: target.name },
    revision: target.revision,
    explicitRevision: target.explicitRevision === true,
    pullRequest:
      target.kind === 'pull_request' && code?.fork !== undefined
        ? { ...code, fork: code.fork }
        : undefined,
    eventHeads,
    ownCommits,
    askedAt: COMMENT_EVENTS.has(ctx.eventName) ? str(obj(p.comment).created_at) : undefined,
    revisionOnRef: target.revisionOnRef
  }
}
