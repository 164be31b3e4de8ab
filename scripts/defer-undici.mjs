// Post-build step of `npm run build`: load undici only when it is used.
//
// Two edits, both checked:
// - deferUndici: undici is *evaluated* on first use (a getter in place of the eager require);
// - splitUndici: undici's modules move out of the bundle into `undici.cjs` beside it, so that
//   Node.js does not even read, decode and parse them at start-up: the bundle's require function
//   loads that file the first time it is asked for a module the bundle no longer holds.
//
// @actions/http-client (used by @actions/core and by this action's client) imports undici at
// its top for one thing: `new undici.ProxyAgent(...)` in getAgentDispatcher(), which serves
// fetch-based callers behind a proxy. This action's own requests never call it, yet evaluating
// undici's ~900 kB at start-up cost about a fifth of the action's cold start (see BENCHMARKS.md).
// deferUndici rewrites the bundle's one eager `var undici = __nccwpck_require__(N)` into an
// object whose getters require undici on first use, one per property the bundle reads (under
// webpack's name for it: the post bundle reads `undici/* ProxyAgent */.kT`), so nothing changes
// for code that does use it. The GitHub API client (the 413 chunk, loaded only where GitHub must
// be asked) sends its requests with undici's fetch: loading that chunk loads undici.cjs. Each
// step fails the build if the bundle no longer has the shape it expects, rather than ship a
// half-applied edit.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

export const DEFERRED = 'deferred by scripts/defer-undici.mjs: undici is module'

export function deferUndici(source) {
  const eager =
    /^\/\/ EXTERNAL MODULE: \.\/node_modules\/undici\/index\.js\nvar (\w+) = __nccwpck_require__\((\d+)\);$/gm
  const matches = [...source.matchAll(eager)]
  if (matches.length !== 1) {
    throw new Error(`defer-undici: expected one eager undici import, found ${matches.length}`)
  }
  const [statement, name, id] = matches[0]
  // Its uses: within the bundled module that holds it (up to the next module of the bundle),
  // each a property read, `undici.ProxyAgent` or, where webpack renamed the export,
  // `undici/* ProxyAgent */.kT`.
  const start = matches[0].index
  const next = source.slice(start).search(/^\/\*\*\*\/ \d+:/m)
  const scope = source.slice(start + statement.length, next < 0 ? undefined : start + next)
  const uses = [
    ...scope.matchAll(
      // Not part of another word or of a path ("./undici.cjs", "defer-undici"), but right after
      // a comment too (webpack writes `/*#__PURE__*/undici.fetch`).
      new RegExp(
        `(?:(?<![\\w.'"/$-])|(?<=\\*/))${name}(?![\\w$])(?:/\\* [^*]* \\*/)?(\\.(\\w+))?`,
        'g'
      )
    )
  ]
  const whole = uses.find(use => use[2] === undefined)
  if (whole) {
    const at = start + statement.length + whole.index
    const line = source.slice(source.lastIndexOf('\n', at) + 1, source.indexOf('\n', at))
    throw new Error(
      `defer-undici: ${name} is used other than by its properties (a mention in a comment counts too): ${line.trim()}`
    )
  }
  // No use at all is fine too: then undici is never evaluated.
  const getters = [...new Set(uses.map(use => use[2]))].map(
    property => `get ${property}() { return __nccwpck_require__(${id}).${property} }`
  )
  const lazy = statement.replace(
    `var ${name} = __nccwpck_require__(${id});`,
    `var ${name} = { ${getters.join(', ')} }; // ${DEFERRED} ${id}`
  )
  return source.replace(statement, lazy)
}

// The bundle's modules: the `ID:` entries of its `__webpack_modules__` object.
const MODULES_START = 'var __webpack_modules__ = ({\n'
const MODULES_END = '\n/******/ });\n'
const ENTRY = /^\/\*\*\*\/ (\d+):\n/gm
const REQUIRES = /__(?:nccwpck|webpack)_require__\((\d+)\)/g
const UNDICI_INDEX = new RegExp(`// ${DEFERRED} (\\d+)$`, 'm')
export const UNDICI_FILE = 'undici.cjs'
// Only for the ids it moved: any other missing module fails as it did before.
const loader = moved =>
  `/******/ \tif (!(moduleId in __webpack_modules__) && [${moved.join(',')}].includes(+moduleId)) Object.assign(__webpack_modules__, __WEBPACK_EXTERNAL_createRequire(import.meta.url)("./${UNDICI_FILE}")); // scripts/defer-undici.mjs`
