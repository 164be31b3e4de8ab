/**
 * End to end, for the events users really send: the committed dist/index.js, spawned as the
 * runner spawns it, on real webhook payloads (and the annotated-tag fixture), against the
 * simulator's Buddy and GitHub APIs. Asserts what was sent, what was refused, and that a refusal
 * comes before any request to Buddy.
 *
 * Through the bundle: a case or two of each kind (an annotated tag, a tag looked up for
 * workflow_run, a fork refused and allowed, a comment's fork refused after the look-up, a pipeline
 * bound to its ref, secrets masked, a delayed start). The other cases run the same step in-process
 * (support/run-in-process.ts: main.ts's run(), the real @actions/core, the same environment and
 * files), which costs milliseconds instead of a spawn each.
 */
import { readFileSync } from 'node:fs'
import { simulatorPerTest } from './support/simulator-per-test.js'
import { E2E_SECRETS, SECRET_VARIABLE, scanningRunAction } from './support/secret-scan.js'
import { webhookExample } from './support/webhooks.js'
import { scanningRunStep } from './support/run-in-process.js'

type Payload = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const runAction = scanningRunAction()
const runStep = scanningRunStep()
const sim = simulatorPerTest({ twoActions: false })

const base = () => ({
  'secret-variables': SECRET_VARIABLE,
  token: E2E_SECRETS.token,
  'api-url': sim.url,
  workspace: 'acme',
  project: 'web',
  'pipeline-id': '1'
})
const github = () => ({ GITHUB_API_URL: `${sim.url}/_github/api` })
const posts = () => sim.requests.filter(r => r.method === 'POST' && r.path.endsWith('/executions'))
const buddyRequests = () => sim.requests.filter(r => !r.path.startsWith('/_github/'))
const githubPaths = () =>
  sim.requests.filter(r => r.path.startsWith('/_github/api/')).map(r => decodeURIComponent(r.path))
const errorsOf = (result: { errors: string[] }) => result.errors.join('\n')

const annotatedTagPush = JSON.parse(
  readFileSync(new URL('./fixtures/push-annotated-tag.json', import.meta.url), 'utf8')
) as Payload
const TAGGED_COMMIT = annotatedTagPush.head_commit.id as string
const HEAD_SHA = 'c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff'

describe('the commit that runs', () => {
  it('an annotated tag push runs the tagged commit, not the tag object', async () => {
    const result = await runAction({
      inputs: base(),
      eventName: 'push',
      event: annotatedTagPush,
      ref: 'refs/tags/v1.2.0',
      sha: TAGGED_COMMIT
    })
    expect(result.code).toBe(0)
    expect(annotatedTagPush.after).not.toBe(TAGGED_COMMIT)
    expect(posts()).toHaveLength(1)
    expect(posts()[0]?.body).toMatchObject({
      tag: { name: 'v1.2.0' },
      to_revision: { revision: TAGGED_COMMIT }
    })
    expect(result.outputs.revision).toBe(TAGGED_COMMIT)
  })

  it('a lightweight tag push runs the tagged commit', async () => {
    const event = webhookExample(
      'push',
      p => p.ref === 'refs/tags/simple-tag' && !p.deleted
    ) as Payload
    const result = await runStep({
      inputs: base(),
      eventName: 'push',
      event,
      ref: event.ref,
      sha: event.head_commit.id
    })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({
      tag: { name: 'simple-tag' },
      to_revision: { revision: event.head_commit.id }
    })
  })

  it('a tag created by the create event runs GITHUB_SHA', async () => {
    const event = webhookExample('create', p => p.ref_type === 'tag') as Payload
    await runStep({
      inputs: base(),
      eventName: 'create',
      event,
      ref: `refs/tags/${event.ref}`,
      sha: TAGGED_COMMIT
    })
    expect(posts()[0]?.body).toMatchObject({
      tag: { name: event.ref },
      to_revision: { revision: TAGGED_COMMIT }
    })
  })
})

