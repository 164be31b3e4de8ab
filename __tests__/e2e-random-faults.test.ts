/**
 * Seeded random faults, through the committed bundle as the runner starts it. Each case draws,
 * from its seed, the step's inputs, how the run goes, a fault for each request Buddy receives
 * (5xx with or without Retry-After, 429 with a reset, a body cut mid-way, an answer held past
 * the request's time limit, a reset connection, an unreadable answer: before or after Buddy did
 * the work, so also after the run was created), a slow creation of the run, and whether and when
 * the job is cancelled (SIGINT, SIGTERM 7.5 s later and a kill at 10 s, as the runner does; then
 * the post step with the saved state). Every case checks what must hold whatever happens: at
 * most one run; a run cancelled at most once, and a cancelled job's run ended or cancelled
 * (across the main and the post step); no crash; no secret printed; each step within its time.
 *
 * Replay: FAULT_SEEDS=12345,678 npm test -- __tests__/e2e-random-faults.test.ts
 * A longer sweep: FAULT_CASES=150 (the default seeds, then more from a fixed sequence);
 * FAULT_RANDOM=1 draws new seeds (the titles name them). FAULT_CONCURRENCY: cases at once.
 */
import type { ChildProcess } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { creationWindowMs } from '../src/buddy/find-our-run.js'
import { FINAL_STATUSES } from '../src/buddy/model.js'
import { FINISH_ALLOWANCE_MS } from '../src/follow/deadline.js'
import { startSimulator } from './support/buddy-simulator.mjs'
import { runAction } from './support/run-action.mjs'
import { E2E_SECRETS, SECRET_VARIABLE, leaks } from './support/secret-scan.js'
import { Draws } from './support/seeded-random.js'
import { describeWithSignals } from './support/signals.js'
import { TWO_ACTIONS, simulatorInputs } from './support/simulator-per-test.js'

/**
 * Fixed, so that CI is reproducible; chosen among the first seeds of the sweep so that together
 * they draw each kind of case (the titles show what each one draws): a cancel during the run
 * request, while following, and after the step; a kill that leaves the cancel to the post step;
 * slow creation; no wait; retries; an endless run that meets its timeout; each kind of logs.
 */
const DEFAULT_SEEDS = [1, 2, 3, 2230745728, 5, 6, 7, 8, 1625275450]
/** Where FAULT_CASES takes its seeds beyond the default ones. */
const SWEEP_SEQUENCE = 0x5eed

/** A spawned step's start, on a busy 2-core machine, beyond what the step itself counts. */
const START_MARGIN_MS = 10_000
/** The runner's cancel: SIGINT, then SIGTERM 7.5 s later, then a kill 2.5 s after that. */
const RUNNER_SIGTERM_MS = 7500
const RUNNER_KILL_MS = 10_000
/**
 * A signal that reaches a step as it exits is not handled (the process is gone): the step must
 * have closed this soon after it, or it ignored the cancel.
 */
const SIGNAL_RACE_MS = 3000

type Simulator = Awaited<ReturnType<typeof startSimulator>>
type Fault = Parameters<Simulator['fault']>[0]
type Result = Awaited<ReturnType<typeof runAction>>

interface Case {
  seed: number
  wait: boolean
  logs: 'none' | 'failed' | 'live' | 'all'
  retries: 0 | 1
  timeoutS: number
  requestTimeoutS: 1 | 2
  actions: 1 | 2
  /** How the run ends if nobody cancels it ('never': it goes on past any timeout). */
  ends: 'SUCCESSFUL' | 'FAILED' | 'never'
  /** How a retried run ends. */
  retryEnds: 'SUCCESSFUL' | 'FAILED'
  /** The chance that a request meets a fault, and how many faults at most. */
  faultRate: number
  faultBudget: number
  /** Buddy creates the run this long after the first run request arrives. */
  slowCreationMs?: number
  /** The job is cancelled delayMs after the afterRequest-th request reached Buddy (0: after the step's first output). */
  cancel?: { afterRequest: number; delayMs: number; killAfterMs?: number }
  /** The seed of the per-request fault draws. */
  faultSeed: number
}

