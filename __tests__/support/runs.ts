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