describe('workflow_run: what the upstream run was for', () => {
  const completed = webhookExample('workflow_run', p => p.action === 'completed') as Payload
  const upstream = (changes: Payload): Payload => ({
    ...completed,
    workflow_run: { ...completed.workflow_run, head_sha: HEAD_SHA, ...changes }
  })

  it('a tag push runs that tag (an annotated tag, peeled to its commit)', async () => {
    sim.config.github.refs['tags/v1.2.0'] = { tag: 'aaaa000011112222', commit: HEAD_SHA }
    const result = await runAction({
      inputs: base(),
      eventName: 'workflow_run',
      event: upstream({ head_branch: 'v1.2.0', event: 'push' }),
      env: github()
    })
    expect(result.code).toBe(0)
    expect(githubPaths()).toEqual(
      expect.arrayContaining([
        '/_github/api/repos/octo-org/octo-repo/git/ref/tags/v1.2.0',
        '/_github/api/repos/octo-org/octo-repo/git/ref/heads/v1.2.0',
        '/_github/api/repos/octo-org/octo-repo/git/tags/aaaa000011112222'
      ])
    )
    expect(posts()[0]?.body).toMatchObject({
      tag: { name: 'v1.2.0' },
      to_revision: { revision: HEAD_SHA }
    })
  })

  it('a branch push runs that branch', async () => {
    sim.config.github.refs['heads/feature/x'] = HEAD_SHA
    const result = await runStep({
      inputs: base(),
      eventName: 'workflow_run',
      event: upstream({ head_branch: 'feature/x', event: 'push' }),
      env: github()
    })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({
      branch: { name: 'feature/x' },
      to_revision: { revision: HEAD_SHA }
    })
  })

  it('the default branch needs no look-up', async () => {
    const result = await runStep({
      inputs: base(),
      eventName: 'workflow_run',
      event: upstream({ head_branch: completed.repository.default_branch }),
      env: github()
    })
    expect(result.code).toBe(0)
    expect(githubPaths()).toEqual([])
    expect(posts()[0]?.body.branch).toEqual({ name: completed.repository.default_branch })
  })

  it('a name that is neither a branch nor a tag fails before any request to Buddy', async () => {
    const result = await runStep({
      inputs: base(),
      eventName: 'workflow_run',
      event: upstream({ head_branch: 'gone', event: 'push' }),
      env: github()
    })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /"gone" \(workflow_run's head_branch\) is neither a branch nor a tag of octo-org\/octo-repo on GitHub: it was deleted since, or the token cannot read the repository \("contents: read"\)\. Set input "branch" or "tag" to "gone" to skip the look-up\./
    )
    expect(buddyRequests()).toEqual([])
  })

  it('a pull request from this repository runs pull/N at head_sha', async () => {
    const event = upstream({
      event: 'pull_request',
      head_branch: 'changes',
      pull_requests: [
        {
          number: 7,
          head: { ref: 'changes', sha: HEAD_SHA, repo: { id: completed.repository.id } },
          base: { ref: 'main', repo: { id: completed.repository.id } }
        }
      ]
    })
    const result = await runStep({ inputs: base(), eventName: 'workflow_run', event })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({
      pull_request: { name: 'pull/7' },
      to_revision: { revision: HEAD_SHA }
    })
  })

  const forkRun = () =>
    upstream({
      event: 'pull_request',
      head_branch: 'patch-1',
      pull_requests: [],
      head_repository: { ...completed.workflow_run.head_repository, full_name: 'stranger/fork' }
    })

  it("a fork's pull request is refused before anything is asked of GitHub or Buddy", async () => {
    const result = await runStep({
      inputs: base(),
      eventName: 'workflow_run',
      event: forkRun(),
      env: github()
    })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /Refusing to run pull request from stranger\/fork:patch-1: its code comes from the fork stranger\/fork, and this workflow_run event runs with the secrets of octo-org\/octo-repo.*set input "allow-fork-code: true"/
    )
    expect(sim.requests).toEqual([])
  })

  it("with allow-fork-code, a fork's pull request is found by its head and run", async () => {
    sim.config.github.forkPullRequests.push(
      {
        number: 40,
        headRepository: 'stranger/fork',
        headBranch: 'patch-1',
        sha: 'old',
        state: 'closed'
      },
      { number: 41, headRepository: 'stranger/fork', headBranch: 'patch-1', sha: HEAD_SHA }
    )
    const result = await runStep({
      inputs: { ...base(), 'allow-fork-code': 'true' },
      eventName: 'workflow_run',
      event: forkRun(),
      env: github()
    })
    expect(result.code).toBe(0)
    const list = sim.requests.find(r => r.path === '/_github/api/repos/octo-org/octo-repo/pulls')
    expect(list?.query).toMatchObject({ head: 'stranger:patch-1', state: 'all' })
    expect(posts()[0]?.body).toMatchObject({
      pull_request: { name: 'pull/41' },
      to_revision: { revision: HEAD_SHA }
    })
    expect(result.warnings.join('\n')).toMatch(
      /Running code from the fork stranger\/fork with this repository's secrets, as input "allow-fork-code" allows/
    )
  })

  it("naming a pull request and the fork's head in the inputs does not skip the check", async () => {
    sim.config.github.pullRequests['7'] = { sha: HEAD_SHA, headRepository: 'stranger/fork' }
    for (const [event, from] of [
      [forkRun(), 'the fork stranger\\/fork'],
      // A deleted fork: no head repository at all.
      [
        upstream({ event: 'pull_request', pull_requests: [], head_repository: null }),
        'a fork \\(since deleted\\)'
      ]
    ] as const) {
      const result = await runStep({
        inputs: { ...base(), 'pull-request': '7', revision: HEAD_SHA },
        eventName: 'workflow_run',
        event,
        env: github()
      })
      expect(result.code).toBe(1)
      // head_sha is the event's fork head: refused before anything is asked.
      expect(errorsOf(result)).toMatch(
        new RegExp(
          `Refusing to run pull request pull/7 at ${HEAD_SHA}: that commit is the head of a pull request from ${from}, and this workflow_run event runs with the secrets`
        )
      )
    }
    expect(sim.requests).toEqual([])
  })

  it("a fork's pull request that GitHub cannot find fails clearly", async () => {
    const result = await runStep({
      inputs: { ...base(), 'allow-fork-code': 'true' },
      eventName: 'workflow_run',
      event: forkRun(),
      env: github()
    })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /No pull request of octo-org\/octo-repo has stranger\/fork:patch-1 at c0ffee\w+ as its head .* Set input "pull-request" to skip the look-up\./
    )
    expect(buddyRequests()).toEqual([])
  })
})

