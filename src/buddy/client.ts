import {
  CANCEL_RUN,
  RETRY_RUN,
  approveRun,
  type ExecutionOperationBody,
  actionExecutionLogSchema,
  actionLogSchema,
  executionListSchema,
  executionSchema,
  identifiersSchema,
  oidcTokenSchema,
  parseOidcAnswer,
  pipelineSchema,
  type Execution,
  type Pipeline,
  type RunRequestBody
} from './model.js'
import { BuddyApiError, type RequestContext } from './failures.js'
import { BuddyRequests } from './requests.js'
import type { Attempt } from './transport.js'

/**
 * Buddy's endpoints as this action uses them: each one's path, what its failures mean (what to
 * check, the scopes it needs), and how often it is tried. How a request is sent and tried again
 * is BuddyRequests' (requests.ts). The run request itself is sent once per call (postExecution):
 * deciding whether to send it again is start-execution's job.
 */

export interface PipelineRef {
  workspace: string
  project: string
  pipelineId: number
}

const segment = (value: string | number) => encodeURIComponent(String(value))

export function pipelinePath(ref: PipelineRef): string {
  return `/workspaces/${segment(ref.workspace)}/projects/${segment(ref.project)}/pipelines/${segment(ref.pipelineId)}`
}

function actionExecutionPath(ref: PipelineRef, executionId: number, actionExecutionId: string) {
  return `${pipelinePath(ref)}/executions/${segment(executionId)}/action_executions/${segment(actionExecutionId)}`
}

/** How long and how often one read may try (see BuddyRequests.read). */
export interface ReadLimits {
  attempts?: number
  timeoutMs?: number
  rateLimitBudgetMs?: number
}

export function describePipeline(ref: Omit<PipelineRef, 'pipelineId'> & { pipeline: string }) {
  return `workspace "${ref.workspace}", project "${ref.project}" and ${ref.pipeline}`
}

