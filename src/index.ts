import * as core from '@actions/core'
import { systemClock } from './clock.js'
import { watchJobCancel } from './github/job-cancel.js'
import { run } from './main.js'
import { log } from './report/log.js'
import { markRunSettled, runPost, SETTLED, STATE } from './post.js'

/**
 * Entry point of both the main and the post step (post-if: cancelled()). Whatever is thrown,
 * the step fails with a message, never a green step.
 */

const PROGRAMMING_ERRORS = ['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']

function failStep(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  const bug = !(error instanceof Error) || PROGRAMMING_ERRORS.includes(error.name)
  // A stack trace only where it helps a bug report; an expected failure's message says it all.
  if (bug && error instanceof Error && error.stack) core.debug(error.stack)
  core.setFailed(
    bug
      ? `${message || 'Unexpected error'} (this looks like a bug in the action: please report it with the debug log)`
      : message
  )
}

process.on('unhandledRejection', failStep)

if (core.getState(STATE.isPost) === 'true') {
  await runPost()
} else {
  // Before anything else, and before the first request: a cancel may come at any moment.
  const jobCancel = watchJobCancel(process, {
    onCancelledEarly(signal) {
      // Nothing sent so far can have created a run: end now, before anything else is sent.
      markRunSettled(SETTLED.noRun)
      core.setFailed(
        `The job was cancelled (${signal}) before the run request was sent: no Buddy run was started.`
      )
      process.exit()
    },
    onCancelled(signal) {
      log.info(`Received ${signal}: the job is being cancelled.`)
    }
  })
  core.saveState(STATE.isPost, 'true')
  const result = await run({ env: process.env, clock: systemClock, jobCancel }).catch(error => {
    failStep(error)
    return 'done' as const
  })
  // A cancelled job: a status read may still be in flight; the runner kills the step soon.
  if (result === 'exit-now') process.exit()
}
