import { createHash, randomBytes } from 'node:crypto'

/**
 * The step's marker: a short tag, unique to one run of one step, kept in the Buddy run's comment.
 * It is how the step (or its post step) recognises the run it created when the answer to its run
 * request never arrived. GitHub gives a step no variable that tells the jobs of a matrix apart
 * (GITHUB_JOB is the same for all of them), so the marker joins the workflow run, attempt and
 * job (for people reading Buddy's run list) with a hash of the step's own request and a random
 * part: two matrix jobs, even with identical inputs, never share a marker.
 */

const MARKER = /\[gh-step [\w.-]+\]/

export function stepMarker(
  env: NodeJS.ProcessEnv,
  /** What this step asks for, secrets removed: its run request body. */
  request: unknown,
  nonce: string = randomBytes(4).toString('hex')
): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([env.GITHUB_ACTION ?? '', request]))
    .digest('hex')
    .slice(0, 8)
  const part = (value: string | undefined, fallback: string) =>
    (value || fallback).replace(/[^\w-]+/g, '_').slice(0, 40)
  const where = [
    part(env.GITHUB_RUN_ID, 'local'),
    part(env.GITHUB_RUN_ATTEMPT, '1'),
    part(env.GITHUB_JOB, 'job')
  ]
  return `[gh-step ${[...where, hash, nonce].join('.')}]`
}

/** The comment with the marker appended (a custom comment keeps its text, the marker after it). */
export function withStepMarker(comment: string | undefined, marker: string): string {
  const text = (comment ?? '').replace(MARKER, '').trimEnd()
  return text === '' ? marker : `${text} ${marker}`
}

export function hasStepMarker(comment: string | null | undefined, marker: string): boolean {
  return typeof comment === 'string' && comment.includes(marker)
}
