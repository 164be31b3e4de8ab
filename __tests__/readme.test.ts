import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse, parseDocument } from 'yaml'
import { readActionDefaults } from './support/action-defaults.mjs'

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

  it('has YAML blocks that a YAML parser reads', () => {
    expect(yamlBlocks().length).toBeGreaterThanOrEqual(14)
    for (const block of yamlBlocks()) {
      const document = parseDocument(block)
      expect({ block, errors: document.errors.map(e => e.message) }).toEqual({ block, errors: [] })
    }
  })

  it("gives this action's steps only inputs of action.yml, and every required one", () => {
    const known = Object.keys(action.inputs)
    const required = known.filter(name => action.inputs[name]?.required)
    const steps = yamlBlocks().flatMap(block => stepsOf(parse(block)))
    const ours = steps.filter(step => /buddy-run-pipeline-action@|^\.\/?$/.test(String(step.uses)))
    expect(ours.length).toBeGreaterThanOrEqual(10)
    for (const step of ours) {
      const inputs = Object.keys((step.with ?? {}) as Record<string, unknown>)
      expect({ uses: step.uses, unknown: inputs.filter(i => !known.includes(i)) }).toEqual({
        uses: step.uses,
        unknown: []
      })
      expect({ uses: step.uses, missing: required.filter(r => !inputs.includes(r)) }).toEqual({
        uses: step.uses,
        missing: []
      })
    }
  })

  it("reads only outputs of action.yml from this action's steps", () => {
    const outputs = Object.keys(action.outputs)
    const used = [...readme.matchAll(/steps\.(?:buddy|follow|deploy|run)\.outputs\.([a-z-]+)/g)]
    expect(used.length).toBeGreaterThan(0)
    for (const [, name] of used) expect(outputs).toContain(name)
  })
})

/** The README's ```yaml blocks. */
function yamlBlocks(): string[] {
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1] as string)
}

type Step = { uses?: unknown; with?: unknown }

/** Every step of a block: a workflow's jobs' steps, or a block that is a list of steps. */
function stepsOf(document: unknown): Step[] {
  if (Array.isArray(document)) return document as Step[]
  const jobs = (document as { jobs?: Record<string, { steps?: Step[] }> } | null)?.jobs
  return Object.values(jobs ?? {}).flatMap(job => job.steps ?? [])
}

describe('action.yml', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post/index.js',
      'post-if': 'cancelled()'
    })
  })

  it('fits the Marketplace: a description under 125 characters, an author who is not the package', () => {
    const meta = action as unknown as { description: string; author: string; name: string }
    expect(meta.description.length).toBeLessThan(125)
    expect(meta.author).not.toBe('buddy-run-pipeline-action')
    expect(meta.author.length).toBeGreaterThan(0)
    expect(meta.name.length).toBeLessThanOrEqual(40)
  })

  it("reads the same defaults without a YAML library (the demo's reader) as with one", () => {
    const expected = Object.fromEntries(
      Object.entries(action.inputs).map(([name, spec]) => [
        name,
        spec.default === undefined ? undefined : String(spec.default)
      ])
    )
    expect(readActionDefaults(fileURLToPath(new URL('../action.yml', import.meta.url)))).toEqual(
      expected
    )
  })

  it('leaves api-url without a default, so that the fallbacks work', () => {
    expect(action.inputs['api-url']?.default).toBeUndefined()
  })
})
