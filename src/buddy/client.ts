import { HttpClient } from '@actions/http-client'
import type { IncomingMessage } from 'node:http'
import type { z } from 'zod'
import {
  backoffDelay,
  pacingDelay,
  RateLimitWaits,
  serverRequestedDelay,
  type RateLimit
} from './backoff.js'
import type { Clock } from '../base/clock.js'
import { oneLine, type Logger } from '../base/log.js'
import { BuddyToken, RenewalTimeoutError, type RenewToken } from './token-renewal.js'
import {
  CANCEL_RUN,
  RETRY_RUN,
  approveRun,
  type ExecutionOperationBody,
  actionExecutionLogSchema,
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

export interface ClientOptions {
  baseUrl: URL
  token?: string
  /**
   * Gets a fresh token when Buddy refuses the one sent (401): set for OIDC tokens only. A 401
   * is then answered by one renewal and the request sent once more.
   */
  renewToken?: RenewToken
  clock: Clock
  log: Logger
  /** Limit for one request, from connecting to the last byte. */
  requestTimeoutMs?: number
  /** How many times a read is tried in all. */
  readAttempts?: number
  /**
   * How long one read may wait out 429s in all. A 429 is Buddy pacing many jobs that share its
   * rate limit, not a failed try: it does not use up `readAttempts`.
   */
  rateLimitBudgetMs?: number
  /** Once the answer has begun, the longest silence between two pieces of its body. */
  stallTimeoutMs?: number
  /**
   * When the step must be over (by the clock): no request is sent and no wait lasts past it.
   * The step's timeout plus the allowance to finish (see main.ts).
   */
  deadlineMs?: number
}

/** One try's outcome, before any interpretation. */
export type Attempt =
  | {
      kind: 'response'
      status: number
      headers: Record<string, string | string[] | undefined>
      text: string
    }
  | NetworkFailure

export interface NetworkFailure {
  kind: 'network'
  /** ECONNRESET, ETIMEDOUT, ...; ECUTBODY: closed mid-answer; ESTALLED: the answer went silent. */
  code: string
  /** Whether the request may have reached Buddy (and so may have created something). */
  sent: boolean
  /**
   * Trying again cannot help: a configuration error of the runner's network, or no time left
   * in the step (deadline: nothing was sent).
   */
  fatal?: 'proxy' | 'certificate' | 'deadline'
  /** What the proxy said (statusCode=407, cause=...), or how long the answer was silent. */
  detail?: string
}

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

export type { RateLimit }

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

/** Node's codes for a server certificate that this machine does not trust. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID'
])

/** A thrown request error, classified. Proxy and certificate failures are configuration. */
function classifyNetworkError(error: unknown): NetworkFailure {
  const { code, message } = (error ?? {}) as NodeJS.ErrnoException
  const text = String(message ?? error)
  // The tunnel agent of @actions/http-client (HTTPS_PROXY) reports a refused CONNECT so.
  const tunnel = /tunneling socket could not be established,?\s*(.*)$/i.exec(text)
  if (tunnel)
    return { kind: 'network', code: 'EPROXY', sent: false, fatal: 'proxy', detail: tunnel[1] }
  if (code && CERTIFICATE_CODES.has(code)) {
    return { kind: 'network', code, sent: false, fatal: 'certificate' }
  }
  const known = code ?? (/timeout/i.test(text) ? 'ETIMEDOUT' : 'ECONNRESET')
  return { kind: 'network', code: known, sent: !NOT_SENT_CODES.has(known) }
}

/**
 * The proxy as HTTPS_PROXY names it (read from the environment, as @actions/http-client reads
 * it), host and port only: its URL may hold a password.
 */
function proxyHost(): string | undefined {
  const env = process.env
  const raw = env.https_proxy || env.HTTPS_PROXY
  if (!raw) return undefined
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`).host
  } catch {
    return undefined
  }
}

export function describeNetworkFailure(
  failure: Pick<NetworkFailure, 'code' | 'fatal' | 'detail'>,
  ctx: RequestContext,
  host: string
): string {
  const { code } = failure
  const hostname = host.replace(/:\d+$/, '')
  if (failure.fatal === 'proxy') {
    const proxy = proxyHost()
    const through = proxy ? ` (${proxy}, from HTTPS_PROXY)` : ''
    const direct = `or, if ${hostname} is reached without the proxy, add it to NO_PROXY`
    const status = /statusCode=(\d+)/.exec(failure.detail ?? '')?.[1]
    if (status === '407') {
      return `The proxy${through} refused to open a tunnel to ${host} (407 Proxy Authentication Required) when trying to ${ctx.action}: it wants credentials. Put them in HTTPS_PROXY (http://user:password@proxy:port), ${direct}.`
    }
    const why = status ? `it answered CONNECT with ${status}` : (failure.detail ?? 'no tunnel')
    return `The proxy${through} could not open a tunnel to ${host} (${why}) when trying to ${ctx.action}: check that HTTPS_PROXY names a proxy that lets this runner reach ${hostname}, ${direct}.`
  }
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

/**
 * The whole body of an answer whose head has arrived. An answer that closes before its end
 * (Content-Length not reached) or goes silent for stallMs fails here, within seconds, rather
 * than at the request's time limit.
 */
function readWholeBody(message: IncomingMessage, stallMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let idle: NodeJS.Timeout | undefined
    let settled = false
    const fail = (code: string) => {
      if (settled) return
      settled = true
      clearTimeout(idle)
      message.destroy()
      reject(Object.assign(new Error(code), { code }))
    }
    const arm = () => {
      clearTimeout(idle)
      idle = setTimeout(() => fail('ESTALLED'), stallMs)
    }
    arm()
    message.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      arm()
    })
    message.on('end', () => {
      if (settled) return
      settled = true
      clearTimeout(idle)
      resolve(Buffer.concat(chunks).toString('utf8'))
    })
    message.on('aborted', () => fail('ECUTBODY'))
    message.on('error', () => fail('ECUTBODY'))
    message.on('close', () => {
      if (!message.complete) fail('ECUTBODY')
    })
  })
}

