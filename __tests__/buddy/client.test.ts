import { readFileSync } from 'node:fs'
import { BuddyClient } from '../../src/buddy/client.js'
import { BuddyApiError } from '../../src/buddy/failures.js'
import { simulatorPerTest, type Simulator } from '../support/simulator-per-test.js'
import { startRunDirectly } from '../support/simulator.js'
import { fakeClock, recordingLog, silentLog } from '../support/fake-clock.js'

const sim = simulatorPerTest({ twoActions: false })

function client(options: Partial<ConstructorParameters<typeof BuddyClient>[0]> = {}) {
  const clock = fakeClock()
  return {
    clock,
    client: new BuddyClient({
      baseUrl: new URL(sim.url),
      token: 'sim-token',
      clock,
      log: silentLog,
      ...options
    })
  }
}
const ref = { workspace: 'acme', project: 'web', pipelineId: 1 }

describe('reading the pipeline', () => {
  it('sends the token as a bearer header, never in the URL', async () => {
    const { client: c } = client()
    const pipeline = await c.getPipeline(ref)
    expect(pipeline).toMatchObject({ id: 1, name: 'Deploy', refs: ['*'] })
    const [request] = sim.requests
    expect(request.headers.authorization).toBe('Bearer sim-token')
    expect(request.path).toBe('/workspaces/acme/projects/web/pipelines/1')
    expect(JSON.stringify(request.query)).not.toContain('sim-token')
  })

  it('keeps a path prefix of a self-hosted base URL', async () => {
    const { client: c } = client({ baseUrl: new URL(`${sim.url}/api`) })
    await expect(c.getPipeline(ref)).rejects.toThrow(/Not found \(404\)/)
    expect(sim.requests[0].path).toBe('/api/workspaces/acme/projects/web/pipelines/1')
  })

  it('encodes handles so no value can move the request elsewhere', async () => {
    const { client: c } = client()
    await expect(c.getPipeline({ ...ref, workspace: 'a/../b?x' })).rejects.toThrow(BuddyApiError)
    expect(sim.requests[0].path).toBe('/workspaces/a%2F..%2Fb%3Fx/projects/web/pipelines/1')
  })

  it.each<[string, () => void, RegExp]>([
    [
      '401',
      () => undefined,
      /Buddy refused the token \(401 Unauthorized\).*invalid or expired.*or the token \(or the OIDC identity provider it came from\) has no access to this workspace.*Buddy said: Bad credentials/
    ],
    [
      '403 scope',
      () => (sim.config.tokens['sim-token'] = ['PIPELINE_RUN']),
      /Buddy denied access \(403 Forbidden\).*PIPELINE_READ, older name EXECUTION_INFO.*Buddy said: Insufficient scope/
    ],
    [
      '403 API disabled',
      () => (sim.config.apiDisabled = true),
      /API is disabled in the workspace\. Buddy said: API is disabled in this workspace/
    ],
    [
      '404',
      () => (sim.config.pipelines = []),
      /Not found \(404\) when trying to read pipeline 1: check workspace "acme", project "web" and pipeline id 1\. Buddy said: Pipeline not found/
    ]
  ])('explains %s with what to check and what Buddy said', async (name, arrange, message) => {
    arrange()
    const { client: c } = client(name === '401' ? { token: 'wrong' } : {})
    const error = await c.getPipeline(ref).catch(e => e as BuddyApiError)
    expect(error).toBeInstanceOf(BuddyApiError)
    expect(error.message).toMatch(message)
    expect(sim.requests).toHaveLength(1) // not retried
  })

  it.each(['500', '502', '503', '504', 'html', 'reset-before', 'bad-json', 'empty', 'shape'])(
    'retries a read after a %s, with backoff',
    async kind => {
      sim.fault({ path: '/pipelines/1', kind, times: 2 })
      const { client: c, clock } = client()
      await expect(c.getPipeline(ref)).resolves.toMatchObject({ id: 1 })
      expect(sim.requests).toHaveLength(3)
      expect(clock.sleeps).toHaveLength(2)
      expect(clock.sleeps[1]).toBeGreaterThan(clock.sleeps[0] as number)
    }
  )

  it('honours Retry-After on 429', async () => {
    sim.fault({ kind: '429', retryAfter: '7' })
    const { client: c, clock } = client()
    await c.getPipeline(ref)
    // Retry-After, plus a spread (fake random: half of 2 s).
    expect(clock.sleeps).toEqual([8000])
  })

  it('counts no 429 as a failed try while the rate-limit budget lasts', async () => {
    sim.fault({ kind: '429', retryAfter: '1', times: 12 })
    const { client: c, clock } = client({ readAttempts: 2 })
    await expect(c.getPipeline(ref)).resolves.toMatchObject({ id: 1 })
    expect(sim.requests).toHaveLength(13)
    // Retry-After and a spread that widens with each 429 the step meets (half of 2 s, 2.6 s, …,
    // up to 8 s).
    expect(clock.sleeps.slice(0, 3)).toEqual([2000, 2300, 2690])
    expect(clock.sleeps).toHaveLength(12)
    expect(Math.max(...clock.sleeps)).toBe(5000)
  })

  it('gives up on 429s once their waits add up to its budget', async () => {
    sim.fault({ kind: '429', retryAfter: '10', times: 100 })
    const { client: c, clock } = client({ rateLimitBudgetMs: 60_000 })
    await expect(c.getPipeline(ref)).rejects.toThrow(
      /rate limit was reached \(429\).*Waited 59 s over 5 such answers/
    )
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60_000)
  })

  it('ignores a far X-Rate-Limit-Reset on a 5xx: backoff, not an hour', async () => {
    const { client: c, clock } = client()
    sim.fault({
      kind: '503',
      times: 2,
      headers: { 'X-Rate-Limit-Reset': String(Math.floor(clock.now() / 1000) + 3600) }
    })
    await expect(c.getPipeline(ref)).resolves.toMatchObject({ id: 1 })
    expect(clock.sleeps).toEqual([550, 1100])
  })

  it('honours X-Rate-Limit-Reset when there is no Retry-After', async () => {
    const { client: c, clock } = client()
    sim.fault({
      kind: '429',
      headers: { 'X-Rate-Limit-Reset': String(Math.floor(clock.now() / 1000) + 12) }
    })
    await c.getPipeline(ref)
    expect(clock.sleeps).toEqual([13_200])
  })

  it('fails at once when Buddy asks for a longer wait than the step allows', async () => {
    sim.fault({ kind: '429', retryAfter: '3600' })
    const { client: c, clock } = client({ deadlineMs: fakeClock().now() + 600_000 })
    await expect(c.getPipeline(ref)).rejects.toThrow(
      /rate limit.*asks to wait 3600 s, past the step's timeout \(600 s left\)/
    )
    expect(clock.sleeps).toEqual([])
  })

  it('waits out a long rate limit that ends within the step, however long', async () => {
    sim.fault({ kind: '429', retryAfter: '300' })
    const { client: c, clock } = client({ deadlineMs: fakeClock().now() + 600_000 })
    await expect(c.getPipeline(ref)).resolves.toMatchObject({ id: 1 })
    expect(clock.sleeps).toEqual([304_000])
  })

  it('sends nothing once the step is past its deadline', async () => {
    const { client: c } = client({ deadlineMs: fakeClock().now() - 1 })
    await expect(c.getPipeline(ref)).rejects.toThrow(
      "No time is left in the step's timeout to read pipeline 1: nothing was sent."
    )
    expect(sim.requests).toHaveLength(0)
  })

  it('waits for the reset after an answer that says no request is left, instead of a 429', async () => {
    const { client: c, clock } = client()
    const reset = Math.floor(clock.now() / 1000) + 4
    sim.fault({
      kind: 'slow-down',
      headers: { 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': String(reset) }
    })
    await c.getPipeline(ref)
    expect(clock.sleeps).toEqual([])
    await c.getPipeline(ref)
    // The reset, plus a spread (fake random 0.5 of 3 s), before the second request went out.
    expect(clock.sleeps).toHaveLength(1)
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(3000)
    expect(clock.sleeps[0]).toBeLessThanOrEqual(5500)
    expect(sim.requests.filter(r => r.fault === undefined)).toHaveLength(1)
  })

  it('gives up after its tries with the last problem', async () => {
    sim.fault({ kind: '503', times: 10 })
    const { client: c } = client({ readAttempts: 3 })
    await expect(c.getPipeline(ref)).rejects.toThrow(
      /Buddy answered 503 when trying to read pipeline 1\. Buddy said: Service temporarily unavailable Gave up after 3 tries/
    )
    expect(sim.requests).toHaveLength(3)
  })

  it('does not hang on a request that never answers', async () => {
    sim.fault({ kind: 'hang' })
    const { client: c } = client({ requestTimeoutMs: 200 })
    await expect(c.getPipeline(ref)).resolves.toMatchObject({ id: 1 })
    expect(sim.requests).toHaveLength(2)
  })

  it('notices an answer cut before its end, and tries again', async () => {
    sim.fault({ path: '/pipelines/1', kind: 'cut-body' })
    const log = recordingLog()
    const { client: c } = client({ log })
    await expect(c.getPipeline(ref)).resolves.toMatchObject({ id: 1 })
    expect(sim.requests).toHaveLength(2)
    expect(log.lines.join('\n')).toMatch(
      /The connection to 127\.0\.0\.1:\d+ closed before Buddy's answer was complete when trying to read pipeline 1\. Trying again/
    )
  })

  it('notices an answer that goes silent by its stall limit, apart from the request limit', async () => {
    sim.fault({ path: '/pipelines/1', kind: 'stall', times: 5 })
    const { client: c } = client({ stallTimeoutMs: 200, readAttempts: 2 })
    await expect(c.getPipeline(ref)).rejects.toThrow(
      /Buddy's answer stopped mid-way \(nothing for 0\.2 s\) when trying to read pipeline 1\. Gave up after 2 tries/
    )
  })

  it('reports a refused connection', async () => {
    const url = sim.url
    await sim.close()
    const c = new BuddyClient({
      baseUrl: new URL(url),
      token: 't',
      clock: fakeClock(),
      log: silentLog,
      readAttempts: 2
    })
    await expect(c.getPipeline(ref)).rejects.toThrow(
      /Cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/
    )
  })
})

