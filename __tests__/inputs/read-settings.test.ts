import { jest } from '@jest/globals'
import { createFakeCore } from '../support/fake-core.js'
import { ACTION_DEFAULTS } from '../support/action-inputs.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const { readSettings } = await import('../../src/inputs/read-settings.js')

const defaults = ACTION_DEFAULTS

beforeEach(() => fake.reset())

describe('readSettings', () => {
  it('masks the secrets before parsing, and keeps the spacing of the untrimmed inputs', () => {
    fake.record.inputs = {
      ...defaults,
      'github-token': 'ghs_token',
      token: ' bdy_token ',
      workspace: ' acme ',
      project: 'web',
      'pipeline-id': '7',
      comment: '  Deploy  ',
      'secret-variables': 'PASSWORD=hunter2-long'
    }
    const settings = readSettings()
    expect(fake.record.secrets).toEqual(expect.arrayContaining(['bdy_token', 'hunter2-long']))
    expect(settings.token).toBe('bdy_token')
    expect(settings.workspace).toBe('acme')
    expect(settings.comment).toBe('  Deploy  ')
  })

  it('masks the secrets even when the inputs are not valid', () => {
    fake.record.inputs = { ...defaults, token: 'bdy_token', workspace: '' }
    expect(() => readSettings()).toThrow(/Input "workspace" is required/)
    expect(fake.record.secrets).toContain('bdy_token')
  })
})
