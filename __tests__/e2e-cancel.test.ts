/**
 * The job cancelled at every moment, through the committed bundle as the runner starts it: the
 * main step gets SIGINT (then SIGTERM, or SIGTERM alone; the runner kills it after 10 s, here as
 * soon as the scenario needs), then the post step runs with the state the main step saved. In
 * every case: no run, or this step's run cancelled exactly once; and the post step leaves alone
 * a run the user chose to leave going.
 *
 * The main step that gets the signals is always the bundle. The post step is the post bundle
 * in one case of each thing it does: finds a run by its marker and cancels it, waits out the
 * creation window and finds none, cancels a run by its id, finds the run being cancelled and
 * sends no second cancel (a run that has ended: e2e-post-step.test.ts), and leaves a run going
 * where the user chose so (wait: false). Its other cases run in-process (runInProcess:
 * post.ts's runPost(), what the post bundle calls), as do the main steps that no job cancel
 * reaches (a sibling's, a run left going).
 */
import {
  simulatorPerTest,
  PUSH_TO_MAIN,
  stepInputs,
  FOLLOWING,
  SHA
} from './support/simulator-per-test.js'
import type { ChildProcess } from 'node:child_process'
import { describeWithSignals } from './support/signals.js'
import { scanningRunAction } from './support/secret-scan.js'
import { scanningRunStep } from './support/run-in-process.js'

const runAction = scanningRunAction()
const runStep = scanningRunStep()

const sim = simulatorPerTest({
  twoActions: false,
  configure: started => {
    started.config.statusScript = Array(1000).fill('INPROGRESS')
  }
})

const event = PUSH_TO_MAIN
const inputs = (extra: Record<string, string> = {}) => stepInputs(sim, { ...FOLLOWING, ...extra })
const posts = () => sim.requests.filter(r => r.method === 'POST')
const cancels = () => sim.requests.filter(r => r.method === 'PATCH')
const runs = () => sim.executions(1)

