import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { readActionDefaults } from './action-defaults.mjs'

const ACTION_YML = new URL('../../action.yml', import.meta.url)

/** action.yml's inputs, read with a real YAML parser. */
export const action = parse(readFileSync(ACTION_YML, 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>
}

/**
 * Every input at its default from action.yml, as the runner hands them over ('' where none);
 * read as the bundle spawns read it (action-defaults.mjs, which action-yml.test.ts checks
 * against the YAML parser). No src/ module is loaded here: tests that mock `@actions/core`
 * import it before their mock.
 */
export const ACTION_DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(readActionDefaults(ACTION_YML)).map(([name, value]) => [name, value ?? ''])
)
