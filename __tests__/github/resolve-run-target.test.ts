import { resolveRunTarget } from '../../src/github/resolve-run-target.js'
import type { EventContext } from '../../src/github/event.js'
import {
  branchPush,
  ctx,
  prComment,
  prOpened,
  upstream,
  workflowRun
} from '../support/event-payloads.js'

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