function drawCase(seed: number): Case {
  const d = new Draws(seed)
  const requestTimeoutS = d.pick([1, 2] as const)
  const retries = d.pick([0, 1] as const)
  const kase: Case = {
    seed,
    wait: d.chance(0.7),
    logs: d.pick(['none', 'failed', 'live', 'all'] as const),
    retries,
    timeoutS: d.pick([4, 6, 8, 10, 12]),
    requestTimeoutS,
    actions: d.pick([1, 2] as const),
    ends: d.weighted([
      ['SUCCESSFUL', 3],
      ['FAILED', 3],
      ['never', 2]
    ] as const),
    retryEnds: d.pick(['SUCCESSFUL', 'FAILED'] as const),
    faultRate: d.pick([0.1, 0.2, 0.35, 0.5]),
    faultBudget: d.int(1, 5),
    faultSeed: d.seed()
  }
  // Within the creation window (three request limits), with room to spare: the window is the
  // time Buddy is allowed to take.
  if (d.chance(0.3)) kase.slowCreationMs = Math.round(d.int(30, 250) * 10 * requestTimeoutS)
  if (d.chance(0.5)) {
    kase.cancel = { afterRequest: d.int(0, 6), delayMs: d.int(0, 15) * 100 }
    // A runner that kills the step sooner than its usual 10 s (it is going away): the post step
    // must then do what the main step could not.
    if (d.chance(0.35)) kase.cancel.killAfterMs = d.int(0, 20) * 100
  }
  return kase
}

function describeCase(k: Case): string {
  const parts = [
    k.wait ? 'wait' : 'no wait',
    `logs ${k.logs}`,
    `retries ${k.retries}`,
    `timeout ${k.timeoutS}s`,
    `request-timeout ${k.requestTimeoutS}s`,
    `${k.actions} action(s)`,
    `run ${k.ends === 'never' ? 'endless' : k.ends}${k.retries && k.ends === 'FAILED' ? ` then ${k.retryEnds}` : ''}`,
    `≤ ${k.faultBudget} faults at ${Math.round(k.faultRate * 100)} %`
  ]
  if (k.slowCreationMs !== undefined)
    parts.push(`slow creation ${(k.slowCreationMs / 1000).toFixed(1)} s`)
  if (k.cancel) {
    const at = (k.cancel.delayMs / 1000).toFixed(1)
    parts.push(
      k.cancel.afterRequest === 0
        ? `cancel at ${at} s`
        : `cancel ${at} s after request ${k.cancel.afterRequest}`
    )
    if (k.cancel.killAfterMs !== undefined)
      parts.push(`killed ${(k.cancel.killAfterMs / 1000).toFixed(1)} s later`)
  }
  return `seed ${k.seed}: ${parts.join(', ')}`
}

/** One request's fault, drawn: what Buddy (or a gateway in front of it) may do to a request. */
function drawFault(d: Draws, k: Case): Fault {
  const stage = d.pick(['before', 'after'] as const)
  const limitMs = k.requestTimeoutS * 1000
  const resetIn = d.int(1, 2)
  const kind = d.weighted([
    ['5xx', 4],
    ['503 with Retry-After', 1],
    ['429 with Retry-After', 1],
    ['429 with a reset', 1],
    ['429 alone', 1],
    ['cut body', 2],
    ['reset', 1],
    ['held', 3],
    ['unreadable', 1]
  ] as const)
  switch (kind) {
    case '5xx':
      return { kind: d.pick(['500', '502', '503', '504']), stage }
    case '503 with Retry-After':
      return { kind: '503', stage, headers: { 'Retry-After': String(resetIn) } }
    case '429 with Retry-After':
      return { kind: '429', retryAfter: String(resetIn) }
    case '429 with a reset':
      return {
        kind: '429',
        headers: { 'X-Rate-Limit-Reset': String(Math.ceil(Date.now() / 1000) + resetIn) }
      }
    case '429 alone':
      return { kind: '429' }
    case 'cut body':
      return { kind: 'cut-body' }
    case 'reset':
      return { kind: stage === 'before' ? 'reset-before' : 'reset-after' }
    case 'held':
      return d.weighted([
        // Answered past the request's time limit (Buddy did the work at once).
        [{ kind: 'slow', stage: 'after', delayMs: limitMs + d.int(1, 15) * 100 }, 2],
        // Never answered, the work done or not.
        [{ kind: 'hang', stage }, 1],
        // Half an answer, then silence.
        [{ kind: 'stall' }, 1]
      ] as const)
    case 'unreadable':
      return { kind: d.pick(['bad-json', 'empty', 'html']) }
  }
}

