/**
 * The runner's network, through the committed bundle: a proxy (HTTPS_PROXY, NO_PROXY) and
 * certificates (NODE_EXTRA_CA_CERTS). Buddy is `https://buddy.test:<port>`: the simulator over
 * HTTPS with test-only certificates (fixtures/tls), reached through a CONNECT proxy on 127.0.0.1
 * or directly (support/test-hosts.mjs resolves *.test to 127.0.0.1 inside the bundle and fails
 * every other name: no DNS query leaves the machine). Proxy and certificate failures are
 * configuration errors: one try, a message that says "proxy" or "certificate" and what to set.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startSimulator } from './support/buddy-simulator.mjs'
import { startConnectProxy } from './support/connect-proxy.mjs'
import { SECRET_VARIABLE, scanningRunAction } from './support/secret-scan.js'

const runAction = scanningRunAction()
const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url))
const tls = (name: string) => readFileSync(path(`./fixtures/tls/${name}`))
const CA = path('./fixtures/tls/ca.pem')
const HOSTS = `--import ${new URL('./support/test-hosts.mjs', import.meta.url).href}`
const PROXY_PASSWORD = 'pr0xy-pa55word-e2e'

type Simulator = Awaited<ReturnType<typeof startSimulator>>
type Proxy = Awaited<ReturnType<typeof startConnectProxy>>
let sim: Simulator | undefined
let proxy: Proxy | undefined
afterEach(async () => {
  await sim?.close()
  await proxy?.close()
  sim = proxy = undefined
})

async function buddy(cert = 'server.pem') {
  sim = await startSimulator({ tls: { key: tls('server.key'), cert: tls(cert) } })
  return sim
}

const port = (s: Simulator) => new URL(s.url).port
async function step(s: Simulator, env: Record<string, string>, host = 'buddy.test') {
  return runAction({
    inputs: {
      'secret-variables': SECRET_VARIABLE,
      token: 'sim-token',
      'api-url': `https://${host}:${port(s)}`,
      workspace: 'acme',
      project: 'web',
      'pipeline-id': '1'
    },
    event: { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' },
    env: { NODE_OPTIONS: HOSTS, ...env }
  })
}

describe('through a proxy (HTTPS_PROXY)', () => {
  it('works through the tunnel, with the proxy credentials from HTTPS_PROXY', async () => {
    const s = await buddy()
    proxy = await startConnectProxy({ credentials: `user:${PROXY_PASSWORD}` })
    const result = await step(s, {
      HTTPS_PROXY: `http://user:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`,
      NODE_EXTRA_CA_CERTS: CA
    })
    expect(result.errors).toEqual([])
    expect(result.code).toBe(0)
    expect(result.outputs['execution-id']).toBe('1')
    expect(proxy.tunnels.map(t => t.target)).toEqual([
      `buddy.test:${port(s)}`,
      `buddy.test:${port(s)}`
    ])
    expect(proxy.tunnels.every(t => t.status === 200)).toBe(true)
    expect(result.stdout).not.toContain(PROXY_PASSWORD)
  })

  it('fails at once, saying "proxy" and what to set, when it wants credentials (407)', async () => {
    const s = await buddy()
    proxy = await startConnectProxy({ credentials: `user:${PROXY_PASSWORD}` })
    const result = await step(s, {
      HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
      NODE_EXTRA_CA_CERTS: CA
    })
    expect(result.code).toBe(1)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatch(
      /The proxy \(127\.0\.0\.1:\d+, from HTTPS_PROXY\) refused to open a tunnel to buddy\.test:\d+ \(407 Proxy Authentication Required\) when trying to read pipeline 1: it wants credentials\. Put them in HTTPS_PROXY \(http:\/\/user:password@proxy:port\), or, if buddy\.test is reached without the proxy, add it to NO_PROXY\./
    )
    // One try: a retry cannot fix the configuration.
    expect(proxy.tunnels).toHaveLength(1)
    expect(s.requests).toHaveLength(0)
  })

  it('fails at once when the proxy refuses the tunnel', async () => {
    const s = await buddy()
    proxy = await startConnectProxy({ refuse: 403 })
    const result = await step(s, { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` })
    expect(result.code).toBe(1)
    expect(result.errors[0]).toMatch(
      /The proxy .* could not open a tunnel to buddy\.test:\d+ \(it answered CONNECT with 403\).*check that HTTPS_PROXY names a proxy .*add it to NO_PROXY/
    )
    expect(proxy.tunnels).toHaveLength(1)
  })

  it('is not used for a host in NO_PROXY', async () => {
    const s = await buddy()
    proxy = await startConnectProxy({ refuse: 403 })
    const result = await step(s, {
      HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
      NO_PROXY: 'example.com,buddy.test',
      NODE_EXTRA_CA_CERTS: CA
    })
    expect(result.code).toBe(0)
    expect(result.outputs['execution-id']).toBe('1')
    expect(proxy.tunnels).toHaveLength(0)
  })
})

describe('certificates', () => {
  it('trusts a private certificate authority given in NODE_EXTRA_CA_CERTS', async () => {
    const s = await buddy()
    const result = await step(s, { NODE_EXTRA_CA_CERTS: CA })
    expect(result.code).toBe(0)
    expect(result.outputs['execution-id']).toBe('1')
  })

  it.each<[string, string, Record<string, string>, string, string]>([
    ['self-signed', 'self-signed.pem', {}, 'buddy.test', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    [
      'from an authority the runner does not know',
      'server.pem',
      {},
      'buddy.test',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
    ],
    ['expired', 'expired.pem', { NODE_EXTRA_CA_CERTS: CA }, 'buddy.test', 'CERT_HAS_EXPIRED'],
    [
      'for another host',
      'server.pem',
      { NODE_EXTRA_CA_CERTS: CA },
      'other.test',
      'ERR_TLS_CERT_ALTNAME_INVALID'
    ]
  ])('fails at once on a certificate %s', async (_name, cert, env, host, code) => {
    const s = await buddy(cert)
    const result = await step(s, env, host)
    expect(result.code).toBe(1)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toContain(
      `The certificate of ${host}:${port(s)} is not trusted (${code}) when trying to read pipeline 1`
    )
    expect(result.errors[0]).toMatch(/point NODE_EXTRA_CA_CERTS at its certificate/)
    expect(result.errors[0]).not.toMatch(/Gave up after/)
    // One connection: no retries.
    expect(s.connections()).toBe(1)
    expect(s.requests).toHaveLength(0)
  })
})

describe('answers cut short', () => {
  it('a run request whose answer is cut: the run is found by its marker, never made twice', async () => {
    const s = await startSimulator()
    sim = s
    s.fault({ method: 'POST', kind: 'cut-body' })
    const result = await runAction({
      inputs: {
        token: 'sim-token',
        'api-url': s.url,
        workspace: 'acme',
        project: 'web',
        'pipeline-id': '1'
      },
      event: { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' }
    })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      /The connection to 127\.0\.0\.1:\d+ closed before Buddy's answer was complete when trying to run pipeline 1\. Looking for the run/
    )
    expect(result.stdout).toContain(
      "Found run #1, created by that request (its comment carries this step's marker)"
    )
    expect(result.outputs['execution-id']).toBe('1')
    expect(s.executions(1)).toHaveLength(1)
    expect(s.requests.filter(r => r.method === 'POST')).toHaveLength(1)
  })
})

describe('waits that are right', () => {
  const plainInputs = (s: Simulator, extra: Record<string, string> = {}) => ({
    token: 'sim-token',
    'api-url': s.url,
    workspace: 'acme',
    project: 'web',
    'pipeline-id': '1',
    ...extra
  })
  const push = { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' }

  it('a 5xx with a far X-Rate-Limit-Reset is retried with backoff, not waited out for an hour', async () => {
    const s = await startSimulator()
    sim = s
    s.fault({
      method: 'GET',
      path: /\/pipelines\/1$/,
      kind: '503',
      headers: { 'X-Rate-Limit-Reset': String(Math.floor(Date.now() / 1000) + 3600) }
    })
    const result = await runAction({ inputs: plainInputs(s), event: push })
    expect(result.errors).toEqual([])
    expect(result.code).toBe(0)
    expect(s.requests.filter(r => r.method === 'GET')).toHaveLength(2)
  })

  it('a run that ends just as the timeout runs out is reported as it ended, not cancelled', async () => {
    const s = await startSimulator()
    sim = s
    // The run ends 3 s after Buddy starts it, a moment (the run request) after the step began;
    // the step's timeout is 4 s from its start: the reads near its end see the run ended.
    s.config.runDurationMs = 3000
    const result = await runAction({
      inputs: plainInputs(s, { wait: 'true', timeout: '4s', 'poll-interval': '2s' }),
      event: push
    })
    expect(result.errors).toEqual([])
    expect(result.code).toBe(0)
    expect(result.outputs).toMatchObject({ status: 'SUCCESSFUL', 'timed-out': 'false' })
    expect(s.requests.filter(r => r.method === 'PATCH')).toHaveLength(0)
  })
})
