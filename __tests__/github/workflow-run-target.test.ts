import { workflowRun as workflowRunTarget } from '../../src/github/workflow-run-target.js'
import type { EventContext } from '../../src/github/event.js'
import { ctx, upstream, workflowRun, type Payload } from '../support/event-payloads.js'
import { webhookExample } from '../support/webhooks.js'

/** workflow_run's rows of the event mapping: the upstream run's head, its pull request, look-ups. */

const withPullRequests = webhookExample(
  'workflow_run',
  p => (p as Payload).workflow_run.pull_requests.length > 0
) as Payload
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

describe('the mapping table, on real payloads', () => {
  it.each<[string, EventContext, object]>([
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
    ]
  ])('%s', (_name, context, expected) => {
    const target = workflowRunTarget(context)
    expect(target).toMatchObject(expected)
    if (!('lookUp' in expected)) expect(target.lookUp).toBeUndefined()
  })
})