describe("the simulator's answers", () => {
  it("have the shape of Buddy's own example of a run", async () => {
    const fixture = JSON.parse(
      readFileSync(new URL('../fixtures/run-execution-response.json', import.meta.url), 'utf8')
    ) as Record<string, unknown>
    const answer = await fetch(`${sim.url}/workspaces/acme/projects/web/pipelines/1/executions`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sim-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ to_revision: { revision: 'HEAD' }, branch: { name: 'master' } })
    }).then(r => r.json() as Promise<Record<string, unknown>>)
    // Newer answers say triggered_on where the example says triggeredOn.
    const keys = (o: object) =>
      Object.keys(o)
        .map(k => (k === 'triggeredOn' ? 'triggered_on' : k))
        .sort()
    expect(keys(answer)).toEqual(keys(fixture))
    for (const key of ['branch', 'to_revision', 'creator', 'pipeline'] as const) {
      expect(Object.keys(answer[key] as object)).toEqual(
        expect.arrayContaining(
          Object.keys(fixture[key] as object).filter(
            k => !['on', 'last_execution_status', 'last_execution_revision'].includes(k)
          )
        )
      )
    }
    const action = (answer.action_executions as { action: object }[])[0]
    expect(Object.keys(action as object)).toEqual(
      expect.arrayContaining(['status', 'progress', 'action'])
    )
  })
})

