import {
  describeTarget,
  isForkHead,
  type CodeOrigin,
  type EventContext,
  type RunTarget
} from './run-target.js'

/**
 * Code from forks, in events that run with this repository's secrets: one decision, given the
 * event, the inputs and what GitHub showed — run, refuse and why, or ask GitHub one thing first.
 * Pure: main.ts asks GitHub (lookups.ts) what the decision asks, then decides again. SECURITY.md
 * lists the cases; __tests__/github/fork-policy.test.ts is that table.
 *
 * Anyone who can open a pull request can put code in a fork, and a fork's commits are reachable
 * through this repository (refs/pull/N/head, and GitHub serves a fork's commits by SHA), so a
 * fork's code can reach Buddy through the event itself, through a pull request, branch, tag or
 * revision named in the inputs (whose values may come from text an outsider wrote: a comment, a
 * title, an artifact of their run), or through a pull request's head that moves after a person
 * approved it.
 */

/**
 * Events whose runs cannot hand a fork's code to a secret, so the policy has nothing to check:
 * those only people with write access can start (what their inputs name is the workflow author's
 * choice: such a person can already run anything with the secrets, by pushing a workflow), and
 * pull request events, whose runs from a fork GitHub gives neither secrets nor an OIDC token.
 * Every other event — pull_request_target, issue_comment, workflow_run, issues, discussion,
 * discussion_comment, status, check_run, check_suite, fork, watch, … and any event GitHub adds —
 * runs with the secrets while people without write access can start it or write its payload.
 */
const EVENTS_WITHOUT_OUTSIDERS_AND_SECRETS = new Set([
  'push',
  'create',
  'delete',
  'release',
  'workflow_dispatch',
  'repository_dispatch',
  'schedule',
  'merge_group',
  'deployment',
  'deployment_status',
  'branch_protection_rule',
  'registry_package',
  'page_build',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment'
])

/** Does this event run with the repository's secrets while outsiders can start it? */
export function runsWithSecretsForOutsiders(eventName: string): boolean {
  return !EVENTS_WITHOUT_OUTSIDERS_AND_SECRETS.has(eventName)
}

/** Events in which a comment asks for the run: its time is when the code was approved. */
const COMMENT_EVENTS = new Set(['issue_comment', 'discussion_comment'])

/**
 * The pull request a branch or tag name stands for: GitHub keeps a pull request's code at
 * refs/pull/N/head (and its merge at refs/pull/N/merge), and Buddy names pull requests "pull/N"
 * (its pipelines match them with refs/pull/*), so "pull/42", "pull/42/head" and "pull/42/merge"
 * may all run pull request #42. ("pr/42" is no pull request ref on GitHub or in Buddy.)
 */
export function pullRequestNamedBy(refName: string): number | undefined {
  const found = /^(?:refs\/)?pull\/(\d+)(?:\/(?:head|merge))?$/i.exec(refName)
  return found ? Number(found[1]) : undefined
}

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

/** Something the policy must know from GitHub before it can decide. */
export type ForkLookUp =
  /** Whose code a pull request is, its head (and, after a comment, when that head got there). */
  | { kind: 'pull-request'; number: number; times: boolean }
  /** Is the revision in the history of the ref that runs? */
  | {
      kind: 'revision-on-ref'
      revision: string
      ref: { kind: 'branch' | 'tag'; name: string } | { kind: 'commit'; sha: string; what: string }
    }

export type ForkDecision =
  | {
      verdict: 'run'
      /** The commit to run, where the policy pins it (a pull request's head it checked). */
      revision?: string
      /** Fork code run as "allow-fork-code" allows: said in the log. */
      warning?: string
    }
  | { verdict: 'refuse'; reason: string }
  | { verdict: 'ask'; lookUp: ForkLookUp }

type Json = Record<string, unknown>
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {})
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

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
  // As run-target.ts reads them: a pull request's base repository, a workflow_run's repository.
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

const isSha = (revision: string | undefined): revision is string =>
  revision !== undefined && /^[0-9a-f]{4,64}$/.test(revision)

