import type { Execution } from '../buddy/model.js'

/**
 * The variables a run's actions exported (Buddy's `outputted_variables`), for the `variables`
 * output. Pure. Keys and values are Buddy's text, untrusted: callers never print the values.
 */

/** A name a workflow can use as `fromJSON(steps.x.outputs.variables).NAME` or as a shell variable. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface ExportedVariables {
  /** Name → value; where actions export the same name, the later action's value. */
  values: Record<string, string>
  /** Keys left out because they are not names (in the order met, each once). */
  invalidKeys: string[]
  /**
   * Secret variables: Buddy marks them `encrypted` (not in Buddy's schema, which has key and
   * value only: read in case Buddy sends it), or gives the value in one of its encrypted forms.
   * Left out of the output, never passed off as the plain value; their values are to be masked.
   */
  secrets: { key: string; value: string; why: 'marked' | 'encrypted-form' }[]
}

/**
 * Buddy returns secret values "in encrypted form" (its docs on secrets), and its schema has no
 * flag to tell them apart. Its known encrypted forms: `!encrypted <base64>` (Buddy's YAML
 * variables docs) and `secure!<base64>` (Buddy's YAML exports; unconfirmed). A secret in any
 * other form cannot be told from a plain value: the README says so.
 */
const ENCRYPTED_FORMS = [/^!encrypted\s+\S/, /^secure!\S/]

export function isEncryptedForm(value: string): boolean {
  return ENCRYPTED_FORMS.some(form => form.test(value))
}

/**
 * Reads the actions in the order of the run's answer (the pipeline's order, in which they run),
 * so that a later action's value wins. Items without a string key and value are left out.
 */
export function exportedVariables(execution: Execution): ExportedVariables {
  // A Map, then Object.fromEntries: a key such as "__proto__" stays an ordinary key.
  const values = new Map<string, string>()
  const invalidKeys = new Set<string>()
  const secrets: ExportedVariables['secrets'] = []
  for (const action of execution.action_executions ?? []) {
    for (const variable of action.outputted_variables ?? []) {
      const { key, value } = variable
      if (typeof key !== 'string' || typeof value !== 'string') continue
      const secret =
        variable.encrypted === true
          ? 'marked'
          : isEncryptedForm(value)
            ? 'encrypted-form'
            : undefined
      if (secret) {
        secrets.push({ key, value, why: secret })
        // A later secret of the same name makes an earlier plain value stale: neither is given.
        values.delete(key)
      } else if (!VARIABLE_NAME.test(key)) {
        invalidKeys.add(key)
      } else {
        values.set(key, value)
      }
    }
  }
  return { values: Object.fromEntries(values), invalidKeys: [...invalidKeys], secrets }
}