describe('identifier → id', () => {
  it('asks Buddy with the identifier and project in the query', async () => {
    const { client: c } = client()
    await expect(c.resolvePipelineId('acme', 'web', 'main-only')).resolves.toBe(2)
    expect(sim.requests[0]).toMatchObject({
      path: '/workspaces/acme/identifiers',
      query: { project: 'web', pipeline: 'main-only' }
    })
  })

  it('says at once that Buddy knows no such pipeline when its 200 has no pipeline_id', async () => {
    const { client: c, clock } = client()
    const error = await c.resolvePipelineId('acme', 'web', 'nope').then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error).toBeInstanceOf(BuddyApiError)
    expect(error?.message).toBe(
      'Buddy knows no pipeline with the identifier "nope" in project "web" of workspace "acme" (its answer has no pipeline id). Check input "pipeline": it takes the pipeline\'s identifier (as in the pipeline\'s URL in Buddy), not its display name; or give "pipeline-id".'
    )
    // Buddy's answer was an identifiers answer (IdsView), only without the id.
    expect(sim.requests).toHaveLength(1)
    expect(clock.sleeps).toEqual([])
  })

  it('retries an answer that is no identifiers answer at all', async () => {
    const { client: c, clock } = client()
    sim.fault({ path: '/identifiers', kind: 'shape' })
    await expect(c.resolvePipelineId('acme', 'web', 'deploy')).resolves.toBe(1)
    expect(sim.requests).toHaveLength(2)
    expect(clock.sleeps).toHaveLength(1)
  })
})

