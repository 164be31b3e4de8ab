/**
 * The head commit of a pull request, for events that do not carry it (issue_comment). The
 * GitHub client is loaded only here, so that other events do not pay for it at start-up.
 */
export async function lookUpPullRequestHead(options: {
  token: string | undefined
  repository: string | undefined
  number: number
  apiUrl: string | undefined
}): Promise<string> {
  const [owner, repo] = (options.repository ?? '').split('/')
  if (!owner || !repo) {
    throw new Error(
      `Cannot look up pull request #${options.number}: GITHUB_REPOSITORY is not set. Set input "revision".`
    )
  }
  if (!options.token) {
    throw new Error(
      `Cannot look up the head commit of pull request #${options.number}: input "github-token" is empty. Keep its default (\${{ github.token }}) or set input "revision".`
    )
  }
  const { getOctokit } = await import('@actions/github')
  const octokit = getOctokit(options.token, options.apiUrl ? { baseUrl: options.apiUrl } : {})
  try {
    const { data } = await octokit.rest.pulls.get({
      owner,
      repo,
      pull_number: options.number,
      request: { signal: AbortSignal.timeout(30_000) }
    })
    return data.head.sha
  } catch (error) {
    const status = (error as { status?: number }).status
    const hint =
      status === 403 || status === 404
        ? ' The token may lack "pull-requests: read" permission.'
        : ''
    throw new Error(
      `Cannot look up the head commit of pull request #${options.number} on GitHub${status ? ` (${status})` : ''}.${hint} Set input "revision" to skip the look-up.`
    )
  }
}
