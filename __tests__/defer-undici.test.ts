import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { deferUndici, splitUndici, UNDICI_FILE } from '../scripts/defer-undici.mjs'

const bundle = (uses: string) => `/***/ 1:
// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __nccwpck_require__(6752);
class HttpClient { agent() { return ${uses} } }
const note = 'undici.error.UND_ERR'
/***/ 2:
const other = undici.fetch
`

describe('defer-undici (post-build step)', () => {
  it('turns the eager require into a getter that requires undici on first use', () => {
    const out = deferUndici(bundle('new undici.ProxyAgent({})'))
    expect(out).toContain(
      'var undici = { get ProxyAgent() { return __nccwpck_require__(6752).ProxyAgent } };'
    )
    expect(out).not.toContain('var undici = __nccwpck_require__(6752);')
    // The getter loads the module only when read.
    const loads: number[] = []
    const __nccwpck_require__ = (id: number) => (loads.push(id), { ProxyAgent: class {} })
    const undici = new Function(
      '__nccwpck_require__',
      `const undici = ${/var undici = (.*);/.exec(out)?.[1]}; return undici`
    )(__nccwpck_require__) as { ProxyAgent: unknown }
    expect(loads).toEqual([])
    expect(typeof undici.ProxyAgent).toBe('function')
    expect(loads).toEqual([6752])
  })

  it('refuses a bundle that uses undici for more than ProxyAgent', () => {
    expect(() => deferUndici(bundle('undici.fetch'))).toThrow(
      /used for more than ProxyAgent \(fetch\)/
    )
  })

  it("defers an import that nothing uses (the post step's bundle)", () => {
    const out = deferUndici(bundle('null'))
    expect(out).toContain('var undici = { get ProxyAgent() {')
  })

  it('refuses a bundle without exactly one eager undici import', () => {
    expect(() => deferUndici('var x = 1')).toThrow(/expected one eager undici import, found 0/)
  })

  it.each(['../dist/index.js', '../dist/post/index.js'])('is applied to %s', file => {
    const dist = readFileSync(new URL(file, import.meta.url), 'utf8')
    expect(dist).toMatch(
      /var undici = \{ get ProxyAgent\(\) \{ return __nccwpck_require__\(\d+\)\.ProxyAgent \} \};/
    )
  })
})

/** A bundle of ncc's shape: undici (7, needing 8), a module that both use (9), the action (1). */
const shaped = (
  otherUse = ''
) => `import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 7:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {
const Agent = __nccwpck_require__(8); const shared = __nccwpck_require__(9)
module.exports = { ProxyAgent: class ProxyAgent extends Agent { shared = shared } }

/***/ }),

/***/ 8:
/***/ ((module) => {
module.exports = class Agent {}

/***/ }),

/***/ 9:
/***/ ((module) => {
module.exports = 'shared'

/***/ }),

/***/ 10:
/***/ ((module) => {
module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ })

/******/ });
/******/ var __webpack_module_cache__ = {};
/******/ function __nccwpck_require__(moduleId) {
/******/ \tvar cachedModule = __webpack_module_cache__[moduleId];
/******/ \tif (cachedModule !== undefined) return cachedModule.exports;
/******/ \t// Create a new module (and put it into the cache)
/******/ \tvar module = __webpack_module_cache__[moduleId] = { exports: {} };
/******/ \t__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ \treturn module.exports;
/******/ }
// EXTERNAL MODULE: ./node_modules/undici/index.js
var undici = __nccwpck_require__(7);
const shared = __nccwpck_require__(9); ${otherUse}
export const agent = () => new undici.ProxyAgent()
`

describe('split-undici (post-build step)', () => {
  it("moves undici's own modules out, keeps what the bundle uses elsewhere, and loads them on use", () => {
    const { source, chunk, moved } = splitUndici(deferUndici(shaped()))
    expect(moved.sort()).toEqual(['7', '8'])
    expect(source).not.toContain('class Agent')
    expect(source).toContain("module.exports = 'shared'")
    expect(chunk).toContain('class Agent')
    // The two files together still give undici on first use, and only then.
    const loaded: string[] = []
    const chunkExports = new Function('module', chunk + '; return module.exports')({})
    const runnable = source
      .replace(/^import .*\n/, '')
      .replace('export const agent', 'const agent')
      .replaceAll('__WEBPACK_EXTERNAL_createRequire(import.meta.url)', 'requireExternal')
    const requireExternal = (name: string) => {
      loaded.push(name)
      return name === `./${UNDICI_FILE}` ? chunkExports : {}
    }
    const agent = new Function('requireExternal', `${runnable}; return agent`)(
      requireExternal
    ) as () => { shared: string }
    expect(loaded).toEqual([])
    expect(agent().shared).toBe('shared')
    expect(loaded).toEqual([`./${UNDICI_FILE}`])
  })

  it("keeps a module that another chunk requires, and one that needs the ES module's scope", () => {
    const { moved } = splitUndici(
      deferUndici(
        shaped().replace("module.exports = 'shared'", 'module.exports = __nccwpck_require__(10)')
      ),
      ['var x = __webpack_require__(8);']
    )
    expect(moved).toEqual(['7'])
  })

  it('refuses a bundle it does not understand', () => {
    expect(() => splitUndici(shaped())).toThrow(/no deferred undici import/)
    expect(() => splitUndici(deferUndici(shaped()).replace('// Create a new module', ''))).toThrow(
      /not the shape of ncc's ESM bundle/
    )
  })

  it.each(['../dist/', '../dist/post/'])(
    'is applied to %sindex.js: every module it requires is in one of the two files',
    dir => {
      const bundle = readFileSync(new URL(`${dir}index.js`, import.meta.url), 'utf8')
      const split = createRequire(import.meta.url)(`${dir}${UNDICI_FILE}`) as Record<
        string,
        unknown
      >
      const inBundle = new Set([...bundle.matchAll(/^\/\*\*\*\/ (\d+):$/gm)].map(m => m[1]))
      const index = /get ProxyAgent\(\) \{ return __nccwpck_require__\((\d+)\)/.exec(bundle)?.[1]
      expect(Object.keys(split)).toContain(index)
      expect(Object.keys(split).filter(id => inBundle.has(id))).toEqual([])
      const chunkText = readFileSync(new URL(`${dir}${UNDICI_FILE}`, import.meta.url), 'utf8')
      const required = new Set(
        [...chunkText.matchAll(/__nccwpck_require__\((\d+)\)/g)].map(m => m[1]!)
      )
      expect([...required].filter(id => !(id in split) && !inBundle.has(id))).toEqual([])
      expect(bundle.length).toBeLessThan(1_000_000)
    }
  )
})

describe("the tests' undici (jest maps it to support/undici-on-use.cjs)", () => {
  it('gives the real ProxyAgent and fetch, loaded on first use', async () => {
    const undici = await import('undici')
    const agent = new undici.ProxyAgent('http://127.0.0.1:9')
    expect(typeof agent.dispatch).toBe('function')
    expect(agent.constructor.name).toBe('ProxyAgent')
    await agent.close()
    expect(typeof undici.fetch).toBe('function')
  })
})
