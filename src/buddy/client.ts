import { HttpClient } from '@actions/http-client'
import type { z } from 'zod'
import { backoffDelay, serverRequestedDelay, type Clock } from '../backoff.js'
import {
  executionListSchema,
  executionSchema,
  identifiersSchema,
  oidcTokenSchema,
  pipelineSchema,
  type Execution,
  type Pipeline,
  type RunRequestBody
} from './model.js'

/**
 * The only module that speaks HTTP to Buddy: paths, headers, time limits, retries of reads, and
 * turning failures into messages that say what to fix. The run request itself is sent once per
 * call (postExecution): deciding whether to send it again is start-execution's job.
 */

export interface PipelineRef {
  workspace: string
  project: string
  pipelineId: number
}

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
}

export interface ClientOptions {
  baseUrl: URL
  token?: string
  clock: Clock
  log: Logger
  /** Limit for one request, from connecting to the last byte. */
  requestTimeoutMs?: number
  /** How many times a read is tried in all. */
  readAttempts?: number
  /** The longest server-requested wait (Retry-After) that a retry will sit through. */
  maxServerDelayMs?: number
  userAgent?: string
}

/** One try's outcome, before any interpretation. */
export type Attempt =
  | {
      kind: 'response'
      status: number
      headers: Record<string, string | string[] | undefined>
      text: string
    }
  | { kind: 'network'; code: string; sent: boolean }

