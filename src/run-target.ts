import type { ExplicitTarget, TargetKind } from './inputs.js'

/**
 * Which ref and commit to run, from the event that started the workflow. Pure: the event name,
 * its payload, the GITHUB_* values and the overriding inputs go in; a target comes out.
 */

export interface RunTarget {
  kind: TargetKind
  /** Branch or tag name; for a pull request, Buddy's form "pull/N". */
  name: string
  /** Commit SHA or HEAD; undefined when it must be looked up (see pullRequestToLookUp). */
  revision?: string
  /** Set when the event does not carry the pull request's head commit (issue_comment). */
  pullRequestToLookUp?: number
  /** Where this came from, for the log. */
  source: string
}

export interface EventContext {
  eventName: string
  payload: Record<string, unknown>
  ref?: string
  sha?: string
}

export interface Overrides {
  target?: ExplicitTarget
  revision?: string
}

export class RunTargetError extends Error {
  override name = 'RunTargetError'
}

const ZERO_SHA = /^0+$/
const ASK_FOR_TARGET = 'Set input "branch", "tag" or "pull-request" to say what to run.'

type Json = Record<string, unknown>
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {})
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined

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

function fromGithubRef(ctx: EventContext, what: string): RunTarget {
  const target = targetFromRef(ctx.ref)
  if (!target) {
    const ref = ctx.ref
      ? `GITHUB_REF is "${ctx.ref}", which is no branch, tag or pull request`
      : 'GITHUB_REF is empty'
    throw new RunTargetError(
      `The ${what} event does not say what to run: ${ref}. ${ASK_FOR_TARGET}`
    )
  }
  return { ...target, revision: ctx.sha, source: `GITHUB_REF of the ${what} event` }
}

/** The target the event alone points at. */
export function targetFromEvent(ctx: EventContext): RunTarget {
  const p = ctx.payload
  const event = ctx.eventName
  switch (event) {
    case 'push': {
      const ref = str(p.ref) ?? ctx.ref
      const after = str(p.after)
      const target = targetFromRef(ref)
      if (p.deleted === true || (after && ZERO_SHA.test(after))) {
        throw new RunTargetError(
          `This push deleted ${ref ?? 'a ref'}: there is no commit to run. Skip the step for deletions (if: \${{ !github.event.deleted }}) or ${ASK_FOR_TARGET.toLowerCase()}`
        )
      }
      if (!target || target.kind === 'pull_request') return fromGithubRef(ctx, event)
      return { ...target, revision: after ?? ctx.sha, source: `push to ${ref}` }
    }
    case 'create': {
      const name = str(p.ref)
      if (name && (p.ref_type === 'tag' || p.ref_type === 'branch')) {
        const kind = p.ref_type as 'tag' | 'branch'
        return { kind, name, revision: ctx.sha, source: `create of ${kind} ${name}` }
      }
      return fromGithubRef(ctx, event)
    }
    case 'pull_request':
    case 'pull_request_target':
    case 'pull_request_review':
    case 'pull_request_review_comment': {
      const pr = obj(p.pull_request)
      const number = num(pr.number) ?? num(p.number)
      const head = str(obj(pr.head).sha)
      if (!number) return fromGithubRef(ctx, event)
      // The PR's head, not the merge commit GitHub checks out (GITHUB_SHA).
      return {
        kind: 'pull_request',
        name: pullRequestName(number),
        revision: head ?? ctx.sha,
        source: `${event} #${number}`
      }
    }
    case 'release': {
      const tag = str(obj(p.release).tag_name)
      if (!tag) return fromGithubRef(ctx, event)
      return { kind: 'tag', name: tag, revision: ctx.sha, source: `release ${tag}` }
    }
    case 'merge_group': {
      const group = obj(p.merge_group)
      const ref = str(group.head_ref)
      const name = ref?.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref
      if (!name) return fromGithubRef(ctx, event)
      return {
        kind: 'branch',
        name,
        revision: str(group.head_sha) ?? ctx.sha,
        source: 'merge queue'
      }
    }
    case 'workflow_run': {
      const run = obj(p.workflow_run)
      const branch = str(run.head_branch)
      if (!branch) return fromGithubRef(ctx, event)
      return {
        kind: 'branch',
        name: branch,
        revision: str(run.head_sha) ?? ctx.sha,
        source: `workflow_run of ${str(run.name) ?? 'a workflow'}`
      }
    }
    case 'issue_comment': {
      const issue = obj(p.issue)
      const number = num(issue.number)
      if (issue.pull_request && number) {
        return {
          kind: 'pull_request',
          name: pullRequestName(number),
          revision: undefined,
          pullRequestToLookUp: number,
          source: `comment on pull request #${number}`
        }
      }
      return fromGithubRef(ctx, event)
    }
    default:
      return fromGithubRef(ctx, event || 'unknown')
  }
}

function sameTarget(a: Pick<RunTarget, 'kind' | 'name'>, b: Pick<RunTarget, 'kind' | 'name'>) {
  return a.kind === b.kind && a.name === b.name
}

/**
 * Explicit inputs win over the event. An explicit target other than the event's runs that ref's
 * head (HEAD) unless a revision is given: the event's commit belongs to another ref.
 */
export function resolveRunTarget(ctx: EventContext, overrides: Overrides): RunTarget {
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
    const same = fromEvent && sameTarget(fromEvent, explicit)
    const revision = overrides.revision ?? (same ? fromEvent?.revision : 'HEAD')
    return {
      ...explicit,
      revision,
      pullRequestToLookUp:
        revision === undefined && same ? fromEvent?.pullRequestToLookUp : undefined,
      source: 'inputs'
    }
  }
  const target = targetFromEvent(ctx)
  if (overrides.revision) {
    return { ...target, revision: overrides.revision, pullRequestToLookUp: undefined }
  }
  return target
}

/** "branch main", "tag v1.0", "pull request pull/4". */
export function describeTarget(target: Pick<RunTarget, 'kind' | 'name'>): string {
  return `${target.kind === 'pull_request' ? 'pull request' : target.kind} ${target.name}`
}

/** The target as a full git ref, to compare with a pipeline's fixed ref. */
export function targetRef(target: Pick<RunTarget, 'kind' | 'name'>): string {
  if (target.kind === 'branch') return `refs/heads/${target.name}`
  if (target.kind === 'tag') return `refs/tags/${target.name}`
  return `refs/${target.name}`
}

/** A pull request from a fork: GitHub gives its runs no secrets and no OIDC token. */
export function isForkPullRequest(ctx: EventContext): boolean {
  if (!ctx.eventName.startsWith('pull_request')) return false
  const pr = obj(ctx.payload.pull_request)
  const head = str(obj(obj(pr.head).repo).full_name)
  const base = str(obj(obj(pr.base).repo).full_name)
  return head !== undefined && base !== undefined && head !== base
}
