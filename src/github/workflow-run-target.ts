import type { EventContext } from './event.js'
import { baseRepositoryOf, num, obj, str, type Json } from './payload.js'
import {
  fromGithubRef,
  isForkHead,
  pullRequestName,
  RunTargetError,
  type CodeOrigin,
  type RunTarget
} from './run-target.js'

/**
 * workflow_run: the run of another workflow, whose payload names that run's head branch and
 * commit, but not always what they are — a branch or a tag (a look-up tells), or which pull
 * request (its number, or a fork's pull request found by its head). It runs with this
 * repository's secrets, so it records whose code a pull request's head is, for the fork policy.
 */

/**
 * Upstream events whose workflow run is for a pull request's head (head_sha). A
 * pull_request_target run is for the base branch (head_branch, head_sha are the base's).
 */
const PULL_REQUEST_HEAD_RUNS = new Set([
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment'
])

/** What the upstream run's payload says of its head. */
interface UpstreamRun {
  sha: string | undefined
  source: string
  headBranch: string | undefined
  headRepository: string | undefined
  baseRepository: string | undefined
}

export function workflowRun(ctx: EventContext): RunTarget {
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
function pullRequestHeadRun(p: Json, run: Json, upstreamRun: UpstreamRun): RunTarget {
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
