/**
 * Every kind of request crossed with every fault, through the whole step (main.ts in-process,
 * @actions/core recorded, virtual time), against the simulator. Each cell: at most one run, the
 * step's result right (green where a retry saved it, red with a clear message where not), a
 * bounded time, and no secret in anything the step printed or set.
 */
import { jest } from '@jest/globals'
import { createFakeCore } from './support/fake-core.js'
import { ACTION_DEFAULTS } from './support/action-inputs.js'
import { fakeClock } from './support/fake-clock.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const { run } = await import('../src/main.js')
const { startSimulator } = await import('./support/buddy-simulator.mjs')
const { FINISH_ALLOWANCE_MS } = await import('../src/follow/deadline.js')
const { parseDuration } = await import('../src/inputs/duration.js')

const defaults = ACTION_DEFAULTS

/** The step's timeout where a cell does not set its own: a fault that never ends meets it. */
const CELL_TIMEOUT = '5m'

const TOKEN = 'tok-5e3cr3t-matrix-7d1f'
const SECRET_VALUE = 'var-5e3cr3t-matrix-42aa'
const GITHUB_TOKEN = 'ghs-5e3cr3t-matrix-9c0b'
const OIDC_BUDDY_TOKEN = 'oidc-5e3cr3t-buddy-13ef'
const SECRETS = [TOKEN, SECRET_VALUE, GITHUB_TOKEN, OIDC_BUDDY_TOKEN, fake.record.idToken]

type Simulator = Awaited<ReturnType<typeof startSimulator>>
let sim: Simulator
beforeEach(async () => {
  sim = await startSimulator()
  sim.config.tokens[TOKEN] = sim.config.tokens['sim-token']!
  sim.config.tokens[OIDC_BUDDY_TOKEN] = sim.config.tokens['sim-token']!
  sim.config.oidc.buddyToken = OIDC_BUDDY_TOKEN
  // One action: short scripts keep each cell quick.
  sim.config.pipelines[0]!.actions = [{ id: 11, name: 'Build', type: 'BUILD' }]
})
afterEach(async () => {
  await sim.close()
})

interface Kind {
  fault: { method?: string; path: string | RegExp }
  inputs?: Record<string, string>
  env?: Record<string, string>
  /** Runs in this cell never end by themselves. */
  endless?: boolean
}

const KINDS: Record<string, Kind> = {
  'pipeline read': { fault: { method: 'GET', path: /\/pipelines\/1$/ } },
  'identifier lookup': {
    fault: { path: '/identifiers' },
    inputs: { 'pipeline-id': '', pipeline: 'deploy' }
  },
  'OIDC exchange': {
    fault: { path: '/user/oidc/tokens' },
    inputs: { token: '', 'provider-id': 'c0ffee00-0000-4000-8000-000000000001' },
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/unused' }
  },
  run: { fault: { method: 'POST', path: /\/executions$/ } },
  'status read': {
    fault: { method: 'GET', path: /\/executions\/1$/ },
    inputs: { wait: 'true', timeout: '1m' }
  },
  cancel: {
    fault: { method: 'PATCH', path: /\/executions\/1$/ },
    inputs: { wait: 'true', timeout: '30s' },
    endless: true
  },
  logs: { fault: { path: '/logs' }, inputs: { wait: 'true', logs: 'all' } }
}

const FAULTS: { name: string; kind: string; retryAfter?: string }[] = [
  { name: '500', kind: '500' },
  { name: '502', kind: '502' },
  { name: '503', kind: '503' },
  { name: '504', kind: '504' },
  { name: '429 with Retry-After', kind: '429', retryAfter: '2' },
  { name: '429 without Retry-After', kind: '429' },
  { name: 'reset before the body', kind: 'reset-before' },
  { name: 'reset after the body', kind: 'reset-after' },
  { name: 'hang', kind: 'hang' },
  { name: 'malformed JSON', kind: 'bad-json' },
  { name: 'HTML error page', kind: 'html' },
  { name: 'empty body', kind: 'empty' },
  { name: '200 of an unexpected shape', kind: 'shape' }
]

