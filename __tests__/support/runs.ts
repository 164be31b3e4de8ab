import type { ActionExecution, Execution } from '../../src/buddy/model.js'
import type { FollowReport } from '../../src/follow/follow-report.js'
import type { StartedRun } from '../../src/report/report.js'

/** Buddy runs and follow reports, as the report and summary tests build them. */

export const action = (
  name: string,
  status: string,
  more: Partial<ActionExecution> = {}
): ActionExecution => ({
  action: { id: name.length, name },
  status,
  ...more
})

export const execution = (status: string, actions: ActionExecution[]): Execution => ({
  id: 7,
  status,
  html_url: 'https://app.buddy.works/acme/web/pipelines/pipeline/1/execution/abc',
  action_executions: actions
})

/** An error message as Buddy may give a failed action one: two lines, colour codes, too long. */
export const longErrorMessage = `Deployment failed:\n\u001b[31mconnection refused\u001b[0m ${'x'.repeat(400)}`

/**
 * A failed run whose actions carry error messages: a failed action's, with Buddy's text to
 * escape in its name; a failed action with none; and one on an action that did not fail.
 */
export const failedWithMessages = execution('FAILED', [
  action('Build', 'SUCCESSFUL'),
  action('Deploy *prod* <b>', 'FAILED', { error_message: longErrorMessage }),
  action('Notify', 'TERMINATED'),
  action('Later', 'ENQUEUED', { error_message: 'not failed: never shown' })
])

export const report = (
  e: Execution,
  outcome: FollowReport['outcome'] = 'finished'
): FollowReport => ({
  outcome,
  execution: e,
  statusWhenEnded: e.status,
  durationMs: 65_000,
  cancelled: false
})

export const started = (e: Execution): StartedRun => ({
  execution: e,
  pipelineId: 1,
  pipelineName: 'Deploy',
  description: 'branch main',
  revision: 'a'.repeat(40)
})
