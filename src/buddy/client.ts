import { HttpClient } from '@actions/http-client'
import type { z } from 'zod'
import { backoffDelay, serverRequestedDelay, type Clock } from '../backoff.js'
import {
  CANCEL_RUN,
  actionLogSchema,
  executionListSchema,
  executionSchema,
  identifiersSchema,
  oidcTokenSchema,
  parseOidcAnswer,
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
    readonly transient = false,
    /** How long the server asked to wait before the next request (429, 503). */
    readonly retryAfterMs?: number
  ) {
    super(message)
  }
}

/** What the last answer said of the rate limit. */
export interface RateLimit {
  limit?: number
  remaining?: number
  resetAtMs?: number
  seenAtMs: number
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

  /** The rate limit as the newest answer told it; undefined before any answer. */
  rateLimit: RateLimit | undefined

  private noteRateLimit(headers: Record<string, string | string[] | undefined>) {
    const number = (name: string) => {
      const raw = headers[name]
      const value = Number(Array.isArray(raw) ? raw[0] : raw)
      return raw !== undefined && Number.isFinite(value) ? value : undefined
    }
    const limit = number('x-rate-limit-limit')
    const remaining = number('x-rate-limit-remaining')
    const reset = number('x-rate-limit-reset')
    if (limit === undefined && remaining === undefined) return
    this.rateLimit = {
      limit,
      remaining,
      resetAtMs: reset === undefined ? undefined : reset * 1000,
      seenAtMs: this.options.clock.now()
    }
  }

  /** One request, one try. Never throws: the caller decides what a failure means. */
  async attempt(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
    authenticate = true,
    timeoutMs = this.timeoutMs
  ): Promise<Attempt> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (authenticate && this.options.token) headers.Authorization = `Bearer ${this.options.token}`
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<Attempt>(resolve => {
      timer = setTimeout(
        () => resolve({ kind: 'network', code: 'ETIMEDOUT', sent: true }),
        timeoutMs
      )
    })
    const exchange = (async (): Promise<Attempt> => {
      try {
        const data = body === undefined ? null : JSON.stringify(body)
        const response = await this.http.request(method, this.url(path), data, headers)
        const text = await response.readBody()
        this.noteRateLimit(response.message.headers)
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
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    schema: S,
    ctx: RequestContext,
    options: {
      body?: unknown
      authenticate?: boolean
      parseText?: (text: string) => unknown
      /** Tries in all; 1 leaves retrying to the caller (the wait loop). */
      attempts?: number
      timeoutMs?: number
    } = {}
  ): Promise<z.infer<S>> {
    const { clock, log } = this.options
    const attempts = options.attempts ?? this.readAttempts
    let problem = ''
    let status: number | undefined
    let wait: number | undefined
    for (let attempt = 0; attempt < attempts; attempt++) {
      const result = await this.attempt(
        method,
        path,
        options.body,
        options.authenticate ?? true,
        options.timeoutMs
      )
      wait = undefined
      status = undefined
      if (result.kind === 'network') {
        problem = describeNetworkFailure(result.code, ctx, this.host)
      } else if (result.status >= 200 && result.status < 300) {
        const parsed = parseAnswer(result.text, schema, options.parseText)
        if (parsed.ok) return parsed.value
        problem = `Buddy's answer could not be read when trying to ${ctx.action}: ${parsed.problem}.`
      } else {
        status = result.status
        const message = buddyMessageOf(result.text)
        problem = describeHttpFailure(result.status, message, ctx)
        if (!isTransientStatus(result.status)) {
          throw new BuddyApiError(problem, result.status, message)
        }
        wait = serverRequestedDelay(result.headers, clock.now())
        if (wait !== undefined && wait > this.maxServerDelayMs) {
          throw new BuddyApiError(
            `${problem} It asks to wait ${Math.ceil(wait / 1000)} s, longer than this step waits.`,
            result.status,
            message,
            true,
            wait
          )
        }
      }
      if (attempt + 1 >= attempts) break
      const delay = wait ?? backoffDelay(attempt, clock.random)
      log.debug(`${problem} Trying again in ${(delay / 1000).toFixed(1)} s.`)
      await clock.sleep(delay)
    }
    const gaveUp = attempts > 1 ? ` Gave up after ${attempts} tries.` : ''
    throw new BuddyApiError(`${problem}${gaveUp}`, status, undefined, true, wait)
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
    // Buddy answers 200 without a pipeline id for an identifier it does not know: asking again
    // cannot help.
    if (answer.pipeline_id === undefined || answer.pipeline_id === null) {
      throw new BuddyApiError(
        `Buddy knows no pipeline with the identifier "${identifier}" in project "${project}" of workspace "${workspace}" (its answer has no pipeline id). Check input "pipeline": it takes the pipeline's identifier (as in the pipeline's URL in Buddy), not its display name; or give "pipeline-id".`
      )
    }
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
        parseText: parseOidcAnswer
      }
    )
    // The schema makes sure that one of them is there.
    return (answer.token ?? answer.access_token ?? answer.buddy_token) as string
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

  private executionContext(ref: PipelineRef, executionId: number, action: string): RequestContext {
    return {
      action: `${action} run #${executionId}`,
      notFound: `run #${executionId} of ${describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` })} (was it deleted?)`,
      scopes: 'PIPELINE_READ, older name EXECUTION_INFO'
    }
  }

  /** One status read; the wait loop does its own retrying within its timeout. */
  getExecution(ref: PipelineRef, executionId: number, attempts = 1): Promise<Execution> {
    return this.read(
      'GET',
      `${pipelinePath(ref)}/executions/${segment(executionId)}`,
      executionSchema,
      this.executionContext(ref, executionId, 'read'),
      { attempts }
    )
  }

  /**
   * Cancels a run. Quick and tried twice: the runner kills the step seconds after cancelling
   * the job. Cancelling is idempotent, so a second try is harmless.
   */
  cancelExecution(ref: PipelineRef, executionId: number): Promise<Execution> {
    return this.read(
      'PATCH',
      `${pipelinePath(ref)}/executions/${segment(executionId)}`,
      executionSchema,
      {
        ...this.executionContext(ref, executionId, 'cancel'),
        scopes: 'PIPELINE_RUN, older name EXECUTION_RUN'
      },
      { body: CANCEL_RUN, attempts: 2, timeoutMs: 3000 }
    )
  }

  /** One page of an action's log (at most 1000 lines). */
  getActionLog(
    ref: PipelineRef,
    executionId: number,
    actionExecutionId: string,
    offset: number,
    limit: number
  ) {
    const query = new URLSearchParams({ offset: String(offset), limit: String(limit) })
    return this.read(
      'GET',
      `${pipelinePath(ref)}/executions/${segment(executionId)}/action_executions/${segment(actionExecutionId)}/logs?${query}`,
      actionLogSchema,
      this.executionContext(ref, executionId, 'read an action log of'),
      { attempts: 2 }
    )
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
