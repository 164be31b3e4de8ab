import * as core from '@actions/core'
import { readFileSync } from 'node:fs'

/**
 * The event this job runs for, as the runner describes it. Everything in src/github starts from
 * this: the event's name, its payload (untyped JSON, partly written by outsiders: payload.ts
 * reads it), GITHUB_REF and GITHUB_SHA.
 */

export interface EventContext {
  eventName: string
  payload: Record<string, unknown>
  ref?: string
  sha?: string
}

/** The event this job runs for, as the runner describes it: its name, payload, ref and commit. */
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
