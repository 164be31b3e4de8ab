import * as core from '@actions/core'
import { randomUUID } from 'node:crypto'
import { EOL } from 'node:os'
import type { Logger } from '../buddy/client.js'

/**
 * The step's log. The runner reads a line as a workflow command when, after leading spaces, it
 * starts with "::", or when it holds "##[" anywhere (the older form). Lines that carry text from
 * Buddy or from inputs go through plain(), so that no such text can act as a command. Debug and
 * warning lines are commands themselves, whose data the toolkit escapes.
 */

export function plain(text: string): string {
  return text
    .split('\n')
    .map(line => {
      const safe = line.replace(/##\[/g, '## [')
      return safe.trimStart().startsWith('::') ? `› ${safe}` : safe
    })
    .join('\n')
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/
const CONTROL_CHARACTERS = new RegExp(`${CONTROL_CHARACTER.source}+`, 'g')

/** Does the text hold a control character (C0 or DEL: a line break, tab, escape, NUL)? */
export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text)
}

/** Text from Buddy or inputs on one line, so that it can never start a workflow command. */
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
  for (const line of lines) process.stdout.write(`${line.replace(/\r?\n|\r/g, EOL)}${EOL}`)
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
