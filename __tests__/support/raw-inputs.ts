import { ACTION_DEFAULTS } from './action-inputs.js'
import type { RawInputs } from '../../src/inputs/input-table.js'
import {
  checkSettingsAgainstClock,
  InputError,
  parseSettings,
  type Settings
} from '../../src/inputs/settings.js'

export { action } from './action-inputs.js'

/** The inputs as the runner hands them over: action.yml's defaults, then the step's values. */
export function rawInputs(values: Partial<RawInputs> = {}): RawInputs {
  const defaults = Object.entries(ACTION_DEFAULTS).map(([name, value]) => [
    name,
    value.replace('${{ github.token }}', 'ghs_x')
  ])
  return {
    ...Object.fromEntries(defaults),
    workspace: 'acme',
    project: 'web',
    'pipeline-id': '7',
    ...values
  } as RawInputs
}

/** The clock of every check here: delay-until is judged against it, never the machine's. */
export const NOW = Date.parse('2026-11-28T12:00:00Z')

/** The settings as the main step validates them: parsed, then checked against the clock. */
export function settingsOf(values: Partial<RawInputs> = {}): Settings {
  const settings = parseSettings(rawInputs(values))
  checkSettingsAgainstClock(settings, NOW)
  return settings
}

/** The message of the InputError that the main step's validation throws for these values. */
export function errorOf(values: Partial<RawInputs>): string {
  try {
    settingsOf(values)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error('expected an InputError')
}
