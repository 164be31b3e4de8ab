import type { z } from 'zod'
import { backoffDelay, RateLimitWaits, type RateLimit } from './backoff.js'
import type { Clock } from '../base/clock.js'
import type { Logger } from '../base/log.js'
import { BuddyToken, RenewalTimeoutError, type RenewToken } from './token-renewal.js'
import {
  BuddyApiError,
  classifyReadAnswer,
  refusedAfterRenewal,
  type ReadAnswer,
  type RequestContext
} from './failures.js'
import { RateLimitState } from './rate-limit.js'
import { Transport, type Attempt, type Method } from './transport.js'

/**
 * How the client sends its requests: with the token (renewed once through OIDC after a 401),
 * never past the step's deadline, paced by the rate limit, and, for a read, tried again on
 * transient faults. The endpoints themselves are in client.ts.
 */

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
  /** The proxy HTTPS_PROXY names in the step's environment (transport.ts: proxyHost). */
  proxyHost?: string
}

export interface ReadOptions {
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
}

/** What a read has waited out so far: the failed tries and the 429s, each with its own count. */
interface ReadWaits {
  attempts: number
  failures: number
  rateLimitWaits: RateLimitWaits
}

/** Buddy refused the token the request carried. */
function refusedToken(result: Attempt): boolean {
  return result.kind === 'response' && result.status === 401
}

export class BuddyRequests {
  private readonly transport: Transport
  private readonly timeoutMs: number
  private readonly readAttempts: number
  private readonly rateLimitBudgetMs: number
  private readonly token: BuddyToken
  private readonly limits = new RateLimitState()

  constructor(protected readonly options: ClientOptions) {
    this.token = new BuddyToken(options.token, options.renewToken)
    this.timeoutMs = options.requestTimeoutMs ?? 30_000
    this.readAttempts = options.readAttempts ?? 5
    this.rateLimitBudgetMs = options.rateLimitBudgetMs ?? 5 * 60_000
    this.transport = new Transport({
      baseUrl: options.baseUrl,
      timeoutMs: this.timeoutMs,
      stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
      proxyHost: options.proxyHost,
      onAnswer: (status, headers) => this.limits.noteAnswer(status, headers, options.clock.now())
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
    return this.limits.pacingMs(clock.now(), clock.random, this.timeLeftMs())
  }

  /** How many 429s this step's requests have met lately (see RateLimitState). */
  get congestion(): number {
    return this.limits.congestion
  }

  /** The rate limit as the newest answer told it; undefined before any answer. */
  get rateLimit(): RateLimit | undefined {
    return this.limits.rateLimit
  }

  get host(): string {
    return this.transport.host
  }

  url(path: string): string {
    return this.transport.url(path)
  }

  /** One request, one try. Never throws: the caller decides what a failure means. */
  attempt(
    method: Method,
    path: string,
    body?: unknown,
    authenticate = true,
    timeoutMs = this.timeoutMs
  ): Promise<Attempt> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (authenticate && this.token.value) headers.Authorization = `Bearer ${this.token.value}`
    // Never past the step's deadline: what cannot be answered in time is not sent.
    return this.transport.send(method, path, body, headers, Math.min(timeoutMs, this.timeLeftMs()))
  }

  /**
   * A request that creates nothing (or nothing that matters twice): tried again on transient
   * faults (5xx, 429, network, malformed answers) with backoff, honouring Retry-After.
   */
  async read<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    ctx: RequestContext,
    options: ReadOptions = {}
  ): Promise<z.infer<S>> {
    const { clock } = this.options
    // Each cause of waiting has its own count: failed tries, and 429s (Buddy pacing us).
    const waits: ReadWaits = {
      attempts: options.attempts ?? this.readAttempts,
      failures: 0,
      rateLimitWaits: new RateLimitWaits(
        options.rateLimitBudgetMs ??
          (this.options.deadlineMs === undefined ? this.rateLimitBudgetMs : undefined)
      )
    }
    const authenticate = options.authenticate ?? true
    // One renewal per read: a token refused right after it was renewed is refused for good.
    let renewed = false
    for (;;) {
      // An answer said no request is left: wait for the reset rather than spend a 429.
      if (options.pace !== false) await this.waitForPacing()
      const sentWith = this.token.value
      const result = await this.attempt(method, path, options.body, authenticate, options.timeoutMs)
      if (authenticate && refusedToken(result) && this.token.renewable) {
        if (renewed) throw refusedAfterRenewal(result, ctx)
        renewed = true
        await this.renewToken(sentWith, ctx.action, options.timeoutMs ?? this.timeoutMs)
        continue
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
      await this.waitAfterFault(answer, waits)
    }
  }

  private async waitForPacing() {
    const pacing = this.rateLimitPacingMs()
    if (pacing <= 0) return
    this.options.log.debug(
      `Buddy's rate limit is spent: waiting ${(pacing / 1000).toFixed(1)} s for it.`
    )
    await this.options.clock.sleep(pacing)
  }

  /** The pause before a read's next try, by its own count; throws when no try is left. */
  private async waitAfterFault(
    answer: Extract<ReadAnswer<unknown>, { kind: 'fault' }>,
    waits: ReadWaits
  ) {
    const { clock, log } = this.options
    const { problem, status, wait, message } = answer
    if (status === 429) {
      const next = waits.rateLimitWaits.next(wait, clock.random, this.timeLeftMs(), this.congestion)
      if ('refusal' in next) {
        throw new BuddyApiError(`${problem} ${next.refusal}`, 429, message, true, wait)
      }
      log.debug(`${problem} Trying again in ${(next.delay / 1000).toFixed(1)} s.`)
      await clock.sleep(next.delay)
      return
    }
    const { attempts } = waits
    waits.failures++
    if (waits.failures >= attempts) {
      const gaveUp = attempts > 1 ? ` Gave up after ${attempts} tries.` : ''
      throw new BuddyApiError(`${problem}${gaveUp}`, status, undefined, true, wait)
    }
    const delay = Math.min(
      wait ?? backoffDelay(waits.failures - 1, clock.random),
      this.timeLeftMs()
    )
    if (delay <= 0) throw new BuddyApiError(problem, status, undefined, true, wait)
    log.debug(`${problem} Trying again in ${(delay / 1000).toFixed(1)} s.`)
    await clock.sleep(delay)
  }

  /**
   * A request sent once; twice only when Buddy refused the token (401) and a fresh one was
   * had (OIDC): a 401 is Buddy refusing the request before it reads it, so it created nothing.
   */
  protected async sendRenewingToken(
    method: Method,
    path: string,
    body: unknown,
    action: string
  ): Promise<Attempt> {
    const sentWith = this.token.value
    const result = await this.attempt(method, path, body)
    if (!refusedToken(result) || !this.token.renewable) return result
    await this.renewToken(sentWith, action, this.timeoutMs)
    return this.attempt(method, path, body)
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
}
