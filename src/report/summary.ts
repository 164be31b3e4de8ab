import * as core from '@actions/core'
import type { FollowReport } from '../follow/follow-report.js'
import { actionExecutionId } from '../follow/action-logs.js'
import { actionName, actionRows, type ActionRow } from '../follow/progress.js'
import { formatDuration } from '../inputs/duration.js'
import { statusKind, type Execution, type KnownStatus } from '../buddy/model.js'
import { oneLine } from '../base/log.js'
import {
  escapeHtml,
  escapeSummaryLines,
  escapeSummaryText,
  preformatted
} from './summary-escape.js'
import { ganttChart } from './summary-mermaid.js'
import { retriesSentence, shortText, type StartedRun } from './report.js'
import type { SupersededRun } from '../buddy/supersede.js'

/**
 * The job summary: the run that was started, and how it ended (with the failed actions' errors
 * and log tails, and a timeline); or, when the step failed before that, what it tried and why it
 * failed. Buddy's text is escaped (summary-escape.ts); the timeline is summary-mermaid.ts's.
 */

/** An icon for each of Buddy's statuses (the type makes sure none is forgotten). */
const STATUS_ICONS: Record<KnownStatus, string> = {
  SUCCESSFUL: '✅',
  FAILED: '❌',
  TERMINATED: '🛑',
  TERMINATING: '🛑',
  SKIPPED: '⏭️',
  NOT_EXECUTED: '⏭️',
  INITIAL: '🕒',
  ENQUEUED: '🕒',
  INPROGRESS: '🔄',
  WAITING_FOR_APPLY: '⏸️',
  WAITING_FOR_VARIABLES: '⏸️',
  WAITING_FOR_SETTABLE_VARIABLES: '⏸️',
  WAITING_FOR_VT_SESSION: '⏸️'
}

export function statusIcon(status: string): string {
  return statusKind(status) === 'unknown' ? '❔' : STATUS_ICONS[status as KnownStatus]
}

/** A status for a table cell or a heading: its icon, then the status as code. */
function statusCell(status: string): string {
  return `${statusIcon(status)} <code>${escapeHtml(oneLine(status))}</code>`
}

/** The lines of a failed action's log shown in the summary (the GitHub log has more). */
export const SUMMARY_LOG_LINES = 30

function shortSha(revision: string): string {
  return /^[0-9a-f]{40,64}$/i.test(revision) ? revision.slice(0, 7) : revision
}

export async function writeSummary(run: StartedRun): Promise<void> {
  const { execution } = run
  const pipeline = oneLine(run.pipelineName ?? `pipeline ${run.pipelineId}`)
  const link = execution.html_url ?? execution.url
  core.summary
    .addHeading(
      `${statusIcon(execution.status)} Buddy run #${execution.id}: ${escapeHtml(oneLine(execution.status))}`,
      3
    )
    .addTable([
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
        statusCell(execution.status),
        link ? `<a href="${escapeHtml(link)}">#${execution.id}</a>` : `#${execution.id}`
      ]
    ])
  addSuperseded(run)
  await core.summary.write()
}

/**
 * cancel-previous: the earlier runs of the same ref it cancelled, and the newer ones it left
 * alone, each with its link.
 */
function addSuperseded(run: StartedRun): void {
  const superseded = run.superseded ?? []
  const name = (r: SupersededRun) =>
    r.url ? `<a href="${escapeHtml(r.url)}">#${r.id}</a>` : `#${r.id}`
  const earlier = superseded.filter(r => r.newer === undefined)
  const newer = superseded.filter(r => r.newer !== undefined)
  if (earlier.length > 0) {
    const items = earlier.map(r => {
      const what = r.problem
        ? `not cancelled: ${escapeSummaryText(shortText(r.problem))}`
        : `cancelled (was <code>${escapeHtml(r.status)}</code>)`
      return `<li>${name(r)} ${what}</li>`
    })
    core.summary.addRaw(
      `<p>Earlier runs for ${escapeHtml(run.description)} (cancel-previous):</p><ul>${items.join('')}</ul>`,
      true
    )
  }
  if (newer.length > 0) {
    const items = newer.map(
      r =>
        `<li>${name(r)} <code>${escapeHtml(r.status)}</code>: ${escapeSummaryText(r.newer ?? '')}</li>`
    )
    core.summary.addRaw(
      `<p>Runs for ${escapeHtml(run.description)} left alone, as newer than this step's (cancel-previous):</p><ul>${items.join('')}</ul>`,
      true
    )
  }
}

/** What the heading adds to the run's status, by how the wait ended. */
const OUTCOME_NOTES: Record<FollowReport['outcome'], string> = {
  finished: '',
  'timed-out': ' (timed out)',
  'job-cancelled': ' (job cancelled)',
  'needs-approval': ' (waits for approval)',
  'token-refused': ' (not followed to its end)'
}

