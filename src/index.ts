import * as core from '@actions/core'
import { systemClock } from './clock.js'
import { watchJobCancel } from './github/job-cancel.js'
import { run } from './main.js'
import { failStep } from './report/fail-step.js'
import { log } from './report/log.js'
import { markRunSettled, runPost, SETTLED, STATE } from './post.js'

/**
 * Entry point of both the main and the post step (post-if: cancelled()). Whatever is thrown,
 * the step fails with a message, never a green step.
 */

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
  // run() fails the step itself on any failure, with failStep's message.
  const result = await run({ env: process.env, clock: systemClock, jobCancel })
  // A cancelled job: a status read may still be in flight; the runner kills the step soon.
  if (result === 'exit-now') process.exit()
}