describe('pull_request_target and issue_comment from forks', () => {
  const prFromFork = () => {
    const event = structuredClone(
      webhookExample('pull_request', p => p.action === 'opened')
    ) as Payload
    event.pull_request.head.repo.full_name = 'stranger/fork'
    return event
  }

  it('pull_request_target from a fork is refused before any request', async () => {
    const result = await runAction({
      inputs: base(),
      eventName: 'pull_request_target',
      event: prFromFork()
    })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /Refusing to run pull request pull\/\d+: its code comes from the fork stranger\/fork, and this pull_request_target event runs with the secrets of/
    )
    expect(sim.requests).toEqual([])
  })

  it('pull_request_target from a fork runs with allow-fork-code, and says so', async () => {
    const event = prFromFork()
    const result = await runAction({
      inputs: { ...base(), 'allow-fork-code': 'true' },
      eventName: 'pull_request_target',
      event
    })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({
      pull_request: { name: `pull/${event.pull_request.number}` },
      to_revision: { revision: event.pull_request.head.sha }
    })
    expect(result.warnings.join('\n')).toMatch(/Running code from the fork stranger\/fork/)
  })

  const comment = webhookExample('issue_comment') as Payload
  const commentOnPullRequest = {
    ...comment,
    comment: { ...comment.comment, created_at: '2026-11-28T10:00:00Z' },
    issue: { ...comment.issue, number: 9, pull_request: { url: 'x' } }
  }

  /** The step, started by a comment on pull request #9. */
  const commentRun = (inputs: Record<string, string>, runner = runStep) =>
    runner({ inputs, eventName: 'issue_comment', event: commentOnPullRequest, env: github() })

  it('a comment on a fork pull request is refused after the look-up, before Buddy', async () => {
    sim.config.github.pullRequests['9'] = { sha: HEAD_SHA, headRepository: 'stranger/fork' }
    const result = await commentRun(base(), runAction)
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /Refusing to run pull request pull\/9: its code comes from the fork stranger\/fork, and this issue_comment event/
    )
    expect(buddyRequests()).toEqual([])
  })

  it('naming the same pull request in the inputs does not skip the check', async () => {
    sim.config.github.pullRequests['9'] = { sha: HEAD_SHA, headRepository: 'stranger/fork' }
    const result = await commentRun({ ...base(), 'pull-request': '9', revision: 'HEAD' })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(/Refusing to run pull request pull\/9/)
    expect(buddyRequests()).toEqual([])
  })

  it('with a revision and allow-fork-code, nothing is asked of GitHub', async () => {
    const result = await commentRun({
      ...base(),
      revision: HEAD_SHA,
      'allow-fork-code': 'true',
      'github-token': ''
    })
    expect(result.code).toBe(0)
    expect(githubPaths()).toEqual([])
    expect(posts()[0]?.body).toMatchObject({
      pull_request: { name: 'pull/9' },
      to_revision: { revision: HEAD_SHA }
    })
  })

  it('with a revision but no GitHub token, says why the pull request must still be read', async () => {
    const result = await commentRun({ ...base(), revision: HEAD_SHA, 'github-token': '' })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /Cannot read pull request #9 \(its head commit and whose code it is\): input "github-token" is empty; keep its default \(\$\{\{ github.token \}\}\)\. With "revision" set, the pull request is read only to tell whether its code comes from a fork .*: give the token "pull-requests: read"\./
    )
    expect(sim.requests).toEqual([])
  })

  it('another pull request named in the inputs is read from GitHub and checked too', async () => {
    sim.config.github.pullRequests['10'] = { sha: HEAD_SHA, headRepository: 'stranger/fork' }
    sim.config.github.pullRequests['11'] = HEAD_SHA
    const refused = await commentRun({ ...base(), 'pull-request': '10' })
    expect(errorsOf(refused)).toMatch(
      /Refusing to run pull request pull\/10: its code comes from the fork/
    )
    expect(buddyRequests()).toEqual([])
    const ran = await commentRun({ ...base(), 'pull-request': '11' })
    expect(ran.code).toBe(0)
    // Another pull request runs at the head GitHub showed when it was checked.
    expect(posts()[0]?.body).toMatchObject({
      pull_request: { name: 'pull/11' },
      to_revision: { revision: HEAD_SHA }
    })
  })

  it('a deleted fork is a fork', async () => {
    sim.config.github.pullRequests['9'] = { sha: HEAD_SHA, headRepository: null }
    const result = await commentRun(base())
    expect(errorsOf(result)).toMatch(/its code comes from a fork \(since deleted\)/)
    expect(buddyRequests()).toEqual([])
  })

  it('with allow-fork-code, a fork pushed to after the comment is refused', async () => {
    sim.config.github.pullRequests['9'] = {
      sha: HEAD_SHA,
      headRepository: 'stranger/fork',
      pushedAt: '2026-11-28T10:00:05Z'
    }
    const result = await commentRun({ ...base(), 'allow-fork-code': 'true' })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /Refusing to run pull request pull\/9: the fork stranger\/fork was pushed to at 2026-11-28T10:00:05Z, after the comment that asked for the run \(2026-11-28T10:00:00Z\), so that comment did not approve this code\. Comment again to run the new head, or set input "revision" to the commit that was approved\./
    )
    expect(buddyRequests()).toEqual([])
  })

  it('a head commit made after the comment is refused, also in this repository', async () => {
    sim.config.github.pullRequests['9'] = HEAD_SHA
    sim.config.github.commitDates[HEAD_SHA] = '2026-11-28T10:01:00Z'
    const result = await commentRun(base())
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /its head commit c0ffee\w+ was made at 2026-11-28T10:01:00Z, after the comment/
    )
    expect(buddyRequests()).toEqual([])
  })

  it('with allow-fork-code, a fork untouched since the comment runs its head', async () => {
    sim.config.github.pullRequests['9'] = {
      sha: HEAD_SHA,
      headRepository: 'stranger/fork',
      pushedAt: '2026-11-28T09:59:00Z'
    }
    const result = await commentRun({ ...base(), 'allow-fork-code': 'true' })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({
      pull_request: { name: 'pull/9' },
      to_revision: { revision: HEAD_SHA }
    })
  })
})

