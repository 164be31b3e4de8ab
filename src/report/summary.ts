import * as core from '@actions/core'
import type { FollowReport } from '../follow/follow-run.js'
import { actionRows } from '../follow/progress.js'
import { formatDuration } from '../inputs/duration.js'
import { oneLine } from './log.js'
import { failedActions, retriesSentence, shortText, type StartedRun } from './report.js'

/** The job summary: the run that was started, and how it ended. Buddy's text is escaped. */

function shortSha(revision: string): string {
  return /^[0-9a-f]{40,64}$/i.test(revision) ? revision.slice(0, 7) : revision
}

export async function writeSummary(run: StartedRun): Promise<void> {
  const { execution } = run
  const pipeline = oneLine(run.pipelineName ?? `pipeline ${run.pipelineId}`)
  const link = execution.html_url ?? execution.url
  core.summary
    .addHeading(`Buddy run #${execution.id}: ${escapeHtml(oneLine(execution.status))}`, 3)
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
        `<code>${escapeHtml(oneLine(execution.status))}</code>`,
        link ? `<a href="${escapeHtml(link)}">#${execution.id}</a>` : `#${execution.id}`
      ]
    ])
  addSuperseded(run)
  await core.summary.write()
}

/**
 * Text from Buddy for the job summary, which GitHub renders as Markdown with HTML: every
 * character that HTML or Markdown gives a meaning to becomes a character reference, so the text
 * shows as written and can neither add markup nor links, emphasis, code or table cells.
 */
export function escapeSummaryText(text: string): string {
  return text.replace(/[&<>"'`*_[\]()\\|~#!@{}+=-]/g, c => `&#${c.charCodeAt(0)};`)
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/** cancel-previous: the earlier runs of the same ref it cancelled, each with its link. */
function addSuperseded(run: StartedRun): void {
  if (!run.superseded?.length) return
  const items = run.superseded.map(r => {
    const name = r.url ? `<a href="${escapeHtml(r.url)}">#${r.id}</a>` : `#${r.id}`
    const what = r.problem
      ? `not cancelled: ${escapeSummaryText(shortText(r.problem))}`
      : `cancelled (was <code>${escapeHtml(r.status)}</code>)`
    return `<li>${name} ${what}</li>`
  })
  core.summary.addRaw(
    `<p>Earlier runs for ${escapeHtml(run.description)} (cancel-previous):</p><ul>${items.join('')}</ul>`,
    true
  )
}

export async function writeFinalSummary(run: StartedRun, report: FollowReport): Promise<void> {
  const { execution } = report
  const link = execution.html_url ?? execution.url
  const pipeline = oneLine(run.pipelineName ?? `pipeline ${run.pipelineId}`)
  const outcome =
    report.outcome === 'timed-out'
      ? ' (timed out)'
      : report.outcome === 'job-cancelled'
        ? ' (job cancelled)'
        : report.outcome === 'needs-approval'
          ? ' (waits for approval)'
          : ''
  core.summary
    .addHeading(`Buddy run #${execution.id}: ${escapeHtml(oneLine(execution.status))}${outcome}`, 3)
    .addRaw(
      `<p>${escapeHtml(pipeline)} · ${escapeHtml(run.description)} · <code>${escapeHtml(shortSha(run.revision))}</code> · ${formatDuration(report.durationMs)}${link ? ` · <a href="${escapeHtml(link)}">open in Buddy</a>` : ''}</p>`,
      true
    )
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
      ...rows.map(r => [
        escapeHtml(r.name),
        `<code>${escapeHtml(oneLine(r.status))}</code>`,
        r.durationMs === undefined ? '' : formatDuration(r.durationMs)
      ])
    ])
  }
  const explained = failedActions(execution).filter(a => a.error)
  if (explained.length > 0) {
    core.summary.addRaw(
      `<p><strong>Failed actions</strong></p><ul>${explained
        .map(
          a =>
            `<li><strong>${escapeSummaryText(a.name)}</strong> (${escapeSummaryText(a.status)}): ${escapeSummaryText(a.error as string)}</li>`
        )
        .join('')}</ul>`,
      true
    )
  }
  await core.summary.write()
}
