import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { systemClock, type Clock } from './backoff.js'
import {
  BuddyApiError,
  BuddyClient,
  pipelinePath,
  type Logger,
  type PipelineRef
} from './buddy/client.js'
import type { Pipeline } from './buddy/model.js'
import { startExecution } from './buddy/start-execution.js'
import { resolveApiBase, resolveTokenSource } from './credentials.js'
import { INPUT_NAMES, parseSettings, secretValues, type RawInputs } from './inputs.js'
import { lookUpPullRequestHead } from './pull-request-head.js'
import { reportStarted, writeSummary } from './report.js'
import { buildRunRequest, defaultComment, pipelineRefs, redactBody } from './run-request.js'
import {
  describeTarget,
  isForkPullRequest,
  resolveRunTarget,
  type EventContext
} from './run-target.js'

/** run(): inputs → credentials → pipeline → run target → run request → report. */

export interface Dependencies {
  env: NodeJS.ProcessEnv
  clock: Clock
}

const log: Logger = {
  debug: message => core.debug(message),
  info: message => core.info(message),
  warning: message => core.warning(message)
}

export async function run(
  deps: Dependencies = { env: process.env, clock: systemClock }
): Promise<void> {
  const { env, clock } = deps

  // 1. Inputs: secrets are masked before anything can print them.
  const raw = readRawInputs()
  for (const secret of secretValues(raw)) core.setSecret(secret)
  const settings = parseSettings(raw)

  // 2. What to run, from the event (before any request: a mistake here costs nothing).
  const event = readEventContext(env)
  const target = resolveRunTarget(event, settings)
  core.info(
    `What to run (from ${target.source}): ${describeTarget(target)} at ${target.revision ?? "the pull request's head, to look up"}`
  )

  // 3. Credentials and where the API is.
  const baseUrl = resolveApiBase(settings, env)
  const tokenSource = resolveTokenSource(settings, env, isForkPullRequest(event))
  let token: string
  if (tokenSource.kind === 'token') {
    token = tokenSource.token
    // The input was masked with the other secrets; BUDDY_TOKEN is masked here.
    if (tokenSource.from === 'BUDDY_TOKEN') core.setSecret(token)
    core.debug(`Buddy token from ${tokenSource.from}.`)
  } else {
    token = await exchangeOidcToken(baseUrl, tokenSource.providerId, tokenSource.audience, clock)
  }
  const client = new BuddyClient({ baseUrl, token, clock, log })
  core.debug(`Buddy API: ${baseUrl.href}`)

  // 4. The pipeline: its id, and whether it runs one fixed ref or any.
  const pipelineId =
    'id' in settings.pipeline
      ? settings.pipeline.id
      : await client.resolvePipelineId(
          settings.workspace,
          settings.project,
          settings.pipeline.identifier
        )
  const ref: PipelineRef = { workspace: settings.workspace, project: settings.project, pipelineId }
  const pipeline = await readPipeline(client, ref)

  // 5. The commit, where the event did not carry it.
  const revision =
    target.revision ??
    (target.pullRequestToLookUp !== undefined
      ? await lookUpPullRequestHead({
          token: settings.githubToken,
          repository: env.GITHUB_REPOSITORY,
          number: target.pullRequestToLookUp,
          apiUrl: env.GITHUB_API_URL
        })
      : 'HEAD')

  // 6. The run request, sent so that at most one run is created.
  const request = buildRunRequest(
    settings,
    { ...target, revision },
    pipelineRefs(pipeline),
    settings.comment ?? defaultComment(env)
  )
  for (const warning of request.warnings) core.warning(warning)
  core.info(
    `Running ${pipeline?.name ? `pipeline "${pipeline.name}"` : `pipeline ${pipelineId}`} for ${request.description} at ${revision}`
  )
  core.startGroup('Run request')
  core.info(`POST ${client.url(`${pipelinePath(ref)}/executions`)}`)
  core.info(JSON.stringify(redactBody(request.body), null, 2))
  core.endGroup()
  const execution = await startExecution(client, ref, request.body, { clock, log })

  // 7. Report: outputs at once, then the summary.
  const started = {
    execution,
    pipelineId,
    pipelineName: pipeline?.name ?? execution.pipeline?.name ?? undefined,
    pipelineUrl: pipeline?.html_url ?? undefined,
    description: request.description,
    revision
  }
  reportStarted(started)
  if (env.GITHUB_STEP_SUMMARY) {
    // The run exists and the outputs are set: a summary that cannot be written is no failure.
    await writeSummary(started).catch(error =>
      core.warning(`Cannot write the job summary: ${(error as Error).message}`)
    )
  }
}

function readRawInputs(): RawInputs {
  const raw = {} as RawInputs
  for (const name of INPUT_NAMES) {
    // The comment keeps its own spacing; everything else is trimmed.
    raw[name] = core.getInput(name, { trimWhitespace: name !== 'comment' })
  }
  return raw
}

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

/** Reading the pipeline may be refused (scope): the run can still be requested. */
async function readPipeline(client: BuddyClient, ref: PipelineRef): Promise<Pipeline | undefined> {
  try {
    return await client.getPipeline(ref)
  } catch (error) {
    if (error instanceof BuddyApiError && error.status === 403) {
      core.debug(
        `Cannot read the pipeline (403: the token may lack PIPELINE_READ/EXECUTION_INFO): sending the branch, tag or pull request with the run request. ${error.message}`
      )
      return undefined
    }
    throw error
  }
}

async function exchangeOidcToken(
  baseUrl: URL,
  providerId: string,
  audience: string | undefined,
  clock: Clock
): Promise<string> {
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    throw new Error(
      'No Buddy token, and no GitHub OIDC token to exchange for one: give the job "permissions: id-token: write" to use "provider-id", or set input "token".'
    )
  }
  // getIDToken masks the GitHub token itself.
  const webIdentityToken = await core.getIDToken(audience)
  const oidcClient = new BuddyClient({ baseUrl, clock, log })
  const token = await oidcClient.exchangeOidcToken(providerId, webIdentityToken)
  core.setSecret(token)
  core.info('Exchanged the GitHub OIDC token for a Buddy token.')
  return token
}