/** The run as it ended: how, its actions, the failed ones' errors and log tails, the timeline. */
export async function writeFinalSummary(run: StartedRun, report: FollowReport): Promise<void> {
  const { execution } = report
  const link = execution.html_url ?? execution.url
  const pipeline = oneLine(run.pipelineName ?? `pipeline ${run.pipelineId}`)
  const outcome = OUTCOME_NOTES[report.outcome]
  core.summary
    .addHeading(
      `${report.outcome === 'timed-out' ? '⏱️' : statusIcon(execution.status)} Buddy run #${execution.id}: ${escapeHtml(oneLine(execution.status))}${outcome}`,
      3
    )
    .addRaw(
      `<p>${escapeHtml(pipeline)} · ${escapeHtml(run.description)} · <code>${escapeHtml(shortSha(run.revision))}</code> · ${formatDuration(report.durationMs)}${link ? ` · <a href="${escapeHtml(link)}">open in Buddy</a>` : ''}</p>`,
      true
    )
  if (report.outcome === 'token-refused') {
    core.summary.addRaw(
      `<p>Buddy refused the token while this step followed the run (it expired or was revoked): the run was last seen ${escapeHtml(oneLine(execution.status))}, was not seen to end, and may still be going in Buddy.</p>`,
      true
    )
  }
  addSuperseded(run)
  const retries = retriesSentence(report)
  if (retries) core.summary.addRaw(`<p>${escapeSummaryText(retries)}</p>`, true)
  const rows = actionRows(execution)
  if (rows.length > 0) {
    core.summary.addTable([
      [
        { data: 'Action', header: true },
        { data: 'Status', header: true },
        { data: 'Duration', header: true }
      ],
      ...rows.map(r => [escapeHtml(r.name), statusCell(r.status), durationCell(r)])
    ])
  }
  const failed = failedActionsSection(execution, report.logTails)
  if (failed) core.summary.addRaw(failed, true)
  const chart = rows.length >= 2 ? ganttChart(execution) : undefined
  if (chart) {
    core.summary.addRaw(
      `<details><summary>Timeline of the actions</summary>\n\n${chart}\n\n</details>`,
      true
    )
  }
  await core.summary.write()
}

/** A duration, or why there is none: a table cell is never empty. */
function durationCell(row: ActionRow): string {
  if (row.durationMs !== undefined) return formatDuration(row.durationMs)
  const kind = statusKind(row.status)
  if (row.status === 'INPROGRESS') return 'running'
  if (kind === 'running' || ['SKIPPED', 'NOT_EXECUTED'].includes(row.status)) return 'not run'
  if (kind === 'paused') return 'paused'
  return 'not given by Buddy'
}

/**
 * Each failed action with Buddy's error message and the tail of its log, where the step has
 * either; undefined when no failed action has.
 */
function failedActionsSection(
  execution: Execution,
  logTails: ReadonlyMap<string, string[]> | undefined
): string | undefined {
  const items = (execution.action_executions ?? []).flatMap((action, index) => {
    if (!action.status || !['FAILED', 'TERMINATED'].includes(action.status)) return []
    const error = action.error_message ? shortText(action.error_message) : ''
    const id = actionExecutionId(action)
    const tail = (id && logTails?.get(id)?.slice(-SUMMARY_LOG_LINES)) || []
    if (!error && tail.length === 0) return []
    const name = escapeSummaryText(actionName(action, index))
    const status = escapeSummaryText(oneLine(action.status))
    const log =
      tail.length > 0
        ? `<details><summary>Last ${tail.length} lines of its log</summary>\n${preformatted(tail)}\n</details>`
        : ''
    return [
      `<li><strong>${name}</strong> (${status}): ${error ? escapeSummaryText(error) : 'Buddy gave no error message'}${log ? `\n${log}\n` : ''}</li>`
    ]
  })
  if (items.length === 0) return undefined
  // One HTML block, with no blank line in it: nothing in it is read as Markdown.
  return `<p><strong>Failed actions</strong></p><ul>${items.join('')}</ul>`
}

/** How far the step got: what the failure summary tells when the step fails. */
export interface Attempt {
  /** What the step was doing, e.g. "finding the pipeline". */
  stage: string
  /** e.g. `pipeline "deploy" in acme/web`, once the inputs are read. */
  pipeline?: string
  /** e.g. "branch main at ffac537…", once worked out. */
  target?: string
  /** The run, once started. */
  execution?: Execution
}

/** The step failed: what it tried, how far it got, and why it failed (no secret is in it). */
export async function writeFailureSummary(attempt: Attempt, message: string): Promise<void> {
  const run = attempt.execution
  const link = run ? (run.html_url ?? run.url) : undefined
  const tried = [
    attempt.pipeline && `<li>Pipeline: ${escapeSummaryText(attempt.pipeline)}</li>`,
    attempt.target && `<li>Target: ${escapeSummaryText(attempt.target)}</li>`,
    run &&
      `<li>Run: ${link ? `<a href="${escapeHtml(link)}">#${run.id}</a>` : `#${run.id}`} (last seen ${escapeSummaryText(oneLine(run.status))})</li>`
  ].filter(Boolean)
  core.summary
    .addHeading(run ? `❌ Buddy run #${run.id}: the step failed` : '❌ Buddy run not started', 3)
    .addRaw(`<p>The step failed while ${escapeSummaryText(attempt.stage)}.</p>`, true)
  if (tried.length > 0)
    core.summary.addRaw(`<p><strong>What it tried</strong></p><ul>${tried.join('')}</ul>`, true)
  core.summary.addRaw(
    `<p><strong>Why it failed</strong></p><blockquote>${escapeSummaryLines(message)}</blockquote>`,
    true
  )
  await core.summary.write()
}
