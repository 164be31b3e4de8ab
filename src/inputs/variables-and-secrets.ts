import { RuleError } from './field-rules.js'

/**
 * The variables of a run and the secret rules, read alone because they guard the secrets: how
 * inputs "variables" and "secret-variables" are parsed, which inputs are secret (never quoted,
 * not even in an error), what is masked before anything else happens, and which secret-looking
 * mistakes are refused rather than sent in plain text.
 */

export interface RunVariable {
  key: string
  value: string
  encrypted: boolean
}

/** Inputs whose values are never shown, not even in a validation error. */
export const SECRET_INPUTS = ['token', 'secret-variables', 'github-token'] as const

/** The raw inputs that hold secrets, as the runner hands them over. */
export type SecretInputs = Partial<Record<(typeof SECRET_INPUTS)[number], string>>

const VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/

/** One entry of a variables input: KEY=VALUE on one line, or KEY<<DELIMITER … DELIMITER. */
interface VariableEntry {
  /** 1-based number of the entry's first line. */
  line: number
  /** The entry's first line as written (for messages about non-secret input). */
  text: string
  key?: string
  value?: string
  /** Every line of the value (one, or those of a multi-line value). */
  valueLines: string[]
  problem?: string
}

/**
 * Splits a variables input into entries, taking every value exactly as written (no trimming):
 * KEY=VALUE per line (the value may hold "="), or the multi-line form of $GITHUB_ENV:
 * KEY<<DELIMITER, the value's lines, then DELIMITER alone on a line. Blank lines between
 * entries are ignored. Never throws: problems are reported per entry.
 */
function splitVariables(value: string): VariableEntry[] {
  const entries: VariableEntry[] = []
  const lines = value.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] as string
    if (text.trim() === '') continue
    const entry: VariableEntry = { line: i + 1, text, valueLines: [] }
    entries.push(entry)
    const eq = text.indexOf('=')
    const heredoc = text.indexOf('<<')
    if (heredoc >= 0 && (eq < 0 || heredoc < eq)) {
      entry.key = text.slice(0, heredoc).trim()
      const delimiter = text.slice(heredoc + 2).trim()
      if (delimiter === '' || /\s/.test(delimiter)) {
        entry.problem = `has no delimiter after "<<": expected KEY<<DELIMITER, the value's lines, then DELIMITER alone on a line`
        continue
      }
      const end = lines.findIndex((l, at) => at > i && l.trimEnd() === delimiter)
      const body = lines.slice(i + 1, end < 0 ? undefined : end)
      entry.valueLines = body
      if (end < 0) {
        entry.problem = `starts a multi-line value that no line "${delimiter}" ends`
        i = lines.length
        continue
      }
      entry.value = body.join('\n')
      i = end
      continue
    }
    if (eq < 0) {
      entry.problem =
        'has no "=": expected KEY=VALUE, one per line, or KEY<<DELIMITER for a multi-line value'
      entry.valueLines = [text]
      continue
    }
    entry.key = text.slice(0, eq).trim()
    entry.value = text.slice(eq + 1)
    entry.valueLines = [entry.value]
  }
  return entries
}

/**
 * The rule of inputs "variables" (encrypted false) and "secret-variables" (encrypted true). A
 * secret's lines and keys are never quoted in a message: a malformed line may be the secret.
 */
export function parseVariables(value: string, encrypted: boolean): RunVariable[] {
  const variables: RunVariable[] = []
  for (const entry of splitVariables(value)) {
    // A secret's lines are never quoted: a line without "=" may be the secret itself.
    const shown = encrypted ? `line ${entry.line}` : `line ${entry.line} ("${entry.text.trim()}")`
    if (entry.problem) throw new RuleError(`${shown} ${entry.problem}`)
    const key = entry.key as string
    if (!VARIABLE_KEY.test(key)) {
      throw new RuleError(
        `${encrypted ? `line ${entry.line}` : `key "${key}"`} is not a variable name: expected letters, digits, '_', '.' or '-', starting with a letter or '_'`
      )
    }
    if (variables.some(v => v.key === key)) {
      throw new RuleError(`${encrypted ? `line ${entry.line}: a key` : key} is given twice`)
    }
    if (encrypted && /^[=\s]*$/.test(entry.value as string)) {
      // "dGhpcw==" reads as key "dGhpcw" and value "=": a secret pasted without its key would
      // travel as a variable's name, in plain text. An empty secret is a mistake anyway.
      throw new RuleError(
        `line ${entry.line} has an empty value: is the secret it comes from set? A secret written without "KEY=" would be read as a key, so this is refused`
      )
    }
    variables.push({ key, value: entry.value as string, encrypted })
  }
  return variables
}

/** A key given in both inputs, as a message; undefined when there is none. */
export function keyInBothProblem(
  plain: readonly RunVariable[],
  secret: readonly RunVariable[]
): string | undefined {
  const keys = [...plain, ...secret].map(v => v.key)
  const twice = keys.find((k, i) => keys.indexOf(k) !== i)
  return twice
    ? `Variable ${twice} is in both "variables" and "secret-variables": give it once.`
    : undefined
}

/**
 * Lines of a multi-line secret shorter than this are not masked on their own: masking "==" or
 * "}" would hide that text everywhere in the log, and such a line reveals nothing.
 */
const MIN_SECRET_FRAGMENT = 4

/** The secret parts of the raw inputs, to be masked before anything else happens. */
export function secretValues(raw: SecretInputs): string[] {
  const secrets = new Set<string>()
  const add = (value: string | undefined, minLength = 1) => {
    if (value !== undefined && value.trim().length >= minLength) secrets.add(value)
  }
  // Every secret input is masked whole; secret variables value by value, below.
  for (const name of SECRET_INPUTS) if (name !== 'secret-variables') add(raw[name]?.trim())
  for (const entry of splitVariables(raw['secret-variables'] ?? '')) {
    if (entry.key === undefined || !VARIABLE_KEY.test(entry.key)) {
      // Not KEY=VALUE: it may be a secret pasted whole (base64 ending in "=" included).
      add(entry.text.trim())
      for (const line of entry.valueLines) add(line, MIN_SECRET_FRAGMENT)
      continue
    }
    const oneLine = entry.valueLines.length === 1 && entry.valueLines[0] === entry.value
    if (oneLine && /^[=\s]*$/.test(entry.value as string)) {
      // "abc==" reads as key "abc" with value "=": it may be base64 pasted without a key, so
      // the whole line is the secret (refused by the parser, but masked first), and "=" alone
      // would hide every "=" in the log.
      add(entry.text.trim(), MIN_SECRET_FRAGMENT)
      continue
    }
    add(entry.value)
    add(entry.value?.trim())
    // The runner masks line by line: each line of a multi-line value is a secret of its own.
    if (entry.valueLines.length > 1 || entry.value === undefined) {
      for (const line of entry.valueLines) {
        add(line, MIN_SECRET_FRAGMENT)
        add(line.trim(), MIN_SECRET_FRAGMENT)
      }
    }
  }
  return [...secrets]
}