async function step(kind: Kind) {
  fake.reset()
  fake.record.inputs = {
    ...defaults,
    'github-token': GITHUB_TOKEN,
    token: TOKEN,
    'api-url': sim.url,
    workspace: 'acme',
    project: 'web',
    'pipeline-id': '1',
    'poll-interval': '10s',
    timeout: CELL_TIMEOUT,
    'secret-variables': `PASSWORD=${SECRET_VALUE}`,
    ...kind.inputs
  }
  const clock = fakeClock(Date.now())
  const started = clock.now()
  const printed: string[] = []
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    printed.push(String(chunk))
    return true
  })
  let thrown: unknown
  try {
    await run({
      env: {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_SHA: 'a'.repeat(40),
        ...kind.env
      },
      clock,
      requestTimeoutMs: 100
    })
  } catch (error) {
    thrown = error
  } finally {
    write.mockRestore()
  }
  const failure =
    fake.record.failed ??
    (thrown instanceof Error ? thrown.message : thrown === undefined ? undefined : String(thrown))
  return {
    failure,
    thrown,
    printed,
    elapsedMs: clock.now() - started,
    outputs: { ...fake.record.outputs },
    log: [...fake.record.log]
  }
}

function expectNoSecrets(result: Awaited<ReturnType<typeof step>>) {
  const everything = [
    ...result.log,
    ...result.printed,
    ...Object.values(result.outputs),
    result.failure ?? '',
    ...fake.record.summary
  ]
  for (const line of everything.join('\n').split('\n')) {
    for (const secret of SECRETS) {
      if (line.includes(secret)) expect(line).toBe(`::add-mask::${secret}`)
    }
  }
}

function expectCommon(result: Awaited<ReturnType<typeof step>>, kind: Kind) {
  expect(sim.executions(1).length).toBeLessThanOrEqual(1)
  expectNoSecrets(result)
  // Bounded: the step's own timeout plus the allowance to finish, whatever the fault.
  expect(result.elapsedMs).toBeLessThanOrEqual(
    (parseDuration(kind.inputs?.timeout ?? CELL_TIMEOUT) as number) + FINISH_ALLOWANCE_MS
  )
  // run() handles its own failure: it fails the step (result.failure) and never throws.
  expect(result.thrown).toBeUndefined()
  if (result.thrown !== undefined) {
    expect(result.thrown).toBeInstanceOf(Error)
    expect(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']).not.toContain(
      (result.thrown as Error).name
    )
  }
  if (result.failure !== undefined) {
    // run() fails the step itself: a programming error would say it looks like a bug.
    expect(result.failure).not.toMatch(/looks like a bug/)
    expect(result.failure.length).toBeGreaterThan(20)
    expect(result.failure).not.toMatch(/\n\s+at /)
  }
}

describe.each(Object.entries(KINDS))('%s', (kindName, kind) => {
  describe.each(FAULTS)('$name', fault => {
    beforeEach(() => {
      if (kind.endless) sim.config.statusScript = Array(500).fill('INPROGRESS')
    })

    it('once: a retry saves the step', async () => {
      sim.fault({ ...kind.fault, kind: fault.kind, retryAfter: fault.retryAfter, times: 1 })
      const result = await step(kind)
      expectCommon(result, kind)
      expect(sim.executions(1)).toHaveLength(1)
      expect(result.outputs['execution-id']).toBe('1')
      if (kind.endless) {
        // A run that never ends: the timeout fails the step, and the cancel got through.
        expect(result.failure).toMatch(/Timed out after 30s.*It was cancelled in Buddy/)
        expect(sim.executions(1)[0].status).toBe('TERMINATED')
      } else {
        expect(result.failure).toBeUndefined()
      }
    })

    it('always: a clear result, never a second run', async () => {
      sim.fault({ ...kind.fault, kind: fault.kind, retryAfter: fault.retryAfter, times: 10_000 })
      const result = await step(kind)
      expectCommon(result, kind)
      const runs = sim.executions(1).length
      switch (kindName) {
        case 'pipeline read':
        case 'identifier lookup':
        case 'OIDC exchange':
          expect(runs).toBe(0)
          expect(result.failure).toMatch(/when trying to|Gave up|asks to wait|timeout/)
          break
        case 'run':
          // Faults after Buddy created the run: the run is found and followed; else none is made.
          if (runs === 1) {
            expect(result.failure).toBeUndefined()
            expect(result.outputs['execution-id']).toBe('1')
          } else {
            expect(result.failure).toMatch(/run pipeline 1|rate limit/)
            expect(result.outputs['execution-id']).toBeUndefined()
          }
          break
        case 'status read':
          expect(result.failure).toMatch(
            /Timed out after 1m waiting for Buddy run #1 .*the status could not be read lately/
          )
          expect(sim.requests.filter(r => r.method === 'PATCH')).toHaveLength(1)
          break
        case 'cancel':
          expect(result.failure).toMatch(/Timed out after 30s.*Cancelling it failed/)
          break
        case 'logs':
          expect(result.failure).toBeUndefined()
          expect(result.log.filter(l => l.includes('logs are unavailable'))).toHaveLength(1)
          break
      }
    })
  })
})
