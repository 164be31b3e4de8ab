import type { ExplicitTarget, TargetKind } from '../inputs/settings.js'

/**
 * Which ref and commit to run, from the event that started the workflow. Pure: the event name,
 * its payload, the GITHUB_* values and the overriding inputs go in; a target comes out. What the
 * event does not carry (a pull request's head, whether a name is a branch or a tag) is named in
 * `lookUp` and asked of GitHub by lookups.ts.
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

function fromGithubRef(ctx: EventContext, revision = ctx.sha): RunTarget {
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

/** The repository the workflow runs in, from the payload (GITHUB_REPOSITORY's twin). */
const baseRepositoryOf = (p: Json) => str(obj(p.repository).full_name)

/** One small handler per event; events without one run GITHUB_REF at GITHUB_SHA. */
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

const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment'
])

/**
 * Upstream events whose workflow run is for a pull request's head (head_sha). A
 * pull_request_target run is for the base branch (head_branch, head_sha are the base's).
 */
const PULL_REQUEST_HEAD_RUNS = new Set([
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment'
])

function workflowRun(ctx: EventContext): RunTarget {
  const p = ctx.payload
  const run = obj(p.workflow_run)
  const headBranch = str(run.head_branch)
  const sha = str(run.head_sha) ?? ctx.sha
  const upstream = str(run.event) ?? 'unknown'
  const source = `workflow_run of ${str(run.name) ?? 'a workflow'} (${upstream})`
  const baseRepository = str(obj(run.repository).full_name) ?? baseRepositoryOf(p)
  const headRepository = str(obj(run.head_repository).full_name)
  if (PULL_REQUEST_HEAD_RUNS.has(upstream)) {
    return pullRequestHeadRun(p, run, { sha, source, headBranch, headRepository, baseRepository })
  }
  if (upstream === 'pull_request_target') {
    // Such a run is of the base branch (head_sha is its commit), while what head_branch then
    // holds is not documented: no guess.
    throw new RunTargetError(
      `The workflow_run event is for a pull_request_target run, whose ref GitHub's payload does not name reliably. Set input "branch", "tag" or "pull-request" (and "revision": \${{ github.event.workflow_run.head_sha }}) to say what to run.`
    )
  }
  if (!headBranch) return fromGithubRef(ctx)
  if (upstream === 'merge_group') {
    // The merge queue's temporary branch, deleted once merged: there is nothing to look up.
    return { kind: 'branch', name: headBranch, revision: sha, source }
  }
  const defaultBranch = str(obj(p.repository).default_branch)
  // head_branch holds a tag's name for a tag push: only GitHub can tell which it is.
  return {
    kind: 'branch',
    name: headBranch,
    revision: sha,
    lookUp: headBranch === defaultBranch ? undefined : { kind: 'ref-kind', name: headBranch, sha },
    source
  }
}

/** A workflow_run for a pull request's head: its number from the payload, else a look-up. */
function pullRequestHeadRun(
  p: Json,
  run: Json,
  upstreamRun: {
    sha: string | undefined
    source: string
    headBranch: string | undefined
    headRepository: string | undefined
    baseRepository: string | undefined
  }
): RunTarget {
  const { sha, source, headBranch, headRepository, baseRepository } = upstreamRun
  const code: CodeOrigin = {
    event: 'workflow_run',
    headRepository,
    baseRepository,
    fork: isForkHead(headRepository, baseRepository),
    headSha: sha
  }
  // pull_requests may also list pull requests of other repositories with the same branch,
  // and for a fork's head it is empty or names this repository's namesake branch: ignored.
  const baseId = obj(p.repository).id ?? obj(run.repository).id
  const listed = code.fork ? [] : Array.isArray(run.pull_requests) ? run.pull_requests : []
  const candidates = listed
    .map(obj)
    .filter(pr => baseId === undefined || obj(obj(pr.base).repo).id === baseId)
  const pr = candidates.find(c => str(obj(c.head).sha) === sha) ?? candidates[0]
  const number = pr && num(pr.number)
  if (number) {
    return {
      kind: 'pull_request',
      name: pullRequestName(number),
      revision: sha,
      source,
      code
    }
  }
  if (headRepository && headBranch) {
    // Found by its head: GitHub leaves pull_requests empty when the head is in a fork.
    return {
      kind: 'pull_request',
      // Until the look-up finds its number.
      name: `from ${headRepository}:${headBranch}`,
      revision: sha,
      lookUp: { kind: 'pull-request-by-head', headRepository, headBranch, sha },
      source,
      code
    }
  }
  throw new RunTargetError(
    `The workflow_run event is for a pull request that it does not name (no pull_requests, no head repository). Set input "pull-request" (and "revision": \${{ github.event.workflow_run.head_sha }}).`
  )
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

/**
 * A pull request event from a fork: GitHub gives its runs no secrets and no OIDC token.
 * (pull_request_target runs with secrets, so an empty token there has another cause.)
 */
export function isSecretlessForkEvent(ctx: EventContext): boolean {
  if (!PULL_REQUEST_EVENTS.has(ctx.eventName) || ctx.eventName === 'pull_request_target')
    return false
  const pr = obj(ctx.payload.pull_request)
  const head = str(obj(obj(pr.head).repo).full_name)
  const base = str(obj(obj(pr.base).repo).full_name)
  return head !== undefined && base !== undefined && head.toLowerCase() !== base.toLowerCase()
}