describe('OIDC exchange', () => {
  it.each(['json-string', 'token', 'access_token', 'buddy_token', 'text'])(
    'reads the token from an answer with %s',
    async answer => {
      sim.config.oidc.answer = answer
      const { client: c } = client({ token: undefined })
      await expect(
        c.exchangeOidcToken(sim.config.oidc.providerId, sim.config.github.idToken)
      ).resolves.toBe('sim-oidc-buddy-token')
      expect(sim.requests[0].headers.authorization).toBeUndefined()
      expect(sim.requests[0].body).toEqual({
        provider_id: sim.config.oidc.providerId,
        web_identity_token: sim.config.github.idToken
      })
    }
  )

  it('names the provider id when Buddy does not know it', async () => {
    const { client: c } = client({ token: undefined })
    await expect(c.exchangeOidcToken('nope', 'jwt')).rejects.toThrow(/"provider-id" \("nope"\)/)
  })
})

describe('a token refused while following (401)', () => {
  /** A renewal that hands out fresh-1, fresh-2, ... (tokens the simulator knows), with its limits. */
  function renewing() {
    const limits: number[] = []
    const renewToken = (limitMs: number) => {
      limits.push(limitMs)
      const token = `fresh-${limits.length}`
      sim.config.tokens[token] = sim.config.tokens['sim-token']!
      return Promise.resolve(token)
    }
    return { limits, renewToken }
  }
  const statusRead = (c: BuddyClient) => c.getExecution(ref, 1)
  const tokens = () => sim.requests.map(r => r.token)

  beforeEach(() => {
    sim.addRun(1, { branch: { name: 'main' } }, 'INPROGRESS')
    sim.requests.length = 0
  })

  it('is renewed once, within the request limit, and the request sent again: the log says so', async () => {
    const { limits, renewToken } = renewing()
    const log = recordingLog()
    const { client: c } = client({ renewToken, log, requestTimeoutMs: 7000 })
    sim.expireToken('sim-token')
    await expect(statusRead(c)).resolves.toMatchObject({ id: 1 })
    expect(tokens()).toEqual(['sim-token', 'fresh-1'])
    expect(limits).toEqual([7000])
    expect(log.lines).toEqual([
      'Buddy refused the token (401) when trying to read run #1: it may have expired. Got a fresh one by exchanging a new GitHub OIDC token; trying again.'
    ])
    // The fresh token is kept for what follows.
    await statusRead(c)
    expect(tokens()).toEqual(['sim-token', 'fresh-1', 'fresh-1'])
  })

  it('a second 401 right after the renewal is final', async () => {
    const { limits, renewToken } = renewing()
    const { client: c } = client({ renewToken })
    sim.fault({ path: '/executions/1', kind: 'expire-token', times: 2 })
    const error = await statusRead(c).catch((e: unknown) => e as BuddyApiError)
    expect(error).toBeInstanceOf(BuddyApiError)
    expect(error).toMatchObject({ status: 401, transient: false })
    expect(error.message).toMatch(
      /^Buddy refused the token \(401 Unauthorized\) when trying to read run #1: .* A token renewed through OIDC a moment before was refused too\.$/
    )
    expect(limits).toHaveLength(1)
    expect(tokens()).toEqual(['sim-token', 'fresh-1'])
  })

  it('is renewed again for a later 401 (each 401 once)', async () => {
    const { limits, renewToken } = renewing()
    const { client: c } = client({ renewToken })
    sim.expireToken('sim-token')
    await statusRead(c)
    sim.expireToken('fresh-1')
    await statusRead(c)
    expect(limits).toHaveLength(2)
    expect(tokens()).toEqual(['sim-token', 'fresh-1', 'fresh-1', 'fresh-2'])
  })

  it('requests refused together share one renewal', async () => {
    const { limits, renewToken } = renewing()
    const log = recordingLog()
    const { client: c } = client({ renewToken, log })
    sim.expireToken('sim-token')
    await Promise.all([statusRead(c), statusRead(c), c.getPipeline(ref)])
    expect(limits).toHaveLength(1)
    expect(log.lines).toHaveLength(1)
    expect(tokens().filter(t => t === 'fresh-1')).toHaveLength(3)
  })

  it('a renewal that fails says why: final, or transient when it only ran out of time', async () => {
    const failing = client({
      renewToken: () => Promise.reject(new Error('Identity provider not found'))
    })
    sim.expireToken('sim-token')
    const error = await statusRead(failing.client).catch((e: unknown) => e as BuddyApiError)
    expect(error).toMatchObject({ status: 401, transient: false })
    expect(error.message).toBe(
      'Buddy refused the token (401 Unauthorized) when trying to read run #1, and a fresh one could not be had by exchanging a new GitHub OIDC token: Identity provider not found'
    )
    // The renewal has the refused request's time limit (real time: long enough for the 401 to
    // arrive on a busy machine).
    const slow = client({
      renewToken: () => new Promise<string>(() => undefined),
      requestTimeoutMs: 1500
    })
    const late = await statusRead(slow.client).catch((e: unknown) => e as BuddyApiError)
    expect(late).toMatchObject({ status: 401, transient: true })
    expect(late.message).toMatch(/could not be had .*: no fresh token within 1\.5 s$/)
  })

  it('without a way to renew (a token given as such), the 401 is final at once', async () => {
    const { client: c } = client()
    sim.expireToken('sim-token')
    await expect(statusRead(c)).rejects.toMatchObject({ status: 401, transient: false })
    expect(tokens()).toEqual(['sim-token'])
    expect(c.renewsToken).toBe(false)
  })

  it('the run request: sent once more only after a 401, which created nothing', async () => {
    const { limits, renewToken } = renewing()
    const { client: c } = client({ renewToken })
    sim.requests.length = 0
    const body = { to_revision: { revision: 'HEAD' }, branch: { name: 'main' } }
    sim.expireToken('sim-token')
    const answer = await c.postExecution(ref, body)
    expect(answer).toMatchObject({ kind: 'response', status: 200 })
    expect(tokens()).toEqual(['sim-token', 'fresh-1'])
    expect(sim.executions(1)).toHaveLength(2)
    // Refused again: handed back as it is, never a third send.
    sim.fault({ method: 'POST', kind: 'expire-token', times: 2 })
    const refused = await c.postExecution(ref, body)
    expect(refused).toMatchObject({ kind: 'response', status: 401 })
    expect(limits).toHaveLength(2)
    expect(sim.requests.filter(r => r.method === 'POST')).toHaveLength(4)
    // Any other failure is start-execution's to judge: no renewal, no second send.
    sim.fault({ method: 'POST', kind: '502' })
    await expect(c.postExecution(ref, body)).resolves.toMatchObject({ status: 502 })
    expect(sim.requests.filter(r => r.method === 'POST')).toHaveLength(5)
  })

  it('the OIDC exchange itself, sent without a token, is never renewed', async () => {
    const { limits, renewToken } = renewing()
    const { client: c } = client({ renewToken, token: undefined })
    await expect(c.exchangeOidcToken('nope', 'jwt')).rejects.toThrow(/404/)
    expect(limits).toEqual([])
  })
})

