import type { z } from 'zod'
import { serverRequestedDelay } from './backoff.js'
import { oneLine } from '../base/log.js'
import type { Attempt, NetworkFailure } from './transport.js'

/**
 * What a failed request to Buddy means, in words that say what to fix: `BuddyApiError`, Buddy's
 * own message read from an error body, an HTTP or network failure described, an answer parsed
 * (or why it could not be), and whether trying again can help. Pure: the transport reports
 * what happened, this module judges it, the client acts on the judgement.
 */

export class BuddyApiError extends Error {
  override name = 'BuddyApiError'
  constructor(
    message: string,
    readonly status?: number,
    readonly buddyMessage?: string,
    readonly transient = false,
    /** How long the server asked to wait before the next request (429, 503). */
    readonly retryAfterMs?: number
  ) {
    super(message)
  }
}

export interface RequestContext {
  /** What was being done, e.g. "read pipeline 12". */
  action: string
  /** What a 404 means, e.g. 'pipeline 12 in project "web" of workspace "acme"'. */
  notFound: string
  /** Scopes the request needs, in both spellings. */
  scopes: string
}

/** Buddy's own words from an error body, short and on one line. */
export function buddyMessageOf(text: string): string | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  let message: string | undefined
  try {
    const body = JSON.parse(trimmed) as Record<string, unknown>
    if (Array.isArray(body.errors)) {
      message = body.errors
        .map(e => (e && typeof e === 'object' ? (e as Record<string, unknown>).message : e))
        .filter(m => typeof m === 'string' && m !== '')
        .join('; ')
    }
    if (!message && typeof body.error === 'string') message = body.error
    if (!message && typeof body.message === 'string') message = body.message
  } catch {
    if (/^<(!doctype|html)/i.test(trimmed)) return 'an HTML page instead of JSON'
    message = trimmed
  }
  if (!message) return undefined
  const line = oneLine(message)
  return line.length > 300 ? `${line.slice(0, 297)}...` : line
}

function isTransientStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500
}

/** The message for an HTTP failure: what it means, what to check, and what Buddy said. */
export function describeHttpFailure(
  status: number,
  buddyMessage: string | undefined,
  ctx: RequestContext
): string {
  const said = buddyMessage ? ` Buddy said: ${buddyMessage}` : ''
  switch (status) {
    case 401:
      return `Buddy refused the token (401 Unauthorized) when trying to ${ctx.action}: it is invalid or expired (OAuth tokens last 8 hours), or the token (or the OIDC identity provider it came from) has no access to this workspace. Create a new token or check the secret, and that its owner (or the provider) belongs to the workspace.${said}`
    case 403:
      return `Buddy denied access (403 Forbidden) when trying to ${ctx.action}: the token lacks a scope (${ctx.scopes}) or permission in this project, or the API is disabled in the workspace.${said}`
    case 404:
      return `Not found (404) when trying to ${ctx.action}: check ${ctx.notFound}.${said}`
    case 429:
      return `Buddy's rate limit was reached (429) when trying to ${ctx.action}, and it did not clear in time.${said}`
    default:
      if (status >= 300 && status < 400) {
        return `Buddy answered with a redirect (${status}) when trying to ${ctx.action}: check "api-url" (a self-hosted Buddy's API is usually at https://<host>/api).${said}`
      }
      return `Buddy answered ${status} when trying to ${ctx.action}.${said}`
  }
}

/** A proxy that would not open a tunnel: what it said, and what to change. */
function describeProxyFailure(
  failure: Pick<NetworkFailure, 'detail' | 'proxy'>,
  ctx: RequestContext,
  host: string,
  hostname: string
): string {
  const through = failure.proxy ? ` (${failure.proxy}, from HTTPS_PROXY)` : ''
  const direct = `or, if ${hostname} is reached without the proxy, add it to NO_PROXY`
  const status = /statusCode=(\d+)/.exec(failure.detail ?? '')?.[1]
  if (status === '407') {
    return `The proxy${through} refused to open a tunnel to ${host} (407 Proxy Authentication Required) when trying to ${ctx.action}: it wants credentials. Put them in HTTPS_PROXY (http://user:password@proxy:port), ${direct}.`
  }
  const why = status ? `it answered CONNECT with ${status}` : (failure.detail ?? 'no tunnel')
  return `The proxy${through} could not open a tunnel to ${host} (${why}) when trying to ${ctx.action}: check that HTTPS_PROXY names a proxy that lets this runner reach ${hostname}, ${direct}.`
}

