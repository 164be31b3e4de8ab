import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundledPackageDirs, licenceOf } from '../scripts/licenses.mjs'

/** dist/licenses.txt names what ncc bundled, from ncc's own stats, and refuses packages without a licence. */

describe('bundledPackageDirs', () => {
  it('finds packages, scoped and nested, in webpack module names', () => {
    const stats = {
      modules: [
        { name: './node_modules/zod/v4/core/core.js' },
        {
          name: './src/main.ts + 3 modules',
          modules: [{ name: './node_modules/@actions/core/lib/core.js' }]
        },
        { name: './node_modules/@actions/github/node_modules/@actions/http-client/lib/index.js' },
        { name: 'external "node:fs"' }
      ]
    }
    expect(bundledPackageDirs(stats).sort()).toEqual(
      [
        'node_modules/@actions/core',
        'node_modules/@actions/github/node_modules/@actions/http-client',
        'node_modules/zod'
      ].sort()
    )
  })
})

describe('licenceOf', () => {
  let root: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'licences-'))
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  const pkg = (name: string, json: object, licence?: string) => {
    const dir = join(root, 'node_modules', name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', ...json }))
    if (licence) writeFileSync(join(dir, 'LICENSE.md'), licence)
    return `node_modules/${name}`
  }

  it('reads the licence name and text', () => {
    expect(licenceOf(root, pkg('a', { license: 'MIT' }, 'MIT text\n'))).toEqual({
      name: 'a',
      version: '1.2.3',
      licence: 'MIT',
      text: 'MIT text'
    })
  })

  it('names a package without a licence file', () => {
    expect(licenceOf(root, pkg('b', { license: 'MIT' }))).toMatchObject({
      name: 'b',
      problem: 'no licence file in node_modules/b'
    })
  })

  it('names a package without a licence in package.json', () => {
    expect(licenceOf(root, pkg('c', {}, 'text'))).toMatchObject({
      problem: 'no "license" in node_modules/c/package.json'
    })
  })
})

describe('dist/licenses.txt', () => {
  it('names the packages this action is built on', () => {
    const text = readFileSync(new URL('../dist/licenses.txt', import.meta.url), 'utf8')
    for (const name of [
      '@actions/core',
      '@actions/http-client',
      'zod',
      'undici',
      'tunnel',
      '@octokit/core',
      'before-after-hook',
      'universal-user-agent'
    ]) {
      expect(text).toMatch(new RegExp(`^${name}@\\d`, 'm'))
    }
  })
})
