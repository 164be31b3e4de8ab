import { readFileSync } from 'node:fs'
import { targetFromEvent } from '../../src/github/event-targets.js'
import type { EventContext } from '../../src/github/event.js'
import { RunTargetError } from '../../src/github/run-target.js'
import {
  branchPush,
  ctx,
  issueComment,
  prComment,
  prOpened,
  prReview,
  SHA,
  upstream,
  type Payload
} from '../support/event-payloads.js'
import { webhookExample, webhookExamples } from '../support/webhooks.js'

/** The event mapping, event by event (workflow_run's rows: workflow-run-target.test.ts). */

const tagPush = webhookExample(
  'push',
  p => p.ref === 'refs/tags/simple-tag' && !p.deleted
) as Payload
const annotatedTagPush = JSON.parse(
  readFileSync(new URL('../fixtures/push-annotated-tag.json', import.meta.url), 'utf8')
) as Payload
const TAGGED_COMMIT = annotatedTagPush.head_commit.id as string
const deletingPush = webhookExample('push', p => p.deleted === true) as Payload
const tagCreate = webhookExample('create', p => p.ref_type === 'tag') as Payload
const prReviewComment = webhookExample('pull_request_review_comment') as Payload
const release = webhookExample('release', p => p.action === 'published') as Payload
const dispatch = webhookExample('workflow_dispatch') as Payload
const repoDispatch = webhookExample('repository_dispatch') as Payload
const mergeGroup = webhookExample('merge_group') as Payload

