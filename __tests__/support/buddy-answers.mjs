// @ts-check
// The simulator's answers, built here so that the type checker holds them to Buddy's published
// schema: each builder's return type is the schema's view for that answer (./buddy-schema.ts),
// so `npm run typecheck` rejects a field the view lacks, a missing required field, a wrong
// nesting or an enum value Buddy does not have, in what the builders write.
//
// Plain JavaScript (checked through `// @ts-check` and JSDoc), because the simulator also runs
// under plain Node.js (`npm run demo`, `npm run bench`, its CLI), which cannot load TypeScript.
//
// What is checked is the answers' shape. The run's and actions' statuses, dates and action types
// come from the simulator's state, typed `any` below on purpose: tests script hostile statuses
// that Buddy would never send (to prove they print safely), and a running action's finish date
// is null, as in Buddy's own example of a run, where the generated types say only "optional".

/**
 * @template {keyof import('./buddy-schema.js').Schemas} N
 * @typedef {import('./buddy-schema.js').View<N>} View
 */
/**
 * What the builders need to know of the simulator.
 * @typedef {{
 *   baseUrl: string,
 *   workspace: string,
 *   project: string,
 *   headRevision: string,
 *   actionExecutionIds: boolean,
 *   actionOutputs: Record<string, { key: string, value: string }[]>,
 *   actionErrors: Record<string, string>,
 *   pullRequestNames: 'pull/N' | 'N',
 *   pullRequestNumbers: boolean,
 *   logsRemoved: boolean
 * }} AnswerContext
 * @typedef {{
 *   id: number, identifier: string, name: string, refs?: string[],
 *   events?: { type: any, refs?: string[], branches?: string[] }[], strict_context?: boolean
 * }} SimPipeline
 * @typedef {{
 *   id: number, name: string, type: any, executionId: string,
 *   status: any, startedAt: any, finishedAt: any
 * }} SimActionRun
 * @typedef {{
 *   id: number, hash: string, status: any, startedAt: string, finishedAt: any, body: any,
 *   pipelineId: number, branch?: string, tag?: string, pullRequest?: string,
 *   actions: SimActionRun[]
 * }} SimExecution
 */

/**
 * GET .../pipelines/:id (getPipeline). `strict_context` is not in the schema 0.20.0: it is one
 * of the conformance test's documented exceptions, given only where a test sets it.
 * @param {AnswerContext} c
 * @param {SimPipeline} pipeline
 * @returns {View<'PipelineResponse'> & { strict_context?: boolean }}
 */
export function pipelineAnswer(c, pipeline) {
  return {
    ...(pipeline.strict_context !== undefined ? { strict_context: pipeline.strict_context } : {}),
    url: `${c.baseUrl}/workspaces/${c.workspace}/projects/${c.project}/pipelines/${pipeline.id}`,
    html_url: `${c.baseUrl}/app/${c.workspace}/${c.project}/pipelines/pipeline/${pipeline.id}`,
    id: pipeline.id,
    identifier: pipeline.identifier,
    name: pipeline.name,
    // Newer pipelines may name their refs only under their trigger events.
    refs: pipeline.refs ?? [],
    events: pipeline.events ?? [{ type: 'PUSH', refs: pipeline.refs }],
    priority: 'NORMAL',
    last_execution_status: 'SUCCESSFUL'
  }
}

/**
 * GET /workspaces/:workspace/identifiers (getIdentifiers): for an identifier Buddy does not know
 * it answers 200 too, only without `pipeline_id`.
 * @param {AnswerContext} c
 * @param {SimPipeline | undefined} pipeline
 * @returns {View<'IdsView'>}
 */
export function identifiersAnswer(c, pipeline) {
  return {
    url: `${c.baseUrl}/workspaces/${c.workspace}/identifiers`,
    html_url: `${c.baseUrl}/app/${c.workspace}`,
    domain: c.workspace,
    project_identifier: c.project,
    ...(pipeline ? { pipeline_id: pipeline.id } : {})
  }
}

/**
 * A run: the answer of POST .../executions (runPipeline), GET and PATCH .../executions/:id
 * (getExecution, cancelOrRetryPipeline).
 * @param {AnswerContext} c
 * @param {SimPipeline} pipeline
 * @param {SimExecution} e
 * @returns {View<'ExecutionView'>}
 */
export function executionAnswer(c, pipeline, e) {
  const api = `${c.baseUrl}/workspaces/${c.workspace}/projects/${c.project}`
  const commit = commitAnswer(c, e)
  return {
    ...shortExecutionAnswer(c, pipeline.id, e),
    ...(commit ? { from_revision: commit } : {}),
    pipeline: {
      url: `${api}/pipelines/${pipeline.id}`,
      html_url: `${c.baseUrl}/app/pipelines/${pipeline.id}`,
      id: pipeline.id,
      name: pipeline.name,
      refs: refsOf(pipeline)
    },
    action_executions: e.actions.map(a => actionExecutionAnswer(c, pipeline, a)),
    ...(c.logsRemoved ? { logs_removed: true } : {})
  }
}

