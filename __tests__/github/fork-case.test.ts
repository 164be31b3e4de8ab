import type { EventContext } from '../../src/github/event.js'
import { forkCase } from '../../src/github/fork-case.js'
import type { RunTarget } from '../../src/github/run-target.js'

/** The facts the fork policy decides on, as read from the payload (the decision: fork-policy.test.ts). */

const BASE = 'octo-org/octo-repo'
const FORK = 'stranger/fork'
const repository = { full_name: BASE }
const target: RunTarget = { kind: 'branch', name: 'main', revision: 'HEAD', source: 'inputs' }
const on = (eventName: string, payload: Record<string, unknown>): EventContext => ({
  eventName,
  payload: { repository, ...payload },
  ref: 'refs/heads/main',
  sha: 'aaa1'
})

describe('forkCase', () => {
  it("reads a pull request event's heads, its base commit and GITHUB_SHA as this repository's", () => {
    const ctx = on('pull_request_target', {
      pull_request: {
        head: { sha: 'fff1', repo: { full_name: FORK } },
        base: { sha: 'bbb1', repo: repository }
      }
    })
    expect(forkCase(ctx, false, target)).toMatchObject({
      event: 'pull_request_target',
      baseRepository: BASE,
      eventHeads: [{ sha: 'fff1', headRepository: FORK, fork: true }],
      ownCommits: ['aaa1', 'bbb1'],
      explicitRevision: false,
      askedAt: undefined
    })
  })

  it("reads a workflow_run's head against the upstream run's repository", () => {
    const ctx = on('workflow_run', {
      workflow_run: { head_sha: 'ccc1', head_repository: repository, repository }
    })
    expect(forkCase(ctx, false, target).eventHeads).toEqual([
      { sha: 'ccc1', headRepository: BASE, fork: false }
    ])
  })

  it('reads when the comment asked for the run, in comment events only', () => {
    const comment = { comment: { created_at: '2026-11-28T10:00:00Z' } }
    expect(forkCase(on('issue_comment', comment), false, target).askedAt).toBe(
      '2026-11-28T10:00:00Z'
    )
    expect(forkCase(on('issues', comment), false, target).askedAt).toBeUndefined()
  })

  it('takes whose code a pull request is only once the event or a look-up showed it', () => {
    const pr: RunTarget = { kind: 'pull_request', name: 'pull/4', source: 'inputs' }
    const ctx = on('issue_comment', {})
    expect(forkCase(ctx, true, { ...pr, code: { event: 'issue_comment' } }).pullRequest).toBe(
      undefined
    )
    expect(
      forkCase(ctx, true, { ...pr, code: { event: 'issue_comment', fork: true, headSha: 'fff1' } })
        .pullRequest
    ).toMatchObject({ fork: true, headSha: 'fff1' })
  })
})
