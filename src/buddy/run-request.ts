import type { Pipeline, RunRequestBody } from './model.js'
import type { Settings } from '../inputs/settings.js'
import { describeTarget, RunTargetError, targetRef, type RunTarget } from '../github/run-target.js'

/** The run request body, from the settings, the target and what the pipeline runs on. Pure. */

/**
 * What a pipeline runs: one fixed ref, any of several (or a pattern), or no code at all.
 * - fixed: Buddy wants the revision only, and the fixed-ref guard keeps other refs' commits out;
 * - any: the branch, tag or pull request is sent, for Buddy to run;
 * - codeless: no refs and no trigger events ("If unset and events is empty, the pipeline counts
 *   as codeless", Buddy's schema): it runs no code, so neither a ref nor a revision is sent.
 */
export type PipelineRefs =
  { kind: 'fixed'; ref: string } | { kind: 'any'; why: string } | { kind: 'codeless' }

/** In an event's refs, Buddy's token for the pipeline's context refs. */
const CONTEXT_TOKEN = ':context'

/** Buddy's patterns: * and ? wildcards, or a regular expression in parentheses. */
const isPattern = (ref: string) => /[*?]/.test(ref) || /^\(.*\)$/.test(ref)

/** refs/heads/main stays; a bare "main" is a branch; a pattern stays as written. */
const fullRef = (ref: string) => {
  const trimmed = ref.trim()
  return trimmed.startsWith('refs/') || isPattern(trimmed) ? trimmed : `refs/heads/${trimmed}`
}

/**
 * The refs a pipeline runs are its context refs (`refs`) together with its trigger events' refs,
 * where an event's `:context` stands for the context refs: a pipeline on refs/heads/master whose
 * push event covers [":context", "refs/heads/dev-*"] runs master and every dev-* branch. A pull
 * request trigger runs pull requests too. With `strict_context` (not in Buddy's schema 0.20.0;
 * its meaning is unconfirmed) only the context refs are taken: the narrower reading, so the
 * fixed-ref guard never lets a strictly bound pipeline run another ref's commit. Older answers
 * give one ref as ref_name and ref_type instead.
 */
export function pipelineRefs(pipeline: Pipeline | undefined): PipelineRefs {
  if (!pipeline) return { kind: 'any', why: 'the pipeline could not be read' }
  const context = (pipeline.refs ?? []).map(fullRef)
  const events = pipeline.events ?? []
  if (context.length === 0 && pipeline.events && events.length === 0 && !pipeline.ref_name) {
    return { kind: 'codeless' }
  }
  const strict = pipeline.strict_context === true && context.length > 0
  if (!strict && events.some(e => e.type === 'PULL_REQUEST' || e.branches?.length)) {
    // Triggered by pull requests (or branches of them): it runs more than its push refs.
    return { kind: 'any', why: 'the pipeline runs on pull requests' }
  }
  const fromEvents = strict
    ? []
    : events.flatMap(event =>
        (event.refs ?? []).flatMap(ref => (ref.trim() === CONTEXT_TOKEN ? context : [fullRef(ref)]))
      )
  const refs = [...new Set([...context, ...fromEvents])]
  if (refs.length === 1 && !isPattern(refs[0] as string)) {
    return { kind: 'fixed', ref: refs[0] as string }
  }
  if (refs.length > 1) return { kind: 'any', why: `the pipeline runs on ${refs.length} refs` }
  if (refs.length === 1) return { kind: 'any', why: `the pipeline runs on ${refs[0]}` }
  const type = pipeline.ref_type?.toUpperCase()
  const name = pipeline.ref_name
  if (name && !isPattern(name) && (type === 'BRANCH' || type === 'TAG')) {
    return { kind: 'fixed', ref: `refs/${type === 'TAG' ? 'tags' : 'heads'}/${name}` }
  }
  return { kind: 'any', why: 'the pipeline names no single fixed ref' }
}

/** What the run request names: the target, only the revision, or nothing (codeless). */
export type RefChoice =
  | { send: 'target' }
  | { send: 'revision-only'; notice?: string }
  | { send: 'nothing'; notice?: string }
  | { send: 'target-to-fixed-pipeline'; warning: string }

/**
 * For a pipeline bound to one ref, an event for another ref must not run its commit there: that
 * would deploy unmerged code through, say, a production pipeline. A codeless pipeline runs no
 * code: nothing of the event is sent, and there is nothing to guard. Explicit inputs are the
 * user's deliberate choice and are sent as given. Throws RunTargetError to refuse.
 */
function chooseRefs(target: RunTarget, refs: PipelineRefs): RefChoice {
  if (refs.kind === 'any') return { send: 'target' }
  if (refs.kind === 'codeless') return chooseForCodeless(target)
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

const CODELESS = 'The pipeline is codeless (no refs and no trigger events): it runs no code'

function chooseForCodeless(target: RunTarget): RefChoice {
  if (target.explicitTarget) {
    return {
      send: 'target-to-fixed-pipeline',
      warning: `${CODELESS}, but inputs name ${describeTarget(target)}: sending it as given, for Buddy to run or refuse.`
    }
  }
  return {
    send: 'nothing',
    notice: target.explicitRevision
      ? `${CODELESS}, so input "revision" (${target.revision}) is not sent: the run request names no branch, tag, pull request or revision.`
      : undefined
  }
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
  const choice = chooseRefs(target, refs)
  const body: RunRequestBody =
    choice.send === 'nothing' ? {} : { to_revision: { revision: target.revision } }
  let description: string
  if (choice.send === 'nothing') {
    description = 'no ref (a codeless pipeline)'
    if (choice.notice) warnings.push(choice.notice)
  } else if (choice.send === 'revision-only' && refs.kind === 'fixed') {
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