describe('the mapping table, on real payloads', () => {
  it.each<[string, EventContext, object]>([
    [
      'push to a branch',
      ctx('push', branchPush, 'refs/heads/master'),
      { kind: 'branch', name: 'master', revision: branchPush.after }
    ],
    [
      'push of a tag',
      ctx('push', tagPush, 'refs/tags/simple-tag'),
      { kind: 'tag', name: 'simple-tag', revision: tagPush.after }
    ],
    [
      'push of an annotated tag: the tagged commit, not the tag object',
      ctx('push', annotatedTagPush, 'refs/tags/v1.2.0', TAGGED_COMMIT),
      { kind: 'tag', name: 'v1.2.0', revision: TAGGED_COMMIT }
    ],
    [
      'push of an annotated tag without head_commit: GITHUB_SHA',
      ctx('push', { ...annotatedTagPush, head_commit: null }, 'refs/tags/v1.2.0'),
      { kind: 'tag', name: 'v1.2.0', revision: SHA }
    ],
    [
      'create of a tag',
      ctx('create', tagCreate, 'refs/tags/simple-tag'),
      { kind: 'tag', name: 'simple-tag', revision: SHA }
    ],
    [
      'create of a branch',
      ctx('create', { ...tagCreate, ref: 'feature', ref_type: 'branch' }, 'refs/heads/feature'),
      { kind: 'branch', name: 'feature', revision: SHA }
    ],
    [
      'pull_request: the head, not the merge commit',
      ctx(
        'pull_request',
        prOpened,
        `refs/pull/${prOpened.number}/merge`,
        'feedfacefeedfacefeedfacefeedfacefeedface'
      ),
      {
        kind: 'pull_request',
        name: `pull/${prOpened.number}`,
        revision: prOpened.pull_request.head.sha
      }
    ],
    [
      'pull_request_target',
      ctx('pull_request_target', prOpened, 'refs/heads/master'),
      {
        kind: 'pull_request',
        name: `pull/${prOpened.number}`,
        revision: prOpened.pull_request.head.sha
      }
    ],
    [
      'pull_request_review',
      ctx('pull_request_review', prReview),
      {
        kind: 'pull_request',
        name: `pull/${prReview.pull_request.number}`,
        revision: prReview.pull_request.head.sha
      }
    ],
    [
      'pull_request_review_comment',
      ctx('pull_request_review_comment', prReviewComment),
      {
        kind: 'pull_request',
        name: `pull/${prReviewComment.pull_request.number}`,
        revision: prReviewComment.pull_request.head.sha
      }
    ],
    [
      'release',
      ctx('release', release, `refs/tags/${release.release.tag_name}`),
      { kind: 'tag', name: release.release.tag_name, revision: SHA }
    ],
    [
      'workflow_dispatch on a branch',
      ctx('workflow_dispatch', dispatch, 'refs/heads/develop'),
      { kind: 'branch', name: 'develop', revision: SHA }
    ],
    [
      'workflow_dispatch on a tag',
      ctx('workflow_dispatch', dispatch, 'refs/tags/v3'),
      { kind: 'tag', name: 'v3', revision: SHA }
    ],
    [
      'schedule',
      ctx('schedule', { schedule: '0 0 * * *' }, 'refs/heads/main'),
      { kind: 'branch', name: 'main', revision: SHA }
    ],
    [
      'repository_dispatch',
      ctx('repository_dispatch', repoDispatch, 'refs/heads/main'),
      { kind: 'branch', name: 'main', revision: SHA }
    ],
    [
      'merge_group',
      ctx('merge_group', mergeGroup, mergeGroup.merge_group.head_ref),
      {
        kind: 'branch',
        name: (mergeGroup.merge_group.head_ref as string).replace('refs/heads/', ''),
        revision: mergeGroup.merge_group.head_sha
      }
    ],
    [
      'deployment: GITHUB_REF at the deployed commit',
      ctx('deployment', { deployment: { sha: 'deadbeef00' } }, 'refs/tags/v2'),
      { kind: 'tag', name: 'v2', revision: 'deadbeef00' }
    ],
    [
      'issue_comment on a pull request: head to look up',
      ctx('issue_comment', prComment, 'refs/heads/main'),
      {
        kind: 'pull_request',
        name: 'pull/9',
        revision: undefined,
        lookUp: { kind: 'pull-request', number: 9 },
        code: { event: 'issue_comment', baseRepository: issueComment.repository.full_name }
      }
    ],
    [
      'issue_comment on an issue: the default branch',
      ctx('issue_comment', issueComment, 'refs/heads/main'),
      { kind: 'branch', name: 'main', revision: SHA }
    ],
    [
      'any other event with a branch ref',
      ctx('deployment', {}, 'refs/heads/prod'),
      { kind: 'branch', name: 'prod', revision: SHA }
    ],
    [
      'any other event with a PR ref',
      ctx('check_run', {}, 'refs/pull/5/merge'),
      { kind: 'pull_request', name: 'pull/5', revision: SHA }
    ]
  ])('%s', (_name, context, expected) => {
    const target = targetFromEvent(context)
    expect(target).toMatchObject(expected)
    if (!('lookUp' in expected)) expect(target.lookUp).toBeUndefined()
  })

  it('covers every example of the mapped events without throwing', () => {
    for (const event of ['pull_request', 'release', 'merge_group', 'workflow_run', 'create']) {
      for (const payload of webhookExamples(event)) {
        const target = targetFromEvent(ctx(event, payload, 'refs/heads/main'))
        expect(target.revision ?? target.lookUp).toBeDefined()
        expect(target.name).not.toBe('')
      }
    }
  })
})

describe('events that do not say what to run', () => {
  it.each<[string, EventContext, RegExp]>([
    [
      'a workflow_run of a pull_request_target run',
      ctx('workflow_run', upstream({ event: 'pull_request_target', head_branch: 'patch-1' })),
      /The workflow_run event is for a pull_request_target run, whose ref GitHub's payload does not name reliably\. Set input "branch", "tag" or "pull-request"/
    ],
    [
      'a push that deletes a ref',
      ctx('push', deletingPush, deletingPush.ref),
      /This push deleted refs\/tags\/simple-tag: there is no commit to run/
    ],
    [
      'an event without GITHUB_REF',
      ctx('deployment', {}, undefined),
      /GITHUB_REF is empty\. Set input "branch", "tag" or "pull-request"/
    ],
    [
      'an event on another kind of ref',
      ctx('deployment', {}, 'refs/notes/x'),
      /GITHUB_REF is "refs\/notes\/x", which is no branch, tag or pull request/
    ]
  ])('%s fails with a message that asks for a target', (_name, context, message) => {
    expect(() => targetFromEvent(context)).toThrow(RunTargetError)
    expect(() => targetFromEvent(context)).toThrow(message)
  })
})
