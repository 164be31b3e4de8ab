import * as core from '@actions/core'

/**
 * How a failure fails the step: its message, never a green step. A bug (an error the action does
 * not throw itself) says so, with its stack in the debug log; an expected failure's message says
 * it all.
 */

const PROGRAMMING_ERRORS = ['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']

export function failStep(error: unknown): void {
  // A stack trace only where it helps a bug report; an expected failure's message says it all.
  if (isBug(error) && error instanceof Error && error.stack) core.debug(error.stack)
  core.setFailed(failureMessage(error))
}

/** The failure as the step's error (and the job summary) tells it. */
export function failureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return isBug(error)
    ? `${message || 'Unexpected error'} (this looks like a bug in the action: please report it with the debug log)`
    : message
}

function isBug(error: unknown): boolean {
  return !(error instanceof Error) || PROGRAMMING_ERRORS.includes(error.name)
}
