import { jest } from '@jest/globals'
import { createFakeCore } from '../support/fake-core.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const { failStep } = await import('../../src/report/fail-step.js')

beforeEach(() => fake.reset())

describe('failStep', () => {
  it("fails with an expected failure's message as it is, without a stack", () => {
    class InputError extends Error {
      override name = 'InputError'
    }
    failStep(new InputError('Input "workspace" is required.'))
    expect(fake.record.failed).toBe('Input "workspace" is required.')
    expect(fake.record.log.filter(line => line.startsWith('::debug::'))).toEqual([])
  })

  it('calls a programming error a bug, with its stack in the debug log', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'id')")
    failStep(error)
    expect(fake.record.failed).toBe(
      "Cannot read properties of undefined (reading 'id') (this looks like a bug in the action: please report it with the debug log)"
    )
    expect(fake.record.log).toContain(`::debug::${error.stack}`)
  })

  it('fails with a message even for a thrown value that is no Error', () => {
    failStep('')
    expect(fake.record.failed).toBe(
      'Unexpected error (this looks like a bug in the action: please report it with the debug log)'
    )
  })
})
