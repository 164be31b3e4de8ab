// Post-build step of `npm run build`: load undici only when it is used.
//
// @actions/http-client (used by @actions/core and by this action's client) imports undici at
// its top for one thing: `new undici.ProxyAgent(...)` in getAgentDispatcher(), which serves
// fetch-based callers behind a proxy. This action never calls it, yet evaluating undici's
// ~900 kB at start-up costs about a fifth of the action's cold start (see BENCHMARKS.md). This
// rewrites the bundle's one eager `var undici = __nccwpck_require__(N)` into a getter that
// requires undici on first use, so nothing changes for code that does use it. It fails the
// build if the bundle no longer has exactly that shape, rather than ship a half-applied edit.

import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

export function deferUndici(source) {
  const eager =
    /^\/\/ EXTERNAL MODULE: \.\/node_modules\/undici\/index\.js\nvar (\w+) = __nccwpck_require__\((\d+)\);$/gm
  const matches = [...source.matchAll(eager)]
  if (matches.length !== 1) {
    throw new Error(`defer-undici: expected one eager undici import, found ${matches.length}`)
  }
  const [statement, name, id] = matches[0]
  // Its uses: within the bundled module that holds it (up to the next module of the bundle).
  const start = matches[0].index
  const next = source.slice(start).search(/^\/\*\*\*\/ \d+:/m)
  const scope = source.slice(start + statement.length, next < 0 ? undefined : start + next)
  const uses = [...scope.matchAll(new RegExp(`(?<![\\w.'"])${name}\\.(\\w+)`, 'g'))].map(m => m[1])
  // No use at all is fine too (the post step's bundle, where webpack dropped the one caller):
  // then undici is never evaluated.
  if (uses.some(use => use !== 'ProxyAgent')) {
    throw new Error(`defer-undici: ${name} is used for more than ProxyAgent (${uses.join(', ')})`)
  }
  const lazy = statement.replace(
    `var ${name} = __nccwpck_require__(${id});`,
    `var ${name} = { get ProxyAgent() { return __nccwpck_require__(${id}).ProxyAgent } }; // deferred by scripts/defer-undici.mjs`
  )
  return source.replace(statement, lazy)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = process.argv.slice(2)
  for (const file of files.length > 0 ? files : ['dist/index.js']) {
    writeFileSync(file, deferUndici(readFileSync(file, 'utf8')))
  }
}
