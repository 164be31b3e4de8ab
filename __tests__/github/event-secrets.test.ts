import {
  isSecretlessForkEvent,
  runsWithSecretsForOutsiders
} from '../../src/github/event-secrets.js'
import { ctx, prOpened, prReview } from '../support/event-payloads.js'

describe('helpers', () => {
  it.each([
    ['pull_request_target', true],
    ['issue_comment', true],
    ['workflow_run', true],
    ['issues', true],
    ['discussion', true],
    ['discussion_comment', true],
    ['status', true],
    ['check_run', true],
    ['check_suite', true],
    ['', true],
    ['push', false],
    ['workflow_dispatch', false],
    ['repository_dispatch', false],
    ['schedule', false],
    ['pull_request', false],
    ['pull_request_review', false],
    ['pull_request_review_comment', false]
  ])('runsWithSecretsForOutsiders(%j) = %j', (event, guarded) => {
    expect(runsWithSecretsForOutsiders(event)).toBe(guarded)
  })

  it('tells a pull request event from a fork, which GitHub gives no secrets', () => {
    const fork = structuredClone(prOpened)
    fork.pull_request.head.repo.full_name = 'someone/fork'
    expect(isSecretlessForkEvent(ctx('pull_request', fork))).toBe(true)
    expect(isSecretlessForkEvent(ctx('pull_request_review', { ...prReview, ...fork }))).toBe(true)
    expect(isSecretlessForkEvent(ctx('pull_request', prOpened))).toBe(false)
    // pull_request_target has secrets: an empty token there has another cause.
    expect(isSecretlessForkEvent(ctx('pull_request_target', fork))).toBe(false)
    expect(isSecretlessForkEvent(ctx('push', fork))).toBe(false)
  })
})