interface Outcome {
  main: Result
  mainMs: number
  post?: Result
  postMs?: number
  /** When SIGINT was sent, in ms after the main step was spawned. */
  signalledAtMs?: number
  /** When the main step closed, in ms after it was spawned. */
  closedAtMs: number
  runs: { id: number; status: string }[]
  requests: {
    method: string
    path: string
    fault?: string
    body?: unknown
    cancelledRun?: number
  }[]
}

/** The bundle as the runner starts it, against a simulator that draws a fault per request. */
async function runCase(k: Case): Promise<Outcome> {
  const sim = await startSimulator()
  try {
    sim.config.pipelines[0]!.actions = TWO_ACTIONS.slice(0, k.actions).map(a => ({ ...a }))
    sim.config.statusScript = k.ends === 'never' ? Array(1000).fill('INPROGRESS') : k.ends
    sim.config.retryScripts = [k.retryEnds]
    const faults = new Draws(k.faultSeed)
    let budget = k.faultBudget
    let postsSeen = 0
    let requestsSeen = 0
    let onRequest: ((count: number) => void) | undefined
    sim.config.drawFault = (record: { method: string }) => {
      onRequest?.(++requestsSeen)
      if (record.method === 'POST' && postsSeen++ === 0 && k.slowCreationMs !== undefined)
        return { kind: 'slow', stage: 'before', delayMs: k.slowCreationMs }
      if (budget <= 0 || !faults.chance(k.faultRate)) return undefined
      budget--
      return drawFault(faults, k)
    }

    const inputs = simulatorInputs(sim, {
      'secret-variables': SECRET_VARIABLE,
      wait: String(k.wait),
      logs: k.logs,
      retries: String(k.retries),
      timeout: `${k.timeoutS}s`,
      'request-timeout': `${k.requestTimeoutS}s`,
      'poll-interval': '1s'
    })
    // As on a runner with `id-token: write`: one more secret that must never be printed.
    const env = { ACTIONS_ID_TOKEN_REQUEST_TOKEN: E2E_SECRETS.oidcRequestToken }
    const event = { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' }

    const spawnedAt = Date.now()
    let child: ChildProcess | undefined
    let signalledAtMs: number | undefined
    const timers: NodeJS.Timeout[] = []
    const cancelJob = () => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return
      if (!child.kill('SIGINT')) return
      signalledAtMs = Date.now() - spawnedAt
      const running = child
      timers.push(setTimeout(() => running.kill('SIGTERM'), RUNNER_SIGTERM_MS))
      timers.push(
        setTimeout(() => running.kill('SIGKILL'), k.cancel?.killAfterMs ?? RUNNER_KILL_MS)
      )
    }
    const cancel = k.cancel
    const main = await runAction({
      inputs,
      env,
      event,
      timeoutMs: mainBudgetMs(k) + RUNNER_KILL_MS,
      onStdout: (_chunk, spawned) => {
        if (child) return
        child = spawned
        if (!cancel) return
        if (cancel.afterRequest === 0) timers.push(setTimeout(cancelJob, cancel.delayMs))
        else
          onRequest = count => {
            if (count === cancel.afterRequest) timers.push(setTimeout(cancelJob, cancel.delayMs))
          }
      }
    })
    const closedAtMs = Date.now() - spawnedAt
    onRequest = undefined
    timers.forEach(clearTimeout)

    let post: Result | undefined
    let postMs: number | undefined
    if (cancel) {
      // The runner runs the post step (post-if: cancelled()) whenever the job was cancelled,
      // also when that came after this step had ended.
      const postStarted = Date.now()
      post = await runAction({
        inputs,
        env,
        event,
        state: main.state,
        entry: 'dist/post/index.js',
        timeoutMs: postBudgetMs(k) + RUNNER_KILL_MS
      })
      postMs = Date.now() - postStarted
    }
    return {
      main,
      mainMs: closedAtMs,
      post,
      postMs,
      signalledAtMs,
      closedAtMs,
      runs: sim.executions(1).map((e: { id: number; status: string }) => ({
        id: e.id,
        status: e.status
      })),
      requests: sim.requests.map(r => ({
        method: r.method,
        path: r.path,
        fault: r.fault,
        body: r.body,
        cancelledRun: r.cancelledRun
      }))
    }
  } finally {
    await sim.close()
  }
}

