import type { Logger } from '../base/log.js'

/** The step's log as following a run writes to it: lines, and Buddy's text in groups. */
export interface LogOutput extends Logger {
  /** Prints text from Buddy, in a group, so that none of it can act as a workflow command. */
  printUntrusted(title: string, lines: string[]): void
  /** Opens a collapsible group (the runner does not nest groups: one at a time). */
  startGroup(title: string): void
  endGroup(): void
  /** Prints text from Buddy in the open group (if any), so that none of it can act as a command. */
  printUntrustedLines(lines: string[]): void
}
