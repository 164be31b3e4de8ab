import type { EventContext } from '../../src/github/event.js'
import { webhookExample } from './webhooks.js'

/**
 * Events as the runner describes them, on real webhook payloads (@octokit/webhooks-examples):
 * the ones the event-mapping tests of __tests__/github/ share.
 */

export const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'

export type Payload = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export const branchPush = webhookExample(
  'push',
  p => p.ref === 'refs/heads/master' && !p.deleted
) as Payload
export const prOpened = webhookExample('pull_request', p => p.action === 'opened') as Payload
export const prReview = webhookExample('pull_request_review') as Payload
export const workflowRun = webhookExample('workflow_run', p => p.action === 'completed') as Payload
export const issueComment = webhookExample('issue_comment') as Payload

/** The completed workflow_run example, with the upstream run's fields changed. */
export const upstream = (changes: Payload): Payload => ({
  ...workflowRun,
  workflow_run: { ...workflowRun.workflow_run, ...changes }
})

/** A comment on pull request #9. */
export const prComment = {
  ...issueComment,
  issue: { ...issueComment.issue, number: 9, pull_request: { url: 'x' } }
}

export const ctx = (
  eventName: string,
  payload: Payload,
  ref?: string,
  sha = SHA
): EventContext => ({
  eventName,
  payload,
  ref,
  sha
})