/** The main step's time: its timeout, the allowance to finish, and a start on a busy machine. */
const mainBudgetMs = (k: Case) => k.timeoutS * 1000 + FINISH_ALLOWANCE_MS + START_MARGIN_MS
/**
 * The post step's: it looks for a run until the creation window after the run request has
 * passed, then cancels; the same allowance and start margin.
 */
const postBudgetMs = (k: Case) =>
  creationWindowMs(k.requestTimeoutS * 1000) + FINISH_ALLOWANCE_MS + START_MARGIN_MS

/** Not a crash: the step exited by itself, with the exit code its outcome says, and no bug. */
function expectNoCrash(result: Result, exitCode: number, killedOnPurpose = false) {
  if (killedOnPurpose && result.signal === 'SIGKILL') return
  expect(result.signal).toBeNull()
  expect(result.code).toBe(exitCode)
  const printed = `${result.stdout}\n${result.stderr}`
  expect(printed).not.toMatch(/looks like a bug|Unhandled|unhandledRejection/i)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  expect(printed).not.toMatch(/\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/)
}

function expectInvariants(k: Case, o: Outcome) {
  const [run, ...others] = o.runs
  // At most one run: every run of this simulator is this step's.
  expect(others).toEqual([])

  // Cancelled at most once: the cancel that ended the run, if it was ended so; no cancel sent
  // again once one was answered whole (a cancel whose answer was lost may be sent again).
  const effective = o.requests.filter(r => r.cancelledRun !== undefined)
  expect(effective).toHaveLength(run?.status === 'TERMINATED' ? 1 : 0)
  const cancels = o.requests.filter(
    r => r.method === 'PATCH' && (r.body as { operation?: string })?.operation === 'CANCEL'
  )
  const answeredWhole = cancels.findIndex(r => r.fault === undefined)
  if (answeredWhole >= 0) expect(cancels.slice(answeredWhole + 1)).toEqual([])

  // No crash, no secret; each step within its time.
  expectNoCrash(o.main, o.main.errors.length > 0 ? 1 : 0, k.cancel?.killAfterMs !== undefined)
  expect(leaks(o.main)).toEqual([])
  expect(o.mainMs).toBeLessThanOrEqual(mainBudgetMs(k))
  if (o.post) {
    // The post step never fails the job.
    expectNoCrash(o.post, 0)
    expect(o.post.errors).toEqual([])
    expect(leaks(o.post)).toEqual([])
    expect(o.postMs).toBeLessThanOrEqual(postBudgetMs(k))
  }

  if (o.signalledAtMs === undefined) return
  const sawCancel = /Received SIG\w+: the job is being cancelled|The job was cancelled \(SIG\w+\)/
  // A step killed (after the signal) was surely running when the job was cancelled.
  if (!sawCancel.test(o.main.stdout) && o.main.signal !== 'SIGKILL') {
    // The signal met a step on its way out: it had ended, the job's cancel came after it.
    expect(o.closedAtMs - o.signalledAtMs).toBeLessThanOrEqual(SIGNAL_RACE_MS)
    return
  }
  // The job's cancel reached the step: its run, if any, has ended or was cancelled (once, above),
  // across the main and the post step.
  if (/before the run request was sent/.test(o.main.stdout)) {
    expect(o.requests.filter(r => r.method === 'POST')).toEqual([])
  }
  if (run) expect(FINAL_STATUSES as readonly string[]).toContain(run.status)
}