const forkName = (headRepository: string | undefined) =>
  headRepository ? `the fork ${headRepository}` : 'a fork (since deleted)'

/** The one message for fork code refused: what, whose, and how to allow it. */
function refuse(c: ForkCase, what: string, whose: string): ForkDecision {
  return {
    verdict: 'refuse',
    reason: `Refusing to run ${what}: ${whose}, and this ${c.event} event runs with the secrets of ${c.baseRepository ?? 'the base repository'}, so anyone who can open a pull request could run their code with your Buddy token. If the workflow makes sure a maintainer has reviewed that code, set input "allow-fork-code: true".`
  }
}

/** The number in "pull/N", for a pull request target. */
function pullRequestNumber(target: ForkCase['target']): number | undefined {
  const found = target.kind === 'pull_request' ? /^pull\/(\d+)$/.exec(target.name) : null
  return found ? Number(found[1]) : undefined
}

/** A commit the event or a look-up shows to be this repository's own. */
function isOwnCommit(c: ForkCase, sha: string): boolean {
  return (
    c.ownCommits.includes(sha) ||
    c.eventHeads.some(h => !h.fork && h.sha === sha) ||
    (c.pullRequest?.fork === false && c.pullRequest.headSha === sha)
  )
}

/** The head of a fork's pull request that the revision names (a SHA or its prefix), if any. */
function forkHeadNamed(c: ForkCase, revision: string) {
  const heads = [
    ...c.eventHeads,
    ...(c.pullRequest?.headSha ? [{ ...c.pullRequest, sha: c.pullRequest.headSha }] : [])
  ]
  return heads.find(h => h.fork && h.sha.startsWith(revision))
}

/** What an input revision is compared with: the ref that runs, as GitHub knows it. */
function refToCompare(c: ForkCase): Extract<ForkLookUp, { kind: 'revision-on-ref' }>['ref'] {
  if (c.target.kind !== 'pull_request') return { kind: c.target.kind, name: c.target.name }
  const sha = c.pullRequest?.headSha ?? ''
  return { kind: 'commit', sha, what: `the head of ${describeTarget(c.target)} (${sha})` }
}

/**
 * The decision. In order: a branch or tag that names a pull request; a pull request whose head
 * is in a fork; a revision that is a fork's head the event shows or a look-up read; what GitHub
 * must still be asked; a revision from the inputs that is not on the ref that runs; and, after a
 * comment, a head that moved since. allow-fork-code lets a fork's code run (said in a warning),
 * but never a head pushed after the comment that asked for it.
 */