export function describeNetworkFailure(
  failure: Pick<NetworkFailure, 'code' | 'fatal' | 'detail' | 'proxy'>,
  ctx: RequestContext,
  host: string
): string {
  const { code } = failure
  const hostname = host.replace(/:\d+$/, '')
  if (failure.fatal === 'proxy') return describeProxyFailure(failure, ctx, host, hostname)
  if (failure.fatal === 'deadline') {
    return `No time is left in the step's timeout to ${ctx.action}: nothing was sent.`
  }
  if (failure.fatal === 'certificate') {
    return `The certificate of ${host} is not trusted (${code}) when trying to ${ctx.action}: it is self-signed, expired, for another host, or from a certificate authority this runner does not know. If your network or your Buddy uses a private certificate authority (a TLS-inspecting proxy, a self-hosted Buddy), point NODE_EXTRA_CA_CERTS at its certificate (PEM file); check that "api-url" names the host the certificate is for.`
  }
  if (code === 'ETIMEDOUT') return `No answer from ${host} in time when trying to ${ctx.action}.`
  if (code === 'ESTALLED') {
    return `Buddy's answer stopped mid-way (nothing for ${failure.detail ?? 'a while'}) when trying to ${ctx.action}.`
  }
  if (code === 'ECUTBODY') {
    return `The connection to ${host} closed before Buddy's answer was complete when trying to ${ctx.action}.`
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `Cannot resolve ${host} when trying to ${ctx.action}: check "api-url", "region" or BUDDY_API_ENDPOINT.`
  }
  return `Cannot reach ${host} (${code}) when trying to ${ctx.action}.`
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string }

export function parseAnswer<S extends z.ZodType>(
  text: string,
  schema: S,
  parseText: (text: string) => unknown = JSON.parse
): Parsed<z.infer<S>> {
  if (text.trim() === '') return { ok: false, problem: 'an empty answer' }
  let json: unknown
  try {
    json = parseText(text)
  } catch {
    const message = buddyMessageOf(text)
    return {
      ok: false,
      problem: message === 'an HTML page instead of JSON' ? message : 'malformed JSON'
    }
  }
  const result = schema.safeParse(json)
  if (result.success) return { ok: true, value: result.data }
  const first = result.error.issues[0]
  return {
    ok: false,
    problem: `unexpected shape (${first ? `${first.path.join('.') || 'answer'}: ${first.message}` : 'unknown'})`
  }
}

/** A read's try judged: its value, or a fault that another try may cure. */
export type ReadAnswer<T> =
  | { kind: 'read'; value: T }
  | { kind: 'fault'; problem: string; status?: number; wait?: number; message?: string }

/** Classifies one try of a read; throws where no try can help. */
export function classifyReadAnswer<S extends z.ZodType>(
  result: Attempt,
  schema: S,
  ctx: RequestContext,
  host: string,
  nowMs: number,
  parseText?: (text: string) => unknown
): ReadAnswer<z.infer<S>> {
  if (result.kind === 'network') {
    const problem = describeNetworkFailure(result, ctx, host)
    // A proxy or certificate problem is the runner's configuration: no try can fix it.
    if (result.fatal) throw new BuddyApiError(problem)
    return { kind: 'fault', problem }
  }
  if (result.status >= 200 && result.status < 300) {
    const parsed = parseAnswer(result.text, schema, parseText)
    if (parsed.ok) return { kind: 'read', value: parsed.value }
    return {
      kind: 'fault',
      problem: `Buddy's answer could not be read when trying to ${ctx.action}: ${parsed.problem}.`
    }
  }
  const status = result.status
  const message = buddyMessageOf(result.text)
  const problem = describeHttpFailure(status, message, ctx)
  if (!isTransientStatus(status)) throw new BuddyApiError(problem, status, message)
  const wait = serverRequestedDelay(result.headers, nowMs, status)
  return { kind: 'fault', problem, status, wait, message }
}

/** A 401 for a token renewed a moment before: final. */
export function refusedAfterRenewal(result: Attempt, ctx: RequestContext): BuddyApiError {
  const message = result.kind === 'response' ? buddyMessageOf(result.text) : undefined
  return new BuddyApiError(
    `${describeHttpFailure(401, message, ctx)} A token renewed through OIDC a moment before was refused too.`,
    401,
    message
  )
}
