/**
 * End to end, the fork guard: each event that runs with this repository's secrets while outsiders
 * can start it, with each input that can name code (revision, branch, tag, pull-request). The
 * committed dist/index.js runs as the runner starts it, against the simulator's Buddy and GitHub
 * APIs. A fork's code is refused before any request to Buddy, with the one message for fork code;
 * with allow-fork-code it runs, and the log says so. The same cases, one by one, are the table in
 * github/fork-policy.test.ts and in SECURITY.md.
 *
 * Through the bundle: the examples that got through before, and a comment's run of this
 * repository's pull request. The tables (each event × each input, the times GitHub sets) run the
 * same step in-process (support/run-in-process.ts: main.ts's run(), the real @actions/core, the
 * same environment and files), which costs milliseconds instead of a spawn each.
 */
import { SECRET_VARIABLE, scanningRunAction } from './support/secret-scan.js'
import { simulatorInputs, simulatorPerTest, type Simulator } from './support/simulator-per-test.js'
import { scanningRunStep } from './support/run-in-process.js'

const runAction = scanningRunAction()
const runStep = scanningRunStep()
const sim = simulatorPerTest()

const BASE = 'octo-org/octo-repo'
const repository = { full_name: BASE, default_branch: 'main', id: 1 }
/** main's head (GITHUB_SHA), an older commit of main, a pull request's head in this repository. */
const MAIN = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0'
const OLDER = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'
const PR_HEAD = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0'
/** The head of pull request #42, from the fork stranger/fork. */
const FORK_HEAD = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0'
const COMMENTED_AT = '2026-11-28T10:00:00Z'

/** GitHub's side: main and its history, pull request #9 (this repository's) and #42 (a fork's). */
function github(s: Simulator) {
  s.config.github.refs['heads/main'] = MAIN
  s.config.github.history = { [MAIN]: [OLDER], [PR_HEAD]: [MAIN, OLDER] }
  s.config.github.pullRequests['9'] = PR_HEAD
  s.config.github.pullRequests['42'] = {
    sha: FORK_HEAD,
    headRepository: 'stranger/fork',
    pushedAt: '2026-11-28T09:00:00Z'
  }
}

const base = () => simulatorInputs(sim, { 'secret-variables': SECRET_VARIABLE })

/** The events, each for this repository's own code: only the inputs bring a fork's in. */
const EVENTS: Record<string, Record<string, unknown>> = {
  pull_request_target: {
    action: 'opened',
    number: 9,
    pull_request: {
      number: 9,
      head: { sha: PR_HEAD, ref: 'feature', repo: repository },
      base: { sha: MAIN, ref: 'main', repo: repository }
    },
    repository
  },
  issue_comment: {
    action: 'created',
    issue: { number: 9, pull_request: { url: 'x' } },
    comment: { body: '/deploy', created_at: COMMENTED_AT },
    repository
  },
  workflow_run: {
    action: 'completed',
    workflow_run: {
      name: 'CI',
      event: 'push',
      head_branch: 'main',
      head_sha: MAIN,
      head_repository: repository,
      repository,
      pull_requests: []
    },
    repository
  },
  issues: { action: 'opened', issue: { number: 3, title: 'Deploy pull request 42' }, repository },
  discussion_comment: {
    action: 'created',
    discussion: { number: 5 },
    comment: { body: '/deploy 42', created_at: COMMENTED_AT },
    repository
  }
}

/** Each input that can name a fork's code, and how the refusal names what it refused. */
const FORK_INPUTS: [string, Record<string, string>, RegExp][] = [
  [
    'revision',
    { branch: 'main', revision: FORK_HEAD },
    new RegExp(
      `Refusing to run branch main at ${FORK_HEAD}: GitHub shows that commit is not on branch main \\(diverged\\), so it may be a fork's code`
    )
  ],
  [
    'branch',
    { branch: 'pull/42' },
    /Refusing to run branch pull\/42: it names pull request #42, whose code may come from a fork/
  ],
  [
    'tag',
    { tag: 'pull/42/head' },
    /Refusing to run tag pull\/42\/head: it names pull request #42, whose code may come from a fork/
  ],
  [
    'pull-request',
    { 'pull-request': '42' },
    /Refusing to run pull request pull\/42: its code comes from the fork stranger\/fork/
  ]
]

