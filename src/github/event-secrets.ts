import type { EventContext } from './event.js'
import { obj, str } from './payload.js'

/**
 * Which events run with this repository's secrets, and who can start them: the facts the fork
 * policy (fork-policy.ts) starts from, and what tells an empty token on a fork's pull request
 * (GitHub gives it none) from a misconfigured one (buddy/credentials.ts).
 */

/**
 * Events whose runs cannot hand a fork's code to a secret, so the policy has nothing to check:
 * those only people with write access can start (what their inputs name is the workflow author's
 * choice: such a person can already run anything with the secrets, by pushing a workflow), and
 * pull request events, whose runs from a fork GitHub gives neither secrets nor an OIDC token.
 * Every other event — pull_request_target, issue_comment, workflow_run, issues, discussion,
 * discussion_comment, status, check_run, check_suite, fork, watch, … and any event GitHub adds —
 * runs with the secrets while people without write access can start it or write its payload.
 */
const EVENTS_WITHOUT_OUTSIDERS_AND_SECRETS = new Set([
  'push',
  'create',
  'delete',
  'release',
  'workflow_dispatch',
  'repository_dispatch',
  'schedule',
  'merge_group',
  'deployment',
  'deployment_status',
  'branch_protection_rule',
  'registry_package',
  'page_build',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment'
])

/** Does this event run with the repository's secrets while outsiders can start it? */
export function runsWithSecretsForOutsiders(eventName: string): boolean {
  return !EVENTS_WITHOUT_OUTSIDERS_AND_SECRETS.has(eventName)
}

const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment'
])

/**
 * A pull request event from a fork: GitHub gives its runs no secrets and no OIDC token.
 * (pull_request_target runs with secrets, so an empty token there has another cause.)
 */
export function isSecretlessForkEvent(ctx: EventContext): boolean {
  if (!PULL_REQUEST_EVENTS.has(ctx.eventName) || ctx.eventName === 'pull_request_target')
    return false
  const pr = obj(ctx.payload.pull_request)
  const head = str(obj(obj(pr.head).repo).full_name)
  const base = str(obj(obj(pr.base).repo).full_name)
  return head !== undefined && base !== undefined && head.toLowerCase() !== base.toLowerCase()
}
