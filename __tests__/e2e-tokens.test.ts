/**
 * Tokens that expire while the step follows its run, end to end through the committed bundle.
 * With OIDC (provider-id) a refused token is renewed from a new GitHub OIDC token and the
 * request sent again, in the main step and the post step, for reads and cancels alike; with a
 * token given as such, the step fails with what to do, without claiming that the run ended.
 */
import { SECRET_VARIABLE, scanningRunAction, SPAWNS_BUDGET_MS } from './support/secret-scan.js'
import { simulatorPerTest } from './support/simulator-per-test.js'
import { itWithSignals, signalWhenPrinted } from './support/signals.js'

const sim = simulatorPerTest()
// The Buddy tokens the simulator issued on renewals are secrets too.
const runAction = scanningRunAction(() => sim.issuedTokens())

const SHA = 'ffac537e6cbbf934b08745a378932722df287a53'
const event = { ref: 'refs/heads/main', after: SHA }
const RENEWED = 'Got a fresh one by exchanging a new GitHub OIDC token; trying again.'

const common = () => ({
  'secret-variables': SECRET_VARIABLE,
  'api-url': sim.url,
  workspace: 'acme',
  project: 'web',
  'pipeline-id': '1',
  wait: 'true',
  'poll-interval': '1s'
})
const withToken = (extra: Record<string, string> = {}) => ({
  ...common(),
  token: 'sim-token',
  ...extra
})
const withOidc = (extra: Record<string, string> = {}) => ({
  ...common(),
  token: '',
  'provider-id': sim.config.oidc.providerId,
  ...extra
})
/** As on a runner with `permissions: id-token: write` (the request token: scanningRunAction). */
const oidcEnv = () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: `${sim.url}/_github/oidc?api-version=2.0` })
/** Every Buddy token the exchange issues lives for this many requests. */
function oidcTokensLive(requests: number) {
  sim.config.oidc.lifetime = { requests }
}

const buddy = () => sim.buddyRequests().filter(r => r.path !== '/user/oidc/tokens')
const exchanges = () => sim.requests.filter(r => r.path === '/user/oidc/tokens')
const refused = () => buddy().filter(r => r.tokenExpired)
const posts = () => buddy().filter(r => r.method === 'POST')
const patches = () => buddy().filter(r => r.method === 'PATCH')
const runs = () => sim.executions(1)
const renewals = (stdout: string) => stdout.split('\n').filter(l => l.includes(RENEWED))

/** Each refused request was sent once more, with the token the next exchange issued. */
function expectEachRefusalRenewed() {
  const all = buddy()
  for (const refusal of refused()) {
    const again = all[all.indexOf(refusal) + 1]
    expect(again).toMatchObject({ method: refusal.method, path: refusal.path })
    expect(again!.token).not.toBe(refusal.token)
    expect(sim.issuedTokens()).toContain(again!.token)
  }
}

