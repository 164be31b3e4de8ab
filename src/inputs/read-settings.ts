import * as core from '@actions/core'
import {
  INPUT_NAMES,
  parseSettings,
  secretValues,
  UNTRIMMED_INPUTS,
  type RawInputs,
  type Settings
} from './settings.js'

/**
 * Reads every input; secrets are masked before anything can print them. `nowMs`: the main step's
 * clock, against which times are checked (the post step leaves it out: see parseSettings).
 */
export function readSettings(nowMs?: number): Settings {
  const raw = {} as RawInputs
  for (const name of INPUT_NAMES) {
    raw[name] = core.getInput(name, { trimWhitespace: !UNTRIMMED_INPUTS.includes(name) })
  }
  for (const secret of secretValues(raw)) core.setSecret(secret)
  return parseSettings(raw, nowMs)
}