describe('approving: APPLY names the action that waits', () => {
  const approvalPipeline = () => {
    sim.config.approvalHolds = true
    sim.config.pipelines[0]!.actions = [
      { id: 11, name: 'Build', type: 'BUILD' },
      { id: 12, name: 'Approve', type: 'WAIT_FOR_APPLY' },
      { id: 13, name: 'Deploy', type: 'SFTP' }
    ]
  }
  const patch = (executionId: number, body: unknown) =>
    fetch(`${sim.url}/workspaces/acme/projects/web/pipelines/1/executions/${executionId}`, {
      method: 'PATCH',
      headers: { Authorization: 'Bearer sim-token', 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    }).then(async r => ({ status: r.status, json: (await r.json()) as any })) // eslint-disable-line @typescript-eslint/no-explicit-any

  async function waitingRun(script: Simulator['config']['statusScript']) {
    approvalPipeline()
    sim.config.statusScript = script
    const { client: c } = client()
    const run = await startRunDirectly(sim)
    await c.getExecution(ref, run.id)
    return { c, id: run.id }
  }

  it('approves with approve_action_id, and the run goes on', async () => {
    const { c, id } = await waitingRun([
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'WAITING_FOR_APPLY', 'ENQUEUED'] },
      'SUCCESSFUL'
    ])
    const answer = await c.approveExecution(ref, id, 12)
    expect(sim.requests.at(-1)?.body).toEqual({ operation: 'APPLY', approve_action_id: 12 })
    expect(answer.action_executions?.[1]?.status).toBe('INPROGRESS')
    expect((await c.getExecution(ref, id)).status).toBe('SUCCESSFUL')
  })

  it.each<[string, object, RegExp]>([
    [
      'without approve_action_id, as a newer Buddy',
      { operation: 'APPLY' },
      /approve_action_id is required/
    ],
    ['with a string', { operation: 'APPLY', approve_action_id: '12' }, /must be an integer/],
    [
      'naming an action that does not wait',
      { operation: 'APPLY', approve_action_id: 13 },
      /Action 13 does not wait/
    ]
  ])('refuses an APPLY %s with a 400, changing nothing', async (_name, body, message) => {
    const { id } = await waitingRun([
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'WAITING_FOR_APPLY', 'ENQUEUED'] }
    ])
    const answer = await patch(id, body)
    expect(answer.status).toBe(400)
    expect(answer.json.errors[0].message).toMatch(message)
    expect(sim.executions(1)[0]?.actions[1]?.status).toBe('WAITING_FOR_APPLY')
  })

  it("says Buddy's refusal clearly, through the client", async () => {
    const { c, id } = await waitingRun([
      { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'WAITING_FOR_APPLY', 'ENQUEUED'] }
    ])
    await expect(c.approveExecution(ref, id, 99)).rejects.toThrow(
      /approve run #1.*Action 99 does not wait for approval/
    )
  })

  it('a run that itself waits stands at its approval action', async () => {
    const { c, id } = await waitingRun([
      { status: 'WAITING_FOR_APPLY', actions: ['SUCCESSFUL', 'ENQUEUED', 'ENQUEUED'] },
      'SUCCESSFUL'
    ])
    expect((await patch(id, { operation: 'APPLY', approve_action_id: 11 })).status).toBe(400)
    const answer = await c.approveExecution(ref, id, 12)
    expect(answer.status).toBe('INPROGRESS')
  })
})

