/**
 * The fork policy as a table: each row is an event, the inputs that name code, what GitHub
 * showed, and the decision — run (at which commit, with which warning), refuse (and why), or ask
 * GitHub one thing first. SECURITY.md's table of cases lists the same rows; the end-to-end file
 * e2e-fork-code.test.ts runs each event with each input through the bundle.
 */
import type { EventContext } from '../../src/github/event.js'
import { forkCase, type RevisionOnRef } from '../../src/github/fork-case.js'
import {
  decideForkCode,
  pullRequestNamedBy,
  type ForkDecision
} from '../../src/github/fork-policy.js'
import { resolveRunTarget } from '../../src/github/resolve-run-target.js'
import type { CodeOrigin, RunTarget } from '../../src/github/run-target.js'
import type { ExplicitTarget } from '../../src/inputs/settings.js'

const BASE = 'octo-org/octo-repo'
const FORK = 'stranger/fork'
const MAIN_SHA = 'aaaa000000000000000000000000000000000001'
const BASE_SHA = 'aaaa000000000000000000000000000000000002'
const HEAD = 'c0ffee0000000000000000000000000000000003'
const OTHER = 'beef000000000000000000000000000000000004'
const ASKED = '2026-11-28T10:00:00Z'
const BEFORE = '2026-11-28T09:59:00Z'
const AFTER = '2026-11-28T10:00:05Z'

type Payload = Record<string, unknown>
const repository = { full_name: BASE, default_branch: 'main' }
const repo = (name: string | null) => (name === null ? null : { full_name: name })

const on = (eventName: string, payload: Payload = {}): EventContext => ({
  eventName,
  payload: { repository, ...payload },
  ref: 'refs/heads/main',
  sha: MAIN_SHA
})
const pullRequestTarget = (head: string | null, number = 4) =>
  on('pull_request_target', {
    number,
    pull_request: {
      number,
      head: { sha: HEAD, ref: 'patch-1', repo: repo(head) },
      base: { sha: BASE_SHA, ref: 'main', repo: repository }
    }
  })
const workflowRun = (head: string | null, upstream = 'pull_request', number?: number) =>
  on('workflow_run', {
    workflow_run: {
      name: 'CI',
      event: upstream,
      head_branch: 'patch-1',
      head_sha: HEAD,
      head_repository: repo(head),
      repository,
      pull_requests:
        number === undefined
          ? []
          : [{ number, head: { sha: HEAD }, base: { repo: { id: undefined } } }]
    }
  })
const commentOn = (event: 'issue_comment' | 'discussion_comment', number?: number) =>
  on(event, {
    comment: { created_at: ASKED },
    ...(event === 'issue_comment'
      ? { issue: { number: number ?? 3, ...(number ? { pull_request: { url: 'x' } } : {}) } }
      : { discussion: { number: 5 } })
  })

interface Inputs {
  branch?: string
  tag?: string
  'pull-request'?: string
  revision?: string
  'allow-fork-code'?: true
}

/** What GitHub showed when the decision asked (or, for issue_comment, when the target was completed). */
interface GitHubShowed {
  pullRequest?: Partial<CodeOrigin> & { fork: boolean }
  revisionOnRef?: RevisionOnRef['status']
}

type Expected =
  { run: true; revision?: string; warning?: RegExp } | { refuse: RegExp } | { ask: string }

function targetOf(inputs: Inputs): ExplicitTarget | undefined {
  if (inputs.branch) return { kind: 'branch', name: inputs.branch }
  if (inputs.tag) return { kind: 'tag', name: inputs.tag }
  if (inputs['pull-request']) return { kind: 'pull_request', name: inputs['pull-request'] }
  return undefined
}

/** The decision for an event and inputs, once GitHub showed what it showed. */
function decide(ctx: EventContext, inputs: Inputs, github: GitHubShowed): ForkDecision {
  let target: RunTarget & { revisionOnRef?: RevisionOnRef } = resolveRunTarget(ctx, {
    target: targetOf(inputs),
    revision: inputs.revision
  })
  if (github.pullRequest) {
    const read = { event: ctx.eventName, baseRepository: BASE, ...github.pullRequest }
    target = { ...target, code: read }
    // The issue_comment's own pull request: the look-up completes its revision too.
    if (target.lookUp?.kind === 'pull-request' && target.revision === undefined)
      target = { ...target, revision: read.headSha, lookUp: undefined }
  }
  if (github.revisionOnRef && inputs.revision) {
    target = {
      ...target,
      revisionOnRef: { revision: inputs.revision, ref: 'the ref', status: github.revisionOnRef }
    }
  }
  return decideForkCode(forkCase(ctx, inputs['allow-fork-code'] === true, target))
}

