import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, parseDocument } from 'yaml'
import { MORE, UNRELEASED, withTables } from '../scripts/readme-tables.mjs'

/**
 * The README and docs/ say what action.yml says: the inputs and outputs tables are generated
 * from it, every YAML example parses and gives this action only its inputs, and every link
 * between the pages leads somewhere.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

/** Every page of documentation, by its path from the repository's root. */
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  'SECURITY.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter(f => f.endsWith('.md'))
    .map(f => `docs/${f}`)
]
const text = Object.fromEntries(PAGES.map(page => [page, read(page)]))

const actionYml = read('action.yml')
const action = parse(actionYml) as {
  inputs: Record<string, { default?: string; required?: boolean }>
  outputs: Record<string, unknown>
}

/** The ```yaml blocks of every page. */
function yamlBlocks(): { page: string; block: string }[] {
  return PAGES.flatMap(page =>
    [...(text[page] as string).matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => ({
      page,
      block: m[1] as string
    }))
  )
}

type Step = { uses?: unknown; with?: unknown }

/** Every step of a block: a workflow's jobs' steps, or a block that is a list of steps. */
function stepsOf(document: unknown): Step[] {
  if (Array.isArray(document)) return document as Step[]
  const jobs = (document as { jobs?: Record<string, { steps?: Step[] }> } | null)?.jobs
  return Object.values(jobs ?? {}).flatMap(job => job.steps ?? [])
}

/** A heading's anchor as GitHub makes it. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

function anchorsOf(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '')
  return [...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map(m => slug(m[1] as string))
}

describe('README tables', () => {
  it('are what npm run docs:tables writes from action.yml', () => {
    const readme = text['README.md'] as string
    expect(withTables(readme, actionYml)).toBe(readme)
  })

  it('would change with action.yml: a new input shows in the inputs table', () => {
    const changed = actionYml.replace(
      'inputs:\n',
      'inputs:\n  brand-new:\n    description: A new input.\n    required: false\n'
    )
    expect(withTables(text['README.md'] as string, changed)).toContain(
      '| `brand-new` | — | A new input. |'
    )
  })

  it('link only inputs and outputs that action.yml has', () => {
    for (const name of Object.keys(MORE.inputs)) expect(Object.keys(action.inputs)).toContain(name)
    for (const name of Object.keys(MORE.outputs))
      expect(Object.keys(action.outputs)).toContain(name)
  })

  it("mark as unreleased only what CHANGELOG's Unreleased section names", () => {
    const changelog = read('CHANGELOG.md')
    const unreleased = changelog.slice(
      changelog.indexOf('## [Unreleased]'),
      changelog.indexOf('\n## [', changelog.indexOf('## [Unreleased]') + 1)
    )
    for (const name of Object.keys(UNRELEASED.inputs)) {
      expect(Object.keys(action.inputs)).toContain(name)
      expect({ name, named: unreleased.includes(`\`${name}\``) }).toEqual({ name, named: true })
    }
    for (const [name, values] of Object.entries(UNRELEASED.values)) {
      expect(Object.keys(action.inputs)).toContain(name)
      for (const value of values) {
        expect({ value, named: unreleased.includes(`\`${name}: ${value}\``) }).toEqual({
          value,
          named: true
        })
      }
    }
    for (const name of Object.keys(UNRELEASED.outputs)) {
      expect(Object.keys(action.outputs)).toContain(name)
      const named = new RegExp(`outputs? \`${name}\`|\`${name}\` output`).test(unreleased)
      expect({ name, named }).toEqual({ name, named: true })
    }
  })
})

describe('the README and docs/', () => {
  it('keep the README short: at most 20 kB', () => {
    expect(Buffer.byteLength(text['README.md'] as string)).toBeLessThanOrEqual(20_000)
  })

  it('have YAML blocks that a YAML parser reads', () => {
    expect(yamlBlocks().length).toBeGreaterThanOrEqual(14)
    for (const { page, block } of yamlBlocks()) {
      const document = parseDocument(block)
      expect({ page, block, errors: document.errors.map(e => e.message) }).toEqual({
        page,
        block,
        errors: []
      })
    }
  })

  it("give this action's steps only inputs of action.yml, and every required one", () => {
    const known = Object.keys(action.inputs)
    const required = known.filter(name => action.inputs[name]?.required)
    const steps = yamlBlocks().flatMap(({ block }) => stepsOf(parse(block)))
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

  it("read only outputs of action.yml from this action's steps", () => {
    const outputs = Object.keys(action.outputs)
    const used = PAGES.flatMap(page => [
      ...(text[page] as string).matchAll(/steps\.(?:buddy|follow|deploy|run)\.outputs\.([a-z-]+)/g)
    ])
    expect(used.length).toBeGreaterThan(0)
    for (const [, name] of used) expect(outputs).toContain(name)
  })

  it('link to files that exist, and to headings that exist', () => {
    const broken: string[] = []
    let checked = 0
    for (const page of PAGES) {
      const markdown = (text[page] as string).replace(/```[\s\S]*?```/g, '')
      for (const [, target] of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target as string)) continue
        checked++
        const [file, anchor] = (target as string).split('#') as [string, string | undefined]
        const path = file === '' ? page : normalize(join(dirname(page), file))
        if (!existsSync(join(ROOT, path))) {
          broken.push(`${page}: ${target} (no file ${path})`)
        } else if (anchor && path.endsWith('.md') && !anchorsOf(read(path)).includes(anchor)) {
          broken.push(`${page}: ${target} (no heading #${anchor} in ${path})`)
        }
      }
    }
    expect(checked).toBeGreaterThan(30)
    expect(broken).toEqual([])
  })
})
