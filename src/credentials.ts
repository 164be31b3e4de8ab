import { apiBaseUrl, type Region, type Settings } from './inputs.js'

/** Where the API is, and how the token was found; pure apart from what is passed in. */

export const REGION_API: Record<Region, string> = {
  US: 'https://api.buddy.works',
  EU: 'https://api.eu.buddy.works',
  AP: 'https://api.asia.buddy.works'
}

export type TokenSource =
  | { kind: 'token'; token: string; from: 'input "token"' | 'BUDDY_TOKEN' }
  | { kind: 'oidc'; providerId: string; audience?: string }

export class CredentialsError extends Error {
  override name = 'CredentialsError'
}

/** api-url, else BUDDY_API_ENDPOINT (exported by buddy/login), else the region's address. */
export function resolveApiBase(settings: Settings, env: NodeJS.ProcessEnv): URL {
  if (settings.apiUrl) return settings.apiUrl
  const fromEnv = env.BUDDY_API_ENDPOINT?.trim()
  if (fromEnv) {
    // buddy/login may export a bare host name: read it as https.
    const withScheme = /^[a-z]+:\/\//i.test(fromEnv) ? fromEnv : `https://${fromEnv}`
    try {
      return apiBaseUrl(withScheme)
    } catch (error) {
      throw new CredentialsError(
        `Environment variable BUDDY_API_ENDPOINT ("${fromEnv}") is not valid: ${(error as Error).message}. Set input "api-url" to override it.`
      )
    }
  }
  return new URL(REGION_API[settings.region])
}

/** The token input, else BUDDY_TOKEN, else an OIDC exchange with provider-id. */
export function resolveTokenSource(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  isForkPullRequest: boolean
): TokenSource {
  if (settings.token) return { kind: 'token', token: settings.token, from: 'input "token"' }
  const fromEnv = env.BUDDY_TOKEN?.trim()
  if (fromEnv) return { kind: 'token', token: fromEnv, from: 'BUDDY_TOKEN' }
  if (settings.providerId) {
    return { kind: 'oidc', providerId: settings.providerId, audience: settings.audience }
  }
  const why = isForkPullRequest
    ? ' This run is for a pull request from a fork, and GitHub gives such runs no secrets: that is why "token" is empty. Run the pipeline from a workflow that has secrets (e.g. on push after merging, or on pull_request_target, with care),; GitHub gives them no OIDC token either.'
    : ''
  throw new CredentialsError(
    `No Buddy token: input "token" is empty, BUDDY_TOKEN is not set, and no "provider-id" is given for an OIDC exchange.${why}`
  )
}
