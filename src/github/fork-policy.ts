import { runsWithSecretsForOutsiders } from './event-secrets.js'
import type { ForkCase, RevisionOnRef } from './fork-case.js'
import { describeTarget, type CodeOrigin } from './run-target.js'

/**
 * Code from forks, in events that run with this repository's secrets: one decision, given the
 * event, the inputs and what GitHub showed (fork-case.ts gathers them) — run, refuse and why, or
 * ask GitHub one thing first. Pure: the caller asks GitHub (lookups.ts) what the decision asks,
 * then decides again. SECURITY.md lists the cases; __tests__/github/fork-policy.test.ts is that
 * table.
 *
 * Anyone who can open a pull request can put code in a fork, and a fork's commits are reachable
 * through this repository (refs/pull/N/head, and GitHub serves a fork's commits by SHA), so a
 * fork's code can reach Buddy through the event itself, through a pull request, branch, tag or
 * revision named in the inputs (whose values may come from text an outsider wrote: a comment, a
 * title, an artifact of their run), or through a pull request's head that moves after a person
 * approved it.
 */

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

/** What the target and the revision show of a fork's code before anything is asked. */
interface ForkCodeSeen {
  /** The target, for messages. */
  what: string
  /** The pull request that a branch or tag name stands for. */
  named?: number
  /** The head of a fork's pull request that the revision names. */
  forkHead?: ForkCase['eventHeads'][number]
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
  const seen = forkCodeSeen(c)
  if (!c.allowForkCode) {
    const refused = refuseForkCodeSeen(c, seen)
    if (refused) return refused
  }

  // Whose code a pull request is, and the head it runs at: GitHub knows.
  const number = pullRequestNumber(c.target)
  if (number !== undefined && !c.pullRequest && (!c.allowForkCode || !c.explicitRevision)) {
    const times = c.askedAt !== undefined && !c.explicitRevision
    return { verdict: 'ask', lookUp: { kind: 'pull-request', number, times } }
  }

  // A revision from the inputs: this repository's code only if it is on the ref that runs.
  const revisionChecked = checkInputRevision(c, seen.what)
  if (revisionChecked) return revisionChecked

  // After a comment, the head that runs must be the one the comment saw.
  const pr = c.pullRequest
  const pinned = pr?.headSha !== undefined && !c.explicitRevision ? pr.headSha : undefined
  if (pr && pinned && c.askedAt) {
    const moved = refuseMovedAfterComment(c.askedAt, pr, seen.what)
    if (moved) return moved
  }

  return {
    verdict: 'run',
    revision: pinned,
    warning: c.allowForkCode ? allowedForkCodeWarning(c, seen) : undefined
  }
}

function forkCodeSeen(c: ForkCase): ForkCodeSeen {
  return {
    what: describeTarget(c.target),
    named: c.target.kind === 'pull_request' ? undefined : pullRequestNamedBy(c.target.name),
    forkHead: isSha(c.revision) ? forkHeadNamed(c, c.revision) : undefined
  }
}

/** Fork code that the event and the inputs show, refused before GitHub is asked anything. */
function refuseForkCodeSeen(c: ForkCase, seen: ForkCodeSeen): ForkDecision | undefined {
  const { what, named, forkHead } = seen
  // A branch or tag "pull/42": Buddy may run pull request #42, and nothing tells whose code it is.
  if (named !== undefined) {
    return refuse(
      c,
      what,
      `it names pull request #${named}, whose code may come from a fork (input "pull-request: ${named}" runs it once GitHub shows whose code it is)`
    )
  }
  if (c.pullRequest?.fork) {
    return refuse(c, what, `its code comes from ${forkName(c.pullRequest.headRepository)}`)
  }
  if (forkHead) {
    return refuse(
      c,
      `${what} at ${c.revision}`,
      `that commit is the head of a pull request from ${forkName(forkHead.headRepository)}`
    )
  }
  return undefined
}

/** A revision from the inputs that is not on the ref that runs: asked of GitHub, or refused. */
function checkInputRevision(c: ForkCase, what: string): ForkDecision | undefined {
  const revision = c.revision
  if (
    !c.explicitRevision ||
    !isSha(revision) ||
    c.allowForkCode ||
    isOwnCommit(c, revision) ||
    (c.target.kind === 'pull_request' && !c.pullRequest?.headSha)
  ) {
    return undefined
  }
  const onRef = c.revisionOnRef
  if (!onRef || onRef.revision !== revision) {
    return { verdict: 'ask', lookUp: { kind: 'revision-on-ref', revision, ref: refToCompare(c) } }
  }
  if (onRef.status !== 'identical' && onRef.status !== 'behind') {
    return refuse(c, `${what} at ${revision}`, notOnRef(onRef, c.baseRepository))
  }
  return undefined
}

/** A pull request's head that moved after the comment that asked for the run: refused. */
function refuseMovedAfterComment(
  askedAt: string,
  pr: CodeOrigin & { fork: boolean },
  what: string
): ForkDecision | undefined {
  const moved = movedAfter(askedAt, pr)
  if (moved === 'unknown') {
    return {
      verdict: 'refuse',
      reason: `Refusing to run ${what}: its head is in a deleted fork, whose pushes GitHub no longer shows, so nothing tells that it did not move after the comment that asked for the run (${askedAt}). Set input "revision" to the commit that was approved.`
    }
  }
  if (moved) {
    return {
      verdict: 'refuse',
      reason: `Refusing to run ${what}: ${moved}, after the comment that asked for the run (${askedAt}), so that comment did not approve this code. Comment again to run the new head, or set input "revision" to the commit that was approved.`
    }
  }
  return undefined
}

/** The warning for a fork's code run as "allow-fork-code" allows, where it is known to be one. */
function allowedForkCodeWarning(c: ForkCase, seen: ForkCodeSeen): string | undefined {
  const { what, named, forkHead } = seen
  if (c.pullRequest?.fork) {
    return `Running code from ${forkName(c.pullRequest.headRepository)} with this repository's secrets, as input "allow-fork-code" allows.`
  }
  if (forkHead) {
    return `Running commit ${c.revision}, the head of a pull request from ${forkName(forkHead.headRepository)}, with this repository's secrets, as input "allow-fork-code" allows.`
  }
  if (named !== undefined) {
    return `Running ${what}, which names pull request #${named} (whose code may come from a fork), with this repository's secrets, as input "allow-fork-code" allows.`
  }
  return undefined
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
