import type { EventContext } from './event.js'
import { baseRepositoryOf, num, obj, str } from './payload.js'
import {
  ASK_FOR_TARGET,
  fromGithubRef,
  isForkHead,
  pullRequestName,
  RunTargetError,
  targetFromRef,
  type RunTarget
} from './run-target.js'
import { workflowRun } from './workflow-run-target.js'

/**
 * Which ref and commit the event points at: one small handler per event, in a table. Pure: the
 * event name, its payload and the GITHUB_* values go in; a target comes out. Events without a
 * handler run GITHUB_REF at GITHUB_SHA. workflow_run, the most intricate, has its own module.
 */

const ZERO_SHA = /^0+$/

type EventHandler = (ctx: EventContext) => RunTarget

function push(ctx: EventContext): RunTarget {
  const p = ctx.payload
  const ref = str(p.ref) ?? ctx.ref
  const after = str(p.after)
  if (p.deleted === true || (after && ZERO_SHA.test(after))) {
    throw new RunTargetError(
      `This push deleted ${ref ?? 'a ref'}: there is no commit to run. Skip the step for deletions (if: \${{ !github.event.deleted }}) or ${ASK_FOR_TARGET.toLowerCase()}`
    )
  }
  const target = targetFromRef(ref)
  if (!target || target.kind === 'pull_request') return fromGithubRef(ctx)
  // For an annotated tag, `after` is the tag object, which Buddy cannot run: the commit it
  // points to is head_commit.id and GITHUB_SHA. A branch's `after` is its new head commit.
  const commit = str(obj(p.head_commit).id) ?? ctx.sha
  const revision = target.kind === 'tag' ? (commit ?? after) : (after ?? commit)
  return { ...target, revision, source: `push to ${ref}` }
}

function create(ctx: EventContext): RunTarget {
  const p = ctx.payload
  const name = str(p.ref)
  if (name && (p.ref_type === 'tag' || p.ref_type === 'branch')) {
    const kind = p.ref_type as 'tag' | 'branch'
    // The payload carries no commit; GITHUB_SHA is the commit the new ref points to.
    return { kind, name, revision: ctx.sha, source: `create of ${kind} ${name}` }
  }
  return fromGithubRef(ctx)
}

function pullRequest(ctx: EventContext): RunTarget {
  const p = ctx.payload
  const pr = obj(p.pull_request)
  const number = num(pr.number) ?? num(p.number)
  if (!number) return fromGithubRef(ctx)
  const headRepo = obj(obj(pr.head).repo)
  const baseRepository = str(obj(obj(pr.base).repo).full_name) ?? baseRepositoryOf(p)
  const headRepository = str(headRepo.full_name)
  return {
    kind: 'pull_request',
    name: pullRequestName(number),
    // The PR's head, not the merge commit GitHub checks out (GITHUB_SHA).
    revision: str(obj(pr.head).sha) ?? ctx.sha,
    source: `${ctx.eventName} #${number}`,
    // pull_request_target runs with the base repository's secrets; the others from a fork get
    // none (so nothing can be run with them), and their workflow file is the fork's own anyway.
    code:
      ctx.eventName === 'pull_request_target'
        ? {
            event: ctx.eventName,
            headRepository,
            baseRepository,
            fork: isForkHead(headRepository, baseRepository),
            headSha: str(obj(pr.head).sha)
          }
        : undefined
  }
}

function release(ctx: EventContext): RunTarget {
  const tag = str(obj(ctx.payload.release).tag_name)
  if (!tag) return fromGithubRef(ctx)
  // GITHUB_SHA is the tagged commit, also for annotated tags (target_commitish is a branch name).
  return { kind: 'tag', name: tag, revision: ctx.sha, source: `release ${tag}` }
}

function mergeGroup(ctx: EventContext): RunTarget {
  const group = obj(ctx.payload.merge_group)
  const ref = str(group.head_ref)
  const name = ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref
  if (!name) return fromGithubRef(ctx)
  return { kind: 'branch', name, revision: str(group.head_sha) ?? ctx.sha, source: 'merge queue' }
}

function deployment(ctx: EventContext): RunTarget {
  // GITHUB_REF is the deployed branch or tag; the deployment names its exact commit.
  return fromGithubRef(ctx, str(obj(ctx.payload.deployment).sha) ?? ctx.sha)
}

function issueComment(ctx: EventContext): RunTarget {
  const issue = obj(ctx.payload.issue)
  const number = num(issue.number)
  if (!issue.pull_request || !number) return fromGithubRef(ctx)
  return {
    kind: 'pull_request',
    name: pullRequestName(number),
    revision: undefined,
    lookUp: { kind: 'pull-request', number },
    // Fork or not is known after the look-up.
    code: { event: 'issue_comment', baseRepository: baseRepositoryOf(ctx.payload) },
    source: `comment on pull request #${number}`
  }
}

const EVENT_HANDLERS: Record<string, EventHandler> = {
  push,
  create,
  pull_request: pullRequest,
  pull_request_target: pullRequest,
  pull_request_review: pullRequest,
  pull_request_review_comment: pullRequest,
  release,
  merge_group: mergeGroup,
  deployment,
  deployment_status: deployment,
  workflow_run: workflowRun,
  issue_comment: issueComment
}

/** The target the event alone points at. */
export function targetFromEvent(ctx: EventContext): RunTarget {
  const handler = Object.hasOwn(EVENT_HANDLERS, ctx.eventName)
    ? EVENT_HANDLERS[ctx.eventName]
    : undefined
  return handler ? handler(ctx) : fromGithubRef(ctx)
}