export function decideForkCode(c: ForkCase): ForkDecision {
  if (!runsWithSecretsForOutsiders(c.event)) return { verdict: 'run' }
  const what = describeTarget(c.target)
  const revision = c.revision
  const pr = c.pullRequest

  // A branch or tag "pull/42": Buddy may run pull request #42, and nothing tells whose code it is.
  const named = c.target.kind === 'pull_request' ? undefined : pullRequestNamedBy(c.target.name)
  if (named !== undefined && !c.allowForkCode) {
    return refuse(
      c,
      what,
      `it names pull request #${named}, whose code may come from a fork (input "pull-request: ${named}" runs it once GitHub shows whose code it is)`
    )
  }
  if (pr?.fork && !c.allowForkCode) {
    return refuse(c, what, `its code comes from ${forkName(pr.headRepository)}`)
  }
  const forkHead = isSha(revision) ? forkHeadNamed(c, revision) : undefined
  if (forkHead && !c.allowForkCode) {
    return refuse(
      c,
      `${what} at ${revision}`,
      `that commit is the head of a pull request from ${forkName(forkHead.headRepository)}`
    )
  }

  // Whose code a pull request is, and the head it runs at: GitHub knows.
  const number = pullRequestNumber(c.target)
  if (number !== undefined && !pr && (!c.allowForkCode || !c.explicitRevision)) {
    return {
      verdict: 'ask',
      lookUp: {
        kind: 'pull-request',
        number,
        times: c.askedAt !== undefined && !c.explicitRevision
      }
    }
  }

  // A revision from the inputs: this repository's code only if it is on the ref that runs.
  const checkRevision =
    c.explicitRevision &&
    isSha(revision) &&
    !c.allowForkCode &&
    !isOwnCommit(c, revision) &&
    !(c.target.kind === 'pull_request' && !pr?.headSha)
  if (checkRevision) {
    const ref = refToCompare(c)
    const onRef = c.revisionOnRef
    if (!onRef || onRef.revision !== revision) {
      return { verdict: 'ask', lookUp: { kind: 'revision-on-ref', revision, ref } }
    }
    if (onRef.status !== 'identical' && onRef.status !== 'behind') {
      return refuse(c, `${what} at ${revision}`, notOnRef(onRef, c.baseRepository))
    }
  }

  // After a comment, the head that runs must be the one the comment saw.
  const pinned = pr?.headSha !== undefined && !c.explicitRevision ? pr.headSha : undefined
  if (pr && pinned && c.askedAt) {
    const moved = movedAfter(c.askedAt, pr)
    if (moved === 'unknown') {
      return {
        verdict: 'refuse',
        reason: `Refusing to run ${what}: its head is in a deleted fork, whose pushes GitHub no longer shows, so nothing tells that it did not move after the comment that asked for the run (${c.askedAt}). Set input "revision" to the commit that was approved.`
      }
    }
    if (moved) {
      return {
        verdict: 'refuse',
        reason: `Refusing to run ${what}: ${moved}, after the comment that asked for the run (${c.askedAt}), so that comment did not approve this code. Comment again to run the new head, or set input "revision" to the commit that was approved.`
      }
    }
  }

  return {
    verdict: 'run',
    revision: pinned,
    warning: !c.allowForkCode
      ? undefined
      : pr?.fork
        ? `Running code from ${forkName(pr.headRepository)} with this repository's secrets, as input "allow-fork-code" allows.`
        : forkHead
          ? `Running commit ${revision}, the head of a pull request from ${forkName(forkHead.headRepository)}, with this repository's secrets, as input "allow-fork-code" allows.`
          : named !== undefined
            ? `Running ${what}, which names pull request #${named} (whose code may come from a fork), with this repository's secrets, as input "allow-fork-code" allows.`
            : undefined
  }
}

function notOnRef(onRef: RevisionOnRef, baseRepository: string | undefined): string {
  switch (onRef.status) {
    case 'no-commit':
      return `GitHub knows no such commit in ${baseRepository ?? 'this repository'} or its forks`
    case 'no-ref':
      return `GitHub shows no ${onRef.ref}, so nothing tells whose code that commit is`
    default:
      return `GitHub shows that commit is not on ${onRef.ref} (${onRef.status}), so it may be a fork's code`
  }
}

/**
 * How the head moved after the comment, by the times GitHub has. A fork's head: the fork's last
 * push (pushed_at, which GitHub sets), never the commit's own dates, which its pusher sets — a
 * commit backdated and pushed after the comment is caught, and a committer's clock running ahead
 * is no reason to refuse. A deleted fork shows no push time: nothing tells, so it is refused. A
 * head in this repository: its writers hold the secrets already, and this repository's pushed_at
 * moves with every push to any branch, so it decides nothing there; the committer date catches
 * the honest case (a commit made after the comment).
 */
function movedAfter(
  askedAt: string,
  pr: CodeOrigin & { fork: boolean }
): string | 'unknown' | undefined {
  const after = (time: string | undefined) =>
    time !== undefined && Date.parse(time) > Date.parse(askedAt)
  if (pr.fork) {
    if (!pr.headRepository || !pr.pushedAt) return 'unknown'
    return after(pr.pushedAt)
      ? `the fork ${pr.headRepository} was pushed to at ${pr.pushedAt}`
      : undefined
  }
  return after(pr.committedAt)
    ? `its head commit ${pr.headSha} was made at ${pr.committedAt}`
    : undefined
}