/** Resolves once `condition` holds; polls the simulator's record (no fixed sleep decides a result). */
async function until(condition: () => boolean, what: string, budgetMs = 20_000) {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > budgetMs) throw new Error(`Timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/**
 * Runs the main step, cancelling the job when its output shows `when`: `signals` are sent in
 * order, the later ones a moment apart; `kill` then kills it (the runner's last resort), after
 * `beforeKill` holds.
 */
async function mainStep(
  withInputs: Record<string, string>,
  when: string,
  options: {
    signals?: NodeJS.Signals[]
    kill?: boolean
    beforeKill?: () => boolean
    /** Once the step has said it received the signal. */
    thenAfterwards?: () => void
  } = {}
) {
  let cancelled = false
  let acknowledged = false
  // What the step printed so far: a line may come split over two chunks.
  let printed = ''
  const result = await runAction({
    inputs: withInputs,
    event,
    onStdout: (chunk: string, child: ChildProcess) => {
      printed += chunk
      if (
        cancelled &&
        !acknowledged &&
        /Received SIG\w+: the job is being cancelled/.test(printed)
      ) {
        acknowledged = true
        options.thenAfterwards?.()
      }
      if (cancelled || !printed.includes(when)) return
      cancelled = true
      const [first, ...later] = options.signals ?? ['SIGINT', 'SIGTERM']
      child.kill(first)
      later.forEach((signal, i) => setTimeout(() => child.kill(signal), 50 * (i + 1)))
      if (options.kill) {
        void until(options.beforeKill ?? (() => true), 'the moment to kill').then(() =>
          child.kill('SIGKILL')
        )
      }
    }
  })
  expect(cancelled).toBe(true)
  return result
}

/**
 * The post step after a cancelled job, with the main step's state: in-process unless `runner`
 * is runAction (the post bundle, as the runner starts it).
 */
function postStep(
  main: Awaited<ReturnType<typeof runAction>>,
  withInputs: Record<string, string>,
  runner = runStep
) {
  return runner({ inputs: withInputs, event, state: main.state, entry: 'dist/post/index.js' })
}

describeWithSignals('the job cancelled before the run request', () => {
  it('ends the step at once, sends no run request, and the post step does nothing', async () => {
    sim.fault({ method: 'GET', path: /\/pipelines\/1$/, kind: 'hang' })
    const main = await mainStep(inputs(), 'What to run')
    expect(main.code).toBe(1)
    expect(main.errors.join('\n')).toMatch(
      /The job was cancelled \(SIGINT\) before the run request was sent: no Buddy run was started/
    )
    expect(main.state['run-settled']).toBe('no-run')
    sim.requests.length = 0
    const post = await postStep(main, inputs())
    expect(post.code).toBe(0)
    expect(post.stdout).toContain('No Buddy run was started: nothing to cancel.')
    expect(sim.requests).toHaveLength(0)
    expect(runs()).toHaveLength(0)
  })
})

describeWithSignals('the job cancelled while the run request is in flight', () => {
  it('answer arrives late: the main step cancels the run once, the post step nothing more', async () => {
    // Buddy creates the run at once; its answer is held until the step has had the signal.
    sim.fault({ method: 'POST', kind: 'gate' })
    const main = await mainStep(inputs(), 'POST http', { thenAfterwards: () => sim.release() })
    expect(main.code).toBe(1)
    expect(main.errors.join('\n')).toMatch(
      /The job was cancelled while Buddy run #1 was INPROGRESS\. It was cancelled in Buddy \(now TERMINATED\)/
    )
    expect(main.stdout).not.toContain('Following run #1')
    expect(cancels()).toHaveLength(1)
    expect(main.state['run-settled']).toBe('cancelled')
    const post = await postStep(main, inputs())
    expect(post.stdout).toContain('The main step already cancelled the Buddy run.')
    expect(cancels()).toHaveLength(1)
    expect(runs()).toHaveLength(1)
    expect(runs()[0].status).toBe('TERMINATED')
  })

  it('with wait: false too: the run the cancelled step started is cancelled', async () => {
    sim.fault({ method: 'POST', kind: 'gate' })
    const main = await mainStep(inputs({ wait: 'false' }), 'POST http', {
      thenAfterwards: () => sim.release()
    })
    expect(main.code).toBe(1)
    expect(cancels()).toHaveLength(1)
    expect(runs()[0].status).toBe('TERMINATED')
    await postStep(main, inputs({ wait: 'false' }))
    expect(cancels()).toHaveLength(1)
  })

  it('answer never arrives (killed): the post step finds the run by its marker, cancels it once', async () => {
    sim.fault({ method: 'POST', kind: 'hang', stage: 'after' })
    const main = await mainStep(inputs(), 'POST http', {
      kill: true,
      beforeKill: () => runs().length === 1
    })
    expect(main.signal).toBe('SIGKILL')
    expect(main.state['followed-run']).toBeUndefined()
    const pending = JSON.parse(main.state['pending-run'] ?? '{}') as { marker: string }
    expect(runs()[0].body.comment).toContain(pending.marker)
    expect(cancels()).toHaveLength(0)
    const post = await postStep(main, inputs(), runAction)
    expect(post.code).toBe(0)
    expect(post.stdout).toContain("Found Buddy run #1 by this step's marker.")
    expect(post.stdout).toContain('The job was cancelled: cancelled Buddy run #1.')
    expect(cancels()).toHaveLength(1)
    expect(runs()[0].status).toBe('TERMINATED')
  })

  it("leaves a sibling's run alone: the post step cancels only its own", async () => {
    // Another job's run on the same pipeline, commit and branch, with its own marker.
    const sibling = await runStep({ inputs: inputs({ wait: 'false' }), event })
    expect(sibling.code).toBe(0)
    sim.requests.length = 0
    sim.fault({ method: 'POST', kind: 'hang', stage: 'before' })
    // A short request limit: Buddy may create a run until 3 s after the request (3 limits).
    const short = inputs({ 'request-timeout': '1s' })
    const main = await mainStep(short, 'POST http', {
      kill: true,
      beforeKill: () => posts().length === 1
    })
    expect(runs()).toHaveLength(1)
    const post = await postStep(main, short, runAction)
    expect(post.stdout).toMatch(
      /No Buddy run carries this step's marker .*, 3s after the run request: it created none/
    )
    expect(cancels()).toHaveLength(0)
    expect(runs()[0].status).toBe('INPROGRESS')
  })
})

describeWithSignals('the job cancelled while the run request waits', () => {
  it.each<[string, () => void, string]>([
    [
      'for Buddy to know the revision',
      () => sim.setUnknownRevision(SHA, 1000),
      'does not know revision'
    ],
    [
      'out a 429',
      () => sim.fault({ method: 'POST', kind: '429', retryAfter: '30' }),
      'rate limit was reached'
    ]
  ])('%s: stops at once, no run, nothing for the post step', async (_name, arrange, when) => {
    arrange()
    const main = await mainStep(inputs(), when)
    expect(main.code).toBe(1)
    expect(main.errors.join('\n')).toMatch(
      /The job was cancelled before Buddy created a run: no run was started/
    )
    expect(main.state['run-settled']).toBe('no-run')
    sim.requests.length = 0
    await postStep(main, inputs())
    expect(sim.requests).toHaveLength(0)
    expect(runs()).toHaveLength(0)
  })
})

describeWithSignals('the job cancelled once the run exists', () => {
  it('right after the run starts, before the follow loop: cancelled once', async () => {
    const main = await mainStep(inputs(), 'Buddy run #1 (')
    expect(main.code).toBe(1)
    expect(cancels()).toHaveLength(1)
    await postStep(main, inputs())
    expect(cancels()).toHaveLength(1)
    expect(runs()[0].status).toBe('TERMINATED')
  })

  it('right after the run starts, killed at once: the post step cancels it by its id', async () => {
    const main = await mainStep(inputs(), 'Buddy run #1 (', { signals: ['SIGKILL'] })
    expect(main.signal).toBe('SIGKILL')
    expect(cancels()).toHaveLength(0)
    const post = await postStep(main, inputs(), runAction)
    expect(post.stdout).toContain('The job was cancelled: cancelled Buddy run #1.')
    expect(cancels()).toHaveLength(1)
  })

  it('SIGTERM alone, twice, while following: cancelled once', async () => {
    const main = await mainStep(inputs(), 'Following run #1', { signals: ['SIGTERM', 'SIGTERM'] })
    expect(main.code).toBe(1)
    expect(main.signal).toBeNull()
    expect(cancels()).toHaveLength(1)
    await postStep(main, inputs())
    expect(cancels()).toHaveLength(1)
  })

  it('with cancel-on-job-cancel: false: the run keeps going, and so does the post step', async () => {
    const withInputs = inputs({ 'cancel-on-job-cancel': 'false' })
    const main = await mainStep(withInputs, 'Following run #1')
    expect(main.code).toBe(1)
    expect(main.state['pending-run']).toBeUndefined()
    await postStep(main, withInputs)
    expect(cancels()).toHaveLength(0)
    expect(runs()[0].status).toBe('INPROGRESS')
  })
})

describeWithSignals('the main step killed during its own cancel', () => {
  async function killedMidCancel(stage: 'before' | 'after') {
    // The cancel's answer never comes back: Buddy got it (after) or not (before).
    sim.fault({ method: 'PATCH', kind: 'gate', stage })
    const main = await mainStep(inputs(), 'Following run #1', {
      kill: true,
      beforeKill: () => cancels().length === 1
    })
    expect(main.signal).toBe('SIGKILL')
    expect(main.state['cancel-sent']).toBe('true')
    expect(main.state['run-settled']).toBeUndefined()
    return main
  }

  it('Buddy got it and is still terminating: the post step sends no second cancel', async () => {
    const main = await killedMidCancel('after')
    Object.assign(runs()[0], { status: 'TERMINATING', script: [] })
    const post = await postStep(main, inputs(), runAction)
    expect(post.stdout).toContain('Buddy run #1 is being cancelled already (TERMINATING).')
    expect(cancels()).toHaveLength(1)
  })

  it('Buddy got it and the run has ended: the post step sends no second cancel', async () => {
    const main = await killedMidCancel('after')
    expect(runs()[0].status).toBe('TERMINATED')
    const post = await postStep(main, inputs())
    expect(post.stdout).toContain('Buddy run #1 has ended (TERMINATED): nothing to cancel.')
    expect(cancels()).toHaveLength(1)
  })

  it('Buddy never got it: the post step cancels the run', async () => {
    const main = await killedMidCancel('before')
    expect(runs()[0].status).toBe('INPROGRESS')
    const post = await postStep(main, inputs(), runAction)
    expect(post.stdout).toContain('The job was cancelled: cancelled Buddy run #1.')
    expect(runs()[0].status).toBe('TERMINATED')
  })
})

describe('the post step leaves a run going where the user chose so', () => {
  it.each<[string, Record<string, string>, () => void, RegExp]>([
    ['wait: false', { wait: 'false' }, () => undefined, /\(wait: false\)/],
    [
      'cancel-on-timeout: false, after the timeout',
      { timeout: '2s', 'cancel-on-timeout': 'false' },
      () => undefined,
      /\(cancel-on-timeout: false\)/
    ],
    [
      'on-approval: fail',
      { 'on-approval': 'fail' },
      () => (sim.config.statusScript = Array(1000).fill('WAITING_FOR_APPLY')),
      /\(on-approval: fail\)/
    ]
  ])('%s', async (_name, extra, arrange, why) => {
    arrange()
    const withInputs = inputs(extra)
    const main = await runStep({ inputs: withInputs, event })
    expect(main.outputs['execution-id']).toBe('1')
    // One of them through the post bundle.
    const post = await postStep(main, withInputs, extra.wait === 'false' ? runAction : runStep)
    expect(post.code).toBe(0)
    expect(post.stdout).toMatch(why)
    expect(cancels()).toHaveLength(0)
    expect(runs()[0].status).not.toBe('TERMINATED')
  })
})
