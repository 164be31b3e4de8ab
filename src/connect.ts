import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import type { Clock } from './backoff.js'
import { BuddyClient } from './buddy/client.js'
import { log } from './log.js'
import { CredentialsError, resolveApiBase, resolveTokenSource } from './credentials.js'
import {
  INPUT_NAMES,
  parseSettings,
  secretValues,
  UNTRIMMED_INPUTS,
  type RawInputs,
  type Settings
} from './inputs.js'
import type { EventContext } from './run-target.js'

/** The edges shared by the main and post steps: inputs, the event, and a client with a token. */

/** Reads every input; secrets are masked before anything can print them. */
export function readSettings(): Settings {
  const raw = {} as RawInputs
  for (const name of INPUT_NAMES) {
    raw[name] = core.getInput(name, { trimWhitespace: !UNTRIMMED_INPUTS.includes(name) })
  }
  for (const secret of secretValues(raw)) core.setSecret(secret)
  return parseSettings(raw)
}

export function readEventContext(env: NodeJS.ProcessEnv): EventContext {
  let payload: Record<string, unknown> = {}
  const path = env.GITHUB_EVENT_PATH
  if (path) {
    try {
      payload = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
    } catch (error) {
      core.warning(`Cannot read the event payload at ${path}: ${(error as Error).message}`)
    }
  }
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    payload,
    ref: env.GITHUB_REF || undefined,
    sha: env.GITHUB_SHA || undefined
  }
}

/** The token input, else BUDDY_TOKEN, else an OIDC exchange; a client for the API base. */
export async function connect(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  event: EventContext,
  clock: Clock,
  requestTimeoutMs?: number
): Promise<BuddyClient> {
  const baseUrl = resolveApiBase(settings, env)
  core.debug(`Buddy API: ${baseUrl.href}`)
  const source = resolveTokenSource(settings, env, event)
  if (source.kind === 'token') {
    // The input was masked with the other secrets; BUDDY_TOKEN is masked here.
    if (source.from === 'BUDDY_TOKEN') core.setSecret(source.token)
    core.debug(`Buddy token from ${source.from}.`)
    return new BuddyClient({ baseUrl, token: source.token, clock, log, requestTimeoutMs })
  }
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    throw new CredentialsError(
      'No Buddy token, and no GitHub OIDC token to exchange for one: give the job "permissions: id-token: write" to use "provider-id", or set input "token".'
    )
  }
  // getIDToken masks the GitHub token itself.
  const webIdentityToken = await core.getIDToken(source.audience)
  const exchange = new BuddyClient({ baseUrl, clock, log, requestTimeoutMs })
  const token = await exchange.exchangeOidcToken(source.providerId, webIdentityToken)
  core.setSecret(token)
  log.info('Exchanged the GitHub OIDC token for a Buddy token.')
  return new BuddyClient({ baseUrl, token, clock, log, requestTimeoutMs })
}
