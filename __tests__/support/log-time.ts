import { performance } from 'node:perf_hooks'
import { scanningRunAction } from './secret-scan.js'
import { FOLLOWING, PUSH_TO_MAIN, simulatorInputs, simulatorPerTest } from './simulator-per-test.js'

/**
 * What e2e-log-time, e2e-log-slow and e2e-log-hang share: a simulator per test, the step's
 * inputs, a run that goes Build then Deploy, and the step run with how long it followed.
 */

/** Each read moves the run one step: Build, then Deploy, a read or two each. */
export const SCRIPT = [
  { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
  { status: 'INPROGRESS', actions: ['SUCCESSFUL', 'INPROGRESS'] },
  { status: 'SUCCESSFUL', actions: ['SUCCESSFUL', 'SUCCESSFUL'] }
]

export const isStatusRead = (r: { method: string; path: string }) =>
  r.method === 'GET' && /\/executions\/\d+$/.test(r.path)
export const isLogRead = (r: { path: string }) => r.path.includes('/action_executions/')
export const said = (lines: string[], start: string) => lines.filter(l => l.startsWith(start))

export const event = PUSH_TO_MAIN

export function logTimeHarness() {
  const runAction = scanningRunAction()
  const sim = simulatorPerTest()
  const inputs = (extra: Record<string, string>) => simulatorInputs(sim, { ...FOLLOWING, ...extra })

  /**
   * The step run as the runner runs it, with how long it followed: from its "Following run"
   * line to its end. The timeout counts from there (followRun); the run request before it is
   * bounded on its own.
   */
  async function followTimed(extra: Record<string, string>, timeoutMs = 60_000) {
    let followingAt: number | undefined
    let printed = ''
    const result = await runAction({
      inputs: inputs(extra),
      event,
      timeoutMs,
      onStdout: chunk => {
        printed += chunk
        if (followingAt === undefined && printed.includes('Following run #1')) {
          followingAt = performance.now()
        }
      }
    })
    const followedMs = performance.now() - (followingAt ?? Number.NaN)
    const requests = sim.buddyRequests()
    const lastStatusRead = requests.findLastIndex(isStatusRead)
    return {
      result,
      followedMs,
      logReads: requests.filter(isLogRead),
      logReadsAfterTheRun: requests.slice(lastStatusRead + 1).filter(isLogRead),
      lines: result.stdout.split('\n')
    }
  }
  return { runAction, sim, inputs, followTimed }
}
