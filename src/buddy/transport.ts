import { HttpClient } from '@actions/http-client'
import type { IncomingMessage } from 'node:http'

/**
 * One try of one request to Buddy, and what came of it before anything interprets it: the whole
 * answer, or how the network failed (whether the request may have left this machine, whether
 * trying again can help). It keeps the time limits of one try (the request's, and the stall
 * limit once the answer has begun) and the HTTP agent, which takes the proxy from HTTPS_PROXY
 * and NO_PROXY itself (@actions/http-client). It never throws and never tries again: the
 * client (requests.ts) and start-execution decide that.
 */

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
  /** For a proxy failure: the proxy as HTTPS_PROXY names it, host and port (see proxyHost). */
  proxy?: string
}

/** Errors that mean the request never left this machine, so nothing can have been created. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH'
])

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
function classifyNetworkError(error: unknown, proxy: string | undefined): NetworkFailure {
  const { code, message } = (error ?? {}) as NodeJS.ErrnoException
  const text = String(message ?? error)
  // The tunnel agent of @actions/http-client (HTTPS_PROXY) reports a refused CONNECT so.
  const tunnel = /tunneling socket could not be established,?\s*(.*)$/i.exec(text)
  if (tunnel) {
    return {
      kind: 'network',
      code: 'EPROXY',
      sent: false,
      fatal: 'proxy',
      detail: tunnel[1],
      proxy
    }
  }
  if (code && CERTIFICATE_CODES.has(code)) {
    return { kind: 'network', code, sent: false, fatal: 'certificate' }
  }
  const known = code ?? (/timeout/i.test(text) ? 'ETIMEDOUT' : 'ECONNRESET')
  return { kind: 'network', code: known, sent: !NOT_SENT_CODES.has(known) }
}

/**
 * The proxy as HTTPS_PROXY names it in the step's environment (read as @actions/http-client
 * reads it), host and port only: its URL may hold a password. For messages only.
 */
export function proxyHost(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.https_proxy || env.HTTPS_PROXY
  if (!raw) return undefined
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`).host
  } catch {
    return undefined
  }
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

export interface TransportOptions {
  baseUrl: URL
  /** The default limit of one request, from connecting to the last byte (the socket's too). */
  timeoutMs: number
  /** Once the answer has begun, the longest silence between two pieces of its body. */
  stallTimeoutMs: number
  /** The proxy HTTPS_PROXY names (proxyHost), for the message of a proxy failure. */
  proxyHost?: string
  /**
   * Told of every answer read whole, even one that comes after its try's time limit: what it
   * says of the rate limit paces the next request.
   */
  onAnswer?: (status: number | undefined, headers: IncomingMessage['headers']) => void
}

export type Method = 'GET' | 'POST' | 'PATCH'

export class Transport {
  private readonly http: HttpClient

  constructor(private readonly options: TransportOptions) {
    this.http = new HttpClient('buddy-run-pipeline-action', [], {
      allowRetries: false,
      allowRedirects: false,
      socketTimeout: options.timeoutMs,
      keepAlive: false
    })
  }

  get host(): string {
    return this.options.baseUrl.host
  }

  url(path: string): string {
    return `${this.options.baseUrl.href.replace(/\/+$/, '')}${path}`
  }

  /**
   * One request, one try, within timeoutMs (none left: nothing is sent). Never throws: the
   * caller decides what a failure means.
   */
  async send(
    method: Method,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    timeoutMs: number
  ): Promise<Attempt> {
    if (timeoutMs <= 0) return { kind: 'network', code: 'ETIMEUP', sent: false, fatal: 'deadline' }
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
        const text = await readWholeBody(response.message, this.options.stallTimeoutMs)
        this.options.onAnswer?.(response.message.statusCode, response.message.headers)
        return {
          kind: 'response',
          status: response.message.statusCode ?? 0,
          headers: response.message.headers,
          text
        }
      } catch (error) {
        const failure = classifyNetworkError(error, this.options.proxyHost)
        if (failure.code === 'ESTALLED') failure.detail = `${this.options.stallTimeoutMs / 1000} s`
        return failure
      }
    })()
    try {
      return await Promise.race([exchange, timedOut])
    } finally {
      clearTimeout(timer)
    }
  }
}
