import { oneLine } from '../base/log.js'
import type { Execution } from '../buddy/model.js'
import { actionName } from '../follow/progress.js'

/**
 * The job summary's timeline: the run's actions as a Mermaid gantt chart, which GitHub renders,
 * every name as Mermaid entity codes so that none can break the chart or the code block. Pure.
 */

/**
 * An action's name as a Mermaid gantt task: letters, digits, spaces and a few safe signs as they
 * are; any other character as an entity code (#58; for ":"), which Mermaid sets aside before it
 * parses and shows as the character, so a name can neither end a task, add a line, nor close the
 * code block. The first character is always a code: Mermaid's lexer reads a line that begins with
 * a keyword (click, call, title, section, dateFormat, gantt, …) or a date (2024-01-01) as that
 * statement, whatever follows, and the name would lose its bar.
 */
export function mermaidText(text: string): string {
  return [...oneLine(text)]
    .map((c, at) => (at > 0 && /^[\p{L}\p{N} _.,()/+-]$/u.test(c) ? c : `#${c.codePointAt(0)};`))
    .join('')
}

const GANTT_TAGS: Record<string, string> = {
  SUCCESSFUL: 'done, ',
  FAILED: 'crit, ',
  TERMINATED: 'crit, ',
  INPROGRESS: 'active, '
}

/**
 * The actions as a Mermaid gantt chart, which GitHub renders in job summaries: one bar per action
 * that started, from Buddy's dates; an action with no end date ends with the run (or where it
 * began). Undefined when fewer than two actions started.
 */
export function ganttChart(execution: Execution): string | undefined {
  const runEnd = execution.finish_date ? Date.parse(execution.finish_date) : Number.NaN
  const tasks = (execution.action_executions ?? []).flatMap((action, index) => {
    const start = action.start_date ? Date.parse(action.start_date) : Number.NaN
    if (Number.isNaN(start)) return []
    const finish = action.finish_date ? Date.parse(action.finish_date) : runEnd
    const end = Number.isNaN(finish) || finish < start ? start : finish
    const tag = GANTT_TAGS[action.status ?? ''] ?? ''
    const name = mermaidText(actionName(action, index)) || `action ${index + 1}`
    return [`    ${name} :${tag}${start}, ${end}`]
  })
  if (tasks.length < 2) return undefined
  return [
    '```mermaid',
    'gantt',
    `    title Buddy run ${execution.id}`,
    '    dateFormat x',
    '    axisFormat %H:%M:%S',
    '    section Actions',
    ...tasks,
    '```'
  ].join('\n')
}
