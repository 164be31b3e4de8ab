/**
 * Hostile input, property-based (fast-check): whatever a user pastes into any input, the action
 * sends a request of the API's shape or fails with a message that names the input; it never
 * throws anything else, and never echoes a value where the runner would read a command.
 */
import { jest } from '@jest/globals'
import fc from 'fast-check'
import { createFakeCore } from './support/fake-core.js'
import { ACTION_DEFAULTS } from './support/action-inputs.js'
import { fakeClock } from './support/fake-clock.js'
import { hostile } from './support/hostile-values.js'
import { simulatorForAll } from './support/simulator-per-test.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const { run } = await import('../src/main.js')
const { InputError, parseSettings } = await import('../src/inputs/settings.js')
const { INPUT_NAMES } = await import('../src/inputs/input-table.js')
const { BuddyClient, pipelinePath } = await import('../src/buddy/client.js')

type Raw = Record<(typeof INPUT_NAMES)[number], string>
const valid = (): Raw =>
  ({
    ...ACTION_DEFAULTS,
    'github-token': 'ghs_x',
    workspace: 'acme',
    project: 'web',
    'pipeline-id': '1'
  }) as Raw

// One seed, so that CI is repeatable; FC_SEED=<n> explores others.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261127) })

const API_PATH = /^\/workspaces\/[A-Za-z0-9_.-]+\/projects\/[A-Za-z0-9_.-]+\/pipelines\/\d+$/

describe('every input, any string', () => {
  it.each(INPUT_NAMES.map(name => [name]))(
    '%s: valid settings, or an InputError that names it',
    name => {
      fc.assert(
        fc.property(hostile, value => {
          const raw = { ...valid(), [name]: value }
          let settings
          try {
            settings = parseSettings(raw)
          } catch (error) {
            expect(error).toBeInstanceOf(InputError)
            expect((error as Error).message).toContain(`"${name}"`)
            return
          }
          // Accepted: every request it leads to keeps the API's shape.
          const ref = {
            workspace: settings.workspace,
            project: settings.project,
            pipelineId: 'id' in settings.pipeline ? settings.pipeline.id : 1
          }
          expect(pipelinePath(ref)).toMatch(API_PATH)
          expect(Number.isSafeInteger(ref.pipelineId) && ref.pipelineId > 0).toBe(true)
          if (!('id' in settings.pipeline)) {
            const client = new BuddyClient({
              baseUrl: new URL('https://api.buddy.works'),
              clock: fakeClock(),
              log: fake.module
            })
            const url = new URL(
              client.url(
                `/workspaces/${ref.workspace}/identifiers?${new URLSearchParams({ project: ref.project, pipeline: settings.pipeline.identifier })}`
              )
            )
            expect(url.pathname).toBe(`/workspaces/${ref.workspace}/identifiers`)
            expect(url.searchParams.get('pipeline')).toBe(settings.pipeline.identifier)
            expect(url.host).toBe('api.buddy.works')
          }
          for (const id of settings.actionsToRun ?? [])
            expect(Number.isSafeInteger(id) && id > 0).toBe(true)
          if (settings.delayUntil)
            expect(new Date(settings.delayUntil).toISOString()).toBe(settings.delayUntil)
          expect(settings.follow.timeoutMs).toBeGreaterThan(0)
          expect(settings.follow.pollIntervalMs).toBeGreaterThanOrEqual(1000)
        }),
        { numRuns: 150 }
      )
    }
  )
})

describe('nothing from an input is echoed where the runner reads commands', () => {
  const sim = simulatorForAll()

  const echoed = [
    'branch',
    'tag',
    'comment',
    'variables',
    'pipeline',
    'revision',
    'pull-request',
    'delay-until'
  ] as const

  it.each(echoed.map(name => [name]))('%s', async name => {
    await fc.assert(
      fc.asyncProperty(hostile, async value => {
        fake.reset()
        fake.record.inputs = { ...valid(), 'api-url': sim.url, token: 'sim-token', [name]: value }
        const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
        try {
          await run({
            env: {
              GITHUB_EVENT_NAME: 'push',
              GITHUB_REF: 'refs/heads/main',
              GITHUB_SHA: 'a'.repeat(40)
            },
            clock: fakeClock(Date.now()),
            requestTimeoutMs: 500
          })
        } catch (error) {
          expect(['InputError', 'RunTargetError', 'BuddyApiError']).toContain((error as Error).name)
        } finally {
          write.mockRestore()
        }
        // run() fails the step itself; a failure is one the action means, never a bug.
        expect(fake.record.failed ?? '').not.toMatch(/looks like a bug/)
        // One assertion for all the lines (an expect per line was most of this file's time).
        expect(
          fake.record.infoLines.filter(
            line => line.trimStart().startsWith('::') || line.includes('##[')
          )
        ).toEqual([])
      }),
      { numRuns: 40 }
    )
  })
})