describe('pipelines and pull requests as the simulator answers them', () => {
  const post = (pipelineId: number, body: unknown) =>
    fetch(`${sim.url}/workspaces/acme/projects/web/pipelines/${pipelineId}/executions`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sim-token', 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    }).then(async r => ({ status: r.status, json: (await r.json()) as any })) // eslint-disable-line @typescript-eslint/no-explicit-any

  it.each<['pull/N' | 'N', boolean, object]>([
    ['pull/N', true, { name: 'pull/7', number: 7 }],
    ['N', true, { name: '7', number: 7 }],
    ['N', false, { name: '7' }]
  ])('names a pull request %s (number: %p)', async (names, numbers, expected) => {
    sim.config.pullRequestNames = names
    sim.config.pullRequestNumbers = numbers
    const answer = await post(1, {
      to_revision: { revision: 'HEAD' },
      pull_request: { name: 'pull/7' }
    })
    expect(answer.json.pull_request).toEqual(expected)
    const { client: c } = client()
    const { executions } = await c.listExecutions(ref)
    expect(executions[0]?.pull_request).toEqual(expected)
  })

  it('runs a codeless pipeline without a revision or a ref, and answers without a commit', async () => {
    sim.config.pipelines.push({
      id: 4,
      identifier: 'codeless',
      name: 'Codeless',
      refs: [],
      events: []
    })
    const answer = await post(4, { comment: 'c' })
    expect(answer.status).toBe(200)
    expect(answer.json.to_revision).toBeUndefined()
    const { client: c } = client()
    await expect(c.getPipeline({ ...ref, pipelineId: 4 })).resolves.toMatchObject({
      refs: [],
      events: []
    })
  })

  it('requires a ref for a pipeline on its context and :context-expanded events', async () => {
    sim.config.pipelines.push({
      id: 5,
      identifier: 'master-and-dev',
      name: 'Master and dev-*',
      refs: ['refs/heads/master'],
      events: [{ type: 'PUSH', refs: [':context', 'refs/heads/dev-*'] }]
    })
    expect((await post(5, { to_revision: { revision: 'HEAD' } })).status).toBe(400)
    expect(
      (await post(5, { to_revision: { revision: 'HEAD' }, branch: { name: 'dev-1' } })).status
    ).toBe(200)
  })
})
