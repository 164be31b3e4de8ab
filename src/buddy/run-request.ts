import type { Pipeline, RunRequestBody } from './model.js'
import type { Settings } from '../inputs/settings.js'
import { describeTarget, RunTargetError, targetRef, type RunTarget } from '../github/run-target.js'

/** The run request body, from the settings, the target and what the pipeline runs on. Pure. */

export type PipelineRefs = { kind: 'fixed'; ref: string } | { kind: 'any'; why: string }

const WILDCARD = /[*?]/

/** refs/heads/main stays; a bare "main" is a branch. */
const fullRef = (ref: string) => (ref.startsWith('refs/') ? ref : `refs/heads/${ref}`)

/**
 * A pipeline bound to one fixed ref runs that ref: Buddy wants the revision only. A wildcard,
 * several refs or an unknown shape take the branch, tag or pull request. A pipeline's refs are
 * its `refs`, else those of its trigger events (newer pipelines give them only there).
 */
export function pipelineRefs(pipeline: Pipeline | undefined): PipelineRefs {
  if (!pipeline) return { kind: 'any', why: 'the pipeline could not be read' }
  const own = pipeline.refs ?? []
  const events = pipeline.events ?? []
  if (own.length === 0 && events.some(e => e.type === 'PULL_REQUEST' || e.branches?.length)) {
    // Triggered by pull requests (or branches of them): it runs more than its push refs.
    return { kind: 'any', why: 'the pipeline runs on pull requests' }
  }
  const fromEvents = events.flatMap(event => event.refs ?? [])
  const refs = [...new Set((own.length > 0 ? own : fromEvents).map(fullRef))]
  if (refs.length === 1 && !WILDCARD.test(refs[0] as string)) {
    return { kind: 'fixed', ref: refs[0] as string }
  }
  if (refs.length > 1) return { kind: 'any', why: `the pipeline runs on ${refs.length} refs` }
  if (refs.length === 1) return { kind: 'any', why: `the pipeline runs on ${refs[0]}` }
  const type = pipeline.ref_type?.toUpperCase()
  const name = pipeline.ref_name
  if (name && !WILDCARD.test(name) && (type === 'BRANCH' || type === 'TAG')) {
    return { kind: 'fixed', ref: `refs/${type === 'TAG' ? 'tags' : 'heads'}/${name}` }
  }
  return { kind: 'any', why: 'the pipeline names no single fixed ref' }
}

/** What the run request names: the target, or only the revision (the pipeline's own ref). */
export type RefChoice =
  | { send: 'target' }
  | { send: 'revision-only'; notice?: string }
  | { send: 'target-to-fixed-pipeline'; warning: string }

/**
 * For a pipeline bound to one ref, an event for another ref must not run its commit there: that
 * would deploy unmerged code through, say, a production pipeline. Explicit inputs are the
 * user's deliberate choice and are sent as given. Throws RunTargetError to refuse.
 */
function chooseRefs(target: RunTarget, refs: PipelineRefs): RefChoice {
  if (refs.kind === 'any') return { send: 'target' }
  if (targetRef(target) === refs.ref) return { send: 'revision-only' }
  if (target.explicitTarget) {
    return {
      send: 'target-to-fixed-pipeline',
      warning: `The pipeline runs only on ${refs.ref}, but inputs name ${describeTarget(target)}: sending it as given, for Buddy to run or refuse.`
    }
  }
  if (target.explicitRevision) {
    return {
      send: 'revision-only',
      notice:
        target.revision === 'HEAD'
          ? undefined
          : `The pipeline runs only on ${refs.ref}: running it at revision ${target.revision}, as input "revision" says (this event is for ${describeTarget(target)}).`
    }
  }
  throw new RunTargetError(
    `The pipeline runs only on ${refs.ref}, but this event is for ${describeTarget(target)} (${targetRef(target)}): running its commit${target.revision ? ` ${target.revision}` : ''} through this pipeline would run code that is not on ${refs.ref}. Set input "revision: HEAD" to run ${refs.ref} at its latest commit, set "branch", "tag" or "revision" to say exactly what to run, or use a pipeline whose refs are a wildcard (e.g. refs/heads/*) to run other refs.`
  )
}

/** Default comment: who started it from where, with a link back to the GitHub run. */
export function defaultComment(env: NodeJS.ProcessEnv): string {
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  const repo = env.GITHUB_REPOSITORY || 'unknown repository'
  const workflow = env.GITHUB_WORKFLOW || 'workflow'
  const number = env.GITHUB_RUN_NUMBER ? ` #${env.GITHUB_RUN_NUMBER}` : ''
  const actor = env.GITHUB_ACTOR ? ` by ${env.GITHUB_ACTOR}` : ''
  const attempt =
    env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1'
      ? `/attempts/${env.GITHUB_RUN_ATTEMPT}`
      : ''
  const link = env.GITHUB_RUN_ID
    ? ` ${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`
    : ''
  return `GitHub Actions: ${repo} · ${workflow}${number}${actor}${link}`
}

export interface RunRequest {
  body: RunRequestBody
  /** What the log should say the run is for. */
  description: string
  warnings: string[]
}

export type RunOptions = Pick<
  Settings,
  'variables' | 'priority' | 'refresh' | 'clearCache' | 'actionsToRun' | 'delayUntil'
>

export function buildRunRequest(
  settings: RunOptions,
  target: RunTarget & { revision: string },
  refs: PipelineRefs,
  comment: string
): RunRequest {
  const warnings: string[] = []
  const body: RunRequestBody = { to_revision: { revision: target.revision } }
  let description: string
  const choice = chooseRefs(target, refs)
  if (choice.send === 'revision-only' && refs.kind === 'fixed') {
    description = `the pipeline's own ref ${refs.ref}`
    if (choice.notice) warnings.push(choice.notice)
  } else {
    description = describeTarget(target)
    body[target.kind] = { name: target.name }
    if (choice.send === 'target-to-fixed-pipeline') warnings.push(choice.warning)
  }
  if (settings.variables.length > 0) {
    body.variables = settings.variables.map(v =>
      v.encrypted ? { key: v.key, value: v.value, encrypted: true } : { key: v.key, value: v.value }
    )
  }
  body.comment = comment
  body.priority = settings.priority
  if (settings.refresh) body.refresh = true
  if (settings.clearCache) body.clear_cache = true
  if (settings.actionsToRun) body.actions_to_run = settings.actionsToRun
  if (settings.delayUntil) body.delay_until = settings.delayUntil
  return { body, description, warnings }
}

/** The body as the log may show it: secret values replaced. */
export function redactBody(body: RunRequestBody): RunRequestBody {
  return {
    ...body,
    ...(body.variables && {
      variables: body.variables.map(v => (v.encrypted ? { ...v, value: '***' } : v))
    })
  }
}
