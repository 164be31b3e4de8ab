import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

/** The README's inputs and outputs tables say exactly what action.yml says. */

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>
  outputs: Record<string, unknown>
  runs: Record<string, string>
}

/** Rows of the first table under a "## heading": first cell, second cell. */
function table(heading: string): [string, string][] {
  const start = readme.indexOf(`\n## ${heading}\n`)
  expect(start).toBeGreaterThanOrEqual(0)
  const section = readme.slice(start + 1).split('\n## ')[0] as string
  return section
    .split('\n')
    .filter(line => /^\|\s*`[^`]+`\s*\|/.test(line))
    .map(line => {
      const cells = line.split('|').map(c => c.trim())
      return [(cells[1] as string).replace(/`/g, ''), cells[2] as string]
    })
}

describe('README', () => {
  it('documents every input of action.yml, and no other', () => {
    expect(table('Inputs').map(([name]) => name)).toEqual(Object.keys(action.inputs))
  })

  it("gives each input's default as action.yml does", () => {
    expect(table('Inputs')).toHaveLength(Object.keys(action.inputs).length)
    for (const [name, cell] of table('Inputs')) {
      const spec = action.inputs[name]
      if (spec?.required) expect(cell).toBe('required')
      else if (spec?.default === undefined) expect(cell).toMatch(/^—/)
      else expect(cell).toBe(`\`${spec.default}\``)
    }
  })

  it('documents every output of action.yml, and no other', () => {
    expect(table('Outputs').map(([name]) => name)).toEqual(Object.keys(action.outputs))
  })

  it('uses only inputs that exist in its examples', () => {
    const known = new Set(Object.keys(action.inputs))
    let steps = 0
    const withBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1] as string)
    for (const block of withBlocks) {
      const step =
        /uses: your-org\/buddy-run-pipeline-action@v1[^\n]*\n( *)with:\n((?:\s{4,}.*\n?)*)/.exec(
          block
        )
      if (!step) continue
      steps++
      // The step's inputs: the lines indented deeper than its `with:`, up to the next step.
      const indent = (step[1] as string).length
      const lines = (step[2] as string).split('\n')
      const end = lines.findIndex(line => line.length - line.trimStart().length <= indent)
      const inputs = (end < 0 ? lines : lines.slice(0, end)).join('\n')
      const keys = [...inputs.matchAll(/^\s+([a-z-]+):/gm)].map(m => m[1] as string)
      for (const key of keys) expect(known).toContain(key)
    }
    expect(steps).toBeGreaterThanOrEqual(8)
  })
})

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/index.js',
      'post-if': 'cancelled()'
    })
  })

  it('leaves api-url without a default, so that the fallbacks work', () => {
    expect(action.inputs['api-url']?.default).toBeUndefined()
  })
})
