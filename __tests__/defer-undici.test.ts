import { readFileSync } from 'node:fs'
import { deferUndici } from '../scripts/defer-undici.mjs'

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