describe('pipelines bound to one fixed ref', () => {
  const pr = webhookExample('pull_request', p => p.action === 'opened') as Payload

  it.each([
    ['its refs', '2'],
    ['its trigger events', '3']
  ])(
    'a pull request is refused for a pipeline bound by %s, before the run request',
    async (_how, id) => {
      const result = await runStep({
        inputs: { ...base(), 'pipeline-id': id },
        eventName: 'pull_request',
        event: pr,
        ref: `refs/pull/${pr.number}/merge`
      })
      expect(result.code).toBe(1)
      expect(errorsOf(result)).toMatch(
        new RegExp(
          `The pipeline runs only on refs/heads/main, but this event is for pull request pull/${pr.number} \\(refs/pull/${pr.number}/head\\).*Set input "revision: HEAD" to run refs/heads/main at its latest commit`
        )
      )
      expect(posts()).toEqual([])
    }
  )

  it("revision: HEAD runs the pipeline's own ref at its latest commit", async () => {
    const result = await runAction({
      inputs: { ...base(), 'pipeline-id': '3', revision: 'HEAD' },
      eventName: 'pull_request',
      event: pr,
      ref: `refs/pull/${pr.number}/merge`
    })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({ to_revision: { revision: 'HEAD' } })
    expect(posts()[0]?.body.pull_request).toBeUndefined()
    expect(result.outputs.target).toBe("the pipeline's own ref refs/heads/main")
  })
})

