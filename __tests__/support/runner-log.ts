/**
 * A step's stdout read as the runner reads it: lines that start with "::" are workflow commands,
 * except between `::stop-commands::TOKEN` and `::TOKEN::`, where everything is text. Groups do
 * not nest in the runner: a group opened inside another, or an endgroup outside any, is a
 * problem here.
 */
export interface RunnerLog {
  /** Each group as the runner shows it: its title and its text lines (commands left out). */
  groups: { title: string; lines: string[] }[]
  /** Text lines outside any group. */
  outside: string[]
  /** The group and endgroup commands the runner acted on. */
  groupCommands: number
  endgroupCommands: number
  problems: string[]
  /** Whether stop-commands blocks were all closed again. */
  commandsResumed: boolean
}

export function readAsRunner(stdout: string): RunnerLog {
  const log: RunnerLog = {
    groups: [],
    outside: [],
    groupCommands: 0,
    endgroupCommands: 0,
    problems: [],
    commandsResumed: true
  }
  let open: { title: string; lines: string[] } | undefined
  let stoppedBy: string | undefined
  const text = (line: string) => (open?.lines ?? log.outside).push(line)
  for (const line of stdout.split(/\r?\n/)) {
    if (stoppedBy !== undefined) {
      if (line === `::${stoppedBy}::`) stoppedBy = undefined
      else text(line)
      continue
    }
    if (line.startsWith('::stop-commands::')) {
      stoppedBy = line.slice('::stop-commands::'.length)
      continue
    }
    if (line.startsWith('::group::')) {
      log.groupCommands++
      if (open) log.problems.push(`group "${line}" inside group "${open.title}"`)
      open = { title: line.slice('::group::'.length), lines: [] }
      log.groups.push(open)
      continue
    }
    if (line === '::endgroup::') {
      log.endgroupCommands++
      if (!open) log.problems.push('endgroup outside any group')
      open = undefined
      continue
    }
    // Other commands (debug, add-mask, error, ...) are not text of the log.
    if (line.trimStart().startsWith('::') || line === '') continue
    text(line)
  }
  if (open) log.problems.push(`group "${open.title}" never ended`)
  log.commandsResumed = stoppedBy === undefined
  return log
}
