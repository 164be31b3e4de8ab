import {
  isForkHead,
  pullRequestName,
  RunTargetError,
  type RunTarget,
  type TargetLookUp
} from './run-target.js'

/**
 * What the event does not carry, asked of GitHub's API with "github-token": a pull request's
 * head commit and repository (issue_comment), whether workflow_run's head_branch is a branch or
 * a tag, and the number of a fork's pull request (workflow_run). The GitHub client is loaded
 * only here, so that other events do not pay for it at start-up.
 */

export interface GitHubAccess {
  token: string | undefined
  /** owner/name: GITHUB_REPOSITORY. */
  repository: string | undefined
  apiUrl: string | undefined
}

/** When the pull request's head got where it is, as far as GitHub can tell. */
export interface HeadTimes {
  /** When the comment that asked for the run was made (issue_comment). */
  commentedAt?: string
  /** The head commit's committer date (set by whoever made the commit). */
  committedAt?: string
  /** The head repository's last push (set by GitHub), only for a fork. */
  forkPushedAt?: string
}

export type CompletedTarget = RunTarget & { headTimes?: HeadTimes }

const TIME_LIMIT_MS = 30_000

type Octokit = ReturnType<typeof import('@actions/github').getOctokit>

interface Repo {
  owner: string
  repo: string
}

export async function completeTarget(
  target: RunTarget,
  access: GitHubAccess
): Promise<CompletedTarget> {
  const lookUp = target.lookUp
  if (!lookUp) return target
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
  const { getOctokit } = await import('@actions/github')
  const octokit = getOctokit(access.token, access.apiUrl ? { baseUrl: access.apiUrl } : {})
  const at = { owner, repo }
  try {
    switch (lookUp.kind) {
      case 'pull-request':
        return await withPullRequestHead(octokit, at, target, lookUp)
      case 'ref-kind':
        return { ...target, kind: await refKind(octokit, at, lookUp), lookUp: undefined }
      case 'pull-request-by-head':
        return {
          ...target,
          name: pullRequestName(await forkPullRequestNumber(octokit, at, lookUp)),
          lookUp: undefined
        }
    }
  } catch (error) {
    if (error instanceof RunTargetError) throw error
    const status = (error as { status?: number }).status
    throw new RunTargetError(
      `Cannot ${purpose(lookUp)} on GitHub${status ? ` (${status})` : ''}: ${(error as Error).message}.${permissionHint(lookUp, status)} ${skipHint(lookUp, target)}`
    )
  }
}

function purpose(lookUp: TargetLookUp): string {
  switch (lookUp.kind) {
    case 'pull-request':
      return `look up the head commit of pull request #${lookUp.number}`
    case 'ref-kind':
      return `tell whether "${lookUp.name}" (workflow_run's head_branch) is a branch or a tag`
    case 'pull-request-by-head':
      return `find the pull request of ${lookUp.headRepository}:${lookUp.headBranch} (workflow_run from a fork)`
  }
}

function skipHint(lookUp: TargetLookUp, target?: RunTarget): string {
  switch (lookUp.kind) {
    case 'pull-request':
      return target?.revision === undefined
        ? 'Set input "revision" to skip the look-up.'
        : 'With "revision" set, the pull request is read only to tell whether its code comes from a fork: give the token "pull-requests: read".'
    case 'ref-kind':
      return `Set input "branch" or "tag" to "${lookUp.name}" to skip the look-up.`
    case 'pull-request-by-head':
      return 'Set input "pull-request" to skip the look-up.'
  }
}

function permissionHint(lookUp: TargetLookUp, status: number | undefined): string {
  if (status !== 403 && status !== 404) return ''
  const permission = lookUp.kind === 'ref-kind' ? 'contents: read' : 'pull-requests: read'
  return ` The token may lack "${permission}" permission.`
}

const request = () => ({ request: { signal: AbortSignal.timeout(TIME_LIMIT_MS) } })

async function withPullRequestHead(
  octokit: Octokit,
  at: Repo,
  target: RunTarget,
  lookUp: Extract<TargetLookUp, { kind: 'pull-request' }>
): Promise<CompletedTarget> {
  const { data: pr } = await octokit.rest.pulls.get({
    ...at,
    pull_number: lookUp.number,
    ...request()
  })
  // A deleted fork leaves head.repo null.
  const headRepository = pr.head.repo?.full_name
  const baseRepository = pr.base.repo.full_name
  const fork = isForkHead(headRepository, baseRepository)
  const code = target.code && { ...target.code, headRepository, baseRepository, fork }
  if (target.revision !== undefined) return { ...target, code, lookUp: undefined }
  const headTimes: HeadTimes = {
    commentedAt: lookUp.commentedAt,
    committedAt: await committerDate(octokit, at, pr.head.sha),
    forkPushedAt: fork ? (pr.head.repo?.pushed_at ?? undefined) : undefined
  }
  return { ...target, revision: pr.head.sha, code, headTimes, lookUp: undefined }
}

/** The commit's committer date; undefined where GitHub does not show it. */
async function committerDate(octokit: Octokit, at: Repo, sha: string) {
  try {
    const { data } = await octokit.rest.git.getCommit({ ...at, commit_sha: sha, ...request() })
    return data.committer?.date ?? undefined
  } catch {
    return undefined
  }
}

type RefAnswer = { found: true; commit: string } | { found: false }

/** A ref of this repository and the commit it points to (annotated tags peeled). */
async function readRef(octokit: Octokit, at: Repo, ref: string): Promise<RefAnswer> {
  try {
    const { data } = await octokit.rest.git.getRef({ ...at, ref, ...request() })
    if (data.object.type !== 'tag') return { found: true, commit: data.object.sha }
    const { data: tag } = await octokit.rest.git.getTag({
      ...at,
      tag_sha: data.object.sha,
      ...request()
    })
    return { found: true, commit: tag.object.sha }
  } catch (error) {
    if ((error as { status?: number }).status === 404) return { found: false }
    throw error
  }
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

async function forkPullRequestNumber(
  octokit: Octokit,
  at: Repo,
  lookUp: Extract<TargetLookUp, { kind: 'pull-request-by-head' }>
): Promise<number> {
  const headOwner = lookUp.headRepository.split('/')[0]
  const { data } = await octokit.rest.pulls.list({
    ...at,
    head: `${headOwner}:${lookUp.headBranch}`,
    state: 'all',
    per_page: 30,
    ...request()
  })
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

/**
 * A pull request's head that moved after the comment that asked for the run: the commenter
 * approved other code. Returns the reason to refuse, or undefined.
 */
export function movedAfterCommentRefusal(target: CompletedTarget): string | undefined {
  const { commentedAt, committedAt, forkPushedAt } = target.headTimes ?? {}
  if (!commentedAt) return undefined
  const after = (time: string | undefined) =>
    time !== undefined && Date.parse(time) > Date.parse(commentedAt)
  const what = after(forkPushedAt)
    ? `the fork ${target.code?.headRepository} was pushed to at ${forkPushedAt}`
    : after(committedAt)
      ? `its head commit ${target.revision} was made at ${committedAt}`
      : undefined
  if (!what) return undefined
  return `Refusing to run ${target.name}: ${what}, after the comment that asked for the run (${commentedAt}), so that comment did not approve this code. Comment again to run the new head, or set input "revision" to the commit that was approved.`
}
