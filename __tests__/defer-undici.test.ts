import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deferUndici, splitUndici, UNDICI_FILE } from '../scripts/defer-undici.mjs'
import { startSimulator } from './support/buddy-simulator.mjs'
import { runAction } from './support/run-action.mjs'
import { simulatorInputs, PUSH_TO_MAIN, FOLLOWING } from './support/simulator-per-test.js'
import { SPAWNS_BUDGET_MS } from './support/secret-scan.js'

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

  it('gives each property the bundle reads a getter of its own, by the name webpack gave it', () => {
    const out = deferUndici(
      bundle('new undici/* ProxyAgent */.kT({}) || (0,undici.fetch) || /*#__PURE__*/undici.Agent')
    )
    expect(out).toContain(
      'var undici = { get kT() { return __nccwpck_require__(6752).kT }, get fetch() { return __nccwpck_require__(6752).fetch }, get Agent() { return __nccwpck_require__(6752).Agent } };'
    )
  })

  it.each(['undici', 'f(undici)', 'undici["ProxyAgent"]'])(
    'refuses a bundle that uses undici other than by reading a property: %s',
    use => {
      expect(() => deferUndici(bundle(use))).toThrow(
        /used other than by its properties .*: class HttpClient/
      )
    }
  )

  it('defers an import that nothing uses: undici is then never evaluated', () => {
    const out = deferUndici(bundle('null'))
    expect(out).toContain('var undici = {  }; // deferred by scripts/defer-undici.mjs')
  })

  it('refuses a bundle without exactly one eager undici import', () => {
    expect(() => deferUndici('var x = 1')).toThrow(/expected one eager undici import, found 0/)
  })

  it.each(['../dist/index.js', '../dist/post/index.js'])(
    'is applied to %s: a getter for every property it reads of undici',
    file => {
      const dist = readFileSync(new URL(file, import.meta.url), 'utf8')
      const deferred = /^var undici = \{(.*)\}; \/\/ deferred by scripts\/defer-undici\.mjs/m.exec(
        dist
      )
      expect(deferred).not.toBeNull()
      const getters = [...deferred![1]!.matchAll(/get (\w+)\(\)/g)].map(m => m[1])
      // Reads of the variable (not "defer-undici.mjs", "./undici.cjs" in the text).
      const read = [
        ...dist.matchAll(/(?:(?<![\w.'"/$-])|(?<=\*\/))undici(?:\/\* \w+ \*\/)?\.(\w+)/g)
      ].map(m => m[1])
      expect(read.length).toBeGreaterThan(0)
      expect(read.filter(property => !getters.includes(property))).toEqual([])
    }
  )
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

  it('keeps a module that another chunk requires', () => {
    const { moved } = splitUndici(deferUndici(shaped()), ['var x = __webpack_require__(8);'])
    expect(moved).toEqual(['7'])
  })

  it("keeps a module that needs the ES module's scope, even one only undici requires", () => {
    const { moved, chunk } = splitUndici(
      deferUndici(
        shaped().replace(
          'module.exports = class Agent {}',
          'const net = __nccwpck_require__(10); module.exports = class Agent {}'
        )
      )
    )
    expect(moved.sort()).toEqual(['7', '8'])
    expect(chunk).not.toContain('import.meta')
  })

  it('loads the split file only for the modules it moved: any other missing module fails as before', () => {
    const { source } = splitUndici(deferUndici(shaped()))
    expect(source).toMatch(/&& \[(7,8|8,7)\]\.includes\(\+moduleId\)\) Object\.assign/)
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
      const index = /undici is module (\d+)$/m.exec(bundle)?.[1]
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

describe('the committed bundles without undici.cjs', () => {
  // A copy of dist/ without the split files: a step that needs no proxy never reads them.
  let dist: string
  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'dist-without-undici-'))
    cpSync(fileURLToPath(new URL('../dist', import.meta.url)), dist, { recursive: true })
    rmSync(join(dist, UNDICI_FILE))
    rmSync(join(dist, 'post', UNDICI_FILE))
  })
  afterAll(() => rmSync(dist, { recursive: true, force: true }))

  it(
    'a step follows its run to the end, and a post step cancels one',
    async () => {
      const sim = await startSimulator()
      try {
        const main = await runAction({
          inputs: simulatorInputs(sim, FOLLOWING),
          event: PUSH_TO_MAIN,
          entry: join(dist, 'index.js')
        })
        expect(main.stderr).toBe('')
        expect(main.code).toBe(0)
        expect(main.outputs.status).toBe('SUCCESSFUL')
        expect(sim.addRun(1, { branch: { name: 'main' } }, 'INPROGRESS')).toBe(2)
        const saved = { workspace: 'acme', project: 'web', pipelineId: 1, executionId: 2 }
        const post = await runAction({
          inputs: simulatorInputs(sim),
          event: PUSH_TO_MAIN,
          state: { 'followed-run': JSON.stringify(saved) },
          entry: join(dist, 'post', 'index.js')
        })
        expect(post.code).toBe(0)
        expect(post.stdout).toContain('The job was cancelled: cancelled Buddy run #2.')
      } finally {
        await sim.close()
      }
    },
    SPAWNS_BUDGET_MS
  )
})

describe("the tests' undici (jest maps it to support/undici-on-use.cjs)", () => {
  it('loads nothing of undici until a property is used', () => {
    // In a plain Node.js process: jest's own module registry is not Node's require cache.
    const loaded = execFileSync(
      process.execPath,
      [
        '-e',
        `const stand = require(${JSON.stringify(fileURLToPath(new URL('./support/undici-on-use.cjs', import.meta.url)))})
         const undici = () => Object.keys(require.cache).some(k => k.includes('/node_modules/undici/'))
         const before = undici(); stand.fetch; const listed = undici()
         new stand.ProxyAgent('http://127.0.0.1:9').close()
         console.log(JSON.stringify([before, listed, undici()]))`
      ],
      { encoding: 'utf8' }
    )
    expect(JSON.parse(loaded)).toEqual([false, false, true])
  })

  it('gives the real ProxyAgent and fetch, loaded on first use', async () => {
    const undici = await import('undici')
    const agent = new undici.ProxyAgent('http://127.0.0.1:9')
    expect(typeof agent.dispatch).toBe('function')
    expect(agent.constructor.name).toBe('ProxyAgent')
    await agent.close()
    expect(typeof undici.fetch).toBe('function')
  })
})
