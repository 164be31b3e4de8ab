/**
 * Hostile input, property-based (fast-check): whatever a user pastes into any input, the action
 * sends a request of the API's shape or fails with a message that names the input; it never
 * throws anything else, and never echoes a value where the runner would read a command.
 */
import { jest } from '@jest/globals'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { createFakeCore } from './support/fake-core.js'
import { fakeClock } from './support/fake-clock.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const { run } = await import('../src/main.js')
const { InputError, parseSettings } = await import('../src/inputs/settings.js')
const { INPUT_NAMES } = await import('../src/inputs/input-table.js')
const { BuddyClient, pipelinePath } = await import('../src/buddy/client.js')
const { startSimulator } = await import('./support/buddy-simulator.mjs')
const { runAction } = await import('./support/run-action.mjs')

type Raw = Record<(typeof INPUT_NAMES)[number], string>
const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: string }>
}
const valid = (): Raw =>
  ({
    ...Object.fromEntries(
      Object.entries(action.inputs).map(([k, v]) => [
        k,
        v.default === undefined ? '' : String(v.default)
      ])
    ),
    'github-token': 'ghs_x',
    workspace: 'acme',
    project: 'web',
    'pipeline-id': '1'
  }) as Raw

/** Strings users paste by mistake, and strings an attacker would try. */
const NASTY = [
  '',
  ' ',
  '\t\n',
  '..',
  '../..',
  '/',
  '?',
  '#',
  '%2e%2e',
  '%2F',
  'a/../b',
  'a?x=1',
  'a#b',
  '\r\n::set-output name=x::y',
  '::set-output name=x::y',
  '::add-mask::x',
  '##[set-output name=x;]y',
  '${{ secrets.TOKEN }}',
  '$(id)',
  '`id`',
  '\u0000',
  '\u202e',
  'аcme',
  'ＡＣＭＥ',
  'x'.repeat(5000),
  '-1',
  '0',
  '1e3',
  '9'.repeat(40),
  '1.5',
  'NaN',
  'true\n',
  'HEAD~1',
  'refs/heads/',
  'A=1\nA=2',
  '=value',
  '2026-13-45T99:99:99Z'
]
const hostile = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.tuple(fc.constantFrom(...NASTY), fc.string({ maxLength: 20 })).map(([a, b]) => `${a}${b}`),
  fc
    .array(fc.constantFrom(...NASTY, 'KEY=value', 'x'), { maxLength: 4 })
    .map(parts => parts.join('\n'))
)

/** The runner cannot pass a NUL byte in an environment variable, so no input can hold one. */
const deliverable = hostile.map(value => value.split(String.fromCharCode(0)).join(''))

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
  let sim: Awaited<ReturnType<typeof startSimulator>>
  beforeAll(async () => {
    sim = await startSimulator()
  })
  afterAll(async () => {
    await sim.close()
  })

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
        for (const line of fake.record.infoLines) {
          expect(line.trimStart().startsWith('::')).toBe(false)
          expect(line).not.toContain('##[')
        }
      }),
      { numRuns: 40 }
    )
  })
})

describe('the bundle, spawned as the runner does, on hostile input', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>
  beforeAll(async () => {
    sim = await startSimulator()
  })
  afterAll(async () => {
    await sim.close()
  })

  it('fails with an annotation naming the input, never a crash or a stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...INPUT_NAMES.filter(n => !['token', 'api-url'].includes(n))),
        deliverable,
        async (name, value) => {
          const result = await runAction({
            inputs: {
              token: 'sim-token',
              'api-url': sim.url,
              workspace: 'acme',
              project: 'web',
              'pipeline-id': '1',
              [name]: value
            }
          })
          expect(result.stderr).toBe('')
          expect([0, 1]).toContain(result.code)
          expect(result.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
          expect(result.stdout).not.toContain('looks like a bug')
          if (result.code === 1) {
            expect(result.errors).toHaveLength(1)
            expect(result.errors[0]).toMatch(/^::error::.{20,}/)
          }
        }
      ),
      // Each run spawns the bundle (~0.2 s of CPU): 25 of them need far more than jest's 5 s on
      // a loaded 2-core machine.
      { numRuns: 25 }
    )
    // 25 spawns of the bundle: generous on a loaded 2-core machine (each takes ~0.2 s idle).
  }, 180_000)
})
