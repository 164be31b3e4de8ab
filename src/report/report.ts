import * as core from '@actions/core'
import type { Execution } from '../buddy/model.js'
import type { SupersededRun } from '../buddy/supersede.js'
import { exportedVariables } from './exported-variables.js'
import type { FollowReport } from '../follow/follow-report.js'
import { formatDuration } from '../inputs/duration.js'
import type { FollowSettings } from '../inputs/settings.js'
import { log, oneLine } from '../base/log.js'
import { actionName, failedActionNames } from '../follow/progress.js'

/** The step's result as the user sees it: outputs, log lines, the annotation. (The job summary: summary.ts.) */

export interface StartedRun {
  execution: Execution
  pipelineId: number
  pipelineName?: string
  pipelineUrl?: string
  /** e.g. "branch main", or "the pipeline's own ref refs/heads/main". */
  description: string
  revision: string
  /** The earlier runs cancel-previous cancelled (or tried to). */
  superseded?: SupersededRun[]
}

function runOutputs(run: StartedRun): Record<string, string> {
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
  log.info(`Buddy run #${run.execution.id} (${oneLine(run.execution.status)}): ${link}`)
}

/** The longest error message shown for one action (the whole is on the run's page). */
export const ERROR_MESSAGE_LIMIT = 300

/**
 * Buddy's text (an action's error message, a variable's key) on one line, without control
 * characters, cut to a readable length.
 */
export function shortText(text: string): string {
  const line = oneLine(text).replace(/\s+/g, ' ')
  const chars = [...line]
  return chars.length > ERROR_MESSAGE_LIMIT
    ? `${chars.slice(0, ERROR_MESSAGE_LIMIT - 1).join('')}…`
    : line
}

export interface FailedAction {
  name: string
  status: string
  /** Buddy's error_message, shortened; undefined when Buddy gave none. */
  error?: string
}

/** The run's failed (or terminated) actions, in run order, with why each failed. */
export function failedActions(execution: Execution): FailedAction[] {
  return (execution.action_executions ?? []).flatMap((a, i) => {
    if (!a.status || !['FAILED', 'TERMINATED'].includes(a.status)) return []
    const error = a.error_message ? shortText(a.error_message) : ''
    return [{ name: actionName(a, i), status: oneLine(a.status), error: error || undefined }]
  })
}

export function finishedOutputs(report: FollowReport): Record<string, string> {
  return {
    status: report.execution.status,
    'timed-out': String(report.outcome === 'timed-out'),
    duration: String(Math.round(report.durationMs / 1000)),
    'failed-actions': failedActionNames(report.execution).join(', '),
    attempts: String(attemptsOf(report)),
    // Only once the run has ended: a run still going may export more.
    ...(report.outcome === 'finished' && {
      variables: JSON.stringify(exportedVariables(report.execution).values)
    })
  }
}

/** How many times the run was run: once, plus each retry. */
export function attemptsOf(report: FollowReport): number {
  return 1 + (report.retried?.length ?? 0)
}

/** What the retries did, in one sentence (empty when none was sent or tried). */
export function retriesSentence(report: FollowReport): string {
  const retried = report.retried ?? []
  const tried = retried.map(
    (a, i) =>
      `attempt ${i + 1} FAILED${a.failedActions.length ? ` (${a.failedActions.join(', ')})` : ''}`
  )
  if (tried.length > 0) {
    tried.push(`attempt ${tried.length + 1} ${oneLine(report.execution.status)}`)
  }
  const problem = report.retryProblem ? ` The retry could not be sent: ${report.retryProblem}` : ''
  return tried.length > 0 || problem
    ? `Retried with Buddy's RETRY: ${tried.join(', ') || 'none sent'}.${problem}`
    : ''
}

function runLink(execution: Execution): string {
  return execution.html_url ?? execution.url ?? `run #${execution.id}`
}