/** Errors that mean the request never left this machine, so nothing can have been created. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH'
])

export class BuddyApiError extends Error {
  override name = 'BuddyApiError'
  constructor(
    message: string,
    readonly status?: number,
    readonly buddyMessage?: string,
    readonly transient = false
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
  // eslint-disable-next-line no-control-regex
  const oneLine = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine
}

export function isTransientStatus(status: number): boolean {
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
      return `Buddy refused the token (401 Unauthorized) when trying to ${ctx.action}: it is invalid or expired (OAuth tokens last 8 hours). Create a new token or check the secret.${said}`
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

export function describeNetworkFailure(code: string, ctx: RequestContext, host: string): string {
  if (code === 'ETIMEDOUT') return `No answer from ${host} in time when trying to ${ctx.action}.`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `Cannot resolve ${host} when trying to ${ctx.action}: check "api-url", "region" or BUDDY_API_ENDPOINT.`
  }
  return `Cannot reach ${host} (${code}) when trying to ${ctx.action}.`
}

export const segment = (value: string | number) => encodeURIComponent(String(value))

export function pipelinePath(ref: PipelineRef): string {
  return `/workspaces/${segment(ref.workspace)}/projects/${segment(ref.project)}/pipelines/${segment(ref.pipelineId)}`
}

export function describePipeline(ref: Omit<PipelineRef, 'pipelineId'> & { pipeline: string }) {
  return `workspace "${ref.workspace}", project "${ref.project}" and ${ref.pipeline}`
}

export class BuddyClient {
  private readonly http: HttpClient
  private readonly timeoutMs: number
  private readonly readAttempts: number
  private readonly maxServerDelayMs: number

  constructor(private readonly options: ClientOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? 30_000
    this.readAttempts = options.readAttempts ?? 5
    this.maxServerDelayMs = options.maxServerDelayMs ?? 60_000
    this.http = new HttpClient(options.userAgent ?? 'buddy-run-pipeline-action', [], {
      allowRetries: false,
      allowRedirects: false,
      socketTimeout: this.timeoutMs,
      keepAlive: false
    })
  }

  get host(): string {
    return this.options.baseUrl.host
  }

  url(path: string): string {
    return `${this.options.baseUrl.href.replace(/\/+$/, '')}${path}`
  }

  /** One request, one try. Never throws: the caller decides what a failure means. */
  async attempt(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
    authenticate = true
  ): Promise<Attempt> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (authenticate && this.options.token) headers.Authorization = `Bearer ${this.options.token}`
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<Attempt>(resolve => {
      timer = setTimeout(
        () => resolve({ kind: 'network', code: 'ETIMEDOUT', sent: true }),
        this.timeoutMs
      )
    })
    const exchange = (async (): Promise<Attempt> => {
      try {
        const data = body === undefined ? null : JSON.stringify(body)
        const response = await this.http.request(method, this.url(path), data, headers)
        const text = await response.readBody()
        return {
          kind: 'response',
          status: response.message.statusCode ?? 0,
          headers: response.message.headers,
          text
        }
      } catch (error) {
        const code =
          (error as NodeJS.ErrnoException).code ??
          (/timeout/i.test(String(error)) ? 'ETIMEDOUT' : 'ECONNRESET')
        return { kind: 'network', code, sent: !NOT_SENT_CODES.has(code) }
      }
    })()
    try {
      return await Promise.race([exchange, timedOut])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * A request that creates nothing (or nothing that matters twice): tried again on transient
   * faults (5xx, 429, network, malformed answers) with backoff, honouring Retry-After.
   */
  async read<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    ctx: RequestContext,
    options: { body?: unknown; authenticate?: boolean; parseText?: (text: string) => unknown } = {}
  ): Promise<z.infer<S>> {
    const { clock, log } = this.options
    let lastProblem = ''
    for (let attempt = 0; attempt < this.readAttempts; attempt++) {
      const result = await this.attempt(method, path, options.body, options.authenticate ?? true)
      let wait: number | undefined
      if (result.kind === 'network') {
        lastProblem = describeNetworkFailure(result.code, ctx, this.host)
      } else if (result.status >= 200 && result.status < 300) {
        const parsed = parseAnswer(result.text, schema, options.parseText)
        if (parsed.ok) return parsed.value
        lastProblem = `Buddy's answer could not be read when trying to ${ctx.action}: ${parsed.problem}.`
      } else {
        const message = buddyMessageOf(result.text)
        lastProblem = describeHttpFailure(result.status, message, ctx)
        if (!isTransientStatus(result.status)) {
          throw new BuddyApiError(lastProblem, result.status, message)
        }
        wait = serverRequestedDelay(result.headers, clock.now())
        if (wait !== undefined && wait > this.maxServerDelayMs) {
          throw new BuddyApiError(
            `${lastProblem} It asks to wait ${Math.ceil(wait / 1000)} s, longer than this step waits.`,
            result.status,
            message,
            true
          )
        }
      }
      if (attempt + 1 >= this.readAttempts) break
      const delay = wait ?? backoffDelay(attempt, clock.random)
      log.debug(`${lastProblem} Trying again in ${(delay / 1000).toFixed(1)} s.`)
      await clock.sleep(delay)
    }
    throw new BuddyApiError(
      `${lastProblem} Gave up after ${this.readAttempts} tries.`,
      undefined,
      undefined,
      true
    )
  }

  getPipeline(ref: PipelineRef): Promise<Pipeline> {
    return this.read('GET', pipelinePath(ref), pipelineSchema, {
      action: `read pipeline ${ref.pipelineId}`,
      notFound: describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` }),
      scopes: 'PIPELINE_READ, older name EXECUTION_INFO or WORKSPACE'
    })
  }

  async resolvePipelineId(workspace: string, project: string, identifier: string): Promise<number> {
    const query = new URLSearchParams({ project, pipeline: identifier })
    const answer = await this.read(
      'GET',
      `/workspaces/${segment(workspace)}/identifiers?${query}`,
      identifiersSchema,
      {
        action: `find the id of pipeline "${identifier}"`,
        notFound: describePipeline({
          workspace,
          project,
          pipeline: `pipeline identifier "${identifier}"`
        }),
        scopes: 'PIPELINE_READ, older name EXECUTION_INFO or WORKSPACE'
      }
    )
    return answer.pipeline_id
  }

  /** GitHub OIDC token → Buddy token. Sent without a bearer header. */
  async exchangeOidcToken(providerId: string, webIdentityToken: string): Promise<string> {
    const answer = await this.read(
      'POST',
      '/user/oidc/tokens',
      oidcTokenSchema,
      {
        action: 'exchange the GitHub OIDC token for a Buddy token',
        notFound: `"provider-id" ("${providerId}") and "api-url"/"region"`,
        scopes: `the identity provider's settings in Buddy (provider-id "${providerId}")`
      },
      {
        body: { provider_id: providerId, web_identity_token: webIdentityToken },
        authenticate: false,
        // Seen both as JSON and as the bare token.
        parseText: text => {
          const trimmed = text.trim()
          if (trimmed.startsWith('{')) return JSON.parse(trimmed)
          if (/^[\w.~+/=-]+$/.test(trimmed)) return { token: trimmed }
          throw new SyntaxError('not a token')
        }
      }
    )
    const token = answer.token ?? answer.access_token ?? answer.buddy_token
    if (!token) {
      throw new BuddyApiError(
        "Buddy's answer to the OIDC exchange holds no token (looked for token, access_token, buddy_token)."
      )
    }
    return token
  }

  listExecutions(ref: PipelineRef, perPage = 20): Promise<Execution[]> {
    return this.read(
      'GET',
      `${pipelinePath(ref)}/executions?page=1&per_page=${perPage}`,
      executionListSchema,
      {
        action: `list the runs of pipeline ${ref.pipelineId}`,
        notFound: describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` }),
        scopes: 'PIPELINE_READ, older name EXECUTION_INFO'
      }
    ).then(list => list.executions)
  }

  /** The run request, sent once. */
  postExecution(ref: PipelineRef, body: RunRequestBody): Promise<Attempt> {
    return this.attempt('POST', `${pipelinePath(ref)}/executions`, body)
  }
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

export { executionSchema }
