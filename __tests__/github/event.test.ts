import { jest } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFakeCore } from '../support/fake-core.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const { readEventContext } = await import('../../src/github/event.js')

let dir: string
beforeEach(() => {
  fake.reset()
  dir = mkdtempSync(join(tmpdir(), 'event-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('readEventContext', () => {
  it("reads the event's name, payload, ref and commit as the runner gives them", () => {
    const path = join(dir, 'event.json')
    writeFileSync(path, JSON.stringify({ ref: 'refs/heads/main', after: 'abc' }))
    expect(
      readEventContext({
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: path,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_SHA: 'abc'
      })
    ).toEqual({
      eventName: 'push',
      payload: { ref: 'refs/heads/main', after: 'abc' },
      ref: 'refs/heads/main',
      sha: 'abc'
    })
  })

  it('goes on with an empty payload, and a warning, when the payload cannot be read', () => {
    const path = join(dir, 'missing.json')
    expect(readEventContext({ GITHUB_EVENT_PATH: path, GITHUB_REF: '' })).toEqual({
      eventName: '',
      payload: {},
      ref: undefined,
      sha: undefined
    })
    expect(fake.record.log).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::warning::Cannot read the event payload at ${path.replace(/[.\\/]/g, '\\$&')}: ENOENT`
        )
      )
    ])
  })
})