export class BuddyClient extends BuddyRequests {
  getPipeline(ref: PipelineRef): Promise<Pipeline> {
    return this.read('GET', pipelinePath(ref), pipelineSchema, {
      action: `read pipeline ${ref.pipelineId}`,
      notFound: describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` }),
      scopes: 'PIPELINE_READ, older name EXECUTION_INFO or WORKSPACE'
    })
  }

  async resolvePipelineId(workspace: string, project: string, identifier: string): Promise<number> {
    const query = new URLSearchParams({ project, pipeline: identifier })
    const answer = await this.read(
      'GET',
      `/workspaces/${segment(workspace)}/identifiers?${query}`,
      identifiersSchema,
      {
        action: `find the id of pipeline "${identifier}"`,
        notFound: describePipeline({
          workspace,
          project,
          pipeline: `pipeline identifier "${identifier}"`
        }),
        scopes: 'PIPELINE_READ, older name EXECUTION_INFO or WORKSPACE'
      }
    )
    // Buddy answers 200 without a pipeline id for an identifier it does not know: asking again
    // cannot help.
    if (answer.pipeline_id === undefined || answer.pipeline_id === null) {
      throw new BuddyApiError(
        `Buddy knows no pipeline with the identifier "${identifier}" in project "${project}" of workspace "${workspace}" (its answer has no pipeline id). Check input "pipeline": it takes the pipeline's identifier (as in the pipeline's URL in Buddy), not its display name; or give "pipeline-id".`
      )
    }
    return answer.pipeline_id
  }

  /** GitHub OIDC token → Buddy token. Sent without a bearer header. */
  async exchangeOidcToken(
    providerId: string,
    webIdentityToken: string,
    options: { attempts?: number; timeoutMs?: number } = {}
  ): Promise<string> {
    const answer = await this.read(
      'POST',
      '/user/oidc/tokens',
      oidcTokenSchema,
      {
        action: 'exchange the GitHub OIDC token for a Buddy token',
        notFound: `"provider-id" ("${providerId}") and "api-url"/"region"`,
        scopes: `the identity provider's settings in Buddy (provider-id "${providerId}")`
      },
      {
        body: { provider_id: providerId, web_identity_token: webIdentityToken },
        authenticate: false,
        parseText: parseOidcAnswer,
        ...options
      }
    )
    // The schema makes sure that one of them is there.
    return (answer.token ?? answer.access_token ?? answer.buddy_token) as string
  }

  /** One page of the pipeline's runs, newest first (unconfirmed: see buddy-api.md). */
  async listExecutions(
    ref: PipelineRef,
    page = 1,
    perPage = 20
  ): Promise<{ executions: Execution[]; lastPage: boolean }> {
    const list = await this.read(
      'GET',
      `${pipelinePath(ref)}/executions?page=${page}&per_page=${perPage}`,
      executionListSchema,
      {
        action: `list the runs of pipeline ${ref.pipelineId}`,
        notFound: describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` }),
        scopes: 'PIPELINE_READ, older name EXECUTION_INFO'
      },
      { attempts: 3 }
    )
    const lastPage =
      list.total_page_count != null
        ? page >= list.total_page_count
        : list.executions.length < perPage
    return { executions: list.executions, lastPage }
  }

  private executionContext(ref: PipelineRef, executionId: number, action: string): RequestContext {
    return {
      action: `${action} run #${executionId}`,
      notFound: `run #${executionId} of ${describePipeline({ ...ref, pipeline: `pipeline id ${ref.pipelineId}` })} (was it deleted?)`,
      scopes: 'PIPELINE_READ, older name EXECUTION_INFO'
    }
  }

  /**
   * One status read. By default one try, and a 429 is handed back at once: the wait loop does
   * its own retrying and pacing within its timeout.
   */
  getExecution(
    ref: PipelineRef,
    executionId: number,
    options: { attempts?: number; timeoutMs?: number; rateLimitBudgetMs?: number } = {}
  ): Promise<Execution> {
    return this.read(
      'GET',
      `${pipelinePath(ref)}/executions/${segment(executionId)}`,
      executionSchema,
      this.executionContext(ref, executionId, 'read'),
      { attempts: 1, rateLimitBudgetMs: 0, pace: false, ...options }
    )
  }

  /**
   * Cancels a run. Quick and tried twice: the runner kills the step seconds after cancelling
   * the job. Cancelling is idempotent, so a second try is harmless.
   */
  cancelExecution(ref: PipelineRef, executionId: number): Promise<Execution> {
    return this.operate(ref, executionId, CANCEL_RUN, 'cancel', {
      attempts: 2,
      timeoutMs: 3000,
      rateLimitBudgetMs: 3000
    })
  }

  /**
   * Approves the action of a run that waits for approval (approve_action_id: its id). A second
   * APPLY changes nothing: tried twice.
   */
  approveExecution(ref: PipelineRef, executionId: number, actionId: number): Promise<Execution> {
    return this.operate(ref, executionId, approveRun(actionId), 'approve', { attempts: 2 })
  }

  /** One of Buddy's operations on a run (PATCH), answered with the run. */
  private operate(
    ref: PipelineRef,
    executionId: number,
    body: ExecutionOperationBody,
    verb: string,
    options: { attempts: number; timeoutMs?: number; rateLimitBudgetMs?: number }
  ): Promise<Execution> {
    return this.read(
      'PATCH',
      `${pipelinePath(ref)}/executions/${segment(executionId)}`,
      executionSchema,
      {
        ...this.executionContext(ref, executionId, verb),
        scopes: 'PIPELINE_RUN, older name EXECUTION_RUN'
      },
      { body, ...options }
    )
  }

  /**
   * Retries a FAILED run (it re-runs from the failed action). Sent once: a second RETRY could
   * re-run a run that the first one already restarted.
   */
  retryExecution(ref: PipelineRef, executionId: number): Promise<Execution> {
    return this.operate(ref, executionId, RETRY_RUN, 'retry', { attempts: 1 })
  }

  /**
   * One page of an action's log (at most 1000 lines), from Buddy's paginated endpoint, which
   * older and self-hosted Buddy lack (404). By default one try, a 429 handed back at once: the
   * log readers retry within the step's time (follow/log-source.ts).
   */
  getActionLog(
    ref: PipelineRef,
    executionId: number,
    actionExecutionId: string,
    offset: number,
    limit: number,
    options: ReadLimits = {}
  ) {
    const query = new URLSearchParams({ offset: String(offset), limit: String(limit) })
    return this.read(
      'GET',
      `${actionExecutionPath(ref, executionId, actionExecutionId)}/logs?${query}`,
      actionLogSchema,
      this.executionContext(ref, executionId, 'read an action log of'),
      { attempts: 1, rateLimitBudgetMs: 0, ...options }
    )
  }

  /** An action's run, with its whole log (`log`): how every Buddy gives it. One try by default. */
  getActionExecution(
    ref: PipelineRef,
    executionId: number,
    actionExecutionId: string,
    options: ReadLimits = {}
  ) {
    return this.read(
      'GET',
      actionExecutionPath(ref, executionId, actionExecutionId),
      actionExecutionLogSchema,
      this.executionContext(ref, executionId, 'read an action log of'),
      { attempts: 1, rateLimitBudgetMs: 0, ...options }
    )
  }

  /**
   * The run request, sent once; twice only when Buddy refused the token (401) and a fresh one
   * was had (OIDC). A 401 is Buddy refusing the request before it reads it: no run was created,
   * so sending it again with the fresh token cannot make a second run. Any other answer (a time
   * limit, a 5xx) is start-execution's to judge, as are pacing and every other decision to send
   * it again (there a job cancel can stop a wait before anything is sent).
   */
  postExecution(ref: PipelineRef, body: RunRequestBody): Promise<Attempt> {
    const path = `${pipelinePath(ref)}/executions`
    return this.sendRenewingToken('POST', path, body, `run pipeline ${ref.pipelineId}`)
  }
}
