import type { Execution } from '../../src/buddy/model.js'
import type { FollowSettings } from '../../src/inputs/settings.js'
import { startSimulator } from './buddy-simulator.mjs'

export type Simulator = Awaited<ReturnType<typeof startSimulator>>

/** Starts a run of pipeline 1 straight through the simulator's API (not through the action). */
export async function startRunDirectly(sim: Simulator): Promise<Execution> {
  const answer = await fetch(`${sim.url}/workspaces/acme/projects/web/pipelines/1/executions`, {
    method: 'POST',
    headers: { Authorization: 'Bearer sim-token', 'Content-Type': 'application/json' },
    body: JSON.stringify({ to_revision: { revision: 'HEAD' }, branch: { name: 'main' } })
  })
  return (await answer.json()) as Execution
}

/** action.yml's defaults for following a run, as settings. */
export function followDefaults(changes: Partial<FollowSettings> = {}): FollowSettings {
  return {
    wait: true,
    timeoutMs: 3_600_000,
    pollIntervalMs: 10_000,
    cancelOnTimeout: true,
    cancelOnJobCancel: true,
    propagateFailure: true,
    retries: 0,
    onApproval: 'wait',
    logs: 'failed',
    ...changes
  }
}
