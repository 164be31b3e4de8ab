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

/** A GitHub workflow run: its id (which grows with time; a re-run keeps it) and attempt. */
export interface WorkflowRun {
  id: number
  attempt: number
}

const WHOLE_NUMBER = /^\d+$/

/** This step's workflow run, from GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT; undefined outside GitHub. */
export function workflowRunOf(env: NodeJS.ProcessEnv): WorkflowRun | undefined {
  const id = env.GITHUB_RUN_ID ?? ''
  const attempt = env.GITHUB_RUN_ATTEMPT || '1'
  if (!WHOLE_NUMBER.test(id) || !WHOLE_NUMBER.test(attempt)) return undefined
  return { id: Number(id), attempt: Number(attempt) }
}

/**
 * The workflow run whose step left its marker in a run's comment (the marker's first two parts;
 * the last marker, as the step appends its own after any text); undefined without a marker, or
 * with one from outside GitHub ("local").
 */
export function markedWorkflowRun(comment: string | null | undefined): WorkflowRun | undefined {
  const markers = typeof comment === 'string' ? comment.match(new RegExp(MARKER, 'g')) : null
  const marker = markers?.at(-1)
  const [id = '', attempt = ''] = marker?.slice('[gh-step '.length, -1).split('.') ?? []
  if (!WHOLE_NUMBER.test(id) || !WHOLE_NUMBER.test(attempt)) return undefined
  return { id: Number(id), attempt: Number(attempt) }
}
