/**
 * The reads of GitHub's REST API that the action makes (through @actions/github's Octokit, with
 * "github-token"), each within its time limit: GitHub's answers as it gives them, with "not
 * found" as an answer where it is one. No decisions: lookups.ts draws them. The client is loaded
 * only when a look-up is needed, so that other events do not pay for it at start-up.
 */

export type Octokit = ReturnType<typeof import('@actions/github').getOctokit>

/** This repository, as Octokit's requests name it. */
export interface Repo {
  owner: string
  repo: string
}

const TIME_LIMIT_MS = 30_000

const request = () => ({ request: { signal: AbortSignal.timeout(TIME_LIMIT_MS) } })

/** A client for GitHub's API (GITHUB_API_URL on GitHub Enterprise Server). */
export async function openGitHub(token: string, apiUrl: string | undefined): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github')
  return getOctokit(token, apiUrl ? { baseUrl: apiUrl } : {})
}

/** A pull request: its head (commit, repository and that repository's last push) and base. */
export async function getPullRequest(octokit: Octokit, at: Repo, number: number) {
  const { data } = await octokit.rest.pulls.get({ ...at, pull_number: number, ...request() })
  return data
}

/** The commit's committer date; undefined where GitHub does not show it. */
export async function committerDate(octokit: Octokit, at: Repo, sha: string) {
  try {
    const { data } = await octokit.rest.git.getCommit({ ...at, commit_sha: sha, ...request() })
    return data.committer?.date ?? undefined
  } catch {
    return undefined
  }
}

/**
 * GitHub's comparison of a commit with a revision: identical, behind (the revision is in the
 * commit's history), ahead or diverged; "no-commit" when GitHub knows no such revision.
 */
export async function compareCommits(
  octokit: Octokit,
  at: Repo,
  base: string,
  revision: string
): Promise<'identical' | 'behind' | 'ahead' | 'diverged' | 'no-commit'> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...at,
      basehead: `${base}...${revision}`,
      per_page: 1,
      ...request()
    })
    return data.status
  } catch (error) {
    const status = (error as { status?: number }).status
    if (status === 404 || status === 422) return 'no-commit'
    throw error
  }
}

export type RefAnswer = { found: true; commit: string } | { found: false }

/** A ref of this repository and the commit it points to (annotated tags peeled). */
export async function readRef(octokit: Octokit, at: Repo, ref: string): Promise<RefAnswer> {
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

/** Pull requests, open or closed, whose head is owner:branch (the newest 30). */
export async function listPullRequestsByHead(
  octokit: Octokit,
  at: Repo,
  headOwner: string | undefined,
  headBranch: string
) {
  const { data } = await octokit.rest.pulls.list({
    ...at,
    head: `${headOwner}:${headBranch}`,
    state: 'all',
    per_page: 30,
    ...request()
  })
  return data
}
