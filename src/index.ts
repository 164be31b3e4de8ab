import * as core from '@actions/core'
import { systemClock } from './base/clock.js'
import { watchJobCancel } from './base/job-cancel.js'
import { run } from './main.js'
import { failStep } from './report/fail-step.js'
import { exitAfterOutput, log } from './base/log.js'
import { postHandoff, SETTLED } from './post-handoff.js'

/**
 * Entry point of the main step (the post step has its own bundle, post-entry.ts: a post step
 * can never start a run, even when the main step was killed before it saved any state).
 * Whatever is thrown, the step fails with a message, never a green step.
 */

process.on('unhandledRejection', failStep)

{
  // Before anything else, and before the first request: a cancel may come at any moment.
  const jobCancel = watchJobCancel(process, {
    onCancelledEarly(signal) {
      // Nothing sent so far can have created a run: end now, before anything else is sent.
      postHandoff.markRunSettled(SETTLED.noRun)
      core.setFailed(
        `The job was cancelled (${signal}) before the run request was sent: no Buddy run was started.`
      )
      process.exit()
    },
    onCancelled(signal) {
      log.info(`Received ${signal}: the job is being cancelled.`)
      // Whatever the step was about to leave going, a cancelled job's run is cancelled.
      postHandoff.jobCancelledBeforeExit()
    }
  })
  // run() fails the step itself on any failure, with failStep's message.
  await run({ env: process.env, clock: systemClock, jobCancel })
  // A request abandoned at a time limit may still hold a socket open (until its socket
  // timeout): it must not keep the step alive.
  exitAfterOutput()
}