/** The step for an event of EVENTS; in-process unless `runner` says runAction. */
const run = (eventName: string, inputs: Record<string, string>, runner = runStep) =>
  runner({
    inputs: { ...base(), ...inputs },
    eventName,
    event: EVENTS[eventName],
    ref: 'refs/heads/main',
    sha: MAIN,
    env: { GITHUB_API_URL: `${sim.url}/_github/api` }
  })

const posts = () => sim.requests.filter(r => r.method === 'POST' && r.path.endsWith('/executions'))
const errorsOf = (result: { errors: string[] }) => result.errors.join('\n')

describe.each(Object.keys(EVENTS))('%s', eventName => {
  beforeEach(() => github(sim))

  it("refuses a fork's code named by each input, before any request to Buddy, with the one message", async () => {
    const results = await Promise.all(FORK_INPUTS.map(([, inputs]) => run(eventName, inputs)))
    results.forEach((result, i) => {
      const [, , refusal] = FORK_INPUTS[i]!
      expect(result.code).toBe(1)
      expect(errorsOf(result)).toMatch(refusal)
      expect(errorsOf(result)).toContain(
        `and this ${eventName} event runs with the secrets of ${BASE}, so anyone who can open a pull request could run their code with your Buddy token. If the workflow makes sure a maintainer has reviewed that code, set input "allow-fork-code: true".`
      )
    })
    expect(sim.buddyRequests()).toEqual([])
  })

  it('with allow-fork-code, runs each, and says so where it knows the code is a fork’s', async () => {
    const results = await Promise.all(
      FORK_INPUTS.map(([, inputs]) => run(eventName, { ...inputs, 'allow-fork-code': 'true' }))
    )
    for (const result of results) expect(result.code).toBe(0)
    expect(posts()).toHaveLength(FORK_INPUTS.length)
    const bodies = posts().map(p => p.body)
    expect(bodies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          branch: { name: 'main' },
          to_revision: { revision: FORK_HEAD }
        }),
        expect.objectContaining({ branch: { name: 'pull/42' } }),
        expect.objectContaining({ tag: { name: 'pull/42/head' } }),
        // A pull request read from GitHub runs at the head that was checked.
        expect.objectContaining({
          pull_request: { name: 'pull/42' },
          to_revision: { revision: FORK_HEAD }
        })
      ])
    )
    const [, branch, tag, pullRequest] = results
    expect(branch!.warnings.join('\n')).toMatch(
      /Running branch pull\/42, which names pull request #42 \(whose code may come from a fork\), with this repository's secrets, as input "allow-fork-code" allows\./
    )
    expect(tag!.warnings.join('\n')).toMatch(/Running tag pull\/42\/head, which names/)
    expect(pullRequest!.warnings.join('\n')).toMatch(
      /Running code from the fork stranger\/fork with this repository's secrets/
    )
  })

  it("runs this repository's code named by each input", async () => {
    const results = await Promise.all([
      run(eventName, { branch: 'main', revision: OLDER }),
      run(eventName, { 'pull-request': '9' }),
      run(eventName, {})
    ])
    for (const result of results) {
      expect(result.code).toBe(0)
      expect(result.warnings.join('\n')).not.toMatch(/fork/)
    }
    expect(posts().map(p => p.body)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ branch: { name: 'main' }, to_revision: { revision: OLDER } }),
        expect.objectContaining({
          pull_request: { name: 'pull/9' },
          to_revision: { revision: PR_HEAD }
        })
      ])
    )
  })
})

