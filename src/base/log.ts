import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import { EOL } from 'node:os'

/** Where a module writes its lines: the step's log, or a test's list. */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
}

/**
 * The step's log, and the one sanitiser for text the action does not control (Buddy's answers,
 * inputs, GitHub's payloads). How the runner reads a step's output (actions/runner):
 * - Runner.Sdk/ProcessInvoker.cs reads stdout and stderr with .NET's StreamReader.ReadLine(),
 *   whose lines end at "\n", "\r" or "\r\n" — a carriage return alone ends a line. Nothing else
 *   does: U+0085, U+2028 and U+2029 stay inside a line.
 * - Runner.Worker/Handlers/OutputManager.cs hands each line that holds "::" or "##[" to
 *   ActionCommandManager.TryProcessCommand, which tries ActionCommand.TryParseV2 (the line,
 *   after .NET's TrimStart(), starts with "::", and a second "::" ends the command's name and
 *   properties) and then ActionCommand.TryParse (the older form: "##[" anywhere in the line,
 *   then the command's name and properties up to "]").
 * - .NET's TrimStart() drops every character that Char.IsWhiteSpace() calls white space: more
 *   than JavaScript's trimStart() (it includes U+0085), so a line that JavaScript sees starting
 *   with U+0085 can still start with "::" for the runner.
 * plain() splits text where the runner would and neutralises each line by those rules; lines
 * that carry outside text go through it (log.info does). Warnings, errors, debug lines and group
 * titles are commands themselves, whose data @actions/core escapes (%, \r and \n), so outside
 * text in them cannot start a line of its own.
 */

/** The line breaks the runner honours (StreamReader.ReadLine): "\r\n", "\r" and "\n". */
export const RUNNER_LINE_BREAK = /\r\n|\r|\n/

/** .NET's Char.IsWhiteSpace(): what the runner's TrimStart() drops before looking for "::". */
const DOTNET_WHITE_SPACE =
  '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'

/**
 * A line the runner could read as a "::" command: "::" after white space as .NET sees it. Format
 * characters (soft hyphen, zero-width space, …) and control characters before it count too:
 * .NET's culture-aware StartsWith() may pass over them (no command name survives that, as the
 * runner then cuts the name at fixed offsets, but the guard costs nothing).
 */
const STARTS_LIKE_A_COMMAND = new RegExp(
  `^[${DOTNET_WHITE_SPACE}\\p{Cf}\\u0000-\\u001f\\u007f]*::`,
  'u'
)

/** Outside text as log lines the runner reads as text only: never a workflow command. */
export function plain(text: string): string {
  return text
    .split(RUNNER_LINE_BREAK)
    .map(line => {
      const safe = line.replace(/##\[/g, '## [')
      return STARTS_LIKE_A_COMMAND.test(safe) ? `› ${safe}` : safe
    })
    .join('\n')
}

/**
 * Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: what must not
 * be inside text meant for one line, whoever reads it.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const CONTROL_CHARACTERS = new RegExp(`${CONTROL_CHARACTER.source}+`, 'g')

/** Does the text hold a control character (a line break, tab, escape, NUL, DEL, NEL, …)? */
export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text)
}

/**
 * Text from Buddy or inputs on one line: for names and statuses inside a sentence, a heading or
 * a table cell. (The log line it ends up in still goes through plain().)
 */
export function oneLine(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ').trim()
}

export const log: Logger = {
  debug: message => core.debug(message),
  info: message => core.info(plain(message)),
  warning: message => core.warning(message)
}

/** Text from Buddy, shown as text: the runner ignores workflow commands between the markers. */
export function printUntrusted(title: string, lines: string[]): void {
  startGroup(title)
  printUntrustedLines(lines)
  endGroup()
}

/**
 * Text from Buddy, as text, in whatever group is open: between stop-commands markers whose
 * token is new each time, so that a group may stay open across them while the step's own
 * commands in between still work.
 */
export function printUntrustedLines(lines: string[]): void {
  const token = randomUUID().replace(/-/g, '')
  process.stdout.write(`::stop-commands::${token}${EOL}`)
  for (const line of lines) {
    process.stdout.write(`${line.split(RUNNER_LINE_BREAK).join(EOL)}${EOL}`)
  }
  process.stdout.write(`::${token}::${EOL}`)
}

/** A collapsible group; its title may hold Buddy's text (an action's name): one line, as text. */
export function startGroup(title: string): void {
  core.startGroup(plain(oneLine(title)))
}

export function endGroup(): void {
  core.endGroup()
}

/**
 * Ends the process once everything written to stdout and stderr has left it (pipes are
 * asynchronous on Windows), so that no log line or workflow command is lost, and no socket of
 * a request abandoned at a time limit keeps the step alive.
 */
export function exitAfterOutput(): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit()))
}
