import {
  describeTarget,
  isForkPullRequest,
  resolveRunTarget,
  RunTargetError,
  targetFromEvent,
  targetFromRef,
  type EventContext
} from '../src/run-target.js'
import { webhookExample, webhookExamples } from './support/webhooks.js'

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'

type Payload = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const branchPush = webhookExample(
  'push',
  p => p.ref === 'refs/heads/master' && !p.deleted
) as Payload
const tagPush = webhookExample(
  'push',
  p => p.ref === 'refs/tags/simple-tag' && !p.deleted
) as Payload
const deletingPush = webhookExample('push', p => p.deleted === true) as Payload
const tagCreate = webhookExample('create', p => p.ref_type === 'tag') as Payload
const prOpened = webhookExample('pull_request', p => p.action === 'opened') as Payload
const prReview = webhookExample('pull_request_review') as Payload
const prReviewComment = webhookExample('pull_request_review_comment') as Payload
const release = webhookExample('release', p => p.action === 'published') as Payload
const dispatch = webhookExample('workflow_dispatch') as Payload
const repoDispatch = webhookExample('repository_dispatch') as Payload
const mergeGroup = webhookExample('merge_group') as Payload
const workflowRun = webhookExample('workflow_run', p => p.action === 'completed') as Payload
const issueComment = webhookExample('issue_comment') as Payload
const prComment = {
  ...issueComment,
  issue: { ...issueComment.issue, number: 9, pull_request: { url: 'x' } }
}

const ctx = (eventName: string, payload: Payload, ref?: string, sha = SHA): EventContext => ({
  eventName,
  payload,
  ref,
  sha
})

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
      'workflow_run',
      ctx('workflow_run', workflowRun, 'refs/heads/main'),
      {
        kind: 'branch',
        name: workflowRun.workflow_run.head_branch,
        revision: workflowRun.workflow_run.head_sha
      }
    ],
    [
      'issue_comment on a pull request: head to look up',
      ctx('issue_comment', prComment, 'refs/heads/main'),
      { kind: 'pull_request', name: 'pull/9', revision: undefined, pullRequestToLookUp: 9 }
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
    if (!('pullRequestToLookUp' in expected)) expect(target.pullRequestToLookUp).toBeUndefined()
  })

  it('covers every example of the mapped events without throwing', () => {
    for (const event of ['pull_request', 'release', 'merge_group', 'workflow_run', 'create']) {
      for (const payload of webhookExamples(event)) {
        expect(() => targetFromEvent(ctx(event, payload, 'refs/heads/main'))).not.toThrow()
      }
    }
  })
})

describe('events that do not say what to run', () => {
  it.each<[string, EventContext, RegExp]>([
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

describe('explicit inputs win over the event', () => {
  const push = ctx('push', branchPush, 'refs/heads/master')
  it.each<[string, Parameters<typeof resolveRunTarget>[1], EventContext, object]>([
    [
      'revision only',
      { revision: 'HEAD' },
      push,
      { kind: 'branch', name: 'master', revision: 'HEAD' }
    ],
    [
      'another branch runs its head',
      { target: { kind: 'branch', name: 'release' } },
      push,
      { kind: 'branch', name: 'release', revision: 'HEAD' }
    ],
    [
      'the same branch keeps the event commit',
      { target: { kind: 'branch', name: 'master' } },
      push,
      { kind: 'branch', name: 'master', revision: branchPush.after }
    ],
    [
      'a branch and a revision',
      { target: { kind: 'branch', name: 'x' }, revision: 'abcd123' },
      push,
      { kind: 'branch', name: 'x', revision: 'abcd123' }
    ],
    [
      'a tag',
      { target: { kind: 'tag', name: 'v9' } },
      push,
      { kind: 'tag', name: 'v9', revision: 'HEAD' }
    ],
    [
      'a pull request',
      { target: { kind: 'pull_request', name: '3' } },
      push,
      { kind: 'pull_request', name: 'pull/3', revision: 'HEAD' }
    ],
    [
      'the same pull request as the comment still looks up its head',
      { target: { kind: 'pull_request', name: '9' } },
      ctx('issue_comment', prComment, 'refs/heads/main'),
      { kind: 'pull_request', name: 'pull/9', revision: undefined, pullRequestToLookUp: 9 }
    ],
    [
      'a revision skips the look-up',
      { revision: 'abcdef1' },
      ctx('issue_comment', prComment, 'refs/heads/main'),
      { kind: 'pull_request', name: 'pull/9', revision: 'abcdef1', pullRequestToLookUp: undefined }
    ],
    [
      'a target rescues an event with no ref',
      { target: { kind: 'branch', name: 'main' } },
      ctx('deployment', {}, undefined),
      { kind: 'branch', name: 'main', revision: 'HEAD' }
    ]
  ])('%s', (_name, overrides, context, expected) => {
    expect(resolveRunTarget(context, overrides)).toMatchObject(expected)
  })
})

describe('helpers', () => {
  it.each([
    ['refs/heads/a/b', { kind: 'branch', name: 'a/b' }],
    ['refs/tags/v1', { kind: 'tag', name: 'v1' }],
    ['refs/pull/12/merge', { kind: 'pull_request', name: 'pull/12' }],
    ['refs/pull/12/head', { kind: 'pull_request', name: 'pull/12' }],
    ['refs/remotes/x', undefined],
    [undefined, undefined]
  ])('targetFromRef(%s)', (ref, expected) => {
    expect(targetFromRef(ref)).toEqual(expected)
  })

  it('describes targets', () => {
    expect(describeTarget({ kind: 'pull_request', name: 'pull/2' })).toBe('pull request pull/2')
    expect(describeTarget({ kind: 'tag', name: 'v1' })).toBe('tag v1')
  })

  it('tells a pull request from a fork', () => {
    const fork = structuredClone(prOpened)
    fork.pull_request.head.repo.full_name = 'someone/fork'
    expect(isForkPullRequest(ctx('pull_request', fork))).toBe(true)
    expect(isForkPullRequest(ctx('pull_request', prOpened))).toBe(false)
    expect(isForkPullRequest(ctx('push', fork))).toBe(false)
  })
})
