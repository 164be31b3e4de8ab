/**
 * The wait loop in virtual time: followRun with an injected clock, against the simulator
 * answering by that same clock, so that an hour-long run costs seconds. Bundled by
 * scripts/bench.mjs with ncc (the benchmark runs on plain Node.js, without a TypeScript loader).
 */
import type { Clock } from '../../src/base/clock.js'
import { BuddyClient } from '../../src/buddy/client.js'
import { followRun } from '../../src/follow/follow-run.js'
import { parseDuration } from '../../src/inputs/duration.js'
import type { FollowSettings } from '../../src/inputs/settings.js'
import { startSimulator } from '../../__tests__/support/buddy-simulator.mjs'
import { followDefaults, startRunDirectly } from '../../__tests__/support/simulator.js'

export interface FollowFigures {
  runMs: number
  pollIntervalMs: number
  /** From the run's end to the moment the action knew it. */
  noticedAfterMs: number
  statusReads: number
  allRequests: number
  /** Reads sent while a 429's Retry-After was pending (must be 0). */
  readsDuringRetryAfter: number
  /** Action log requests in all, and the most sent after one status read. */
  logRequests: number
  mostLogRequestsPerRead: number
  /** The actions of the simulator's pipeline (all of them run throughout a run by the clock). */
  actions: number
}

export async function measureFollow(
  runMs: number,
  pollInterval = '10s',
  with429 = false,
  logs: FollowSettings['logs'] = 'failed'
): Promise<FollowFigures> {
  let now = Date.parse('2026-11-27T12:00:00Z')
  const clock: Clock = {
    now: () => now,
    random: Math.random,
    async sleep(ms: number) {
      now += ms
    }
  }
  const pollIntervalMs = parseDuration(pollInterval) as number
  const sim = await startSimulator({ now: clock.now, runDurationMs: runMs })
  try {
    const quiet = { debug: () => undefined, info: () => undefined, warning: () => undefined }
    const client = new BuddyClient({
      baseUrl: new URL(sim.url),
      token: 'sim-token',
      clock,
      log: quiet
    })
    const started = await startRunDirectly(sim)
    const endsAt = now + runMs
    const before = sim.requests.length
    // A 429 with Retry-After: 30 on the third read: no read may come before it has passed.
    let retryUntil = Number.POSITIVE_INFINITY
    let readsDuringRetryAfter = 0
    if (with429)
      sim.fault({ method: 'GET', path: '/executions/1', kind: '429', retryAfter: '30', times: 1 })
    const read = client.getExecution.bind(client)
    client.getExecution = async (...args) => {
      if (now < retryUntil && retryUntil !== Number.POSITIVE_INFINITY) readsDuringRetryAfter++
      try {
        return await read(...args)
      } catch (error) {
        if ((error as { status?: number }).status === 429) retryUntil = now + 30_000
        throw error
      }
    }
    const report = await followRun(
      started,
      followDefaults({ timeoutMs: runMs + 3_600_000, pollIntervalMs, logs }),
      {
        client,
        ref: { workspace: 'acme', project: 'web', pipelineId: 1 },
        clock,
        out: {
          ...quiet,
          printUntrusted: () => undefined,
          printUntrustedLines: () => undefined,
          startGroup: () => undefined,
          endGroup: () => undefined
        }
      }
    )
    if (report.execution.status !== 'SUCCESSFUL')
      throw new Error(`run ended ${report.execution.status}`)
    const requests = sim.requests.slice(before)
    const isStatusRead = (r: { method: string; path: string }) =>
      r.method === 'GET' && /\/executions\/\d+$/.test(r.path)
    // Log requests between one status read and the next.
    const perRead = [0]
    for (const r of requests) {
      if (isStatusRead(r)) perRead.push(0)
      else if (r.path.endsWith('/logs')) perRead[perRead.length - 1]! += 1
    }
    return {
      runMs,
      pollIntervalMs,
      noticedAfterMs: now - endsAt,
      statusReads: requests.filter(isStatusRead).length,
      allRequests: requests.length,
      readsDuringRetryAfter,
      logRequests: requests.filter(r => r.path.endsWith('/logs')).length,
      mostLogRequestsPerRead: Math.max(...perRead),
      actions: started.action_executions?.length ?? 0
    }
  } finally {
    await sim.close()
  }
}
