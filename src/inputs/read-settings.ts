import * as core from '@actions/core'
import { INPUT_NAMES, UNTRIMMED_INPUTS, type RawInputs } from './input-table.js'
import { parseSettings, type Settings } from './settings.js'
import { secretValues } from './variables-and-secrets.js'

/**
 * Reads every input; secrets are masked before anything can print them. No clock: the main step
 * checks the settings against its own afterwards (checkSettingsAgainstClock).
 */
export function readSettings(): Settings {
  const raw = {} as RawInputs
  for (const name of INPUT_NAMES) {
    raw[name] = core.getInput(name, { trimWhitespace: !UNTRIMMED_INPUTS.includes(name) })
  }
  for (const secret of secretValues(raw)) core.setSecret(secret)
  return parseSettings(raw)
}
