import { runPost } from './post.js'
import { failStep } from './report/fail-step.js'
import { exitAfterOutput } from './base/log.js'

/**
 * Entry point of the post step (action.yml: post-if: cancelled()), a bundle of its own: it can
 * only look for this step's run and cancel it, never start one. runPost never fails the job.
 */

process.on('unhandledRejection', failStep)

await runPost()
exitAfterOutput()