/**
 * GET .../executions?page=&per_page= (getExecutions).
 * @param {AnswerContext} c
 * @param {string} path
 * @param {SimExecution[]} newestFirst
 * @param {number} page
 * @param {number} perPage
 * @returns {View<'ExecutionsView'>}
 */
export function executionsPageAnswer(c, path, newestFirst, page, perPage) {
  return {
    url: `${c.baseUrl}${path}`,
    page,
    page_size: perPage,
    total_page_count: Math.ceil(newestFirst.length / perPage),
    element_count: Math.min(perPage, newestFirst.length),
    total_element_count: newestFirst.length,
    executions: newestFirst
      .slice((page - 1) * perPage, page * perPage)
      .map(e => shortExecutionAnswer(c, e.pipelineId, e))
  }
}

/**
 * A page of an action's log: GET .../action_executions/:id/logs?offset=&limit=. This endpoint
 * is in Buddy's docs (buddy-api.md) but not in the schema, so this shape is ours to keep;
 * `total_element_count` is optional there.
 * @param {AnswerContext} c
 * @param {string} path
 * @param {string[]} lines
 * @param {number} offset
 * @param {number} limit
 * @returns {{ url: string, offset: number, element_count: number, total_element_count?: number, logs: string[] }}
 */
export function actionLogAnswer(c, path, lines, offset, limit) {
  const slice = lines.slice(offset, offset + limit)
  return {
    url: `${c.baseUrl}${path}`,
    offset,
    element_count: slice.length,
    total_element_count: lines.length,
    logs: slice
  }
}

/**
 * An action's run: GET .../executions/:id/action_executions/:action_execution_id
 * (getActionExecution), with its whole log so far as `log` (none once Buddy removed it): how an
 * older or self-hosted Buddy without the paginated endpoint gives a log.
 * @param {AnswerContext} c
 * @param {SimPipeline} pipeline
 * @param {number} executionId
 * @param {SimActionRun} a
 * @param {string[] | undefined} lines
 * @returns {View<'ActionExecutionView'>}
 */
export function actionExecutionLogAnswer(c, pipeline, executionId, a, lines) {
  const api = `${c.baseUrl}/workspaces/${c.workspace}/projects/${c.project}/pipelines/${pipeline.id}`
  const short = actionExecutionAnswer(c, pipeline, a)
  return {
    action_execution_id: a.executionId,
    status: short.status,
    start_date: short.start_date,
    finish_date: short.finish_date,
    progress: short.progress,
    action: short.action,
    url: `${api}/executions/${executionId}/action_executions/${a.executionId}`,
    html_url: `${c.baseUrl}/app/${c.workspace}/${c.project}/pipelines/pipeline/${pipeline.id}/action/${a.executionId}`,
    ...(lines ? { log: lines } : {}),
    log_url: `${c.baseUrl}/app/${c.workspace}/${c.project}/pipelines/pipeline/${pipeline.id}/action/${a.executionId}/log`
  }
}

/**
 * POST /user/oidc/tokens: the schema leaves the answer untyped; Buddy documents it as a JSON
 * string (`"a1b2…"`, quotes included), and `buddy/login` accepts a bare token and JSON objects.
 * @param {string} form 'json-string', 'text', or the key of a JSON object ('token', …)
 * @param {string} token
 * @returns {{ json: unknown } | { text: string }}
 */
export function oidcAnswer(form, token) {
  if (form === 'text') return { text: token }
  if (form === 'json-string') return { json: token }
  return { json: { [form]: token, expires_in: 3600 } }
}

/**
 * @param {AnswerContext} c
 * @param {number} pipelineId
 * @param {SimExecution} e
 * @returns {View<'ShortExecutionView'>}
 */
function shortExecutionAnswer(c, pipelineId, e) {
  const api = `${c.baseUrl}/workspaces/${c.workspace}/projects/${c.project}`
  const commit = commitAnswer(c, e)
  return {
    url: `${api}/pipelines/${pipelineId}/executions/${e.id}`,
    html_url: `${c.baseUrl}/app/${c.workspace}/${c.project}/pipelines/pipeline/${pipelineId}/execution/${e.hash}`,
    id: e.id,
    start_date: e.startedAt,
    finish_date: e.finishedAt,
    priority: e.body.priority ?? 'NORMAL',
    // The schema's enum has no "API"; Buddy's own example of a run started through the API says
    // CLICK.
    triggered_on: 'CLICK',
    refresh: e.body.refresh ?? false,
    status: e.status,
    comment: e.body.comment ?? '',
    ...(e.branch
      ? {
          branch: {
            url: `${api}/repository/branches/${e.branch}`,
            html_url: `${c.baseUrl}/app/branch/${e.branch}`,
            name: e.branch,
            default: e.branch === 'main'
          }
        }
      : {}),
    // A tag names its commit; a run whose request named a tag always named a revision.
    ...(e.tag && commit ? { tag: { name: e.tag, commit } } : {}),
    ...(e.pullRequest ? { pull_request: pullRequestAnswer(c, e.pullRequest) } : {}),
    ...(commit ? { to_revision: commit } : {}),
    creator: memberAnswer(c)
  }
}

