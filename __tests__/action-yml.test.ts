import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isScalar, parse, parseDocument, visit, type Scalar } from 'yaml'
import { readActionDefaults } from './support/action-defaults.mjs'

/**
 * action.yml as editors, the runner and the Marketplace read it: through a YAML parser. A ` #`
 * in a plain value starts a comment and silently cuts the text; these tests make sure every
 * value is read whole.
 */

const path = fileURLToPath(new URL('../action.yml', import.meta.url))
const source = readFileSync(path, 'utf8')
const action = parse(source) as {
  name: string
  description: string
  author: string
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>
  outputs: Record<string, { description?: string }>
  runs: Record<string, string>
}

/** What a YAML parser drops or cuts short in action.yml's values: one line per problem. */
function problemsOf(yamlText: string): string[] {
  const problems: string[] = []
  const document = parseDocument(yamlText)
  for (const error of document.errors) problems.push(`does not parse: ${error.message}`)
  visit(document, {
    Pair(_, pair) {
      if (!isScalar(pair.value) || !isScalar(pair.key)) return
      const key = String(pair.key.value)
      const value = pair.value as Scalar
      // A comment after a value is text the author meant as part of it (action.yml has none).
      const [, end] = value.range ?? [0, 0]
      const rest = yamlText[end - 1] === '\n' ? '' : yamlText.slice(end).split('\n')[0]
      if (value.comment || (rest ?? '').trim() !== '') {
        problems.push(`${key} "${String(value.value)}" is followed by "${(rest ?? '').trim()}"`)
      }
      if (key === 'description') problems.push(...unfinished(String(value.value)))
    }
  })
  return problems
}

/** A description that does not end as a sentence, or leaves a bracket or quote open. */
function unfinished(text: string): string[] {
  const problems: string[] = []
  const quoted = `description "${text}"`
  if (!/[.!?]["')`]*$/.test(text)) problems.push(`${quoted} does not end with a full stop`)
  let depth = 0
  for (const char of text.replace(/`[^`]*`/g, '')) {
    if (char === '(') depth++
    if (char === ')') depth--
    if (depth < 0) break
  }
  if (depth !== 0) problems.push(`${quoted} leaves a parenthesis open or closes one too many`)
  if ((text.match(/`/g) ?? []).length % 2 !== 0) problems.push(`${quoted} leaves a backtick open`)
  if ((text.match(/"/g) ?? []).length % 2 !== 0) problems.push(`${quoted} leaves a quote open`)
  return problems
}

describe('action.yml', () => {
  it('has every value whole: no text lost to a comment, every description a finished sentence', () => {
    expect(problemsOf(source)).toEqual([])
  })

  it.each([
    [
      'a " #" that starts a comment',
      'inputs:\n  pull-request:\n    description: Pull request to run (42, #42 or pull/42). Default.\n',
      'description "Pull request to run (42," is followed by "#42 or pull/42). Default."'
    ],
    [
      'a default cut by a comment',
      'inputs:\n  timeout:\n    description: How long.\n    default: 60m # minutes\n',
      'default "60m" is followed by "# minutes"'
    ],
    [
      'a description that stops mid-sentence',
      'inputs:\n  logs:\n    description: Which logs (failed or all\n',
      'description "Which logs (failed or all" does not end with a full stop'
    ],
    [
      'an open parenthesis',
      'inputs:\n  logs:\n    description: Which logs (failed or all.\n',
      'description "Which logs (failed or all." leaves a parenthesis open or closes one too many'
    ],
    [
      'an open backtick',
      "outputs:\n  status:\n    description: 'The status, e.g. `SUCCESSFUL.'\n",
      'description "The status, e.g. `SUCCESSFUL." leaves a backtick open'
    ]
  ])('finds %s', (_, yamlText, problem) => {
    expect(problemsOf(yamlText)).toContain(problem)
  })

  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post/index.js',
      'post-if': 'cancelled()'
    })
  })

  it('fits the Marketplace: a description under 125 characters, an author who is not the package', () => {
    expect(action.description.length).toBeLessThan(125)
    expect(action.author).not.toBe('buddy-run-pipeline-action')
    expect(action.author.length).toBeGreaterThan(0)
    expect(action.name.length).toBeLessThanOrEqual(40)
  })

  it('promises no more than the defaults do: the step waits only with wait: true', () => {
    expect(action.inputs.wait?.default).toBe('false')
    expect(action.description).not.toMatch(/and wait for it\.?$/)
  })

  it("reads the same defaults without a YAML library (the demo's reader) as with one", () => {
    const expected = Object.fromEntries(
      Object.entries(action.inputs).map(([name, spec]) => [
        name,
        spec.default === undefined ? undefined : String(spec.default)
      ])
    )
    expect(readActionDefaults(path)).toEqual(expected)
  })

  it('leaves api-url without a default, so that the fallbacks work', () => {
    expect(action.inputs['api-url']?.default).toBeUndefined()
  })
})
