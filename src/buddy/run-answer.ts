import { serverRequestedDelay } from './backoff.js'
import {
  BuddyApiError,
  buddyMessageOf,
  describeHttpFailure,
  describeNetworkFailure,
  parseAnswer,
  type RequestContext
} from './failures.js'
import { executionSchema, type Execution } from './model.js'
import type { Attempt } from './transport.js'

/**
 * What one answer to the run request means, for the loop that sends it (start-execution.ts):
 * created, refused for good, never sent, rate-limited, a revision Buddy does not know yet, or
 * ambiguous (a run may exist). Pure: no clock, no request.
 */

/** A 4xx that says Buddy does not know the commit: the wording is unconfirmed, so be broad. */
export function isUnknownRevision(status: number, message: string | undefined, revision: string) {
  if (status < 400 || status >= 500 || status === 401 || status === 403 || status === 429)
    return false
  if (!message || revision === 'HEAD') return false
  const text = message.toLowerCase()
  const namesRevision = text.includes(revision.slice(0, 7).toLowerCase())
  const aboutCommit = /revision|commit/.test(text)
  const missing =
    /not (be )?found|doesn't exist|does not exist|unknown|no such|not exist|missing|invalid/.test(
      text
    )
  return namesRevision || (aboutCommit && missing)
}

/** What one answer to the run request means; the loop in startExecution decides what follows. */
export type RunAnswer =
  | { kind: 'created'; execution: Execution }
  /** Final: nothing was created, and sending again cannot help. */
  | { kind: 'refused'; error: BuddyApiError }
  /** The request never left this machine: nothing can have been created. */
  | { kind: 'not-sent'; why: string }
  /** 429: nothing was created; serverMs is the wait Buddy asks for, when it says. */
  | { kind: 'rate-limited'; serverMs?: number; message?: string }
  /** Buddy does not know the commit yet: nothing was created. */
  | { kind: 'unknown-revision'; status: number; message?: string }
  /** A run may have been created: look for it before sending anything again. */
  | { kind: 'ambiguous'; why: string }

/** Classifies one try of the run request. Pure. */
export function classifyRunAnswer(
  result: Attempt,
  revision: string,
  ctx: RequestContext,
  host: string,
  nowMs: number
): RunAnswer {
  if (result.kind === 'network') {
    const why = describeNetworkFailure(result, ctx, host)
    if (result.fatal) return { kind: 'refused', error: new BuddyApiError(why) }
    return result.sent ? { kind: 'ambiguous', why } : { kind: 'not-sent', why }
  }
  if (result.status >= 200 && result.status < 300) {
    const parsed = parseAnswer(result.text, executionSchema)
    if (parsed.ok) return { kind: 'created', execution: parsed.value }
    return {
      kind: 'ambiguous',
      why: `Buddy accepted the run request but its answer could not be read (${parsed.problem}).`
    }
  }
  const message = buddyMessageOf(result.text)
  if (result.status === 429) {
    return {
      kind: 'rate-limited',
      serverMs: serverRequestedDelay(result.headers, nowMs, 429),
      message
    }
  }
  if (isUnknownRevision(result.status, message, revision)) {
    return { kind: 'unknown-revision', status: result.status, message }
  }
  const why = describeHttpFailure(result.status, message, ctx)
  if (result.status < 500) {
    return { kind: 'refused', error: new BuddyApiError(why, result.status, message) }
  }
  return { kind: 'ambiguous', why }
}
