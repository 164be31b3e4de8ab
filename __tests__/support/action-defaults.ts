import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

/** action.yml's inputs, read with a real YAML parser (action-yml.test.ts checks the file itself). */
export const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>
}

/** Every input at its default from action.yml, as the runner hands them over ('' where none). */
export const ACTION_DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(action.inputs).map(([name, spec]) => [
    name,
    spec.default === undefined ? '' : String(spec.default)
  ])
)
