/**
 * retries, end to end: the committed bundle retries a FAILED run with Buddy's RETRY (the
 * simulator re-runs it from the failed action) and follows it again; TERMINATED is never retried.
 */
import { scanningRunAction, SPAWNS_BUDGET_MS } from './support/secret-scan.js'
import { followingStepPerTest } from './support/simulator-per-test.js'

const runAction = scanningRunAction()

const { sim, event, inputs } = followingStepPerTest()
const patches = () => sim.requests.filter(r => r.method === 'PATCH')

describe('retries', () => {
  it(
    'retries a FAILED run in place and reports the attempts when the retry succeeds',
    async () => {
      sim.config.statusScript = 'FAILED'
      const result = await runAction({ inputs: inputs({ retries: '2' }), event })
      expect(result.code).toBe(0)
      expect(patches().map(r => r.body)).toEqual([{ operation: 'RETRY' }])
      expect(sim.executions(1)).toHaveLength(1)
      expect(result.outputs).toMatchObject({
        'execution-id': '1',
        status: 'SUCCESSFUL',
        attempts: '2',
        'failed-actions': ''
      })
      expect(result.stdout).toContain(
        "Run #1 ended FAILED on attempt 1 (failed actions: Deploy): retrying it with Buddy's RETRY (retry 1 of 2)."
      )
      // The failed attempt's log tail, printed before the retry runs the action again.
      expect(result.stdout).toContain('::group::Log of Deploy (FAILED)')
      expect(result.stdout).toContain(
        "Retried with Buddy's RETRY: attempt 1 FAILED (Deploy), attempt 2 SUCCESSFUL."
      )
      expect(result.summary).toContain('Buddy run #1: SUCCESSFUL')
      expect(result.summary).toContain('attempt 1 FAILED &#40;Deploy&#41;, attempt 2 SUCCESSFUL')
      expect(result.state['run-settled']).toBe('ended')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'takes a stale FAILED after the RETRY for Buddy not having restarted yet: one RETRY per failure',
    async () => {
      // Buddy answers the RETRY, and the next two status reads, with the failed attempt as it
      // ended; the run goes again only after that.
      sim.config.statusScript = 'FAILED'
      sim.config.staleReadsAfterRetry = 2
      const result = await runAction({ inputs: inputs({ retries: '3' }), event })
      expect(result.code).toBe(0)
      expect(patches().map(r => r.body)).toEqual([{ operation: 'RETRY' }])
      expect(result.outputs).toMatchObject({ status: 'SUCCESSFUL', attempts: '2' })
      expect(result.stdout).toContain(
        "Buddy still shows run #1's retried attempt as FAILED: waiting for the retry to start."
      )
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'a stale FAILED after the RETRY until the timeout: reported timed out and cancelled, never retried twice',
    async () => {
      sim.config.statusScript = 'FAILED'
      sim.config.staleReadsAfterRetry = 1000
      const result = await runAction({ inputs: inputs({ retries: '3', timeout: '6s' }), event })
      expect(result.code).toBe(1)
      // The run may be going again (the RETRY went out): the timeout cancels it.
      expect(patches().map(r => r.body)).toEqual([{ operation: 'RETRY' }, { operation: 'CANCEL' }])
      expect(result.outputs).toMatchObject({ 'timed-out': 'true', attempts: '2' })
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'stops after the retries it was given, failing with the last attempt',
    async () => {
      sim.config.statusScript = 'FAILED'
      sim.config.retryScripts = ['FAILED', 'FAILED']
      const result = await runAction({ inputs: inputs({ retries: '1' }), event })
      expect(result.code).toBe(1)
      expect(patches().map(r => r.body)).toEqual([{ operation: 'RETRY' }])
      expect(result.outputs).toMatchObject({ status: 'FAILED', attempts: '2' })
      expect(result.errors.join('\n')).toMatch(
        /Buddy run #1 ended FAILED on attempt 2 after \d+s; failed actions: Deploy\./
      )
      expect(result.stdout).toContain(
        "Retried with Buddy's RETRY: attempt 1 FAILED (Deploy), attempt 2 FAILED."
      )
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'never retries a TERMINATED run',
    async () => {
      sim.config.statusScript = 'TERMINATED'
      const result = await runAction({ inputs: inputs({ retries: '3' }), event })
      expect(result.code).toBe(1)
      expect(patches()).toHaveLength(0)
      expect(result.outputs).toMatchObject({ status: 'TERMINATED', attempts: '1' })
      expect(result.stdout).not.toContain('Retried')
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'does not retry by default',
    async () => {
      sim.config.statusScript = 'FAILED'
      const result = await runAction({ inputs: inputs(), event })
      expect(result.code).toBe(1)
      expect(patches()).toHaveLength(0)
      expect(result.outputs).toMatchObject({ status: 'FAILED', attempts: '1' })
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'sends a RETRY that failed only once, and says why the run stays FAILED',
    async () => {
      sim.config.statusScript = 'FAILED'
      sim.fault({ method: 'PATCH', kind: '500' })
      const result = await runAction({ inputs: inputs({ retries: '2' }), event })
      expect(result.code).toBe(1)
      expect(patches()).toHaveLength(1)
      expect(sim.executions(1)[0]!.status).toBe('FAILED')
      expect(result.outputs).toMatchObject({ status: 'FAILED', attempts: '1' })
      expect(result.warnings.join('\n')).toContain('Could not retry run #1:')
      expect(result.stdout).toContain("Retried with Buddy's RETRY: none sent. The retry could not")
    },
    SPAWNS_BUDGET_MS
  )

  it(
    'refuses retries without wait, before any request',
    async () => {
      const result = await runAction({ inputs: inputs({ wait: 'false', retries: '2' }), event })
      expect(result.code).toBe(1)
      expect(result.errors.join('\n')).toContain(
        'Input "retries" ("2") needs "wait: true": only a followed run is seen to fail and retried.'
      )
      expect(sim.buddyRequests()).toHaveLength(0)
    },
    SPAWNS_BUDGET_MS
  )
})