describe('inputs that misled', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a date that does not exist',
      { 'delay-until': '2027-02-30T10:00:00Z' },
      /Input "delay-until" \("2027-02-30T10:00:00Z"\) is not valid: .*this date or time does not exist/
    ],
    [
      'a time in the past',
      { 'delay-until': '2020-01-01T00:00:00Z' },
      /Input "delay-until" \("2020-01-01T00:00:00Z"\) is not valid: expected a time in the future/
    ],
    [
      "a tag's ref given as the branch",
      { branch: 'refs/tags/v1' },
      /Input "branch" \("refs\/tags\/v1"\) is not valid: expected a branch, but this is a tag ref: use input "tag"/
    ]
  ])('%s fails before any request', async (_name, inputs, message) => {
    const result = await runStep({ inputs: { ...base(), ...inputs } })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(message)
    expect(sim.requests).toEqual([])
  })

  it('a multi-line secret is sent whole and masked line by line', async () => {
    const pem = [
      '-----BEGIN TEST KEY-----',
      'MIIBOgIBAAJBAKj34GkxFhD9e2e',
      '==',
      '-----END TEST KEY-----'
    ]
    const result = await runAction({
      inputs: {
        ...base(),
        'secret-variables': `${SECRET_VARIABLE}\nKEY<<PEM\n${pem.join('\n')}\nPEM\n`,
        variables: 'SPACED=  kept  '
      },
      eventName: 'push',
      event: webhookExample('push', p => p.ref === 'refs/heads/master' && !p.deleted)
    })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body.variables).toEqual([
      { key: 'SPACED', value: '  kept  ' },
      { key: 'E2E_SECRET', value: E2E_SECRETS.secretVariable, encrypted: true },
      { key: 'KEY', value: pem.join('\n'), encrypted: true }
    ])
    const masks = result.stdout.split('\n').filter(l => l.startsWith('::add-mask::'))
    for (const line of [pem[0], pem[1], pem[3]]) expect(masks).toContain(`::add-mask::${line}`)
    expect(masks).not.toContain('::add-mask::==')
    const outsideMasks = result.stdout.split('\n').filter(l => !l.startsWith('::add-mask::'))
    expect(outsideMasks.filter(l => l.includes(pem[1] as string))).toEqual([])
  })

  it('a secret pasted without its key is refused, and its text never printed', async () => {
    const pasted = 'dGhpcyBpcyBhIHBhc3RlZCBzZWNyZXQ='
    const result = await runAction({
      inputs: { ...base(), 'secret-variables': `${SECRET_VARIABLE}\n${pasted}` }
    })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(/line 2 has an empty value/)
    const key = pasted.replace(/=+$/, '')
    const shown = result.stdout.split('\n').filter(l => l.includes(key))
    expect(shown).toEqual([`::add-mask::${pasted}`])
    expect(sim.requests).toEqual([])
  })

  it('with wait, the timeout counts from the delayed start', async () => {
    sim.config.statusScript = ['ENQUEUED', 'ENQUEUED', 'ENQUEUED', 'SUCCESSFUL']
    const inHours = new Date(Date.now() + 4 * 3_600_000).toISOString()
    const result = await runAction({
      inputs: {
        ...base(),
        'delay-until': inHours,
        wait: 'true',
        timeout: '1s',
        'poll-interval': '1s'
      },
      eventName: 'push',
      event: webhookExample('push', p => p.ref === 'refs/heads/master' && !p.deleted),
      timeoutMs: 90_000
    })
    expect(result.stdout).toMatch(/The run starts at .*: the 1s timeout counts from then\./)
    expect(result.outputs['timed-out']).toBe('false')
    expect(result.outputs.status).toBe('SUCCESSFUL')
    expect(sim.requests.filter(r => r.method === 'PATCH')).toEqual([])
    expect(result.code).toBe(0)
  })
})
