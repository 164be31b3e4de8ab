import { readFileSync } from 'node:fs'
import {
  describeTarget,
  isSecretlessForkEvent,
  resolveRunTarget,
  RunTargetError,
  targetFromEvent,
  targetFromRef,
  type EventContext
} from '../../src/github/run-target.js'
import { webhookExample, webhookExamples } from '../support/webhooks.js'

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
const annotatedTagPush = JSON.parse(
  readFileSync(new URL('../fixtures/push-annotated-tag.json', import.meta.url), 'utf8')
) as Payload
const TAGGED_COMMIT = annotatedTagPush.head_commit.id as string
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
const withPullRequests = webhookExample(
  'workflow_run',
  p => (p as Payload).workflow_run.pull_requests.length > 0
) as Payload
/** The completed workflow_run example, with the upstream run's fields changed. */
const upstream = (changes: Payload): Payload => ({
  ...workflowRun,
  workflow_run: { ...workflowRun.workflow_run, ...changes }
})
// The example's pull request and repository come from different sample repositories: made one.
const upstreamPullRequest = structuredClone({
  ...withPullRequests,
  workflow_run: { ...withPullRequests.workflow_run, event: 'pull_request' }
}) as Payload
upstreamPullRequest.workflow_run.pull_requests[0].base.repo.id = withPullRequests.repository.id
const otherRepositoryPullRequest = {
  ...withPullRequests,
  workflow_run: { ...withPullRequests.workflow_run, event: 'pull_request' }
} as Payload
const upstreamFork = upstream({
  event: 'pull_request',
  head_branch: 'changes',
  pull_requests: [],
  head_repository: { ...workflowRun.workflow_run.head_repository, full_name: 'someone/fork' }
})
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
      'workflow_run on the default branch: no look-up',
      ctx('workflow_run', workflowRun, 'refs/heads/main'),
      {
        kind: 'branch',
        name: workflowRun.workflow_run.head_branch,
        revision: workflowRun.workflow_run.head_sha,
        lookUp: undefined
      }
    ],
    [
      'workflow_run on another branch or a tag: GitHub tells which',
      ctx('workflow_run', upstream({ head_branch: 'v1.2.0', event: 'push' }), 'refs/heads/main'),
      {
        kind: 'branch',
        name: 'v1.2.0',
        revision: workflowRun.workflow_run.head_sha,
        lookUp: { kind: 'ref-kind', name: 'v1.2.0', sha: workflowRun.workflow_run.head_sha }
      }
    ],
    [
      'workflow_run of a pull request: pull/N at head_sha',
      ctx('workflow_run', upstreamPullRequest, 'refs/heads/main'),
      {
        kind: 'pull_request',
        name: 'pull/2',
        revision: upstreamPullRequest.workflow_run.head_sha,
        code: { event: 'workflow_run', fork: false }
      }
    ],
    [
      "workflow_run whose pull_requests are another repository's: found by its head",
      ctx('workflow_run', otherRepositoryPullRequest, 'refs/heads/main'),
      {
        kind: 'pull_request',
        lookUp: { kind: 'pull-request-by-head', headBranch: 'master' },
        code: { fork: false }
      }
    ],
    [
      "workflow_run of a fork's pull request: found by its head",
      ctx('workflow_run', upstreamFork, 'refs/heads/main'),
      {
        kind: 'pull_request',
        revision: upstreamFork.workflow_run.head_sha,
        lookUp: {
          kind: 'pull-request-by-head',
          headRepository: 'someone/fork',
          headBranch: 'changes',
          sha: upstreamFork.workflow_run.head_sha
        },
        code: { event: 'workflow_run', headRepository: 'someone/fork', fork: true }
      }
    ],
    [
      'workflow_run of a merge queue run: its temporary branch, no look-up (deleted by then)',
      ctx(
        'workflow_run',
        upstream({ event: 'merge_group', head_branch: 'gh-readonly-queue/main/pr-5-abc' }),
        'refs/heads/main'
      ),
      { kind: 'branch', name: 'gh-readonly-queue/main/pr-5-abc' }
    ],
    [
      "workflow_run of a fork whose pull_requests names this repository's namesake: ignored",
      ctx(
        'workflow_run',
        {
          ...upstreamFork,
          workflow_run: {
            ...upstreamFork.workflow_run,
            pull_requests: upstreamPullRequest.workflow_run.pull_requests
          }
        },
        'refs/heads/main'
      ),
      { lookUp: { kind: 'pull-request-by-head', headRepository: 'someone/fork' } }
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
      'the same pull request as the comment still looks up its head, and whose code it is',
      { target: { kind: 'pull_request', name: '9' } },
      ctx('issue_comment', prComment, 'refs/heads/main'),
      {
        kind: 'pull_request',
        name: 'pull/9',
        revision: undefined,
        lookUp: { kind: 'pull-request', number: 9 },
        code: { event: 'issue_comment' },
        explicitTarget: true,
        explicitRevision: false
      }
    ],
    [
      'a revision is kept, and the pull request is still looked up for whose code it is',
      { revision: 'abcdef1' },
      ctx('issue_comment', prComment, 'refs/heads/main'),
      {
        kind: 'pull_request',
        name: 'pull/9',
        revision: 'abcdef1',
        lookUp: { kind: 'pull-request', number: 9 },
        code: { event: 'issue_comment' },
        explicitRevision: true
      }
    ],
    [
      "the workflow_run's head_branch named as a tag skips the look-up",
      { target: { kind: 'tag', name: 'v1.2.0' } },
      ctx('workflow_run', upstream({ head_branch: 'v1.2.0' }), 'refs/heads/main'),
      {
        kind: 'tag',
        name: 'v1.2.0',
        revision: workflowRun.workflow_run.head_sha,
        lookUp: undefined
      }
    ],
    [
      // Whose code it is, the fork policy asks GitHub (fork-policy.test.ts): nothing here.
      "another pull request than the event's, in an event an outsider starts",
      { target: { kind: 'pull_request', name: '10' } },
      ctx('pull_request_target', prOpened),
      { kind: 'pull_request', name: 'pull/10', revision: 'HEAD', source: 'inputs' }
    ],
    [
      "a pull request named on a push: the workflow author's choice, nothing to check",
      { target: { kind: 'pull_request', name: '10' } },
      ctx('push', branchPush, 'refs/heads/master'),
      {
        kind: 'pull_request',
        name: 'pull/10',
        revision: 'HEAD',
        source: 'inputs'
      }
    ],
    [
      'a target rescues an event with no ref',
      { target: { kind: 'branch', name: 'main' } },
      ctx('deployment', {}, undefined),
      { kind: 'branch', name: 'main', revision: 'HEAD' }
    ]
  ])('%s', (_name, overrides, context, expected) => {
    const target = resolveRunTarget(context, overrides)
    expect(target).toMatchObject(expected)
    if (!('lookUp' in expected)) expect(target.lookUp).toBeUndefined()
    if (!('code' in expected)) expect(target.code).toBeUndefined()
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