describe('with OIDC, a refused token is renewed', () => {
  it(
    'while following: the run is followed to its end, each 401 answered by one renewal',
    async () => {
      // Three requests each: the pipeline, the run request, a status read; then a renewal.
      oidcTokensLive(3)
      const result = await runAction({
        inputs: withOidc({ logs: 'all' }),
        env: oidcEnv(),
        event
      })
      expect(result.code).toBe(0)
      expect(result.outputs.status).toBe('SUCCESSFUL')
      expect(refused().length).toBeGreaterThanOrEqual(2)
      // The first exchange, then one per refusal; the log says each, without the token.
      expect(exchanges()).toHaveLength(1 + refused().length)
      expect(sim.issuedTokens()).toHaveLength(exchanges().length)
      expect(renewals(result.stdout)).toHaveLength(refused().length)
      expect(result.stdout).toMatch(
        /Buddy refused the token \(401\) when trying to read run #1: it may have expired\./
      )
      expectEachRefusalRenewed()
      // Masked before anything else was printed.
      for (const token of sim.issuedTokens()) {
        const masked = result.stdout.indexOf(`::add-mask::${token}`)
        expect(masked).toBeGreaterThanOrEqual(0)
      }
      expect(posts()).toHaveLength(1)
      expect(runs()).toHaveLength(1)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    "by the simulator's clock: a token that lives 2 s is renewed as often as needed",
    async () => {
      sim.config.oidc.lifetime = { ms: 2000 }
      sim.config.statusScript = [...Array<string>(4).fill('INPROGRESS'), 'SUCCESSFUL']
      const result = await runAction({ inputs: withOidc(), env: oidcEnv(), event })
      expect(result.code).toBe(0)
      expect(result.outputs.status).toBe('SUCCESSFUL')
      expect(refused().length).toBeGreaterThanOrEqual(1)
      expect(renewals(result.stdout)).toHaveLength(refused().length)
      expectEachRefusalRenewed()
      expect(runs()).toHaveLength(1)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'for the run request: a 401 created nothing, so it is sent once more, and one run exists',
    async () => {
      oidcTokensLive(1000)
      sim.fault({ method: 'POST', path: /\/executions$/, kind: 'expire-token' })
      const result = await runAction({
        inputs: withOidc({ wait: 'false' }),
        env: oidcEnv(),
        event
      })
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(2)
      expect(posts()[0]!.tokenExpired).toBe(true)
      expect(runs()).toHaveLength(1)
      expect(result.outputs['execution-id']).toBe('1')
      expect(renewals(result.stdout)).toHaveLength(1)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'for the cancel on timeout: still sent, with a fresh token',
    async () => {
      sim.config.statusScript = Array(1000).fill('INPROGRESS')
      oidcTokensLive(1000)
      sim.fault({ method: 'PATCH', kind: 'expire-token' })
      const result = await runAction({
        inputs: withOidc({ timeout: '3s' }),
        env: oidcEnv(),
        event
      })
      expect(result.code).toBe(1)
      expect(result.outputs['timed-out']).toBe('true')
      expect(patches()).toHaveLength(2)
      expect(patches()[0]!.tokenExpired).toBe(true)
      expect(patches()[1]!.body).toEqual({ operation: 'CANCEL' })
      expect(runs()[0]!.status).toBe('TERMINATED')
      expect(result.errors.join('\n')).toMatch(/It was cancelled in Buddy \(now TERMINATED\)/)
      expectEachRefusalRenewed()
    },
    SPAWNS_BUDGET_MS
  )

  itWithSignals(
    'for the cancel on job cancel (SIGINT), after a renewal while following: still sent',
    async () => {
      sim.config.statusScript = Array(1000).fill('INPROGRESS')
      oidcTokensLive(1000)
      sim.fault({ method: 'GET', path: '/executions/1', kind: 'expire-token' })
      sim.fault({ method: 'PATCH', kind: 'expire-token' })
      // Once a status read was refused and renewed, the job is cancelled.
      const cancel = signalWhenPrinted(RENEWED)
      const main = await runAction({
        inputs: withOidc(),
        env: oidcEnv(),
        event,
        onStdout: cancel.onStdout
      })
      expect(cancel.sent).toBe(true)
      expect(main.code).toBe(1)
      expect(patches()).toHaveLength(2)
      expect(patches()[0]!.tokenExpired).toBe(true)
      expect(runs()[0]!.status).toBe('TERMINATED')
      expect(main.state['run-settled']).toBe('cancelled')
      expectEachRefusalRenewed()
      // The post step has nothing left to do.
      const post = await runAction({
        inputs: withOidc(),
        env: oidcEnv(),
        event,
        state: main.state,
        entry: 'dist/post/index.js'
      })
      expect(post.stdout).toContain('The main step already cancelled the Buddy run.')
      expect(patches()).toHaveLength(2)
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'in the post step: its read and its cancel renewed, the run cancelled',
    async () => {
      oidcTokensLive(1000)
      const id = sim.addRun(1, { branch: { name: 'main' } }, 'INPROGRESS')
      const followed = { workspace: 'acme', project: 'web', pipelineId: 1, executionId: id }
      sim.fault({ method: 'GET', path: `/executions/${id}`, kind: 'expire-token' })
      sim.fault({ method: 'PATCH', kind: 'expire-token' })
      const post = await runAction({
        inputs: withOidc(),
        env: oidcEnv(),
        event,
        state: { 'followed-run': JSON.stringify(followed) },
        entry: 'dist/post/index.js'
      })
      expect(post.code).toBe(0)
      expect(post.stdout).toContain(`The job was cancelled: cancelled Buddy run #${id}.`)
      expect(post.warnings).toEqual([])
      expect(refused()).toHaveLength(2)
      expect(renewals(post.stdout)).toHaveLength(2)
      expect(patches()).toHaveLength(2)
      expect(runs()[0]!.status).toBe('TERMINATED')
      expectEachRefusalRenewed()
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'once per 401: a fresh token refused at once ends the following, the run not claimed ended',
    async () => {
      sim.config.statusScript = Array(1000).fill('INPROGRESS')
      oidcTokensLive(1000)
      // The first status read's token expires, and so does the fresh one at once.
      sim.fault({ method: 'GET', path: '/executions/1', kind: 'expire-token', times: 2 })
      const result = await runAction({ inputs: withOidc(), env: oidcEnv(), event })
      expect(result.code).toBe(1)
      expect(exchanges()).toHaveLength(2)
      expect(result.errors.join('\n')).toMatch(
        /Buddy refused the token \(401 Unauthorized\) while this step followed Buddy run #1, last seen INPROGRESS, and renewing it through OIDC did not help\. The run was not seen to end: it may still be going in Buddy/
      )
      expect(result.errors.join('\n')).toContain(
        'A token renewed through OIDC a moment before was refused too.'
      )
      expect(result.outputs.status).toBe('INPROGRESS')
      expect(patches()).toHaveLength(0)
    },
    SPAWNS_BUDGET_MS
  )
})

describe('with a token given as such, a refused token', () => {
  it(
    'fails the step with what to do, the run not claimed ended',
    async () => {
      sim.config.statusScript = Array(1000).fill('INPROGRESS')
      // The pipeline, the run request and two status reads; the third read is refused.
      sim.config.tokenLifetimes['sim-token'] = { requests: 4 }
      const result = await runAction({ inputs: withToken(), event })
      expect(result.code).toBe(1)
      const error = result.errors.join('\n')
      expect(error).toMatch(
        /Buddy refused the token \(401 Unauthorized\) while this step followed Buddy run #1, last seen INPROGRESS: the token expired or was revoked after the run started\. The run was not seen to end: it may still be going in Buddy, and this step can no longer follow or cancel it\. Give a token that lives longer than the run and this step's timeout \(1h\), or use OIDC with "provider-id": the action then gets a fresh token whenever Buddy refuses one\. http:\/\/127\.0\.0\.1:\d+\/app\/acme\/web\/pipelines\/pipeline\/1\/execution\/\w+/
      )
      expect(refused()).toHaveLength(1)
      // Nothing was renewed, nothing cancelled: the run goes on in Buddy.
      expect(exchanges()).toHaveLength(0)
      expect(patches()).toHaveLength(0)
      expect(runs()[0]!.status).toBe('INPROGRESS')
      // The outputs and the summary show the status last seen, not an end.
      expect(result.outputs).toMatchObject({
        'execution-id': '1',
        status: 'INPROGRESS',
        'timed-out': 'false'
      })
      expect(result.outputs.variables).toBeUndefined()
      expect(result.summary).toContain('Buddy run #1: INPROGRESS (not followed to its end)')
      expect(result.summary).toContain('was not seen to end, and may still be going in Buddy')
      expect(result.summary).not.toMatch(/SUCCESSFUL|TERMINATED|FAILED/)
      expect(result.state['run-settled']).toBeUndefined()
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'from buddy/login (BUDDY_TOKEN), refused at the cancel on timeout: the cancel is said to have failed',
    async () => {
      sim.config.statusScript = Array(1000).fill('INPROGRESS')
      sim.fault({ method: 'PATCH', kind: 'expire-token' })
      const result = await runAction({
        inputs: { ...common(), token: '', timeout: '2s' },
        env: { BUDDY_TOKEN: 'sim-token' },
        event
      })
      expect(result.code).toBe(1)
      expect(result.outputs['timed-out']).toBe('true')
      // Tried twice at most (a cancel's own retry), never renewed.
      expect(patches().length).toBeGreaterThanOrEqual(1)
      expect(exchanges()).toHaveLength(0)
      expect(result.errors.join('\n')).toMatch(
        /Cancelling it failed: Buddy refused the token \(401 Unauthorized\) when trying to cancel run #1/
      )
      expect(runs()[0]!.status).toBe('INPROGRESS')
    },
    SPAWNS_BUDGET_MS
  )
})
