import type { RevisionOnRef } from './fork-case.js'
import type { ForkLookUp } from './fork-policy.js'
import {
  committerDate,
  compareCommits,
  getPullRequest,
  listPullRequestsByHead,
  openGitHub,
  readRef,
  type Octokit,
  type Repo
} from './github-reads.js'
import {
  isForkHead,
  pullRequestName,
  RunTargetError,
  type CodeOrigin,
  type RunTarget,
  type TargetLookUp
} from './run-target.js'

/**
 * What the event does not carry, asked of GitHub's API with "github-token": a pull request's
 * head commit and repository (issue_comment), whether workflow_run's head_branch is a branch or
 * a tag, and the number of a fork's pull request (workflow_run); and what the fork policy asks
 * (fork-policy.ts): whose code a pull request is, and whether a revision is on the ref that runs.
 * The answers come from github-reads.ts; what they mean, and the messages when GitHub cannot
 * answer (what was asked, which permission, how to skip it), are here.
 */

export interface GitHubAccess {
  token: string | undefined
  /** owner/name: GITHUB_REPOSITORY. */
  repository: string | undefined
  apiUrl: string | undefined
}

/** A target as GitHub completed it, with what the fork policy asked. */
export type CompletedTarget = RunTarget & { revisionOnRef?: RevisionOnRef }

type AnyLookUp = TargetLookUp | ForkLookUp

/** Runs one look-up with a GitHub client, its failure explained (what, which permission, how to skip). */
async function withGitHub<T>(
  access: GitHubAccess,
  lookUp: AnyLookUp,
  target: RunTarget,
  ask: (octokit: Octokit, at: Repo) => Promise<T>
): Promise<T> {
  const [owner, repo] = (access.repository ?? '').split('/')
  if (!owner || !repo) {
    throw new RunTargetError(
      `Cannot ${purpose(lookUp)}: GITHUB_REPOSITORY is not set. ${skipHint(lookUp, target)}`
    )
  }
  if (!access.token) {
    throw new RunTargetError(
      `Cannot ${purpose(lookUp)}: input "github-token" is empty; keep its default (\${{ github.token }}). ${skipHint(lookUp, target)}`
    )
  }
  const octokit = await openGitHub(access.token, access.apiUrl)
  try {
    return await ask(octokit, { owner, repo })
  } catch (error) {
    if (error instanceof RunTargetError) throw error
    const status = (error as { status?: number }).status
    throw new RunTargetError(
      `Cannot ${purpose(lookUp)} on GitHub${status ? ` (${status})` : ''}: ${(error as Error).message}.${permissionHint(lookUp, status)} ${skipHint(lookUp, target)}`
    )
  }
}

/** The target, completed where the event does not carry what to run. */
export async function completeTarget(
  target: RunTarget,
  access: GitHubAccess
): Promise<CompletedTarget> {
  const lookUp = target.lookUp
  if (!lookUp) return target
  // A revision given: the head is not needed (whose code it is, the fork policy asks itself).
  if (lookUp.kind === 'pull-request' && target.revision !== undefined) {
    return { ...target, lookUp: undefined }
  }
  return withGitHub(access, lookUp, target, async (octokit, at) => {
    switch (lookUp.kind) {
      case 'pull-request': {
        const code = await readPullRequest(octokit, at, lookUp.number, target.code, true)
        return { ...target, revision: code.headSha, code, lookUp: undefined }
      }
      case 'ref-kind':
        return { ...target, kind: await refKind(octokit, at, lookUp), lookUp: undefined }
      case 'pull-request-by-head':
        return {
          ...target,
          name: pullRequestName(await forkPullRequestNumber(octokit, at, lookUp)),
          lookUp: undefined
        }
    }
  })
}

/** What the fork policy asked: the target with GitHub's answer added. */
export async function lookUpForFork(
  target: CompletedTarget,
  lookUp: ForkLookUp,
  access: GitHubAccess
): Promise<CompletedTarget> {
  return withGitHub(access, lookUp, target, async (octokit, at) => {
    switch (lookUp.kind) {
      case 'pull-request':
        return {
          ...target,
          code: await readPullRequest(octokit, at, lookUp.number, target.code, lookUp.times)
        }
      case 'revision-on-ref':
        return { ...target, revisionOnRef: await revisionOnRef(octokit, at, lookUp) }
    }
  })
}

function purpose(lookUp: AnyLookUp): string {
  switch (lookUp.kind) {
    case 'pull-request':
      return `read pull request #${lookUp.number} (its head commit and whose code it is)`
    case 'ref-kind':
      return `tell whether "${lookUp.name}" (workflow_run's head_branch) is a branch or a tag`
    case 'pull-request-by-head':
      return `find the pull request of ${lookUp.headRepository}:${lookUp.headBranch} (workflow_run from a fork)`
    case 'revision-on-ref':
      return `tell whether revision ${lookUp.revision} is on ${lookUp.ref.kind === 'commit' ? lookUp.ref.what : `${lookUp.ref.kind} ${lookUp.ref.name}`}`
  }
}

const FORK_REASON =
  'this event runs with the secrets while outsiders can start it, so a fork\'s code is refused unless input "allow-fork-code" is true'

