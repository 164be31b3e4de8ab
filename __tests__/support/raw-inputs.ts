import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import type { RawInputs } from '../../src/inputs/input-table.js'
import {
  checkSettingsAgainstClock,
  InputError,
  parseSettings,
  type Settings
} from '../../src/inputs/settings.js'

/** action.yml's inputs, read with a real YAML parser. */
export const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>
}

/** The inputs as the runner hands them over: action.yml's defaults, then the step's values. */
export function rawInputs(values: Partial<RawInputs> = {}): RawInputs {
  const defaults = Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [
      name,
      spec.default === undefined ? '' : String(spec.default).replace('${{ github.token }}', 'ghs_x')
    ])
  )
  return {
    ...defaults,
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