const fork = { fork: true, headRepository: FORK, headSha: HEAD, pushedAt: BEFORE }
const sameRepository = { fork: false, headRepository: BASE, headSha: HEAD }
const REFUSED_FORK =
  /its code comes from the fork stranger\/fork, and this \w+ event runs with the secrets of octo-org\/octo-repo, so anyone who can open a pull request could run their code with your Buddy token\. If the workflow makes sure a maintainer has reviewed that code, set input "allow-fork-code: true"\./
const FORK_HEAD =
  /at c0ffee\w+: that commit is the head of a pull request from the fork stranger\/fork, and this \w+ event runs with the secrets of octo-org\/octo-repo/
const NAMES_PULL_REQUEST = (n: number) =>
  new RegExp(
    `: it names pull request #${n}, whose code may come from a fork \\(input "pull-request: ${n}" runs it once GitHub shows whose code it is\\), and this \\w+ event runs with the secrets`
  )
const WARNED = /with this repository's secrets, as input "allow-fork-code" allows\./

const CASES: [string, EventContext, Inputs, GitHubShowed, Expected][] = [
  // Events only writers start, or whose fork runs get no secrets: nothing to check, nothing asked.
  ['push: any input', on('push'), { 'pull-request': '7', revision: OTHER }, {}, { run: true }],
  ['push: a branch named pull/7', on('push'), { branch: 'pull/7' }, {}, { run: true }],
  ['workflow_dispatch: any input', on('workflow_dispatch'), { revision: OTHER }, {}, { run: true }],
  ['schedule: any input', on('schedule'), { 'pull-request': '7' }, {}, { run: true }],
  [
    'repository_dispatch: any input',
    on('repository_dispatch'),
    { tag: 'pull/7' },
    {},
    { run: true }
  ],
  [
    'pull_request from a fork (GitHub gives it no secrets)',
    on('pull_request', { pull_request: { number: 4, head: { sha: HEAD, repo: repo(FORK) } } }),
    { revision: HEAD },
    {},
    { run: true }
  ],
  [
    'pull_request_review: another pull request',
    on('pull_request_review'),
    { 'pull-request': '7' },
    {},
    { run: true }
  ],

  // pull_request_target: the event's own pull request.
  ['pull_request_target from a fork', pullRequestTarget(FORK), {}, {}, { refuse: REFUSED_FORK }],
  [
    'pull_request_target from a deleted fork',
    pullRequestTarget(null),
    {},
    {},
    { refuse: /its code comes from a fork \(since deleted\)/ }
  ],
  [
    'pull_request_target from this repository',
    pullRequestTarget(BASE),
    {},
    {},
    { run: true, revision: HEAD }
  ],
  [
    'pull_request_target from this repository, its name in other case',
    pullRequestTarget(BASE.toUpperCase()),
    {},
    {},
    { run: true, revision: HEAD }
  ],
  [
    'pull_request_target from a fork, allow-fork-code',
    pullRequestTarget(FORK),
    { 'allow-fork-code': true },
    {},
    { run: true, revision: HEAD, warning: /^Running code from the fork stranger\/fork with/ }
  ],
  [
    'pull_request_target from a fork: the same pull request named again',
    pullRequestTarget(FORK),
    { 'pull-request': '4', revision: 'HEAD' },
    {},
    { refuse: REFUSED_FORK }
  ],
  [
    "pull_request_target from a fork: branch main at the fork's head",
    pullRequestTarget(FORK),
    { branch: 'main', revision: HEAD },
    {},
    { refuse: FORK_HEAD }
  ],
  [
    "pull_request_target from a fork: branch main at the fork's head, abbreviated",
    pullRequestTarget(FORK),
    { branch: 'main', revision: HEAD.slice(0, 7) },
    {},
    { refuse: FORK_HEAD }
  ],
  [
    "pull_request_target from a fork: branch main at the fork's head, allow-fork-code",
    pullRequestTarget(FORK),
    { branch: 'main', revision: HEAD, 'allow-fork-code': true },
    {},
    { run: true, warning: /^Running commit c0ffee\w+, the head of a pull request from the fork/ }
  ],
  [
    'pull_request_target: branch pull/42',
    pullRequestTarget(BASE),
    { branch: 'pull/42' },
    {},
    { refuse: NAMES_PULL_REQUEST(42) }
  ],
  [
    'pull_request_target: tag pull/42/merge',
    pullRequestTarget(BASE),
    { tag: 'pull/42/merge' },
    {},
    { refuse: NAMES_PULL_REQUEST(42) }
  ],
  [
    'pull_request_target: branch pull/42/head, allow-fork-code',
    pullRequestTarget(BASE),
    { branch: 'pull/42/head', 'allow-fork-code': true },
    {},
    { run: true, warning: /^Running branch pull\/42\/head, which names pull request #42/ }
  ],
  [
    'pull_request_target: another pull request, before GitHub is asked',
    pullRequestTarget(BASE),
    { 'pull-request': '7' },
    {},
    { ask: 'pull-request #7' }
  ],
  [
    "pull_request_target: another pull request, a fork's",
    pullRequestTarget(BASE),
    { 'pull-request': '7' },
    { pullRequest: fork },
    { refuse: REFUSED_FORK }
  ],
  [
    "pull_request_target: another pull request, this repository's: run at the head GitHub showed",
    pullRequestTarget(BASE),
    { 'pull-request': '7' },
    { pullRequest: { ...sameRepository, headSha: OTHER } },
    { run: true, revision: OTHER }
  ],
  [
    'pull_request_target from this repository: a revision GitHub was not asked about',
    pullRequestTarget(BASE),
    { revision: OTHER },
    {},
    { ask: 'revision-on-ref the head of pull request pull/4' }
  ],
  [
    'pull_request_target from this repository: a revision not on its head',
    pullRequestTarget(BASE),
    { revision: OTHER },
    { revisionOnRef: 'diverged' },
    {
      refuse:
        /at beef\w+: GitHub shows that commit is not on the ref \(diverged\), so it may be a fork's code/
    }
  ],
  [
    'pull_request_target from this repository: a revision in its history',
    pullRequestTarget(BASE),
    { revision: OTHER },
    { revisionOnRef: 'behind' },
    { run: true }
  ],
  [
    "pull_request_target: the base's commit, or GITHUB_SHA: this repository's, nothing asked",
    pullRequestTarget(BASE),
    { branch: 'main', revision: BASE_SHA },
    {},
    { run: true }
  ],

  // workflow_run of a pull request run.
  ["workflow_run of a fork's pull request", workflowRun(FORK), {}, {}, { refuse: REFUSED_FORK }],
  [
    "workflow_run of a fork's pull request: its head_branch and head_sha as inputs",
    workflowRun(FORK),
    { branch: 'patch-1', revision: HEAD },
    {},
    { refuse: FORK_HEAD }
  ],
  [
    "workflow_run of a fork's pull request: head_sha with a tag",
    workflowRun(FORK),
    { tag: 'v1', revision: HEAD },
    {},
    { refuse: FORK_HEAD }
  ],
  [
    "workflow_run of a fork's pull request, allow-fork-code",
    workflowRun(FORK),
    { 'allow-fork-code': true },
    {},
    { run: true, revision: HEAD, warning: /^Running code from the fork stranger\/fork/ }
  ],
  [
    "workflow_run of this repository's pull request: head_branch and head_sha, nothing asked",
    workflowRun(BASE, 'pull_request', 7),
    { branch: 'patch-1', revision: HEAD },
    {},
    { run: true }
  ],
  [
    "workflow_run of a push: a fork's pull request named",
    workflowRun(BASE, 'push'),
    { 'pull-request': '7' },
    { pullRequest: fork },
    { refuse: REFUSED_FORK }
  ],

  // issue_comment: the pull request commented on is read from GitHub.
  [
    'issue_comment on a pull request, before GitHub is asked',
    commentOn('issue_comment', 9),
    {},
    {},
    { ask: 'pull-request #9 with times' }
  ],
  [
    "issue_comment on a fork's pull request",
    commentOn('issue_comment', 9),
    {},
    { pullRequest: fork },
    { refuse: REFUSED_FORK }
  ],
  [
    "issue_comment on this repository's pull request: its head",
    commentOn('issue_comment', 9),
    {},
    { pullRequest: { ...sameRepository, committedAt: BEFORE } },
    { run: true, revision: HEAD }
  ],
  [
    'issue_comment, allow-fork-code: the fork untouched since the comment',
    commentOn('issue_comment', 9),
    { 'allow-fork-code': true },
    { pullRequest: fork },
    { run: true, revision: HEAD, warning: /^Running code from the fork stranger\/fork/ }
  ],
  [
    'issue_comment, allow-fork-code: the fork pushed to after the comment',
    commentOn('issue_comment', 9),
    { 'allow-fork-code': true },
    { pullRequest: { ...fork, pushedAt: AFTER } },
    {
      refuse:
        /^Refusing to run pull request pull\/9: the fork stranger\/fork was pushed to at 2026-11-28T10:00:05Z, after the comment that asked for the run \(2026-11-28T10:00:00Z\), so that comment did not approve this code\. Comment again to run the new head, or set input "revision" to the commit that was approved\.$/
    }
  ],
  [
    'issue_comment, allow-fork-code: a backdated commit pushed to the fork after the comment',
    commentOn('issue_comment', 9),
    { 'allow-fork-code': true },
    { pullRequest: { ...fork, committedAt: '2020-01-01T00:00:00Z', pushedAt: AFTER } },
    { refuse: /the fork stranger\/fork was pushed to at 2026-11-28T10:00:05Z, after the comment/ }
  ],
  [
    "issue_comment, allow-fork-code: a committer's clock ahead, no push after the comment",
    commentOn('issue_comment', 9),
    { 'allow-fork-code': true },
    { pullRequest: { ...fork, committedAt: AFTER, pushedAt: BEFORE } },
    { run: true, revision: HEAD, warning: WARNED }
  ],
  [
    'issue_comment, allow-fork-code: a deleted fork (no push time)',
    commentOn('issue_comment', 9),
    { 'allow-fork-code': true },
    { pullRequest: { ...fork, headRepository: undefined, pushedAt: undefined } },
    { refuse: /its head is in a deleted fork, whose pushes GitHub no longer shows/ }
  ],
  [
    "issue_comment on this repository's pull request: a head commit made after the comment",
    commentOn('issue_comment', 9),
    {},
    { pullRequest: { ...sameRepository, committedAt: AFTER } },
    { refuse: /its head commit c0ffee\w+ was made at 2026-11-28T10:00:05Z, after the comment/ }
  ],
  [
    "issue_comment on this repository's pull request: this repository pushed to after the comment",
    commentOn('issue_comment', 9),
    {},
    { pullRequest: { ...sameRepository, committedAt: BEFORE, pushedAt: AFTER } },
    { run: true, revision: HEAD }
  ],
  [
    'issue_comment: a revision and allow-fork-code, nothing asked',
    commentOn('issue_comment', 9),
    { revision: HEAD, 'allow-fork-code': true },
    {},
    { run: true }
  ],
  [
    'issue_comment: a revision, whose pull request GitHub was not asked about',
    commentOn('issue_comment', 9),
    { revision: HEAD },
    {},
    { ask: 'pull-request #9' }
  ],
  [
    "issue_comment: a revision on a fork's pull request",
    commentOn('issue_comment', 9),
    { revision: OTHER },
    { pullRequest: fork },
    { refuse: REFUSED_FORK }
  ],
  [
    'issue_comment: branch main at a revision GitHub was not asked about',
    commentOn('issue_comment', 9),
    { branch: 'main', revision: HEAD },
    {},
    { ask: 'revision-on-ref branch main' }
  ],
  [
    'issue_comment: branch main at a commit not on it',
    commentOn('issue_comment', 9),
    { branch: 'main', revision: HEAD },
    { revisionOnRef: 'ahead' },
    { refuse: /GitHub shows that commit is not on the ref \(ahead\), so it may be a fork's code/ }
  ],
  [
    'issue_comment: branch main at a commit GitHub does not know',
    commentOn('issue_comment', 9),
    { branch: 'main', revision: HEAD },
    { revisionOnRef: 'no-commit' },
    { refuse: /GitHub knows no such commit in octo-org\/octo-repo or its forks/ }
  ],
  [
    'issue_comment: a branch GitHub does not show',
    commentOn('issue_comment', 9),
    { branch: 'gone', revision: HEAD },
    { revisionOnRef: 'no-ref' },
    { refuse: /GitHub shows no the ref, so nothing tells whose code that commit is/ }
  ],
  [
    'issue_comment: branch main at a commit in its history',
    commentOn('issue_comment', 9),
    { branch: 'main', revision: HEAD },
    { revisionOnRef: 'behind' },
    { run: true }
  ],

  // issues, discussion_comment and other events outsiders start: the inputs are checked too.
  [
    'issues: a pull request, before GitHub is asked',
    on('issues', { issue: { number: 3 } }),
    { 'pull-request': '7' },
    {},
    { ask: 'pull-request #7' }
  ],
  [
    "issues: a fork's pull request",
    on('issues', { issue: { number: 3 } }),
    { 'pull-request': '7' },
    { pullRequest: fork },
    { refuse: REFUSED_FORK }
  ],
  [
    "issues: a fork's pull request, allow-fork-code: at the head GitHub showed",
    on('issues', { issue: { number: 3 } }),
    { 'pull-request': '7', 'allow-fork-code': true },
    { pullRequest: { ...fork, pushedAt: AFTER } },
    { run: true, revision: HEAD, warning: WARNED }
  ],
  [
    'issues: branch pull/7',
    on('issues', { issue: { number: 3 } }),
    { branch: 'pull/7' },
    {},
    { refuse: NAMES_PULL_REQUEST(7) }
  ],
  [
    "issues: a revision on the default branch's ref",
    on('issues', { issue: { number: 3 } }),
    { revision: HEAD },
    {},
    { ask: 'revision-on-ref branch main' }
  ],
  [
    'issues: GITHUB_SHA as the revision, nothing asked',
    on('issues', { issue: { number: 3 } }),
    { revision: MAIN_SHA },
    {},
    { run: true }
  ],
  [
    "discussion_comment: a fork's pull request",
    commentOn('discussion_comment'),
    { 'pull-request': '7' },
    { pullRequest: fork },
    { refuse: REFUSED_FORK }
  ],
  [
    'discussion_comment, allow-fork-code: the fork pushed to after the comment',
    commentOn('discussion_comment'),
    { 'pull-request': '7', 'allow-fork-code': true },
    { pullRequest: { ...fork, pushedAt: AFTER } },
    { refuse: /the fork stranger\/fork was pushed to at .*, after the comment/ }
  ],
  [
    'discussion_comment: tag pull/7',
    commentOn('discussion_comment'),
    { tag: 'refs/pull/7/head' },
    {},
    { refuse: NAMES_PULL_REQUEST(7) }
  ],
  [
    'status: a revision',
    on('status', { sha: HEAD }),
    { revision: HEAD },
    {},
    { ask: 'revision-on-ref branch main' }
  ],
  [
    'check_suite: branch pull/7',
    on('check_suite'),
    { branch: 'pull/7' },
    {},
    { refuse: NAMES_PULL_REQUEST(7) }
  ],
  [
    'an event GitHub may add: checked',
    on('some_new_event'),
    { 'pull-request': '7' },
    {},
    { ask: 'pull-request #7' }
  ]
]

function describeAsk(decision: Extract<ForkDecision, { verdict: 'ask' }>): string {
  const lookUp = decision.lookUp
  if (lookUp.kind === 'pull-request')
    return `pull-request #${lookUp.number}${lookUp.times ? ' with times' : ''}`
  return `revision-on-ref ${lookUp.ref.kind === 'commit' ? lookUp.ref.what.replace(/ \(.*\)$/, '') : `${lookUp.ref.kind} ${lookUp.ref.name}`}`
}

describe('the fork policy, case by case (SECURITY.md)', () => {
  it.each(CASES)('%s', (_name, ctx, inputs, github, expected) => {
    const decision = decide(ctx, inputs, github)
    if ('ask' in expected) {
      expect(decision.verdict).toBe('ask')
      expect(describeAsk(decision as Extract<ForkDecision, { verdict: 'ask' }>)).toBe(expected.ask)
    } else if ('refuse' in expected) {
      expect(decision).toEqual({
        verdict: 'refuse',
        reason: expect.stringMatching(expected.refuse)
      })
      expect((decision as { reason: string }).reason).toMatch(/^Refusing to run /)
    } else {
      expect(decision.verdict).toBe('run')
      const run = decision as Extract<ForkDecision, { verdict: 'run' }>
      expect(run.revision).toBe(expected.revision)
      if (expected.warning) expect(run.warning).toMatch(expected.warning)
      else expect(run.warning).toBeUndefined()
    }
  })
})

describe('helpers', () => {
  it.each([
    ['pull/42', 42],
    ['pull/42/head', 42],
    ['pull/42/merge', 42],
    ['refs/pull/42/head', 42],
    ['Pull/42', 42],
    ['pull/42x', undefined],
    ['pr/42', undefined],
    ['pulls/42', undefined],
    ['feature/pull/42', undefined]
  ])('pullRequestNamedBy(%j) = %j', (name, number) => {
    expect(pullRequestNamedBy(name)).toBe(number)
  })

  it('asks each thing once: what GitHub showed is never asked again', () => {
    for (const [, ctx, inputs] of CASES) {
      const first = decide(ctx, inputs, {})
      if (first.verdict !== 'ask') continue
      const showed: GitHubShowed =
        first.lookUp.kind === 'pull-request'
          ? { pullRequest: sameRepository }
          : { revisionOnRef: 'behind' }
      const second = decide(ctx, inputs, showed)
      if (second.verdict === 'ask') expect(second.lookUp.kind).not.toBe(first.lookUp.kind)
    }
  })
})