/** The requests Buddy received (with their faults), and what each step printed. */
function whatHappened(o: Outcome): string {
  const requests = o.requests.map(
    r =>
      `${r.method} ${r.path}${r.fault ? ` [${r.fault}]` : ''}${r.cancelledRun ? ' (cancelled the run)' : ''}`
  )
  const signal = o.signalledAtMs === undefined ? 'no signal' : `SIGINT at ${o.signalledAtMs} ms`
  return [
    `runs: ${JSON.stringify(o.runs)}; ${signal}; main closed at ${o.closedAtMs} ms (code ${o.main.code}, signal ${o.main.signal})${o.post ? `; post took ${o.postMs} ms (code ${o.post.code})` : ''}`,
    'requests:',
    ...requests.map(line => `  ${line}`),
    'main step:',
    o.main.stdout,
    o.main.stderr,
    ...(o.post ? ['post step:', o.post.stdout, o.post.stderr] : [])
  ].join('\n')
}

function chosenSeeds(): number[] {
  const given = process.env.FAULT_SEEDS
  if (given) {
    return given.split(',').map(text => {
      const seed = Number(text.trim())
      if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
        throw new Error(`FAULT_SEEDS: "${text}" is not a seed (an integer from 0 to 2^32 - 1)`)
      return seed
    })
  }
  const count = process.env.FAULT_CASES ? Number(process.env.FAULT_CASES) : DEFAULT_SEEDS.length
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`FAULT_CASES: "${process.env.FAULT_CASES}" is not a number of cases`)
  if (process.env.FAULT_RANDOM === '1') {
    const source = new Draws(randomInt(2 ** 32))
    const seeds = Array.from({ length: count }, () => source.seed())
    console.log(`FAULT_RANDOM: seeds ${seeds.join(',')} (replay with FAULT_SEEDS=…)`)
    return seeds
  }
  const more = new Draws(SWEEP_SEQUENCE)
  const seeds = DEFAULT_SEEDS.slice(0, count)
  while (seeds.length < count) {
    const seed = more.seed()
    if (!seeds.includes(seed)) seeds.push(seed)
  }
  return seeds
}

const cases = chosenSeeds().map(drawCase)
const concurrency = Number(process.env.FAULT_CONCURRENCY) || DEFAULT_SEEDS.length

/**
 * Cases run side by side (most of their time is waiting for the step), `concurrency` at once;
 * each test awaits its own. Started by the first test, so that only a run of this file starts them.
 */
let outcomes: Map<number, Promise<{ outcome?: Outcome; error?: unknown }>> | undefined
function startCases() {
  if (outcomes) return outcomes
  outcomes = new Map()
  const queue = [...cases]
  const slots: (() => void)[] = []
  let running = 0
  const next = () => {
    running--
    slots.shift()?.()
  }
  for (const k of queue) {
    const started = new Promise<void>(resolve => {
      if (running < concurrency) {
        running++
        resolve()
      } else
        slots.push(() => {
          running++
          resolve()
        })
    })
    outcomes.set(
      k.seed,
      started
        .then(() => runCase(k))
        .then(
          outcome => ({ outcome }),
          error => ({ error })
        )
        .finally(next)
    )
  }
  return outcomes
}

/** A case's own time, and the time it may wait for a slot. */
const caseBudgetMs = (k: Case) => mainBudgetMs(k) + RUNNER_KILL_MS + postBudgetMs(k)
const fileBudgetMs =
  Math.ceil(cases.length / concurrency) * Math.max(...cases.map(caseBudgetMs)) + 10_000

describeWithSignals('seeded random faults through the bundle', () => {
  it.each(cases.map(k => [describeCase(k), k] as const))(
    '%s',
    async (_title, k) => {
      const { outcome, error } = await startCases().get(k.seed)!
      if (error !== undefined) throw error
      try {
        expectInvariants(k, outcome!)
      } catch (failure) {
        // What happened, to tell the failure apart on replay.
        ;(failure as Error).message += `\n\n${whatHappened(outcome!)}`
        throw failure
      }
    },
    fileBudgetMs
  )
})
