import type { Pipeline, RunRequestBody } from './buddy/model.js'
import type { Settings } from './inputs.js'
import { describeTarget, targetRef, type RunTarget } from './run-target.js'

/** The run request body, from the settings, the target and what the pipeline runs on. Pure. */

export type PipelineRefs = { kind: 'fixed'; ref: string } | { kind: 'any'; why: string }

/**
 * A pipeline bound to one fixed ref runs that ref: Buddy wants the revision only. A wildcard,
 * several refs or an unknown shape take the branch, tag or pull request.
 */
export function pipelineRefs(pipeline: Pipeline | undefined): PipelineRefs {
  if (!pipeline) return { kind: 'any', why: 'the pipeline could not be read' }
  const refs = pipeline.refs ?? []
  if (refs.length === 1 && !/[*?]/.test(refs[0] as string)) {
    const ref = refs[0] as string
    return { kind: 'fixed', ref: ref.startsWith('refs/') ? ref : `refs/heads/${ref}` }
  }
  if (refs.length > 1) return { kind: 'any', why: `the pipeline runs on ${refs.length} refs` }
  if (refs.length === 1) return { kind: 'any', why: `the pipeline runs on ${refs[0]}` }
  const type = pipeline.ref_type?.toUpperCase()
  const name = pipeline.ref_name
  if (name && !/[*?]/.test(name) && (type === 'BRANCH' || type === 'TAG')) {
    return { kind: 'fixed', ref: `refs/${type === 'TAG' ? 'tags' : 'heads'}/${name}` }
  }
  return { kind: 'any', why: 'the pipeline names no single fixed ref' }
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
  if (refs.kind === 'fixed') {
    description = `the pipeline's own ref ${refs.ref}`
    if (targetRef(target) !== refs.ref) {
      warnings.push(
        `The pipeline runs only on ${refs.ref}, but this is for ${describeTarget(target)}: Buddy runs ${refs.ref} at revision ${target.revision}. Use a pipeline whose refs are a wildcard to run other refs.`
      )
    }
  } else {
    description = describeTarget(target)
    body[target.kind] = { name: target.name }
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