/**
 * @param {AnswerContext} c
 * @param {SimPipeline} pipeline
 * @param {SimActionRun} a
 * @returns {View<'ShortActionExecutionView'>}
 */
function actionExecutionAnswer(c, pipeline, a) {
  const api = `${c.baseUrl}/workspaces/${c.workspace}/projects/${c.project}`
  const ended = a.status === 'SUCCESSFUL' || a.status === 'FAILED'
  const outputs = c.actionOutputs[a.name]
  return {
    ...(c.actionExecutionIds ? { action_execution_id: a.executionId } : {}),
    status: a.status,
    progress: a.status === 'SUCCESSFUL' ? 100 : 0,
    start_date: a.startedAt,
    finish_date: a.finishedAt,
    action: {
      url: `${api}/pipelines/${pipeline.id}/actions/${a.id}`,
      html_url: `${c.baseUrl}/app/action/${a.id}`,
      id: a.id,
      name: a.name,
      type: a.type
    },
    // What the action exported, once it has run.
    ...(ended && outputs ? { outputted_variables: outputs } : {}),
    ...(a.status === 'FAILED'
      ? { error_message: c.actionErrors[a.name] ?? `${a.name} failed: exit code 1` }
      : {})
  }
}

/**
 * A pull request as runs name it: `pull/5` or `5` (config.pullRequestNames), with its number
 * where config.pullRequestNumbers says (Buddy's PullRequestView: name and number, both optional).
 * @param {AnswerContext} c
 * @param {string} requested the run request's name, pull/N
 * @returns {View<'PullRequestView'>}
 */
function pullRequestAnswer(c, requested) {
  const number = Number(requested.slice('pull/'.length))
  return {
    name: c.pullRequestNames === 'N' ? String(number) : requested,
    ...(c.pullRequestNumbers ? { number } : {})
  }
}

/**
 * The run's commit; none for a codeless pipeline's run, whose request names no revision.
 * @param {AnswerContext} c
 * @param {SimExecution} e
 * @returns {View<'ShortCommitView'> | undefined}
 */
function commitAnswer(c, e) {
  const api = `${c.baseUrl}/workspaces/${c.workspace}/projects/${c.project}`
  const asked = e.body.to_revision?.revision
  if (asked === undefined) return undefined
  const revision = asked === 'HEAD' ? c.headRevision : asked
  return {
    url: `${api}/repository/commits/${revision}`,
    html_url: `${c.baseUrl}/app/${c.workspace}/${c.project}/repository/commit/${revision}`,
    revision,
    author_date: e.startedAt,
    commit_date: e.startedAt,
    message: 'Simulated commit\n',
    committer: memberAnswer(c),
    author: memberAnswer(c)
  }
}

/**
 * @param {AnswerContext} c
 * @returns {View<'MemberView'>}
 */
function memberAnswer(c) {
  return {
    url: `${c.baseUrl}/workspaces/${c.workspace}/projects/${c.project}/member/1`,
    html_url: `${c.baseUrl}/app/profile/1`,
    id: 1,
    name: 'Sim User',
    avatar_url: `${c.baseUrl}/app/avatar.png`
  }
}

/**
 * The refs a pipeline runs, as Buddy defines them: its context refs together with its trigger
 * events' refs, where an event's `:context` stands for the context refs. With strict_context
 * (meaning unconfirmed, see the conformance test's exceptions) only the context refs, the
 * reading the action takes. A pull request trigger adds refs/pull/*.
 * @param {SimPipeline} pipeline
 * @returns {string[]}
 */
export function refsOf(pipeline) {
  const context = pipeline.refs ?? []
  if (pipeline.strict_context && context.length > 0) return context
  const fromEvents = (pipeline.events ?? []).flatMap(e => [
    ...(e.refs ?? []).flatMap(ref => (ref === ':context' ? context : [ref])),
    ...(e.type === 'PULL_REQUEST' ? ['refs/pull/*'] : [])
  ])
  return [...new Set([...context, ...fromEvents])]
}

/**
 * Codeless: no context refs and no trigger events (Buddy's schema: "If unset and events is
 * empty, the pipeline counts as codeless"). The simulator's own pipelines without `events` get
 * a push event on their refs (pipelineAnswer), so only an explicit `events: []` is codeless.
 * @param {SimPipeline} pipeline
 */
export function isCodeless(pipeline) {
  return (pipeline.refs ?? []).length === 0 && pipeline.events?.length === 0
}
