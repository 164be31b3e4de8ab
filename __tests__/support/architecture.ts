import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import ts from 'typescript'

/**
 * The shape of src/ as issue 20 set it: floors that never call up, no import cycles, short files
 * and short functions. Pure functions over a map of files, so that each check is shown to fail
 * on a made-up tree before it is trusted on the real one.
 */

/** The floors, lowest first. A module imports from its own floor and the floors below only. */
export const FLOORS = ['base', 'inputs', 'github', 'buddy', 'follow', 'report', 'top'] as const
export type Floor = (typeof FLOORS)[number]

/** `src/buddy/client.ts` → `buddy`; a file at the top of src/ → `top`. */
export function floorOf(file: string): Floor {
  const parts = file.split('/')
  if (parts.length === 2) return 'top'
  const floor = parts[1] as Floor
  if (!FLOORS.includes(floor))
    throw new Error(`${file}: ${floor}/ is not a floor (${FLOORS.join(', ')})`)
  return floor
}

/** Every .ts file under src/, as `src/…` paths, with its text. */
export function readSources(root: string): Map<string, string> {
  const files = new Map<string, string>()
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts')) files.set(path, readFileSync(join(root, path), 'utf8'))
    }
  }
  walk('src')
  return files
}

/** The relative imports of each file (static, dynamic and type-only), as `src/…` paths. */
export function importGraph(files: Map<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const [file, text] of files) {
    const targets = new Set<string>()
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false)
    const add = (specifier: string) => {
      if (!specifier.startsWith('.')) return
      const path = normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts')
      targets.add(path)
    }
    const visit = (node: ts.Node) => {
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      )
        add(node.moduleSpecifier.text)
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      )
        add(node.arguments[0].text)
      ts.forEachChild(node, visit)
    }
    visit(source)
    graph.set(file, [...targets].sort())
  }
  return graph
}

/** Imports that go from a lower floor to a higher one: `from → to`. */
export function upwardImports(graph: Map<string, string[]>): string[] {
  const found: string[] = []
  for (const [from, targets] of graph) {
    for (const to of targets) {
      if (FLOORS.indexOf(floorOf(to)) > FLOORS.indexOf(floorOf(from))) found.push(`${from} → ${to}`)
    }
  }
  return found
}

/** The import cycles (Tarjan's strongly connected components of two or more, or a self-import). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0
  const indices = new Map<string, number>()
  const lowLinks = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const connect = (node: string) => {
    indices.set(node, index)
    lowLinks.set(node, index)
    index++
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next)
        lowLinks.set(node, Math.min(lowLinks.get(node)!, lowLinks.get(next)!))
      } else if (onStack.has(next)) {
        lowLinks.set(node, Math.min(lowLinks.get(node)!, indices.get(next)!))
      }
    }
    if (lowLinks.get(node) !== indices.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || (graph.get(node) ?? []).includes(node))
      cycles.push(component.sort())
  }
  for (const node of graph.keys()) if (!indices.has(node)) connect(node)
  return cycles
}

/** Files with more lines than the limit: `file (lines)`. */
export function longFiles(files: Map<string, string>, limit: number): string[] {
  return [...files]
    .map(([file, text]) => [file, text.split('\n').length - (text.endsWith('\n') ? 1 : 0)] as const)
    .filter(([, lines]) => lines > limit)
    .map(([file, lines]) => `${file} (${lines} lines)`)
}

/**
 * Functions (declarations, methods, arrow functions, function expressions, constructors,
 * accessors) whose body spans more lines than the limit, comments and blank lines not counted:
 * `file: name (lines)`. A nested function counts within its outer one too.
 */
export function longFunctions(files: Map<string, string>, limit: number): string[] {
  const found: string[] = []
  for (const [file, text] of files) {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const lines = codeLines(text.slice(node.body.getStart(source), node.body.getEnd()))
        if (lines > limit) found.push(`${file}: ${functionName(node, source)} (${lines} lines)`)
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  return found
}

function codeLines(body: string): number {
  const withoutComments = body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  return withoutComments.split('\n').filter(line => line.trim() !== '').length
}

function functionName(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source)
  const parent = node.parent
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  )
    return parent.name.getText(source)
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
  return `function at line ${line + 1}`
}
