// Post-build step of `npm run build`: dist/licenses.txt names every package the bundle carries,
// with its licence text. The packages come from ncc's own record of what it bundled (webpack
// stats, --stats-out), so nothing is missed or guessed; ncc's --license option listed only the
// packages whose licence it happened to detect. A bundled package without a licence file fails
// the build: we do not ship code we cannot show the licence of.
// Usage: node scripts/licenses.mjs <stats.json>... <out.txt>  (one stats file per bundle)

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Package directories (relative, e.g. node_modules/@actions/core) named by the stats' modules. */
export function bundledPackageDirs(stats) {
  const dirs = new Set()
  const visit = module => {
    for (const name of [module.name, module.identifier]) {
      const at = (name ?? '').lastIndexOf('node_modules/')
      if (at < 0) continue
      const [first, second] = name.slice(at + 'node_modules/'.length).split('/')
      const pkg = first?.startsWith('@') ? `${first}/${second}` : first
      if (pkg)
        dirs.add(`${name.slice(0, at).replace(/^\.\//, '').replace(/^.*!/, '')}node_modules/${pkg}`)
    }
    for (const inner of module.modules ?? []) visit(inner)
  }
  for (const module of stats.modules ?? []) visit(module)
  return [...dirs].filter(d => !d.includes('/./'))
}

const LICENCE_FILE = /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i

/** One package's entry, or the reason it has none. */
export function licenceOf(root, dir) {
  const at = resolve(root, dir)
  const pkg = JSON.parse(readFileSync(join(at, 'package.json'), 'utf8'))
  const file = readdirSync(at).find(f => LICENCE_FILE.test(f))
  const licence = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type
  if (!file) return { name: pkg.name, version: pkg.version, problem: `no licence file in ${dir}` }
  if (!licence)
    return { name: pkg.name, version: pkg.version, problem: `no "license" in ${dir}/package.json` }
  return {
    name: pkg.name,
    version: pkg.version,
    licence,
    text: readFileSync(join(at, file), 'utf8').trim()
  }
}

export function licencesText(entries) {
  return entries
    .map(e => `${e.name}@${e.version}\n${e.licence}\n\n${e.text}\n`)
    .join('\n----------------------------------------------------------------------\n\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const out = args.pop()
  const root = process.cwd()
  const dirs = new Set(
    args.flatMap(file => bundledPackageDirs(JSON.parse(readFileSync(file, 'utf8'))))
  )
  // A directory derived wrongly is a failure, never a package quietly left out.
  const entries = [...dirs].map(d =>
    existsSync(join(resolve(root, d), 'package.json'))
      ? licenceOf(root, d)
      : { name: d, version: '?', problem: `no package.json in ${d}` }
  )
  const unique = [...new Map(entries.map(e => [`${e.name}@${e.version}`, e])).values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version)
  )
  const problems = unique.filter(e => e.problem)
  if (problems.length > 0 || unique.length === 0) {
    for (const p of problems) console.error(`licences: ${p.name}@${p.version}: ${p.problem}`)
    if (unique.length === 0) console.error('licences: the stats name no bundled package')
    process.exit(1)
  }
  writeFileSync(out, licencesText(unique))
  console.log(`licences: ${unique.length} bundled packages → ${out}`)
}