const REQUIRE_FUNCTION = '/******/ \t// Create a new module (and put it into the cache)\n'

const requiredIds = text => new Set([...text.matchAll(REQUIRES)].map(m => m[1]))

/**
 * Moves undici's modules (those reachable from undici's index, and from nowhere else but
 * through it) out of a bundle that deferUndici has been applied to. `otherChunks`: the text of
 * the bundle's other chunks (such as 413.index.js), whose requires count as uses from outside.
 * Returns the bundle without them and the CommonJS file that holds them. Throws when the bundle
 * does not have the expected shape.
 */
export function splitUndici(source, otherChunks = []) {
  const index = UNDICI_INDEX.exec(source)?.[1]
  if (index === undefined)
    throw new Error('split-undici: no deferred undici import (run deferUndici first)')
  const start = source.indexOf(MODULES_START)
  const end = source.indexOf(MODULES_END, start)
  if (start < 0 || end < 0 || source.split(REQUIRE_FUNCTION).length !== 2) {
    throw new Error("split-undici: not the shape of ncc's ESM bundle")
  }
  const body = source.slice(start + MODULES_START.length, end)
  const heads = [...body.matchAll(ENTRY)]
  /** @type {Map<string, string>} */
  const modules = new Map(
    heads.map((m, i) => [m[1], body.slice(m.index, heads[i + 1]?.index ?? body.length)])
  )
  if (!modules.has(index))
    throw new Error(`split-undici: undici's index (${index}) is not in the bundle`)
  const closure = (roots, stopAt) => {
    const seen = new Set()
    const queue = [...roots]
    while (queue.length > 0) {
      const id = queue.pop()
      if (seen.has(id) || id === stopAt || !modules.has(id)) continue
      seen.add(id)
      queue.push(...requiredIds(modules.get(id)))
    }
    return seen
  }
  const outside = source.slice(0, start) + source.slice(end) + otherChunks.join('\n')
  const usedElsewhere = closure(requiredIds(outside), index)
  // Modules that need the ES module's own scope (import.meta, the external require) stay.
  const moved = [...closure([index])].filter(
    id =>
      !usedElsewhere.has(id) &&
      !/import\.meta|__WEBPACK_EXTERNAL_createRequire/.test(modules.get(id))
  )
  if (!moved.includes(index)) throw new Error("split-undici: undici's index cannot move")
  const kept = [...modules].filter(([id]) => !moved.includes(id)).map(([, text]) => text)
  const entry = text => text.replace(/\n*$/, '').replace(/\}\)$/, '}),')
  const chunk = [
    "'use strict';",
    "// undici's modules, split out of the bundle by scripts/defer-undici.mjs: loaded the first time",
    "// the bundle requires one of them (the GitHub API client's chunk, a proxy dispatcher), never",
    '// at start-up.',
    'module.exports = {',
    ...moved.map(id => entry(modules.get(id))),
    '};',
    ''
  ].join('\n')
  const main =
    source.slice(0, start + MODULES_START.length) +
    kept.join('').replace(/\n*$/, '\n') +
    source.slice(end).replace(REQUIRE_FUNCTION, `${loader(moved)}\n${REQUIRE_FUNCTION}`)
  return { source: main, chunk, moved }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = process.argv.slice(2)
  for (const file of files.length > 0 ? files : ['dist/index.js']) {
    const dir = dirname(file)
    const otherChunks = readdirSync(dir)
      .filter(name => /^\d+\.index\.js$/.test(name))
      .map(name => readFileSync(join(dir, name), 'utf8'))
    const { source, chunk } = splitUndici(deferUndici(readFileSync(file, 'utf8')), otherChunks)
    writeFileSync(file, source)
    writeFileSync(join(dir, UNDICI_FILE), chunk)
  }
}
