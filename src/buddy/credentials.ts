import { apiBaseUrl } from '../inputs/field-rules.js'
import type { Region, Settings } from '../inputs/settings.js'
import type { EventContext } from '../github/event.js'
import { isSecretlessForkEvent } from '../github/event-secrets.js'

/** Where the API is, and how the token was found; pure apart from what is passed in. */

const REGION_API: Record<Region, string> = {
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
  event: EventContext
): TokenSource {
  if (settings.token) return { kind: 'token', token: settings.token, from: 'input "token"' }
  const fromEnv = env.BUDDY_TOKEN?.trim()
  if (fromEnv) return { kind: 'token', token: fromEnv, from: 'BUDDY_TOKEN' }
  if (settings.providerId) {
    return { kind: 'oidc', providerId: settings.providerId, audience: settings.audience }
  }
  throw new CredentialsError(
    `No Buddy token: input "token" is empty, BUDDY_TOKEN is not set, and no "provider-id" is given for an OIDC exchange.${whyNoSecrets(event, env)}`
  )
}

/** Why GitHub may have given this run no secrets, in the words of the event it is in. */
function whyNoSecrets(event: EventContext, env: NodeJS.ProcessEnv): string {
  if (isSecretlessForkEvent(event)) {
    return ` This ${event.eventName} run is for a pull request from a fork, and GitHub gives such runs neither secrets nor an OIDC token: that is why "token" is empty. Run the pipeline once the code is merged (on push), or from an event that a maintainer controls after reviewing the pull request (an issue_comment checked for the commenter's association, or workflow_run in a job gated by an environment with required reviewers), with "allow-fork-code: true".`
  }
  if (env.GITHUB_ACTOR === 'dependabot[bot]') {
    return " Runs started by Dependabot get the repository's Dependabot secrets, not its Actions secrets: add the Buddy token under Settings → Secrets and variables → Dependabot too."
  }
  return ''
}
