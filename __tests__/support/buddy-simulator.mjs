// A stateful fake of Buddy's REST API on 127.0.0.1, faithful to ../shared/buddy-api.md: the
// endpoints the action uses, Buddy's answer shapes (built in ./buddy-answers.mjs, which the type
// checker holds to Buddy's published schema), its error bodies, scopes and rate-limit headers,
// plus fault injection and a record of every request. Plain JavaScript so that tests,
// `npm run demo` and the GitHub workflow share it.
//
// Also serves the two GitHub endpoints the action may call: the OIDC token request
// (ACTIONS_ID_TOKEN_REQUEST_URL) under /_github/oidc, and the REST API under /_github/api.

import { createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { performance } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { readFileSync } from 'node:fs'
import {
  actionExecutionLogAnswer,
  actionLogAnswer,
  executionAnswer,
  executionsPageAnswer,
  identifiersAnswer,
  isCodeless,
  oidcAnswer,
  pipelineAnswer,
  refsOf
} from './buddy-answers.mjs'

/** The token the action sends to GitHub's API in tests (run-action.mjs's github-token). */
export const GITHUB_API_TOKEN = 'sim-github-token'

export const ALL_SCOPES = [
  'WORKSPACE',
  'PIPELINE_READ',
  'PIPELINE_RUN',
  'EXECUTION_INFO',
  'EXECUTION_RUN'
]

const READ = ['PIPELINE_READ', 'EXECUTION_INFO']
const RUN = ['PIPELINE_RUN', 'EXECUTION_RUN']

const RUN_FIELDS = new Set([
  'to_revision',
  'from_revision',
  'branch',
  'tag',
  'pull_request',
  'variables',
  'comment',
  'priority',
  'refresh',
  'clear_cache',
  'actions_to_run',
  'delay_until'
])

/**
 * @typedef {{ id: number, identifier: string, name: string, refs?: string[], events?: {type: string, refs?: string[], branches?: string[]}[], strict_context?: boolean, actions?: {id:number,name:string,type:string}[] }} SimPipeline
 * @typedef {{ method?: string, path?: string | RegExp, kind: string, times?: number, stage?: 'before' | 'after', retryAfter?: string, headers?: Record<string,string>, delayMs?: number }} Fault
 *
 * Fault kinds: 500, 502, 503, 504, html (503 page), 429, reset-before, reset-after, hang,
 * bad-json, empty, shape, error-after, slow-down (few requests left), cut-body (the head and half
 * the body, then the connection closes), stall (the head and half the body, then silence),
 * slow (the real answer, delayMs late; stage before: Buddy handles it late, after: answers late),
 * gate (like slow, until release() is called), expire-token (the token the request carries expires
 * just before Buddy reads it: a 401, and every later request with that token too).
 */

/** @param {Partial<ReturnType<typeof defaultConfig>>} [overrides] */
export async function startSimulator(overrides = {}) {
  const config = { ...defaultConfig(), ...overrides }
  /** @type {any[]} */
  const requests = []
  /** @type {Fault[]} */
  const faults = []
  /** @type {Map<number, any[]>} newest last */
  const executions = new Map()
  let nextExecutionId = 1
  /** @type {Map<string, number>} revision → how many more run requests to refuse */
  const unknownRevisions = new Map(Object.entries(config.unknownRevisions ?? {}))
  let baseUrl = ''
  /** Requests counted in the current rate-limit window. */
  const window = { startedAt: 0, count: 0 }
  /** Requests held back until config.holdUntil of them have arrived. */
  const held = []
  /** Answers held by a gate fault until release(); once released, gates stay open. */
  const gated = []
  let gateOpen = false
  /** Token → how many Buddy requests it has carried (that Buddy accepted). */
  const tokenUses = new Map()
  /** Tokens made to expire by an expire-token fault or expireToken(). */
  const expiredTokens = new Set()
  /** The Buddy tokens the OIDC exchange has issued, in order. */
  const issuedTokens = []

  /** The token bucket's tokens and when they were counted (config.tokenBucket). */
  const bucket = { tokens: undefined, at: 0 }

  /**
   * config.tokenBucket: a workspace's requests refill at `perSecond`, up to `capacity`. Every
   * answer carries X-Rate-Limit-Limit and X-Rate-Limit-Remaining, as Buddy's documented answers
   * do; a request with no token left is answered 429 with X-Rate-Limit-Reset (the second its
   * next token comes), the header Buddy's Go SDK waits on.
   */
  function bucketLimited(record, limit) {
    const now = Date.now()
    bucket.tokens = Math.min(
      limit.capacity,
      (bucket.tokens ?? limit.capacity) + ((now - bucket.at) / 1000) * limit.perSecond
    )
    bucket.at = now
    const headers = { 'X-Rate-Limit-Limit': String(limit.capacity) }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return {
        headers: { ...headers, 'X-Rate-Limit-Remaining': String(Math.floor(bucket.tokens)) }
      }
    }
    record.rateLimited = true
    const nextTokenAt = now + ((1 - bucket.tokens) / limit.perSecond) * 1000
    return {
      status: 429,
      json: { errors: [{ message: 'Too many requests' }] },
      headers: {
        ...headers,
        'X-Rate-Limit-Remaining': '0',
        'X-Rate-Limit-Reset': String(Math.ceil(nextTokenAt / 1000))
      }
    }
  }

  /** A 429 when config.rateLimit is reached, as Buddy paces a workspace; else undefined. */
  function rateLimited(record) {
    if (record.path.startsWith('/_github/')) return undefined
    if (config.tokenBucket) return bucketLimited(record, config.tokenBucket)
    const limit = config.rateLimit
    if (!limit) return undefined
    const now = Date.now()
    if (now - window.startedAt >= limit.windowMs) {
      window.startedAt = now
      window.count = 0
    }
    window.count++
    const resetAt = Math.ceil((window.startedAt + limit.windowMs) / 1000)
    const headers = {
      'X-Rate-Limit-Limit': String(limit.limit),
      'X-Rate-Limit-Remaining': String(Math.max(0, limit.limit - window.count)),
      'X-Rate-Limit-Reset': String(resetAt)
    }
    if (window.count <= limit.limit) return { headers }
    record.rateLimited = true
    return {
      status: 429,
      json: { errors: [{ message: 'Too many requests' }] },
      headers: {
        ...headers,
        ...(limit.retryAfter && {
          'Retry-After': String(Math.max(1, resetAt - Math.floor(now / 1000)))
        })
      }
    }
  }

  const handler = (req, res) => {
    const chunks = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const text = Buffer.concat(chunks).toString('utf8')
      let body = text
      try {
        body = text ? JSON.parse(text) : undefined
      } catch {
        /* keep the text */
      }
      const record = {
        /** performance.now() when the request arrived (the benchmark's cold-start mark). */
        receivedAt: performance.now(),
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        /** The bearer token the request carried ('' for none). */
        token: bearer({ headers: req.headers }),
        fault: undefined
      }
      requests.push(record)
      if (config.holdUntil > 0) {
        held.push(() => proceed(record, req, res))
        if (held.length < config.holdUntil) return
        config.holdUntil = 0
        for (const release of held.splice(0)) release()
        return
      }
      proceed(record, req, res)
    })
  }

  /** Answers one request: the rate limit, then any fault, then what Buddy would say. */
  function proceed(record, req, res) {
    const paced = rateLimited(record)
    if (paced?.status) return send(res, paced)
    const withPace = answer => ({ ...answer, headers: { ...paced?.headers, ...answer.headers } })
    const fault = takeFault(faults, record) ?? config.drawFault?.(record)
    if (fault) record.fault = fault.kind
    if (fault?.kind === 'expire-token') {
      expiredTokens.add(record.token)
      return send(res, withPace(handle(record)))
    }
    const stage = fault?.stage ?? defaultStage(fault?.kind)
    if (fault?.kind === 'gate') {
      if (gateOpen) return send(res, withPace(handle(record)))
      if (stage === 'before') gated.push(() => send(res, withPace(handle(record))))
      else {
        const answer = withPace(handle(record))
        gated.push(() => send(res, answer))
      }
      return
    }
    if (fault?.kind === 'slow') {
      const delay = fault.delayMs ?? 1000
      if (stage === 'before') {
        setTimeout(() => send(res, withPace(handle(record))), delay)
        return
      }
      const answer = withPace(handle(record))
      setTimeout(() => send(res, answer), delay)
      return
    }
    if (fault && stage === 'before') {
      return applyFault(fault, req, res)
    }
    const answer = withPace(handle(record))
    // slow-down: the real answer, with rate-limit headers saying that few requests are left.
    if (fault?.kind === 'slow-down')
      return send(res, { ...answer, headers: { ...answer.headers, ...fault.headers } })
    if (fault) return applyFault(fault, req, res, answer)
    send(res, answer)
  }
  const server = config.tls ? createTlsServer(config.tls, handler) : createServer(handler)
  /** TCP connections accepted (a failed TLS handshake sends no request but is counted here). */
  let connections = 0
  server.on('connection', () => connections++)

  /** What the answer builders need to know, as it is now. */
  const answerContext = () => ({
    baseUrl,
    workspace: config.workspace,
    project: config.project,
    headRevision: config.headRevision,
    actionExecutionIds: config.actionExecutionIds,
    actionOutputs: config.actionOutputs,
    actionErrors: config.actionErrors,
    pullRequestNames: config.pullRequestNames,
    pullRequestNumbers: config.pullRequestNumbers,
    logsRemoved: config.logsRemoved
  })

  function send(res, answer) {
    const headers = {
      'X-Rate-Limit-Limit': '1000',
      'X-Rate-Limit-Remaining': '999',
      ...(answer.headers ?? {})
    }
    if (answer.text !== undefined) {
      res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...headers })
      return res.end(answer.text)
    }
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...headers })
    res.end(answer.json === undefined ? '' : JSON.stringify(answer.json))
  }

  const error = (status, message) => ({ status, json: { errors: [{ message }] } })

  /** Either spelling of a scope will do: Buddy is renaming them (EXECUTION_* → PIPELINE_*). */
  function authorize(record, anyOf) {
    const scopes = config.tokens[record.token]
    if (!scopes) return error(401, 'Bad credentials')
    // An expired token is refused as an unknown one is (Buddy's wording for it is unconfirmed).
    if (hasExpired(record.token)) {
      record.tokenExpired = true
      return error(401, 'Bad credentials')
    }
    tokenUses.set(record.token, (tokenUses.get(record.token) ?? 0) + 1)
    if (config.apiDisabled) return error(403, 'API is disabled in this workspace')
    if (!anyOf.some(scope => scopes.includes(scope)))
      return error(403, `Insufficient scope: ${anyOf.join(' or ')} required`)
    return undefined
  }

  /** Whether a token has run out: by a fault, by the requests it carried, or by the clock. */
  function hasExpired(token) {
    if (expiredTokens.has(token)) return true
    const lifetime = config.tokenLifetimes[token]
    if (!lifetime) return false
    if (lifetime.requests !== undefined && (tokenUses.get(token) ?? 0) >= lifetime.requests)
      return true
    return lifetime.untilMs !== undefined && config.now() >= lifetime.untilMs
  }

  /** The Buddy token for an OIDC exchange: the same each time, or a fresh one with a lifetime. */
  function issueOidcToken() {
    const { lifetime, buddyToken, scopes } = config.oidc
    if (!lifetime) return buddyToken
    const token =
      issuedTokens.length === 0 ? buddyToken : `${buddyToken}-${issuedTokens.length + 1}`
    issuedTokens.push(token)
    config.tokens[token] = scopes
    config.tokenLifetimes[token] = {
      requests: lifetime.requests,
      untilMs: lifetime.ms === undefined ? undefined : config.now() + lifetime.ms
    }
    return token
  }

  function findPipeline(workspace, project, id) {
    if (workspace !== config.workspace) return { problem: error(404, 'Workspace not found') }
    if (project !== config.project) return { problem: error(404, 'Project not found') }
    const pipeline = config.pipelines.find(p => String(p.id) === id)
    if (!pipeline) return { problem: error(404, 'Pipeline not found') }
    return { pipeline }
  }

  /** GitHub's REST API: the look-ups the action makes (pull requests, refs, tags, commits, compare). */
  function handleGitHub(record) {
    const gh = config.github
    const notFound = { status: 404, json: { message: 'Not Found' } }
    if (
      record.headers.authorization !== `token ${GITHUB_API_TOKEN}` &&
      record.headers.authorization !== `Bearer ${GITHUB_API_TOKEN}`
    )
      return { status: 401, json: { message: 'Bad credentials' } }
    const repo = /^\/_github\/api\/repos\/([^/]+)\/([^/]+)\/(.*)$/.exec(record.path)
    if (!repo || record.method !== 'GET') return notFound
    const base = `${repo[1]}/${repo[2]}`
    const rest = decodeURIComponent(repo[3])
    const pull = /^pulls\/(\d+)$/.exec(rest)
    if (pull) {
      const pr = gh.pullRequests[pull[1]]
      if (!pr) return notFound
      const spec = typeof pr === 'string' ? { sha: pr } : pr
      const headRepository = spec.headRepository === undefined ? base : spec.headRepository
      return {
        status: 200,
        json: {
          number: Number(pull[1]),
          state: 'open',
          head: {
            sha: spec.sha,
            ref: spec.headBranch ?? 'feature',
            repo:
              headRepository === null
                ? null
                : { full_name: headRepository, pushed_at: spec.pushedAt ?? '2019-05-15T15:00:00Z' }
          },
          base: { ref: 'main', repo: { full_name: base } }
        }
      }
    }
    if (rest === 'pulls') {
      const [owner, branch] = (record.query.head ?? '').split(':')
      const found = (gh.forkPullRequests ?? []).filter(
        p => p.headRepository.split('/')[0] === owner && p.headBranch === branch
      )
      return {
        status: 200,
        json: found.map(p => ({
          number: p.number,
          state: p.state ?? 'open',
          head: { sha: p.sha, ref: p.headBranch, repo: { full_name: p.headRepository } },
          base: { ref: 'main', repo: { full_name: base } }
        }))
      }
    }
    const compare = /^compare\/([^.]+)\.\.\.(.+)$/.exec(rest)
    if (compare) {
      // base...head: where head stands from base (behind: head is in base's history).
      const [, from, to] = compare
      const history = gh.history ?? {}
      const known = sha =>
        sha in history ||
        Object.values(history).some(shas => shas.includes(sha)) ||
        Object.values(gh.refs ?? {}).some(r => r === sha || r?.commit === sha) ||
        Object.values(gh.pullRequests ?? {}).some(
          p => (typeof p === 'string' ? p : p.sha) === sha
        ) ||
        (gh.forkPullRequests ?? []).some(p => p.sha === sha)
      if (!known(from) || !known(to)) return notFound
      const status =
        from === to
          ? 'identical'
          : history[from]?.includes(to)
            ? 'behind'
            : history[to]?.includes(from)
              ? 'ahead'
              : 'diverged'
      return { status: 200, json: { status, commits: [], files: [] } }
    }
    const commit = /^git\/commits\/([0-9a-f]+)$/.exec(rest)
    if (commit) {
      const date = gh.commitDates?.[commit[1]] ?? '2019-05-15T15:00:00Z'
      return { status: 200, json: { sha: commit[1], committer: { name: 'Octocat', date } } }
    }
    const ref = /^git\/ref\/((?:heads|tags)\/.+)$/.exec(rest)
    if (ref) {
      const target = gh.refs?.[ref[1]]
      if (!target) return notFound
      // A string is a commit; { tag, commit } an annotated tag (a tag object pointing at it).
      const object =
        typeof target === 'string'
          ? { type: 'commit', sha: target }
          : { type: 'tag', sha: target.tag }
      return { status: 200, json: { ref: `refs/${ref[1]}`, object } }
    }
    const tag = /^git\/tags\/([0-9a-f]+)$/.exec(rest)
    if (tag) {
      const found = Object.values(gh.refs ?? {}).find(
        t => typeof t === 'object' && t.tag === tag[1]
      )
      if (!found) return notFound
      return { status: 200, json: { sha: tag[1], object: { type: 'commit', sha: found.commit } } }
    }
    return notFound
  }

  /** What Buddy (or GitHub) would say, as config.rewriteAnswer changes it. */
  function handle(record) {
    const answer = answerTo(record)
    if (!config.rewriteAnswer || answer.json === undefined) return answer
    return { ...answer, json: config.rewriteAnswer(record, answer.json) }
  }

  function answerTo(record) {
    const { method, path } = record
    // GitHub's side.
    if (path === '/_github/oidc' && method === 'GET') {
      if (record.headers.authorization !== `Bearer ${config.github.requestToken}`)
        return error(401, 'bad request token')
      return { status: 200, json: { value: config.github.idToken } }
    }
    if (path.startsWith('/_github/api/')) return handleGitHub(record)
    // Buddy's side.
    if (path === '/user/oidc/tokens' && method === 'POST') {
      const b = record.body ?? {}
      if (b.provider_id !== config.oidc.providerId) return error(404, 'Identity provider not found')
      if (b.web_identity_token !== config.github.idToken)
        return error(401, 'Invalid web identity token')
      return { status: 200, ...oidcAnswer(config.oidc.answer, issueOidcToken()) }
    }
    const identifiers = /^\/workspaces\/([^/]+)\/identifiers$/.exec(path)
    if (identifiers && method === 'GET') {
      const denied = authorize(record, READ)
      if (denied) return denied
      if (decodeURIComponent(identifiers[1]) !== config.workspace)
        return error(404, 'Workspace not found')
      if (record.query.project !== config.project) return error(404, 'Project not found')
      // An unknown identifier: 200, without pipeline_id.
      const pipeline = config.pipelines.find(p => p.identifier === record.query.pipeline)
      return { status: 200, json: identifiersAnswer(answerContext(), pipeline) }
    }
    const m =
      /^\/workspaces\/([^/]+)\/projects\/([^/]+)\/pipelines\/([^/]+)(\/executions(?:\/([^/]+)(?:\/action_executions\/([^/]+)(\/logs)?)?)?)?$/.exec(
        path
      )
    if (!m) return error(404, 'Not found')
    const [, workspace, project, pipelineId, executionsPart, executionId, actionExecutionId, logs] =
      m.map(s => (s === undefined ? s : decodeURIComponent(s)))
    // An older or self-hosted Buddy has no paginated log endpoint: its router knows no such path.
    if (logs && !config.logsEndpoint) return error(404, 'Not found')
    const found = findPipeline(workspace, project, pipelineId)
    const denied = authorize(record, method === 'GET' ? READ : RUN)
    if (denied) return denied
    if (found.problem) return found.problem
    const pipeline = found.pipeline
    if (!executionsPart) {
      if (method !== 'GET') return error(405, 'Method not allowed')
      return { status: 200, json: pipelineAnswer(answerContext(), pipeline) }
    }
    const list = executions.get(pipeline.id) ?? []
    if (executionId === undefined) {
      if (method === 'GET') {
        const perPage = Math.min(Number(record.query.per_page ?? 10) || 10, 100)
        const page = Math.max(Number(record.query.page ?? 1) || 1, 1)
        const newestFirst = [...list].reverse()
        return {
          status: 200,
          json: (() => {
            const answer = executionsPageAnswer(answerContext(), path, newestFirst, page, perPage)
            // As a Buddy whose list abridges its entries would answer.
            if (config.listWithoutComments)
              answer.executions = answer.executions?.map(e => ({ ...e, comment: undefined }))
            return answer
          })()
        }
      }
      if (method === 'POST') return runPipeline(pipeline, record.body)
      return error(405, 'Method not allowed')
    }
    const execution = list.find(e => String(e.id) === executionId)
    if (!execution) return error(404, 'Execution not found')
    if (actionExecutionId !== undefined) {
      if (method !== 'GET') return error(405, 'Method not allowed')
      const action = execution.actions.find(a => a.executionId === actionExecutionId)
      if (!action) return error(404, 'Action execution not found')
      const lines = config.logsRemoved
        ? undefined
        : logSoFar(action, config.actionLogs[action.name] ?? defaultLog(action))
      // getActionExecution: the action's run, with its whole log (none once removed).
      if (!logs) {
        const answer = actionExecutionLogAnswer(
          answerContext(),
          pipeline,
          execution.id,
          action,
          lines
        )
        return { status: 200, json: answer }
      }
      if (!lines) return error(404, 'The logs of this execution have been removed')
      const offset = Math.max(0, Number(record.query.offset ?? 0) || 0)
      const limit = Math.min(1000, Math.max(1, Number(record.query.limit ?? 100) || 100))
      const page = actionLogAnswer(answerContext(), path, lines, offset, limit)
      // total_element_count is optional in Buddy's answers.
      if (!config.logTotals) delete page.total_element_count
      return { status: 200, json: page }
    }
    if (method === 'GET') {
      if (execution.staleReads > 0) {
        execution.staleReads--
        return { status: 200, json: execution.staleAnswer }
      }
      advance(execution)
      return { status: 200, json: executionAnswer(answerContext(), pipeline, execution) }
    }
    if (method === 'PATCH') {
      const operation = record.body?.operation
      if (operation === 'RETRY') return retryRun(pipeline, execution)
      if (operation === 'APPLY') return approveRun(pipeline, execution, record.body)
      if (operation !== 'CANCEL') return error(400, `Unsupported operation: ${operation}`)
      if (!FINAL.includes(execution.status)) {
        // The cancel that ended the run (a later one finds it ended and changes nothing).
        record.cancelledRun = execution.id
        execution.status = 'TERMINATED'
        execution.finishedAt = isoNow()
        execution.script = []
        for (const a of execution.actions) {
          if (a.status === 'INPROGRESS') a.status = 'TERMINATED'
        }
      }
      return { status: 200, json: executionAnswer(answerContext(), pipeline, execution) }
    }
    return error(405, 'Method not allowed')
  }

  function runPipeline(pipeline, body) {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return error(400, 'Request body must be a JSON object')
    const unknown = Object.keys(body).filter(k => !RUN_FIELDS.has(k))
    if (unknown.length > 0) return error(400, `Unknown field(s): ${unknown.join(', ')}`)
    // A codeless pipeline runs no code: its run request may name no revision.
    const codeless = isCodeless(pipeline)
    const revision = body.to_revision?.revision
    if (
      !(codeless && body.to_revision === undefined) &&
      (typeof revision !== 'string' || revision === '')
    )
      return error(400, 'to_revision.revision is required')
    const refs = ['branch', 'tag', 'pull_request'].filter(k => body[k] !== undefined)
    if (refs.length > 1) return error(400, 'Give at most one of branch, tag and pull_request')
    for (const k of refs) {
      if (typeof body[k]?.name !== 'string' || body[k].name === '')
        return error(400, `${k}.name is required`)
    }
    if (body.pull_request && !/^pull\/\d+$/.test(body.pull_request.name))
      return error(400, 'pull_request.name must look like pull/1')
    const pipelineRefs = refsOf(pipeline)
    // Several refs, or a pattern (* and ? wildcards, or a regular expression in parentheses).
    const wildcard =
      pipelineRefs.length !== 1 || /[*?]|^\(.*\)$/.test(pipelineRefs[0] ?? '') || codeless
    if (wildcard && !codeless && refs.length === 0)
      return error(400, 'Branch, tag or pull request is required for this pipeline')
    if (body.variables !== undefined) {
      if (!Array.isArray(body.variables)) return error(400, 'variables must be an array')
      for (const v of body.variables) {
        if (typeof v?.key !== 'string' || typeof v?.value !== 'string')
          return error(400, 'Each variable needs key and value strings')
        if (v.encrypted !== undefined && typeof v.encrypted !== 'boolean')
          return error(400, 'variable.encrypted must be a boolean')
      }
    }
    if (body.priority !== undefined && !['LOW', 'NORMAL', 'HIGH'].includes(body.priority))
      return error(400, 'Invalid priority')
    for (const k of ['refresh', 'clear_cache']) {
      if (body[k] !== undefined && typeof body[k] !== 'boolean')
        return error(400, `${k} must be a boolean`)
    }
    if (
      body.actions_to_run !== undefined &&
      !(Array.isArray(body.actions_to_run) && body.actions_to_run.every(Number.isInteger))
    ) {
      return error(400, 'actions_to_run must be an array of integers')
    }
    if (body.delay_until !== undefined && Number.isNaN(Date.parse(body.delay_until)))
      return error(400, 'Invalid delay_until')
    if (body.comment !== undefined && typeof body.comment !== 'string')
      return error(400, 'comment must be a string')
    const pending = revision === undefined ? undefined : unknownRevisions.get(revision)
    if (revision !== undefined && pending !== undefined && pending > 0) {
      unknownRevisions.set(revision, pending - 1)
      return error(400, `Revision ${revision} not found in the repository`)
    }
    const fixedRef = wildcard ? undefined : pipelineRefs[0]
    const execution = {
      id: nextExecutionId++,
      pipelineId: pipeline.id,
      hash: randomBytes(12).toString('hex'),
      status: config.initialStatus,
      script: [],
      startedAt: isoNow(),
      startedAtMs: config.now(),
      finishedAt: null,
      body,
      branch:
        body.branch?.name ?? (fixedRef?.startsWith('refs/heads/') ? fixedRef.slice(11) : undefined),
      tag: body.tag?.name,
      pullRequest: body.pull_request?.name,
      actions: (pipeline.actions ?? defaultActions()).map(a => ({
        ...a,
        executionId: randomBytes(12).toString('hex'),
        status: 'ENQUEUED',
        startedAt: null,
        finishedAt: null
      }))
    }
    execution.script = makeScript(config.statusScript, execution.actions.length)
    const list = executions.get(pipeline.id) ?? []
    list.push(execution)
    executions.set(pipeline.id, list)
    return { status: 200, json: executionAnswer(answerContext(), pipeline, execution) }
  }

  /**
   * APPLY: the action that waits for approval goes on, and the run along its script. As a newer
   * Buddy, an APPLY must name that action (approve_action_id, an integer: the action's id, or an
   * action execution's id where that is a number); a missing, malformed or other id is refused
   * with a 400 and changes nothing. A run that itself waits stands at its first "Wait for
   * approval" action (type WAIT_FOR_APPLY) that has not ended; the wording of the refusals is
   * the simulator's own (Buddy's is unconfirmed).
   */
  function approveRun(pipeline, execution, body) {
    if (!waitsForApproval(execution)) return error(400, 'The run does not wait for approval')
    const id = body?.approve_action_id
    if (id === undefined || id === null)
      return error(
        400,
        'approve_action_id is required: the id of the action that waits for approval'
      )
    if (!Number.isInteger(id)) return error(400, 'approve_action_id must be an integer')
    const waiting = waitingApprovals(execution)
    const action = waiting.find(a => a.id === id || a.executionId === String(id))
    if (!action) return error(400, `Action ${id} does not wait for approval`)
    action.status = 'INPROGRESS'
    if (
      execution.status === 'WAITING_FOR_APPLY' &&
      !execution.actions.some(a => a.status === 'WAITING_FOR_APPLY')
    )
      execution.status = 'INPROGRESS'
    execution.approvals = (execution.approvals ?? 0) + 1
    execution.approvedActions = [...(execution.approvedActions ?? []), action.id]
    return { status: 200, json: executionAnswer(answerContext(), pipeline, execution) }
  }

  /**
   * RETRY: a FAILED run runs again from its first action that did not succeed, as the same run;
   * the actions before it keep their results. How the retry goes: config.retryScripts.
   */
  function retryRun(pipeline, execution) {
    if (execution.status !== 'FAILED') return error(400, 'Only a failed run can be retried')
    // As a busy Buddy may: the failed attempt, as it ended, for the answer and the next reads.
    const failed = executionAnswer(answerContext(), pipeline, execution)
    execution.staleReads = config.staleReadsAfterRetry
    execution.staleAnswer = failed
    const from = Math.max(
      0,
      execution.actions.findIndex(a => a.status !== 'SUCCESSFUL')
    )
    const kept = execution.actions.slice(0, from).map(a => a.status)
    for (const a of execution.actions.slice(from)) {
      Object.assign(a, { status: 'ENQUEUED', startedAt: null, finishedAt: null })
    }
    execution.retries = (execution.retries ?? 0) + 1
    execution.status = 'INPROGRESS'
    execution.finishedAt = null
    const script = config.retryScripts[execution.retries - 1] ?? 'SUCCESSFUL'
    execution.script = makeScript(script, execution.actions.length - from).map(step =>
      step.actions ? { ...step, actions: [...kept, ...step.actions] } : step
    )
    if (config.staleReadsAfterRetry > 0) return { status: 200, json: failed }
    return { status: 200, json: executionAnswer(answerContext(), pipeline, execution) }
  }

  const isoNow = () => new Date(config.now()).toISOString()

  /** With runDurationMs, a run goes by the clock, not its script: it ends that long after it starts. */
  function runByClock(execution) {
    if (config.runDurationMs === undefined || FINAL.includes(execution.status)) return undefined
    const done = config.now() >= execution.startedAtMs + config.runDurationMs
    const status = done ? 'SUCCESSFUL' : 'INPROGRESS'
    return { status, actions: execution.actions.map(() => status) }
  }

  /** Each read moves a run one step along its script: the run's status and its actions'. */
  function advance(execution) {
    // As in Buddy, a run waiting for approval stays so until someone approves it (APPLY).
    if (config.approvalHolds && waitsForApproval(execution)) return
    const next = runByClock(execution) ?? execution.script.shift()
    if (!next) return
    const now = isoNow()
    execution.status = next.status
    if (FINAL.includes(next.status)) execution.finishedAt = now
    next.actions?.forEach((status, i) => {
      const action = execution.actions[i]
      if (!action || !status || action.status === status) return
      if (status === 'INPROGRESS' || FINAL.includes(status)) action.startedAt ??= now
      if (FINAL.includes(status)) action.finishedAt = now
      action.status = status
    })
    // A running action's log grows by actionLogGrowth lines per status read.
    for (const action of execution.actions)
      if (action.status === 'INPROGRESS')
        action.logLines = (action.logLines ?? 0) + config.actionLogGrowth
  }

  await new Promise(resolve => server.listen(config.port ?? 0, '127.0.0.1', resolve))
  const address = server.address()
  baseUrl = `${config.tls ? 'https' : 'http'}://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

  return {
    url: baseUrl,
    config,
    requests,
    /** Requests to Buddy's API only (not the GitHub endpoints). */
    buddyRequests: () => requests.filter(r => !r.path.startsWith('/_github/')),
    executions: pipelineId => executions.get(pipelineId) ?? [],
    connections: () => connections,
    /** @param {Fault} fault */
    fault(fault) {
      faults.push({ times: 1, ...fault })
    },
    /**
     * Sends the answers that gate faults hold, and lets later ones through at once: the request
     * may still be on its way when the test decides to release it.
     */
    release() {
      gateOpen = true
      for (const open of gated.splice(0)) open()
    },
    /**
     * A run started elsewhere (another workflow, another ref), in `status`; it keeps that status
     * until read or cancelled. `refs`: the run request's branch, tag or pull_request.
     * @param {number} pipelineId
     * `options.startedAt`: when it started (ms, by the simulator's clock; default now);
     * `options.comment`: its comment (e.g. another step's marker; default none).
     * @param {{ branch?: { name: string }, tag?: { name: string }, pull_request?: { name: string } }} refs
     * @param {{ startedAt?: number, comment?: string }} [options]
     */
    addRun(pipelineId, refs, status = 'ENQUEUED', options = {}) {
      const pipeline = config.pipelines.find(p => p.id === pipelineId)
      const answer = runPipeline(pipeline, {
        to_revision: { revision: config.headRevision },
        ...refs,
        ...(options.comment !== undefined && { comment: options.comment })
      })
      if (answer.status !== 200) throw new Error(`addRun: ${JSON.stringify(answer.json)}`)
      const execution = executions.get(pipelineId).at(-1)
      execution.status = status
      execution.script = []
      if (options.startedAt !== undefined) {
        execution.startedAtMs = options.startedAt
        execution.startedAt = new Date(options.startedAt).toISOString()
      }
      return execution.id
    },
    /** Makes a token expire now: Buddy refuses it (401) from the next request on. */
    expireToken(token) {
      expiredTokens.add(token)
    },
    /** The Buddy tokens the OIDC exchange issued (with oidc.lifetime), in order. */
    issuedTokens: () => [...issuedTokens],
    setUnknownRevision(revision, times) {
      unknownRevisions.set(revision, times)
    },
    async close() {
      server.closeAllConnections()
      await new Promise(resolve => server.close(() => resolve(undefined)))
    }
  }
}

export function defaultConfig() {
  return {
    port: 0,
    workspace: 'acme',
    project: 'web',
    /** @type {Record<string, string[]>} token → scopes */
    tokens: { 'sim-token': ALL_SCOPES },
    /**
     * Tokens that expire: token → when. `requests`: refused (401) once it has carried that many
     * requests that Buddy accepted; `untilMs`: refused from then on, by `now`. (Buddy's OIDC
     * tokens live 10 min to 8 h, OAuth tokens 8 h.)
     * @type {Record<string, { requests?: number, untilMs?: number }>}
     */
    tokenLifetimes: {},
    apiDisabled: false,
    /** @type {SimPipeline[]} */
    pipelines: [
      { id: 1, identifier: 'deploy', name: 'Deploy', refs: ['*'] },
      { id: 2, identifier: 'main-only', name: 'Main only', refs: ['refs/heads/main'] },
      {
        id: 3,
        identifier: 'main-by-events',
        name: 'Main, refs under events',
        events: [{ type: 'PUSH', refs: ['refs/heads/main'] }]
      }
    ],
    /** The simulator's clock (ms): the benchmark passes a virtual one, so that an hour costs seconds. */
    now: () => Date.now(),
    /**
     * When set, runs end this long after they start, by `now`, whatever the script says.
     * @type {number | undefined}
     */
    runDurationMs: undefined,
    /** Status of a run when it is created, then one step of statusScript per read. */
    initialStatus: 'INPROGRESS',
    /**
     * How runs go, one step per status read: a final status (the actions run one a step up to
     * it: "FAILED" fails the second action), or explicit steps
     * ({ status, actions: [status per action] } or a bare run status).
     * @type {string | Array<string | { status: string, actions?: string[] }>}
     */
    statusScript: 'SUCCESSFUL',
    /**
     * How the run goes after each RETRY (the first retry, the second, …; default SUCCESSFUL),
     * as statusScript, over the actions from the first that did not succeed.
     * @type {Array<string | Array<string | { status: string, actions?: string[] }>>}
     */
    retryScripts: [],
    /**
     * After a RETRY, Buddy has not restarted the run yet: the RETRY's answer and this many
     * status reads after it still show the failed attempt as it ended (FAILED, its finish date).
     */
    staleReadsAfterRetry: 0,
    /**
     * A run (or action) in WAITING_FOR_APPLY stays so until APPLY, as in Buddy; false: the
     * script goes on, as if a person approved it in Buddy.
     */
    approvalHolds: false,
    /** Answers name each action's run (action_execution_id), as newer ones do; false: as Buddy's example. */
    actionExecutionIds: true,
    /** @type {Record<string, string[]>} action name → its log lines */
    actionLogs: {},
    /** Lines a running action's log gains per status read (all of it once the action ends). */
    actionLogGrowth: 2,
    /**
     * Buddy has the paginated log endpoint (…/action_executions/:id/logs); false: an older or
     * self-hosted Buddy, which answers 404 there and gives each log whole from the action's run.
     */
    logsEndpoint: true,
    /** Log pages say the log's length (total_element_count, optional in Buddy's schema). */
    logTotals: true,
    /** Buddy has removed the runs' logs: runs say logs_removed, and no log can be read. */
    logsRemoved: false,
    /**
     * Action name → the variables it exports (outputted_variables), shown once it has ended.
     * @type {Record<string, { key: string, value: string }[]>}
     */
    actionOutputs: {},
    /**
     * Action name → its error_message when it fails (default: "<name> failed: exit code 1").
     * @type {Record<string, string>}
     */
    actionErrors: {},
    headRevision: '0123456789abcdef0123456789abcdef01234567',
    /** @type {Record<string, number>} */
    unknownRevisions: {},
    /**
     * Buddy's rate limit: at most `limit` requests per window (real time), then 429s with
     * X-Rate-Limit-Reset (and Retry-After when retryAfter is set) until the window ends.
     * @type {{ limit: number, windowMs: number, retryAfter?: boolean } | undefined}
     */
    rateLimit: undefined,
    /**
     * A token bucket instead (many steps sharing one workspace's limit): `perSecond` requests
     * a second, bursts up to `capacity`. See bucketLimited.
     * @type {{ perSecond: number, capacity: number } | undefined}
     */
    tokenBucket: undefined,
    /**
     * Answer nothing until this many requests have arrived, then all of them in the same
     * instant: steps that start "at once", however slowly this machine starts them.
     */
    holdUntil: 0,
    /**
     * Faults drawn per request: called for each request that no fault() matches, it returns the
     * fault for that request, or undefined (e2e-random-faults.test.ts draws them from a seed).
     * @type {((record: any) => Fault | undefined) | undefined}
     */
    drawFault: undefined,
    /** List entries without their comment, as an abridged list would give them. */
    listWithoutComments: false,
    /**
     * Changes an answer before it is sent (its JSON, and the request it answers): for answers
     * no other setting gives, such as a run's html_url holding a line break.
     * @type {((record: any, json: any) => any) | undefined}
     */
    rewriteAnswer: undefined,
    /**
     * How runs name a pull request: 'pull/N' (as the run request does) or 'N' (as some of
     * Buddy's answers do).
     * @type {'pull/N' | 'N'}
     */
    pullRequestNames: 'pull/N',
    /** Runs carry the pull request's `number` too (Buddy's PullRequestView has it, optional). */
    pullRequestNumbers: true,
    /** @type {{ key: string | Buffer, cert: string | Buffer } | undefined} serve HTTPS */
    tls: undefined,
    oidc: {
      providerId: 'c0ffee00-0000-4000-8000-000000000001',
      buddyToken: 'sim-oidc-buddy-token',
      /** 'json-string' (as Buddy documents it), 'text' (bare), or a JSON object's key. */
      answer: 'token',
      /**
       * When set, each exchange issues a fresh token (buddyToken, then buddyToken-2, -3, ...)
       * that lives this long: `requests` accepted requests, or `ms` by `now`; with `scopes`.
       * Unset: every exchange answers buddyToken, which config.tokens must list.
       * @type {{ requests?: number, ms?: number } | undefined}
       */
      lifetime: undefined,
      scopes: ALL_SCOPES
    },
    github: {
      requestToken: 'sim-actions-request-token',
      idToken: 'sim.github.oidc-jwt',
      /**
       * PR number → head SHA, or { sha, headRepository (null: a deleted fork), headBranch,
       * pushedAt } for a pull request from elsewhere.
       * @type {Record<string, string | { sha: string, headRepository?: string | null, headBranch?: string, pushedAt?: string }>}
       */
      pullRequests: {},
      /** @type {Record<string, string | { tag: string, commit: string }>} "tags/v1" → commit, or an annotated tag */
      refs: {},
      /** @type {Record<string, string>} commit SHA → committer date */
      commitDates: {},
      /** @type {{ number: number, headRepository: string, headBranch: string, sha: string, state?: string }[]} */
      forkPullRequests: [],
      /**
       * Commit → the commits in its history (itself left out), for compare base...head; any
       * commit named here, in refs or as a pull request's head is known, others are 404.
       * @type {Record<string, string[]>}
       */
      history: {}
    }
  }
}

function bearer(record) {
  const auth = record.headers.authorization ?? ''
  return auth.startsWith('Bearer ') ? auth.slice(7) : ''
}

const FINAL = ['SUCCESSFUL', 'FAILED', 'TERMINATED', 'SKIPPED', 'NOT_EXECUTED']

/**
 * The steps of a run. A final status as the script: each action runs in turn, one read each,
 * and the run ends so (FAILED: the second action fails, the later ones stay ENQUEUED, as Buddy
 * leaves them; TERMINATED, SKIPPED, NOT_EXECUTED: all actions end so at the last read).
 */
const waitsForApproval = execution =>
  execution.status === 'WAITING_FOR_APPLY' ||
  execution.actions.some(a => a.status === 'WAITING_FOR_APPLY')

/**
 * The actions an APPLY may name: those that wait for approval, or, for a run that itself waits,
 * its first approval action (type WAIT_FOR_APPLY) that has not ended.
 */
function waitingApprovals(execution) {
  const waiting = execution.actions.filter(a => a.status === 'WAITING_FOR_APPLY')
  if (waiting.length > 0 || execution.status !== 'WAITING_FOR_APPLY') return waiting
  const gate = execution.actions.find(a => a.type === 'WAIT_FOR_APPLY' && !FINAL.includes(a.status))
  return gate ? [gate] : []
}

export function makeScript(script, actionCount) {
  if (Array.isArray(script))
    return script.map(step => (typeof step === 'string' ? { status: step } : step))
  const steps = []
  const statuses = Array(actionCount).fill('ENQUEUED')
  const failAt = script === 'FAILED' ? Math.min(1, actionCount - 1) : -1
  if (script === 'SUCCESSFUL' || script === 'FAILED') {
    for (let i = 0; i < actionCount; i++) {
      statuses[i] = 'INPROGRESS'
      steps.push({ status: 'INPROGRESS', actions: [...statuses] })
      if (i === failAt) {
        statuses[i] = 'FAILED'
        steps.push({ status: 'FAILED', actions: [...statuses] })
        return steps
      }
      statuses[i] = 'SUCCESSFUL'
    }
  } else {
    statuses.fill(script)
  }
  steps.push({ status: script, actions: [...statuses] })
  return steps
}

/** What an action has logged so far: nothing while queued, all of it once it has ended. */
function logSoFar(action, lines) {
  if (FINAL.includes(action.status)) return lines
  return action.status === 'INPROGRESS' ? lines.slice(0, action.logLines ?? 0) : []
}

/** A log that also tries to act as workflow commands: it must print as text. */
function defaultLog(action) {
  return [
    `Starting ${action.name}`,
    `Executing ${action.type} action`,
    '::set-output name=pwned::yes',
    '::add-mask::nothing',
    `${action.name} finished: ${action.status}`
  ]
}

function defaultActions() {
  return [
    { id: 11, name: 'Build', type: 'BUILD' },
    { id: 12, name: 'Test', type: 'BUILD' },
    { id: 13, name: 'Deploy', type: 'SFTP' }
  ]
}

function defaultStage(kind) {
  return [
    'bad-json',
    'empty',
    'shape',
    'reset-after',
    'error-after',
    'slow-down',
    'cut-body',
    'stall',
    'slow',
    'gate'
  ].includes(kind)
    ? 'after'
    : 'before'
}

function takeFault(faults, record) {
  const index = faults.findIndex(
    f =>
      (!f.method || f.method === record.method) &&
      (!f.path ||
        (typeof f.path === 'string' ? record.path.includes(f.path) : f.path.test(record.path)))
  )
  if (index < 0) return undefined
  const fault = faults[index]
  fault.times -= 1
  if (fault.times <= 0) faults.splice(index, 1)
  return fault
}

function applyFault(fault, req, res, answer) {
  // A fault's own headers (e.g. X-Rate-Limit-Reset) go with any kind of answer.
  const json = (status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers, ...fault.headers })
    res.end(body)
  }
  switch (fault.kind) {
    case 'cut-body':
    case 'stall': {
      const text = JSON.stringify(answer?.json ?? { errors: [{ message: 'Simulated answer' }] })
      res.writeHead(answer?.status ?? 200, {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(text))
      })
      res.write(text.slice(0, Math.floor(text.length / 2)))
      if (fault.kind === 'cut-body') setTimeout(() => req.socket.destroy(), 20)
      return undefined
    }
    case '500':
    case 'error-after':
      return json(500, JSON.stringify({ errors: [{ message: 'Internal server error' }] }))
    case '502':
    case '504':
    case 'html':
      res.writeHead(fault.kind === 'html' ? 503 : Number(fault.kind), {
        'Content-Type': 'text/html',
        ...fault.headers
      })
      return res.end(
        `<html><head><title>${fault.kind} Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>`
      )
    case '503':
      return json(503, JSON.stringify({ error: 'Service temporarily unavailable' }))
    case '429':
      return json(429, JSON.stringify({ errors: [{ message: 'Too many requests' }] }), {
        ...(fault.retryAfter !== undefined && { 'Retry-After': fault.retryAfter }),
        'X-Rate-Limit-Limit': '1000',
        'X-Rate-Limit-Remaining': '0',
        ...(fault.headers ?? {})
      })
    case 'reset-before':
    case 'reset-after':
      return req.socket.destroy()
    case 'hang':
      return undefined
    case 'bad-json':
      return json(200, '{"id": 1, "status": "INPROG')
    case 'empty':
      return json(200, '')
    case 'shape':
      return json(200, JSON.stringify({ result: 'ok', items: [] }))
    default:
      return json(
        Number(fault.kind) || 500,
        JSON.stringify({ errors: [{ message: `Simulated ${fault.kind}` }] })
      )
  }
}

// CLI: `node __tests__/support/buddy-simulator.mjs [--port N] [--config file.json]` prints one
// JSON line {"url": ...} and serves until SIGINT/SIGTERM.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const option = name => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] : undefined
  }
  const file = option('--config')
  const fromFile = file ? JSON.parse(readFileSync(file, 'utf8')) : {}
  const port = option('--port')
  const sim = await startSimulator({
    ...fromFile,
    ...(port !== undefined && { port: Number(port) })
  })
  process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`)
  const stop = async () => {
    await sim.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
