/**
 * Hostile input, property-based (fast-check), with the step started whole: whatever a user pastes
 * into an input, the step ends green or with one annotation, never a crash, a stack trace or
 * anything on stderr. A few runs spawn the bundle as the runner does; the many run the same step
 * in-process (support/run-in-process.ts: main.ts's run(), the real @actions/core), which costs
 * milliseconds instead of a quarter of a CPU-second each. (Moved from hostile-input.test.ts,
 * which mocks @actions/core.)
 */
import fc from 'fast-check'
import { actionDefaults, runAction } from './support/run-action.mjs'
import { runInProcess } from './support/run-in-process.js'
import { deliverable } from './support/hostile-values.js'
import { simulatorForAll, simulatorInputs } from './support/simulator-per-test.js'

// One seed, so that CI is repeatable; FC_SEED=<n> explores others.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261127) })

/** Every input of action.yml but the two that point the step at the simulator. */
const INPUT_NAMES = Object.keys(actionDefaults()).filter(n => !['token', 'api-url'].includes(n))

describe('the bundle, spawned as the runner does, on hostile input', () => {
  const sim = simulatorForAll()

  /** The property both ways of starting the step must keep. */
  const startedOnHostileInput = (runner: typeof runAction, numRuns: number) =>
    fc.assert(
      fc.asyncProperty(fc.constantFrom(...INPUT_NAMES), deliverable, async (name, value) => {
        const result = await runner({
          inputs: simulatorInputs(sim, { [name]: value })
        })
        expect(result.stderr).toBe('')
        expect([0, 1]).toContain(result.code)
        expect(result.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
        expect(result.stdout).not.toContain('looks like a bug')
        if (result.code === 1) {
          expect(result.errors).toHaveLength(1)
          expect(result.errors[0]).toMatch(/^::error::.{20,}/)
        }
      }),
      { numRuns }
    )

  it('fails with an annotation naming the input, never a crash or a stack trace', async () => {
    // Each run spawns the bundle (~0.25 s of CPU): a few, for what only the bundle can show
    // (its stderr, its exit); the many are the same step in-process, below.
    await startedOnHostileInput(runAction, 6)
  }, 120_000)

  it("in-process (main.ts's run(), the real @actions/core): the same, on many more values", async () => {
    await startedOnHostileInput(runInProcess, 40)
  }, 60_000)
})