function skipHint(lookUp: AnyLookUp, target?: RunTarget): string {
  switch (lookUp.kind) {
    case 'pull-request':
      return target?.explicitRevision
        ? `With "revision" set, the pull request is read only to tell whether its code comes from a fork (${FORK_REASON}): give the token "pull-requests: read".`
        : `The pull request is read to tell its head commit and whose code it is (${FORK_REASON}): give the token "pull-requests: read".`
    case 'ref-kind':
      return `Set input "branch" or "tag" to "${lookUp.name}" to skip the look-up.`
    case 'pull-request-by-head':
      return 'Set input "pull-request" to skip the look-up.'
    case 'revision-on-ref':
      return `The revision is compared with the ref that runs to tell whether it is this repository's code (${FORK_REASON}): give the token "contents: read".`
  }
}

function permissionHint(lookUp: AnyLookUp, status: number | undefined): string {
  if (status !== 403 && status !== 404) return ''
  const permission =
    lookUp.kind === 'ref-kind' || lookUp.kind === 'revision-on-ref'
      ? 'contents: read'
      : 'pull-requests: read'
  return ` The token may lack "${permission}" permission.`
}

/**
 * A pull request as GitHub shows it: whose code it is, its head, and, where asked, when that
 * head got there (a fork's last push, which GitHub sets; or, in this repository, the head
 * commit's committer date).
 */
async function readPullRequest(
  octokit: Octokit,
  at: Repo,
  number: number,
  known: CodeOrigin | undefined,
  times: boolean
): Promise<CodeOrigin & { fork: boolean }> {
  const pr = await getPullRequest(octokit, at, number)
  // A deleted fork leaves head.repo null.
  const headRepository = pr.head.repo?.full_name
  const baseRepository = pr.base.repo.full_name
  const fork = isForkHead(headRepository, baseRepository)
  return {
    event: known?.event ?? '',
    headRepository,
    baseRepository,
    fork,
    headSha: pr.head.sha,
    pushedAt: fork ? (pr.head.repo?.pushed_at ?? undefined) : undefined,
    committedAt: times && !fork ? await committerDate(octokit, at, pr.head.sha) : undefined
  }
}

/**
 * Is the revision in the history of the ref that runs? GitHub compares the ref's commit with it:
 * "behind" or "identical" say yes. A fork's commit is known to GitHub through this repository
 * too, and is "ahead" or "diverged".
 */
async function revisionOnRef(
  octokit: Octokit,
  at: Repo,
  lookUp: Extract<ForkLookUp, { kind: 'revision-on-ref' }>
): Promise<RevisionOnRef> {
  const { revision, ref } = lookUp
  const what = ref.kind === 'commit' ? ref.what : `${ref.kind} ${ref.name}`
  let base: string
  if (ref.kind === 'commit') base = ref.sha
  else {
    const found = await readRef(
      octokit,
      at,
      `${ref.kind === 'branch' ? 'heads' : 'tags'}/${ref.name}`
    )
    if (!found.found) return { revision, ref: what, status: 'no-ref' }
    base = found.commit
  }
  if (base === revision) return { revision, ref: what, status: 'identical' }
  return { revision, ref: what, status: await compareCommits(octokit, at, base, revision) }
}

/**
 * head_branch names a branch or a tag. A tag at the run's commit wins (tags rarely move, while
 * the branch may have moved on since); otherwise an existing branch; neither is an error.
 */
async function refKind(
  octokit: Octokit,
  at: Repo,
  lookUp: Extract<TargetLookUp, { kind: 'ref-kind' }>
): Promise<'branch' | 'tag'> {
  const [tag, branch] = await Promise.all([
    readRef(octokit, at, `tags/${lookUp.name}`),
    readRef(octokit, at, `heads/${lookUp.name}`)
  ])
  if (tag.found && (!branch.found || !lookUp.sha || tag.commit === lookUp.sha)) return 'tag'
  if (branch.found) return 'branch'
  throw new RunTargetError(
    `"${lookUp.name}" (workflow_run's head_branch) is neither a branch nor a tag of ${at.owner}/${at.repo} on GitHub: it was deleted since, or the token cannot read the repository ("contents: read"). ${skipHint(lookUp)}`
  )
}

/** The number of a fork's pull request, found by its head (workflow_run from a fork). */
async function forkPullRequestNumber(
  octokit: Octokit,
  at: Repo,
  lookUp: Extract<TargetLookUp, { kind: 'pull-request-by-head' }>
): Promise<number> {
  const headOwner = lookUp.headRepository.split('/')[0]
  const data = await listPullRequestsByHead(octokit, at, headOwner, lookUp.headBranch)
  const fromFork = data.filter(
    pr => pr.head.repo?.full_name.toLowerCase() === lookUp.headRepository.toLowerCase()
  )
  // The one at the run's commit; else the only open one (its head may have moved on since).
  const open = fromFork.filter(p => p.state === 'open')
  const pr =
    fromFork.find(p => p.head.sha === lookUp.sha) ?? (open.length === 1 ? open[0] : undefined)
  if (!pr) {
    throw new RunTargetError(
      `No pull request of ${at.owner}/${at.repo} has ${lookUp.headRepository}:${lookUp.headBranch} at ${lookUp.sha ?? 'its head'} as its head (workflow_run from a fork, whose pull_requests GitHub leaves empty). ${skipHint(lookUp)}`
    )
  }
  return pr.number
}