const segment = (value: string | number) => encodeURIComponent(String(value))

export function pipelinePath(ref: PipelineRef): string {
  return `/workspaces/${segment(ref.workspace)}/projects/${segment(ref.project)}/pipelines/${segment(ref.pipelineId)}`
}

function actionExecutionPath(ref: PipelineRef, executionId: number, actionExecutionId: string) {
  return `${pipelinePath(ref)}/executions/${segment(executionId)}/action_executions/${segment(actionExecutionId)}`
}

/** How long and how often one read may try (see BuddyClient.read). */
export interface ReadLimits {
  attempts?: number
  timeoutMs?: number
  rateLimitBudgetMs?: number
}

export function describePipeline(ref: Omit<PipelineRef, 'pipelineId'> & { pipeline: string }) {
  return `workspace "${ref.workspace}", project "${ref.project}" and ${ref.pipeline}`
}

/** Buddy refused the token the request carried. */
function refusedToken(result: Attempt): boolean {
  return result.kind === 'response' && result.status === 401
}

/** One try of a read: its value, or a fault to try again after (final faults are thrown). */
type ReadAnswer<T> =
  | { kind: 'read'; value: T }
  | { kind: 'fault'; problem: string; status?: number; wait?: number; message?: string }

/** Classifies one try of a read; throws where no try can help. */
function classifyReadAnswer<S extends z.ZodType>(
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

export class BuddyClient {
  private readonly http: HttpClient
  private readonly timeoutMs: number
  private readonly readAttempts: number
  private readonly rateLimitBudgetMs: number
  private readonly stallTimeoutMs: number
  private readonly token: BuddyToken

  constructor(private readonly options: ClientOptions) {
    this.token = new BuddyToken(options.token, options.renewToken)
    this.timeoutMs = options.requestTimeoutMs ?? 30_000
    this.readAttempts = options.readAttempts ?? 5
    this.rateLimitBudgetMs = options.rateLimitBudgetMs ?? 5 * 60_000
    this.stallTimeoutMs = options.stallTimeoutMs ?? 10_000
    this.http = new HttpClient('buddy-run-pipeline-action', [], {
      allowRetries: false,
      allowRedirects: false,
      socketTimeout: this.timeoutMs,
      keepAlive: false
    })
  }

  /** The time limit of one request. */
  get requestTimeoutMs(): number {
    return this.timeoutMs
  }

  /** Whether a refused token is renewed (OIDC), or ends what the request was for. */
  get renewsToken(): boolean {
    return this.token.renewable
  }

  /** How long is left until the step's deadline (Infinity without one). */
  timeLeftMs(): number {
    const { deadlineMs, clock } = this.options
    return deadlineMs === undefined ? Number.POSITIVE_INFINITY : deadlineMs - clock.now()
  }

  /**
   * The pause the rate limit asks for before the next request (0 when requests are left), cut
   * to the time left: see pacingDelay.
   */
  rateLimitPacingMs(): number {
    const { clock } = this.options
    return Math.max(
      0,
      Math.min(
        pacingDelay(this.rateLimit, clock.now(), clock.random, this.congestion),
        this.timeLeftMs()
      )
    )
  }

  /**
   * How many 429s this step's requests have met lately: each makes the next waits' spread
   * wider (the jobs sharing the limit are many), each answer with requests left narrows it.
   */
  congestion = 0

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
    if (remaining !== undefined && remaining > 0) this.congestion = Math.max(0, this.congestion - 1)
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
    // Never past the step's deadline: what cannot be answered in time is not sent.
    timeoutMs = Math.min(timeoutMs, this.timeLeftMs())
    if (timeoutMs <= 0) return { kind: 'network', code: 'ETIMEUP', sent: false, fatal: 'deadline' }
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (authenticate && this.token.value) headers.Authorization = `Bearer ${this.token.value}`
    let timer: NodeJS.Timeout | undefined
    let answer: IncomingMessage | undefined
    const timedOut = new Promise<Attempt>(resolve => {
      timer = setTimeout(() => {
        answer?.destroy()
        resolve({ kind: 'network', code: 'ETIMEDOUT', sent: true })
      }, timeoutMs)
    })
    const exchange = (async (): Promise<Attempt> => {
      try {
        const data = body === undefined ? null : JSON.stringify(body)
        const response = await this.http.request(method, this.url(path), data, headers)
        answer = response.message
        const text = await readWholeBody(response.message, this.stallTimeoutMs)
        // A 429's own wait is its caller's to keep; what other answers say paces the next request.
        if (response.message.statusCode === 429) this.congestion++
        else this.noteRateLimit(response.message.headers)
        return {
          kind: 'response',
          status: response.message.statusCode ?? 0,
          headers: response.message.headers,
          text
        }
      } catch (error) {
        const failure = classifyNetworkError(error)
        if (failure.code === 'ESTALLED') failure.detail = `${this.stallTimeoutMs / 1000} s`
        return failure
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
      /** Failed tries in all; 1 leaves retrying to the caller (the wait loop). */
      attempts?: number
      timeoutMs?: number
      /**
       * How long 429s may be waited out in all (beyond that, the step's deadline bounds them);
       * 0 hands a 429 to the caller at once.
       */
      rateLimitBudgetMs?: number
      /** false: the caller paces these requests itself (the wait loop's status reads). */
      pace?: boolean
    } = {}
  ): Promise<z.infer<S>> {
    const { clock, log } = this.options
    const attempts = options.attempts ?? this.readAttempts
    // Each cause of waiting has its own count: failed tries, and 429s (Buddy pacing us).
    let failures = 0
    const rateLimitWaits = new RateLimitWaits(
      options.rateLimitBudgetMs ??
        (this.options.deadlineMs === undefined ? this.rateLimitBudgetMs : undefined)
    )
    const authenticate = options.authenticate ?? true
    // One renewal per read: a token refused right after it was renewed is refused for good.
    let renewed = false
    for (;;) {
      // An answer said no request is left: wait for the reset rather than spend a 429.
      const pacing = options.pace === false ? 0 : this.rateLimitPacingMs()
      if (pacing > 0) {
        log.debug(`Buddy's rate limit is spent: waiting ${(pacing / 1000).toFixed(1)} s for it.`)
        await clock.sleep(pacing)
      }
      const sentWith = this.token.value
      const result = await this.attempt(method, path, options.body, authenticate, options.timeoutMs)
      if (authenticate && refusedToken(result) && this.token.renewable) {
        if (!renewed) {
          renewed = true
          await this.renewToken(sentWith, ctx.action, options.timeoutMs ?? this.timeoutMs)
          continue
        }
        const message = result.kind === 'response' ? buddyMessageOf(result.text) : undefined
        throw new BuddyApiError(
          `${describeHttpFailure(401, message, ctx)} A token renewed through OIDC a moment before was refused too.`,
          401,
          message
        )
      }
      const answer = classifyReadAnswer(
        result,
        schema,
        ctx,
        this.host,
        clock.now(),
        options.parseText
      )
      if (answer.kind === 'read') return answer.value
      const { problem, status, wait, message } = answer
      if (status === 429) {
        const next = rateLimitWaits.next(wait, clock.random, this.timeLeftMs(), this.congestion)
        if ('refusal' in next) {
          throw new BuddyApiError(`${problem} ${next.refusal}`, 429, message, true, wait)
        }
        const delay = next.delay
        log.debug(`${problem} Trying again in ${(delay / 1000).toFixed(1)} s.`)
        await clock.sleep(delay)
        continue
      }
      failures++
      if (failures >= attempts) {
        const gaveUp = attempts > 1 ? ` Gave up after ${attempts} tries.` : ''
        throw new BuddyApiError(`${problem}${gaveUp}`, status, undefined, true, wait)
      }
      const delay = Math.min(wait ?? backoffDelay(failures - 1, clock.random), this.timeLeftMs())
      if (delay <= 0) throw new BuddyApiError(problem, status, undefined, true, wait)
      log.debug(`${problem} Trying again in ${(delay / 1000).toFixed(1)} s.`)
      await clock.sleep(delay)
    }
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

  /**
   * After Buddy refused `refused` (401): a fresh token, from the renewal under way or a new one,
   * within limitMs. Says so in the log, once per renewal (never the token itself). Throws a
   * BuddyApiError (status 401) when no fresh token can be had: transient when trying later may
   * help (a slow or failing exchange).
   */
  private async renewToken(refused: string | undefined, action: string, limitMs: number) {
    try {
      const { started } = await this.token.renew(refused, limitMs)
      if (started) {
        this.options.log.info(
          `Buddy refused the token (401) when trying to ${action}: it may have expired. Got a fresh one by exchanging a new GitHub OIDC token; trying again.`
        )
      }
    } catch (error) {
      const transient =
        error instanceof RenewalTimeoutError || (error instanceof BuddyApiError && error.transient)
      throw new BuddyApiError(
        `Buddy refused the token (401 Unauthorized) when trying to ${action}, and a fresh one could not be had by exchanging a new GitHub OIDC token: ${(error as Error).message}`,
        401,
        undefined,
        transient
      )
    }
  }

  /** GitHub OIDC token → Buddy token. Sent without a bearer header. */
  async exchangeOidcToken(
    providerId: string,
    webIdentityToken: string,
    options: { attempts?: number; timeoutMs?: number } = {}
  ): Promise<string> {
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
        parseText: parseOidcAnswer,
        ...options
      }
    )
    // The schema makes sure that one of them is there.
    return (answer.token ?? answer.access_token ?? answer.buddy_token) as string
  }

  /** One page of the pipeline's runs, newest first (unconfirmed: see buddy-api.md). */
  async listExecutions(
    ref: PipelineRef,
    page = 1,
    perPage = 20
  ): Promise<{ executions: Execution[]; lastPage: boolean }> {
    const list = await this.read(
      'GET',
      `${pipelinePath(ref)}/executions?page=${page}&per_page=${perPage}`,
      executionListSchema,
      {
        action: `list the runs of pipeline ${ref.pipelineId}`,
        notFound: describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` }),
        scopes: 'PIPELINE_READ, older name EXECUTION_INFO'
      },
      { attempts: 3 }
    )
    const lastPage =
      list.total_page_count != null
        ? page >= list.total_page_count
        : list.executions.length < perPage
    return { executions: list.executions, lastPage }
  }

  private executionContext(ref: PipelineRef, executionId: number, action: string): RequestContext {
    return {
      action: `${action} run #${executionId}`,
      notFound: `run #${executionId} of ${describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` })} (was it deleted?)`,
      scopes: 'PIPELINE_READ, older name EXECUTION_INFO'
    }
  }

  /**
   * One status read. By default one try, and a 429 is handed back at once: the wait loop does
   * its own retrying and pacing within its timeout.
   */
  getExecution(
    ref: PipelineRef,
    executionId: number,
    options: { attempts?: number; timeoutMs?: number; rateLimitBudgetMs?: number } = {}
  ): Promise<Execution> {
    return this.read(
      'GET',
      `${pipelinePath(ref)}/executions/${segment(executionId)}`,
      executionSchema,
      this.executionContext(ref, executionId, 'read'),
      { attempts: 1, rateLimitBudgetMs: 0, pace: false, ...options }
    )
  }

  /**
   * Cancels a run. Quick and tried twice: the runner kills the step seconds after cancelling
   * the job. Cancelling is idempotent, so a second try is harmless.
   */
  cancelExecution(ref: PipelineRef, executionId: number): Promise<Execution> {
    return this.operate(ref, executionId, CANCEL_RUN, 'cancel', {
      attempts: 2,
      timeoutMs: 3000,
      rateLimitBudgetMs: 3000
    })
  }

  /**
   * Approves the action of a run that waits for approval (approve_action_id: its id). A second
   * APPLY changes nothing: tried twice.
   */
  approveExecution(ref: PipelineRef, executionId: number, actionId: number): Promise<Execution> {
    return this.operate(ref, executionId, approveRun(actionId), 'approve', { attempts: 2 })
  }

  /** One of Buddy's operations on a run (PATCH), answered with the run. */
  private operate(
    ref: PipelineRef,
    executionId: number,
    body: ExecutionOperationBody,
    verb: string,
    options: { attempts: number; timeoutMs?: number; rateLimitBudgetMs?: number }
  ): Promise<Execution> {
    return this.read(
      'PATCH',
      `${pipelinePath(ref)}/executions/${segment(executionId)}`,
      executionSchema,
      {
        ...this.executionContext(ref, executionId, verb),
        scopes: 'PIPELINE_RUN, older name EXECUTION_RUN'
      },
      { body, ...options }
    )
  }

  /**
   * Retries a FAILED run (it re-runs from the failed action). Sent once: a second RETRY could
   * re-run a run that the first one already restarted.
   */
  retryExecution(ref: PipelineRef, executionId: number): Promise<Execution> {
    return this.operate(ref, executionId, RETRY_RUN, 'retry', { attempts: 1 })
  }

  /**
   * One page of an action's log (at most 1000 lines), from Buddy's paginated endpoint, which
   * older and self-hosted Buddy lack (404). By default one try, a 429 handed back at once: the
   * log readers retry within the step's time (follow/log-source.ts).
   */
  getActionLog(
    ref: PipelineRef,
    executionId: number,
    actionExecutionId: string,
    offset: number,
    limit: number,
    options: ReadLimits = {}
  ) {
    const query = new URLSearchParams({ offset: String(offset), limit: String(limit) })
    return this.read(
      'GET',
      `${actionExecutionPath(ref, executionId, actionExecutionId)}/logs?${query}`,
      actionLogSchema,
      this.executionContext(ref, executionId, 'read an action log of'),
      { attempts: 1, rateLimitBudgetMs: 0, ...options }
    )
  }

  /** An action's run, with its whole log (`log`): how every Buddy gives it. One try by default. */
  getActionExecution(
    ref: PipelineRef,
    executionId: number,
    actionExecutionId: string,
    options: ReadLimits = {}
  ) {
    return this.read(
      'GET',
      actionExecutionPath(ref, executionId, actionExecutionId),
      actionExecutionLogSchema,
      this.executionContext(ref, executionId, 'read an action log of'),
      { attempts: 1, rateLimitBudgetMs: 0, ...options }
    )
  }

  /**
   * The run request, sent once; twice only when Buddy refused the token (401) and a fresh one
   * was had (OIDC). A 401 is Buddy refusing the request before it reads it: no run was created,
   * so sending it again with the fresh token cannot make a second run. Any other answer (a time
   * limit, a 5xx) is start-execution's to judge, as are pacing and every other decision to send
   * it again (there a job cancel can stop a wait before anything is sent).
   */
  async postExecution(ref: PipelineRef, body: RunRequestBody): Promise<Attempt> {
    const path = `${pipelinePath(ref)}/executions`
    const sentWith = this.token.value
    const result = await this.attempt('POST', path, body)
    if (!refusedToken(result) || !this.token.renewable) return result
    await this.renewToken(sentWith, `run pipeline ${ref.pipelineId}`, this.timeoutMs)
    return this.attempt('POST', path, body)
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
