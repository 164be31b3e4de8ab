/**
 * End to end: the committed dist/index.js, spawned as the runner spawns it, against the
 * simulator. Asserts what Buddy received and what the step left behind. The cases that only check
 * a decision run the same step in-process (runStep).
 */
import { simulatorForAll, simulatorPerTest, SHA, stepInputs } from './support/simulator-per-test.js'
import { scanningRunStep } from './support/run-in-process.js'
import { GITHUB_TOKEN } from './support/run-action.mjs'
import { E2E_SECRETS, leaks, scanningRunAction } from './support/secret-scan.js'
import { webhookExample } from './support/webhooks.js'

const runAction = scanningRunAction()
// Cases that check a decision (what runs, what is refused and why) run the same step in-process
// (support/run-in-process.ts); each kind keeps a case through the bundle here or in
// hostile-input-bundle.test.ts.
const runStep = scanningRunStep()
type Result = Awaited<ReturnType<typeof runAction>>
const sim = simulatorPerTest({ twoActions: false })

const base = () => stepInputs(sim)
const posts = (of: typeof sim = sim) =>
  of.requests.filter(r => r.method === 'POST' && r.path.endsWith('/executions'))

/** A secret may appear only in the runner's ::add-mask:: commands. */
function expectOnlyMasked(result: Result, secret: string) {
  expect(leaks(result, [secret])).toEqual([])
}

describe('a push to a branch', () => {
  // One step, read by each test below: its own simulator, for the whole describe.
  const pushSim = simulatorForAll()
  let result: Result
  beforeAll(async () => {
    const event = webhookExample('push', p => p.ref === 'refs/heads/master' && !p.deleted)
    result = await runAction({
      inputs: stepInputs(pushSim),
      eventName: 'push',
      event,
      ref: 'refs/heads/master',
      sha: SHA
    })
  })

  it('runs the pushed branch at the pushed commit', () => {
    expect(result.code).toBe(0)
    expect(posts(pushSim)).toHaveLength(1)
    expect(posts(pushSim)[0]?.body).toEqual({
      to_revision: { revision: '6113728f27ae82c7b1a177c8d03f9e96e0adf246' },
      branch: { name: 'master' },
      variables: [{ key: 'E2E_SECRET', value: E2E_SECRETS.secretVariable, encrypted: true }],
      // The step's marker follows the comment: workflow run, attempt, job, hashes.
      comment: expect.stringMatching(
        /^GitHub Actions: octo-org\/octo-repo · CI #17 by octocat https:\/\/github\.com\/octo-org\/octo-repo\/actions\/runs\/4242 \[gh-step 4242\.1\.deploy\.[0-9a-f]{8}\.[0-9a-f]{8}\]$/
      ),
      priority: 'NORMAL'
    })
  })

  it('reads the pipeline before running it', () => {
    expect(pushSim.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /workspaces/acme/projects/web/pipelines/1',
      'POST /workspaces/acme/projects/web/pipelines/1/executions'
    ])
  })

  it('sets the outputs', () => {
    const execution = pushSim.executions(1)[0]
    expect(result.outputs).toEqual({
      'execution-id': '1',
      'execution-url': `${pushSim.url}/app/acme/web/pipelines/pipeline/1/execution/${execution.hash}`,
      'execution-api-url': `${pushSim.url}/workspaces/acme/projects/web/pipelines/1/executions/1`,
      status: 'INPROGRESS',
      'pipeline-id': '1',
      'pipeline-url': `${pushSim.url}/app/acme/web/pipelines/pipeline/1`,
      revision: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      target: 'branch master'
    })
  })

  it('logs the link and writes the summary', () => {
    expect(result.stdout).toContain(`Buddy run #1 (INPROGRESS): ${result.outputs['execution-url']}`)
    expect(result.summary).toContain('Buddy run #1: INPROGRESS')
    expect(result.summary).toContain('<td>branch master</td>')
    expect(result.summary).toContain('<code>6113728</code>')
    expect(result.summary).toContain(`<a href="${result.outputs['execution-url']}">#1</a>`)
  })
})

