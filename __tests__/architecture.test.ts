import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  FLOORS,
  floorOf,
  importCycles,
  importGraph,
  longFiles,
  longFunctions,
  readSources,
  upwardImports
} from './support/architecture.js'

/**
 * The house rules of src/ (issue 20): floors that never call up, no import cycles, files of
 * about 300 lines at most and functions of about 60, and a code map in the README that names
 * every file with its floor and says why any file or function is longer.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const FILE_LIMIT = 300
const FUNCTION_LIMIT = 60

const files = readSources(ROOT)
const graph = importGraph(files)

/** The README's code map: each floor's files, and the long ones it explains. */
function readCodeMap() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf('\n## Code map')
  if (start < 0) throw new Error('README.md has no "## Code map" section')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end < 0 ? undefined : end)
  const floors = new Map<string, string[]>()
  for (const line of section.split('\n')) {
    const row = /^- `(src\/(?:[a-z-]+\/)?)`[^:]*:(.*)$/.exec(line)
    const [, folder = '', cells = ''] = row ?? []
    if (!row) continue
    floors.set(
      folder,
      [...cells.matchAll(/`([^`]+\.ts)`/g)].map(m => `${folder}${m[1] ?? ''}`)
    )
  }
  const explained = [...section.matchAll(/^- `(src\/[^`]+\.ts)`/gm)].map(m => m[1] ?? '')
  return { floors, explained }
}

/** CONTRIBUTING's module map: the files listed under each floor's heading. */
function readModuleMap() {
  const text = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8')
  const floors = new Map<string, string[]>()
  let folder: string | undefined
  for (const line of text.split('\n')) {
    const heading = /^\s*\*\*`(src\/(?:[a-z-]+\/)?)`\*\*/.exec(line)
    if (heading) folder = heading[1] ?? ''
    const row = /^\s*\| `(src\/[^`]+\.ts)`/.exec(line)
    if (folder !== undefined && row)
      floors.set(folder, [...(floors.get(folder) ?? []), row[1] ?? ''])
  }
  return floors
}

/** src/'s files, by the folder of their floor. */
function filesByFloor() {
  const byFloor = new Map<string, string[]>()
  for (const file of files.keys()) {
    const floor = floorOf(file)
    const folder = floor === 'top' ? 'src/' : `src/${floor}/`
    byFloor.set(folder, [...(byFloor.get(folder) ?? []), file].sort())
  }
  return byFloor
}

const sortedValues = (map: Map<string, string[]>) =>
  new Map([...map].map(([k, v]) => [k, [...v].sort()]))

describe('the checks themselves (a made-up tree)', () => {
  const made = new Map([
    ['src/base/a.ts', ['src/follow/b.ts']],
    ['src/follow/b.ts', ['src/follow/c.ts']],
    ['src/follow/c.ts', ['src/follow/b.ts', 'src/base/a.ts']],
    ['src/main.ts', ['src/follow/b.ts']]
  ])

  it('finds an import from a lower floor to a higher one', () => {
    expect(upwardImports(made)).toEqual(['src/base/a.ts → src/follow/b.ts'])
  })

  it('finds import cycles, through other modules too', () => {
    expect(importCycles(made)).toEqual([['src/base/a.ts', 'src/follow/b.ts', 'src/follow/c.ts']])
    expect(importCycles(new Map([['src/x.ts', ['src/x.ts']]]))).toEqual([['src/x.ts']])
    expect(importCycles(new Map([['src/x.ts', []]]))).toEqual([])
  })

  it('reads every kind of import, and counts long files and functions', () => {
    const text = [
      "import { a } from '../base/a.js'",
      "import type { B } from './b.js'",
      "export { c } from './c.js'",
      "const d = await import('../buddy/d.js')",
      "import * as core from '@actions/core'",
      'export function long() {',
      ...Array.from({ length: 61 }, (_, i) => `  const v${i} = ${i} // line ${i}`),
      '  // a comment is not a line of code',
      '',
      '}',
      'const short = () => 1'
    ].join('\n')
    const tree = new Map([['src/follow/x.ts', text]])
    expect(importGraph(tree).get('src/follow/x.ts')).toEqual([
      'src/base/a.ts',
      'src/buddy/d.ts',
      'src/follow/b.ts',
      'src/follow/c.ts'
    ])
    expect(longFunctions(tree, 60)).toEqual(['src/follow/x.ts: long (63 lines)'])
    expect(longFiles(tree, 60)).toEqual(['src/follow/x.ts (71 lines)'])
    expect(() => floorOf('src/lib/x.ts')).toThrow('lib/ is not a floor')
  })
})

describe('src/', () => {
  it('has a floor for every folder', () => {
    for (const file of files.keys()) expect(FLOORS).toContain(floorOf(file))
  })

  it('imports only from its own floor and the floors below', () => {
    expect(upwardImports(graph)).toEqual([])
  })

  it('has no import cycles', () => {
    expect(importCycles(graph)).toEqual([])
  })

  it('keeps files and functions short, except where the README says why', () => {
    const { explained } = readCodeMap()
    const long = [...longFiles(files, FILE_LIMIT), ...longFunctions(files, FUNCTION_LIMIT)]
    const key = (entry: string) => entry.replace(/ \(\d+ lines\)$/, '')
    expect(long.map(key).filter(entry => !explained.includes(entry))).toEqual([])
    // And no explanation outlives what it explains.
    expect(explained.filter(entry => !long.map(key).includes(entry))).toEqual([])
  })

  it("is named file by file in the README's code map, each on its floor", () => {
    const { floors } = readCodeMap()
    expect(sortedValues(floors)).toEqual(filesByFloor())
  })

  it("is described file by file in CONTRIBUTING's module map, each under its floor", () => {
    expect(sortedValues(readModuleMap())).toEqual(filesByFloor())
  })
})