describe('the examples that got through before', () => {
  beforeEach(() => github(sim))

  it("pull_request_target from a fork: branch main at the fork's head is refused before any request", async () => {
    const event = structuredClone(EVENTS.pull_request_target!) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    event.pull_request.head = {
      sha: FORK_HEAD,
      ref: 'patch-1',
      repo: { full_name: 'stranger/fork' }
    }
    const result = await runAction({
      inputs: { ...base(), branch: 'main', revision: FORK_HEAD },
      eventName: 'pull_request_target',
      event,
      sha: MAIN
    })
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      new RegExp(
        `Refusing to run branch main at ${FORK_HEAD}: that commit is the head of a pull request from the fork stranger/fork, and this pull_request_target event runs with the secrets of ${BASE}`
      )
    )
    expect(sim.requests).toEqual([])
  })

  it("workflow_run of a fork's pull request: its head_branch and head_sha as inputs are refused before any request", async () => {
    const event = {
      ...EVENTS.workflow_run,
      workflow_run: {
        name: 'CI',
        event: 'pull_request',
        head_branch: 'main',
        head_sha: FORK_HEAD,
        head_repository: { full_name: 'stranger/fork' },
        repository,
        pull_requests: []
      }
    }
    for (const target of [{ branch: 'main' }, { tag: 'main' }] as Record<string, string>[]) {
      const result = await runAction({
        inputs: { ...base(), ...target, revision: FORK_HEAD },
        eventName: 'workflow_run',
        event,
        sha: MAIN
      })
      expect(result.code).toBe(1)
      expect(errorsOf(result)).toMatch(
        /at f0f0\w+: that commit is the head of a pull request from the fork stranger\/fork, and this workflow_run event/
      )
    }
    expect(sim.requests).toEqual([])
  })

  it('issue_comment: a revision alone is checked against the pull request commented on', async () => {
    const result = await run('issue_comment', { revision: FORK_HEAD }, runAction)
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /Refusing to run pull request pull\/9 at f0f0\w+: GitHub shows that commit is not on the head of pull request pull\/9 \(b0b0\w+\) \(diverged\), so it may be a fork's code/
    )
    expect(sim.buddyRequests()).toEqual([])
  })

  it('a revision check without a GitHub token says what it needs', async () => {
    const result = await run(
      'issues',
      { branch: 'main', revision: FORK_HEAD, 'github-token': '' },
      runAction
    )
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /Cannot tell whether revision f0f0\w+ is on branch main: input "github-token" is empty; keep its default \(\$\{\{ github.token \}\}\)\. The revision is compared with the ref that runs to tell whether it is this repository's code .*: give the token "contents: read"\./
    )
    expect(sim.requests).toEqual([])
  })

  it('a commit GitHub does not know is refused', async () => {
    const unknown = 'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0'
    const result = await run('issues', { branch: 'main', revision: unknown }, runAction)
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /GitHub knows no such commit in octo-org\/octo-repo or its forks, and this issues event runs with the secrets/
    )
    expect(sim.buddyRequests()).toEqual([])
  })
})

describe('a head that moved after the comment (allow-fork-code), by the times GitHub sets', () => {
  beforeEach(() => github(sim))
  const fork42 = (changes: Record<string, unknown>) => {
    sim.config.github.pullRequests['42'] = {
      sha: FORK_HEAD,
      headRepository: 'stranger/fork',
      ...changes
    }
  }
  const allowed = (eventName: string) =>
    run(eventName, { 'pull-request': '42', 'allow-fork-code': 'true' })

  it.each(['issue_comment', 'discussion_comment'])(
    '%s: a backdated commit pushed to the fork after the comment is refused',
    async eventName => {
      fork42({ pushedAt: '2026-11-28T10:00:05Z' })
      sim.config.github.commitDates[FORK_HEAD] = '2020-01-01T00:00:00Z'
      const result = await allowed(eventName)
      expect(result.code).toBe(1)
      expect(errorsOf(result)).toMatch(
        /Refusing to run pull request pull\/42: the fork stranger\/fork was pushed to at 2026-11-28T10:00:05Z, after the comment that asked for the run \(2026-11-28T10:00:00Z\)/
      )
      expect(sim.buddyRequests()).toEqual([])
    }
  )

  it.each(['issue_comment', 'discussion_comment'])(
    "%s: a committer's clock running ahead is no refusal when the fork was not pushed to since",
    async eventName => {
      fork42({ pushedAt: '2026-11-28T09:59:00Z' })
      sim.config.github.commitDates[FORK_HEAD] = '2026-11-28T10:30:00Z'
      const result = await allowed(eventName)
      expect(result.code).toBe(0)
      expect(posts()[0]?.body).toMatchObject({
        pull_request: { name: 'pull/42' },
        to_revision: { revision: FORK_HEAD }
      })
    }
  )

  it('a deleted fork shows no push time: refused', async () => {
    fork42({ headRepository: null })
    const result = await allowed('issue_comment')
    expect(result.code).toBe(1)
    expect(errorsOf(result)).toMatch(
      /Refusing to run pull request pull\/42: its head is in a deleted fork, whose pushes GitHub no longer shows, so nothing tells that it did not move after the comment that asked for the run/
    )
    expect(sim.buddyRequests()).toEqual([])
  })

  it("this repository's push time decides nothing for its own pull request", async () => {
    sim.config.github.pullRequests['9'] = { sha: PR_HEAD, pushedAt: '2026-11-28T10:00:05Z' }
    const result = await run('issue_comment', {}, runAction)
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({
      pull_request: { name: 'pull/9' },
      to_revision: { revision: PR_HEAD }
    })
  })
})