describe('the event decides what runs', () => {
  it('a tag push runs the tag', async () => {
    const event = webhookExample('push', p => p.ref === 'refs/tags/simple-tag' && !p.deleted)
    const result = await runStep({
      inputs: base(),
      eventName: 'push',
      event,
      ref: 'refs/tags/simple-tag'
    })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({
      tag: { name: 'simple-tag' },
      to_revision: { revision: event.after }
    })
    expect(result.outputs.target).toBe('tag simple-tag')
  })

  it("a pull request runs pull/N at the PR's head, not the merge commit", async () => {
    const event = webhookExample('pull_request', p => p.action === 'opened') as {
      number: number
      pull_request: { head: { sha: string } }
    }
    const result = await runAction({
      inputs: base(),
      eventName: 'pull_request',
      event,
      ref: `refs/pull/${event.number}/merge`,
      sha: SHA
    })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({
      pull_request: { name: `pull/${event.number}` },
      to_revision: { revision: event.pull_request.head.sha }
    })
  })

  it('a release runs its tag at GITHUB_SHA', async () => {
    const event = webhookExample('release', p => p.action === 'published') as {
      release: { tag_name: string }
    }
    await runStep({
      inputs: base(),
      eventName: 'release',
      event,
      ref: `refs/tags/${event.release.tag_name}`,
      sha: SHA
    })
    expect(posts()[0]?.body).toMatchObject({
      tag: { name: event.release.tag_name },
      to_revision: { revision: SHA }
    })
  })

  it("a comment on a pull request looks up the PR's head with github-token", async () => {
    sim.config.github.pullRequests['9'] = 'abcabcabcabcabcabcabcabcabcabcabcabcabca'
    const comment = webhookExample('issue_comment') as { issue: Record<string, unknown> }
    const event = { ...comment, issue: { ...comment.issue, number: 9, pull_request: { url: 'x' } } }
    const result = await runAction({
      inputs: base(),
      eventName: 'issue_comment',
      event,
      ref: 'refs/heads/main',
      env: { GITHUB_API_URL: `${sim.url}/_github/api` }
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const lookup = sim.requests.find(r => r.path.startsWith('/_github/api'))
    expect(lookup?.path).toBe('/_github/api/repos/octo-org/octo-repo/pulls/9')
    expect(lookup?.headers.authorization).toMatch(new RegExp(`${GITHUB_TOKEN}$`))
    expect(posts()[0]?.body).toMatchObject({
      pull_request: { name: 'pull/9' },
      to_revision: { revision: 'abcabcabcabcabcabcabcabcabcabcabcabcabca' }
    })
  })

  it('explicit inputs win over the event', async () => {
    const result = await runStep({
      inputs: { ...base(), tag: 'v2.0.0', revision: 'HEAD' },
      eventName: 'push',
      event: {}
    })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toMatchObject({
      tag: { name: 'v2.0.0' },
      to_revision: { revision: 'HEAD' }
    })
  })
})

describe('pipelines and options', () => {
  it('resolves a pipeline identifier, and sends only the revision to a fixed-ref pipeline', async () => {
    const event = webhookExample('push', p => p.ref === 'refs/heads/master' && !p.deleted)
    const inputs = { ...base(), 'pipeline-id': '', pipeline: 'main-only' }
    const result = await runAction({
      inputs,
      eventName: 'push',
      event: { ...event, ref: 'refs/heads/main' }
    })
    expect(result.code).toBe(0)
    expect(sim.requests[0]).toMatchObject({
      path: '/workspaces/acme/identifiers',
      query: { project: 'web', pipeline: 'main-only' }
    })
    expect(posts()[0]?.path).toBe('/workspaces/acme/projects/web/pipelines/2/executions')
    expect(posts()[0]?.body.branch).toBeUndefined()
    expect(posts()[0]?.body.to_revision).toEqual({
      revision: '6113728f27ae82c7b1a177c8d03f9e96e0adf246'
    })
    expect(result.warnings).toEqual([])
    expect(result.outputs['pipeline-id']).toBe('2')
    expect(result.outputs.target).toBe("the pipeline's own ref refs/heads/main")
  })

  it('fails at once, naming it, for a pipeline identifier Buddy does not know', async () => {
    const result = await runStep({ inputs: { ...base(), 'pipeline-id': '', pipeline: 'nope' } })
    expect(result.code).toBe(1)
    expect(result.errors.join('\n')).toContain(
      'Buddy knows no pipeline with the identifier "nope" in project "web" of workspace "acme"'
    )
    // One look-up: a 200 without pipeline_id is an answer, not a fault to retry.
    expect(sim.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /workspaces/acme/identifiers'
    ])
  })

  it('sends every option and masks secret variables', async () => {
    const secret = 'S3cr3t-v4lue-e2e'
    const inputs = {
      ...base(),
      variables: 'VERSION=1.2.3\nURL=https://x.example?a=b',
      'secret-variables': `PASSWORD=${secret}`,
      comment: 'Deploy from CI',
      priority: 'HIGH',
      refresh: 'true',
      'clear-cache': 'true',
      'actions-to-run': '11,13',
      'delay-until': '2030-01-01T00:00:00Z'
    }
    const result = await runAction({
      inputs,
      eventName: 'push',
      event: { ref: 'refs/heads/main', after: SHA }
    })
    expect(result.code).toBe(0)
    expect(posts()[0]?.body).toEqual({
      to_revision: { revision: SHA },
      branch: { name: 'main' },
      variables: [
        { key: 'VERSION', value: '1.2.3' },
        { key: 'URL', value: 'https://x.example?a=b' },
        { key: 'PASSWORD', value: secret, encrypted: true }
      ],
      // A custom comment keeps the step's marker after it.
      comment: expect.stringMatching(
        /^Deploy from CI \[gh-step 4242\.1\.deploy\.[0-9a-f]{8}\.[0-9a-f]{8}\]$/
      ),
      priority: 'HIGH',
      refresh: true,
      clear_cache: true,
      actions_to_run: [11, 13],
      delay_until: '2030-01-01T00:00:00.000Z'
    })
    expectOnlyMasked(result, secret)
    expectOnlyMasked(result, 'sim-token')
  })

  it('runs with the target when the token may not read the pipeline', async () => {
    sim.config.tokens['sim-token'] = ['PIPELINE_RUN']
    const result = await runStep({
      inputs: base(),
      event: { ref: 'refs/heads/main', after: SHA }
    })
    expect(result.code).toBe(0)
    expect(result.warnings.join('\n')).toMatch(
      /Cannot read pipeline 1 \(403: the token may lack PIPELINE_READ, older name EXECUTION_INFO\), so whether it runs only one ref is unknown: sending the branch, tag or pull request with the run request\./
    )
    expect(posts()[0]?.body.branch).toEqual({ name: 'main' })
  })

  it('creates one run when the run request fails ambiguously', async () => {
    sim.fault({ method: 'POST', kind: 'error-after' })
    const result = await runAction({
      inputs: base(),
      event: { ref: 'refs/heads/main', after: SHA }
    })
    expect(result.code).toBe(0)
    expect(posts()).toHaveLength(1)
    expect(sim.executions(1)).toHaveLength(1)
    expect(result.outputs['execution-id']).toBe('1')
  })
})

describe('credentials', () => {
  it('takes BUDDY_TOKEN and BUDDY_API_ENDPOINT from buddy/login', async () => {
    const result = await runAction({
      inputs: { ...base(), token: '', 'api-url': '' },
      env: { BUDDY_TOKEN: 'sim-token', BUDDY_API_ENDPOINT: sim.url }
    })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('::add-mask::sim-token')
    expect(posts()).toHaveLength(1)
  })

  it('exchanges the GitHub OIDC token for a Buddy token', async () => {
    sim.config.tokens['sim-oidc-buddy-token'] = ['PIPELINE_READ', 'PIPELINE_RUN']
    const result = await runAction({
      inputs: {
        ...base(),
        token: '',
        'provider-id': sim.config.oidc.providerId,
        audience: 'buddy'
      },
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: `${sim.url}/_github/oidc?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: sim.config.github.requestToken
      }
    })
    expect(result.code).toBe(0)
    expect(sim.requests.find(r => r.path === '/_github/oidc')?.query).toEqual({
      'api-version': '2.0',
      audience: 'buddy'
    })
    expect(posts()[0]?.headers.authorization).toBe('Bearer sim-oidc-buddy-token')
    expectOnlyMasked(result, 'sim-oidc-buddy-token')
    expectOnlyMasked(result, sim.config.github.idToken)
    expectOnlyMasked(result, sim.config.github.requestToken)
  })

  it('asks for id-token permission when OIDC is not available', async () => {
    const result = await runStep({ inputs: { ...base(), token: '', 'provider-id': 'p' } })
    expect(result.code).toBe(1)
    expect(result.errors.join('\n')).toMatch(/permissions: id-token: write/)
    expect(sim.requests).toHaveLength(0)
  })

  it('says why the token is empty in a pull request from a fork', async () => {
    const event = webhookExample('pull_request', p => p.action === 'opened') as any // eslint-disable-line @typescript-eslint/no-explicit-any
    event.pull_request.head.repo.full_name = 'stranger/fork'
    const result = await runStep({
      inputs: { ...base(), token: '' },
      eventName: 'pull_request',
      event
    })
    expect(result.code).toBe(1)
    expect(result.errors.join('\n')).toMatch(
      /This pull_request run is for a pull request from a fork, and GitHub gives such runs neither secrets nor an OIDC token: that is why "token" is empty\. Run the pipeline once the code is merged \(on push\), or from an event that a maintainer controls after reviewing the pull request \(an issue_comment checked for the commenter's association, or workflow_run in a job gated by an environment with required reviewers\), with "allow-fork-code: true"\./
    )
    expect(result.errors.join('\n')).not.toMatch(/pull_request_target/)
    expect(sim.requests).toHaveLength(0)
  })

  it('explains a rejected token', async () => {
    const result = await runAction({ inputs: { ...base(), token: 'expired-token' } })
    expect(result.code).toBe(1)
    expect(result.errors.join('\n')).toMatch(/Buddy refused the token \(401 Unauthorized\)/)
    expectOnlyMasked(result, 'expired-token')
    expect(posts()).toHaveLength(0)
  })
})

describe('bad input fails before any request', () => {
  // The first through the bundle, the others in-process.
  it.each<[Record<string, string>, RegExp, typeof runAction]>([
    [
      { region: 'MARS' },
      /Input "region" \(\\?"MARS\\?"\) is not valid: expected one of US, EU, AP/,
      runAction
    ],
    [{ 'pipeline-id': '' }, /Give the pipeline/, runStep],
    [{ 'api-url': 'http://buddy.example.com' }, /Input "api-url".*https/, runStep],
    [{ branch: 'a', 'pull-request': '2' }, /give at most one/, runStep]
  ])('%j', async (inputs, message, step) => {
    const result = await step({ inputs: { ...base(), ...inputs } })
    expect(result.code).toBe(1)
    expect(result.errors.join('\n')).toMatch(message)
    expect(sim.requests).toHaveLength(0)
    expect(result.outputs).toEqual({})
  })

  it('a push that deleted a branch', async () => {
    const event = webhookExample('push', p => p.deleted === true)
    const result = await runStep({
      inputs: base(),
      eventName: 'push',
      event,
      ref: 'refs/tags/simple-tag'
    })
    expect(result.code).toBe(1)
    expect(result.errors.join('\n')).toMatch(/This push deleted refs\/tags\/simple-tag/)
    expect(sim.requests).toHaveLength(0)
  })
})
