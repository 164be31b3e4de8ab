import type { RawInputs } from '../../src/inputs/input-table.js'
import {
  checkSettingsAgainstClock,
  parseSettings,
  type Settings
} from '../../src/inputs/settings.js'
import { errorOf, NOW, rawInputs, settingsOf } from '../support/raw-inputs.js'

describe('defaults from action.yml', () => {
  it('parse into the documented settings', () => {
    const settings = settingsOf()
    expect(settings).toMatchObject({
      allowForkCode: false,
      region: 'US',
      priority: 'NORMAL',
      refresh: false,
      clearCache: false,
      pipeline: { id: 7 },
      variables: [],
      githubToken: 'ghs_x'
    })
    expect(settings.target).toBeUndefined()
    expect(settings.revision).toBeUndefined()
    expect(settings.comment).toBeUndefined()
    expect(settings.apiUrl).toBeUndefined()
  })
})

describe('valid values', () => {
  it.each<[Partial<RawInputs>, (s: Settings) => unknown, unknown]>([
    [
      { 'pipeline-id': '', pipeline: 'deploy-prod' },
      s => s.pipeline,
      { identifier: 'deploy-prod' }
    ],
    [{ 'delay-until': '2026-11-28T12:00:01Z' }, s => s.delayUntil, '2026-11-28T12:00:01.000Z']
  ])('%j', (values, pick, expected) => {
    expect(pick(settingsOf(values))).toEqual(expected)
  })
})

describe('invalid values name the input, the value and what is accepted', () => {
  it.each<[Partial<RawInputs>, RegExp]>([
    [{ 'pipeline-id': '' }, /Give the pipeline: input "pipeline-id" \(a number\) or "pipeline"/],
    [{ pipeline: 'deploy' }, /"pipeline-id" and "pipeline" are both set/],
    [
      { 'execution-id': '42', branch: 'main', variables: 'A=1' },
      /^Input "execution-id" follows a run that exists, so nothing is requested: remove "branch", "variables"\.$/
    ],
    [
      { 'execution-id': '42', 'cancel-previous': 'true' },
      /^Input "execution-id" follows a run that exists, so nothing is requested: remove "cancel-previous"\.$/
    ],
    [
      { 'execution-id': '42', wait: 'true', retries: '2' },
      /^Inputs "execution-id" and "retries" \("2"\) are both set: "retries" re-runs a failed run, and a run this step did not start may be old \(re-running it would deploy its old commit again\)\. Remove "retries", or let this step start the run\.$/
    ],
    [{ branch: 'main', tag: 'v1' }, /"branch" and "tag" are all set: give at most one/],
    [
      { 'delay-until': '2026-11-28T11:00:00Z' },
      /Input "delay-until" \("2026-11-28T11:00:00Z"\) is not valid: expected a time in the future, but it was 1h ago \(now: 2026-11-28T12:00:00\.000Z\)\./
    ],
    [
      { 'delay-until': '2026-11-28T13:30:00+02:00' },
      /"2026-11-28T13:30:00\+02:00"\) is not valid: expected a time in the future, but it was 30m ago/
    ]
  ])('%j', (values, message) => {
    expect(errorOf(values)).toMatch(message)
  })

  it('reports every problem at once', () => {
    const message = errorOf({ region: 'X', priority: 'Y', workspace: '' })
    expect(message.split('\n')).toHaveLength(3)
  })
})

describe('the clock', () => {
  it('plays no part in the parse: the post step reuses it when a delay-until may have passed', () => {
    const settings = parseSettings(rawInputs({ 'delay-until': ' 2026-11-28T13:30:00+02:00 ' }))
    expect(settings.delayUntil).toBe('2026-11-28T11:30:00.000Z')
    expect(settings.delayUntilAsWritten).toBe('2026-11-28T13:30:00+02:00')
    expect(() => checkSettingsAgainstClock(settings, NOW)).toThrow(
      'Input "delay-until" ("2026-11-28T13:30:00+02:00") is not valid: expected a time in the future, but it was 30m ago (now: 2026-11-28T12:00:00.000Z).'
    )
  })

  it('refuses a delay-until that is now, and lets settings without one through', () => {
    expect(errorOf({ 'delay-until': '2026-11-28T12:00:00Z' })).toMatch(
      /^Input "delay-until" \("2026-11-28T12:00:00Z"\) is not valid: expected a time in the future, but it was 0s ago/
    )
    expect(() => checkSettingsAgainstClock(settingsOf(), NOW)).not.toThrow()
  })
})