/** What ended the wait, in one sentence; undefined for a successful run. */
export function failureMessage(report: FollowReport, settings: FollowSettings): string | undefined {
  const { execution } = report
  const id = `Buddy run #${execution.id}`
  const link = runLink(execution)
  const status = oneLine(execution.status)
  const seen = oneLine(report.statusWhenEnded)
  const cancelNote = report.cancelled
    ? ` It was cancelled in Buddy (now ${status}).`
    : report.cancelProblem
      ? ` Cancelling it failed: ${report.cancelProblem}`
      : ''
  switch (report.outcome) {
    case 'finished': {
      if (execution.status === 'SUCCESSFUL') return undefined
      const failed = failedActions(execution)
      const why = failed
        .filter(a => a.error)
        .map(a => `\n${a.name}: ${a.error}`)
        .join('')
      const attempts = attemptsOf(report) > 1 ? ` on attempt ${attemptsOf(report)}` : ''
      return `${id} ended ${status}${attempts} after ${formatDuration(report.durationMs)}${failed.length ? `; failed actions: ${failed.map(a => a.name).join(', ')}` : ''}. ${link}${why}`
    }
    case 'timed-out':
      return `Timed out after ${formatDuration(settings.timeoutMs)} waiting for ${id} (last seen ${seen}${report.problem ? `; the status could not be read lately: ${report.problem}` : ''}).${cancelNote || (settings.cancelOnTimeout ? '' : ' It goes on in Buddy (cancel-on-timeout is false).')} ${link}`
    case 'job-cancelled':
      return `The job was cancelled while ${id} was ${seen}.${cancelNote || (settings.cancelOnJobCancel ? '' : ' It goes on in Buddy (cancel-on-job-cancel is false).')} ${link}`
    case 'token-refused':
      return tokenRefusedMessage(report, settings, `${id}, last seen ${seen}`, link)
    case 'needs-approval':
      return `${id} waits for a person (${report.paused?.status ?? seen}${report.paused?.action ? ` in action "${report.paused.action}"` : ''}) and on-approval is fail: approve or answer it in Buddy, then run this job again. ${link}`
  }
}

/**
 * Buddy refused the token while the step followed the run (it expired or was revoked): the run
 * was not seen to end, and what to do depends on whether the token could have been renewed.
 */
function tokenRefusedMessage(
  report: FollowReport,
  settings: FollowSettings,
  run: string,
  link: string
): string {
  const notEnded =
    'The run was not seen to end: it may still be going in Buddy, and this step can no longer follow or cancel it.'
  if (report.renewsToken) {
    return `Buddy refused the token (401 Unauthorized) while this step followed ${run}, and renewing it through OIDC did not help. ${notEnded} Check the identity provider ("provider-id") in Buddy, and its access to this workspace. ${report.problem ?? ''} ${link}`.replace(
      /  +/g,
      ' '
    )
  }
  return `Buddy refused the token (401 Unauthorized) while this step followed ${run}: the token expired or was revoked after the run started. ${notEnded} Give a token that lives longer than the run and this step's timeout (${formatDuration(settings.timeoutMs)}), or use OIDC with "provider-id": the action then gets a fresh token whenever Buddy refuses one. ${link}`
}

/** Outputs, log line, annotation and the step's result for a followed run. */
export function reportFinished(report: FollowReport, settings: FollowSettings): void {
  if (report.outcome === 'finished') reportExportedVariables(report.execution)
  for (const [name, value] of Object.entries(finishedOutputs(report))) core.setOutput(name, value)
  const retries = retriesSentence(report)
  if (retries) log.info(retries)
  const message = failureMessage(report, settings)
  if (!message) {
    log.info(
      `Buddy run #${report.execution.id} SUCCESSFUL in ${formatDuration(report.durationMs)}.`
    )
    return
  }
  const failedRun = report.outcome === 'finished'
  if (failedRun && !settings.propagateFailure) {
    core.error(message, { title: 'Buddy run failed' })
    log.info(
      'propagate-failure is false: the step stays green; the status output tells the result.'
    )
    return
  }
  core.setFailed(message)
}

/**
 * What the log says of the variables the run exported: their names only (values are Buddy's
 * text, never printed), a notice for each key left out, and secret values masked.
 */
function reportExportedVariables(execution: Execution): void {
  const { values, invalidKeys, secrets } = exportedVariables(execution)
  for (const secret of secrets) core.setSecret(secret.value)
  for (const key of invalidKeys) {
    core.notice(
      `Buddy exported a variable whose key is not a name (letters, digits and _, not starting with a digit): ${JSON.stringify(shortText(key))}. It is left out of the variables output.`,
      { title: 'Variable left out' }
    )
  }
  for (const secret of secrets) {
    const name = JSON.stringify(oneLine(secret.key))
    log.info(
      secret.why === 'marked'
        ? `Buddy marks the variable ${name} as encrypted: it is masked and left out of the variables output.`
        : `Buddy gives the variable ${name} in its encrypted form (a secret's plain value is never returned): it is masked and left out of the variables output.`
    )
  }
  const names = Object.keys(values)
  if (names.length > 0) log.info(`Variables the run exported: ${names.join(', ')}`)
}
