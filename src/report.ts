import * as core from '@actions/core'
import type { Execution } from './buddy/model.js'

/** What the user sees: step outputs, log lines and the job summary. */

export interface StartedRun {
  execution: Execution
  pipelineId: number
  pipelineName?: string
  pipelineUrl?: string
  /** e.g. "branch main", or "the pipeline's own ref refs/heads/main". */
  description: string
  revision: string
}

export function shortSha(revision: string): string {
  return /^[0-9a-f]{40,64}$/i.test(revision) ? revision.slice(0, 7) : revision
}

/** Text from Buddy on one line, so that it can never start a workflow command. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
}

export function runOutputs(run: StartedRun): Record<string, string> {
  const { execution } = run
  return {
    'execution-id': String(execution.id),
    'execution-url': execution.html_url ?? '',
    'execution-api-url': execution.url ?? '',
    status: execution.status,
    'pipeline-id': String(run.pipelineId),
    'pipeline-url': run.pipelineUrl ?? '',
    revision: run.revision,
    target: run.description
  }
}

export function reportStarted(run: StartedRun): void {
  for (const [name, value] of Object.entries(runOutputs(run))) core.setOutput(name, value)
  const link = run.execution.html_url ?? run.execution.url ?? '(Buddy gave no link)'
  core.info(`Buddy run #${run.execution.id} (${oneLine(run.execution.status)}): ${link}`)
}

export async function writeSummary(run: StartedRun): Promise<void> {
  const { execution } = run
  const pipeline = oneLine(run.pipelineName ?? `pipeline ${run.pipelineId}`)
  const link = execution.html_url ?? execution.url
  core.summary.addHeading(`Buddy run #${execution.id}: ${oneLine(execution.status)}`, 3).addTable([
    [
      { data: 'Pipeline', header: true },
      { data: 'Target', header: true },
      { data: 'Revision', header: true },
      { data: 'Status', header: true },
      { data: 'Run', header: true }
    ],
    [
      run.pipelineUrl
        ? `<a href="${escapeHtml(run.pipelineUrl)}">${escapeHtml(pipeline)}</a>`
        : escapeHtml(pipeline),
      escapeHtml(run.description),
      `<code>${escapeHtml(shortSha(run.revision))}</code>`,
      `<code>${escapeHtml(oneLine(execution.status))}</code>`,
      link ? `<a href="${escapeHtml(link)}">#${execution.id}</a>` : `#${execution.id}`
    ]
  ])
  await core.summary.write()
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}
