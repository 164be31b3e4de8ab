import * as core from '@actions/core'
import type { Clock } from '../base/clock.js'
import { BuddyClient } from './client.js'
import { proxyHost } from './transport.js'
import { log } from '../base/log.js'
import { CredentialsError, resolveApiBase, resolveTokenSource } from './credentials.js'
import type { Settings } from '../inputs/settings.js'
import type { EventContext } from '../github/event.js'

/** The token input, else BUDDY_TOKEN, else an OIDC exchange; a client for the API base. */
export async function connect(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  event: EventContext,
  clock: Clock,
  limits: { requestTimeoutMs?: number; deadlineMs?: number } = {}
): Promise<BuddyClient> {
  const { requestTimeoutMs, deadlineMs } = limits
  const baseUrl = resolveApiBase(settings, env)
  core.debug(`Buddy API: ${baseUrl.href}`)
  // What every client here shares; the proxy is named in messages about it (the HTTP agent
  // reads HTTPS_PROXY and NO_PROXY itself).
  const common = { baseUrl, clock, log, requestTimeoutMs, deadlineMs, proxyHost: proxyHost(env) }
  const source = resolveTokenSource(settings, env, event)
  if (source.kind === 'token') {
    // The input was masked with the other secrets; BUDDY_TOKEN is masked here.
    if (source.from === 'BUDDY_TOKEN') core.setSecret(source.token)
    core.debug(`Buddy token from ${source.from}.`)
    return new BuddyClient({ ...common, token: source.token })
  }
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    throw new CredentialsError(
      'No Buddy token, and no GitHub OIDC token to exchange for one: give the job "permissions: id-token: write" to use "provider-id", or set input "token".'
    )
  }
  const exchange = new BuddyClient(common)
  // getIDToken masks the GitHub token itself; the Buddy token is masked before anything else.
  const exchangeNew = async (options?: { attempts: number; timeoutMs: number }) => {
    const webIdentityToken = await core.getIDToken(source.audience)
    const token = await exchange.exchangeOidcToken(source.providerId, webIdentityToken, options)
    core.setSecret(token)
    return token
  }
  const token = await exchangeNew()
  log.info('Exchanged the GitHub OIDC token for a Buddy token.')
  // Buddy's OIDC tokens live 10 minutes to 8 hours: when one is refused while the run is
  // followed or cancelled, the client gets another the same way. Within the time limit of the
  // request that was refused: a cancel's renewal must leave time to send the cancel.
  const renewToken = (limitMs: number) => exchangeNew({ attempts: 2, timeoutMs: limitMs })
  return new BuddyClient({ ...common, token, renewToken })
}
