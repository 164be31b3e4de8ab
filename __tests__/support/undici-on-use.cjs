// jest maps `undici` here (jest.config.js), as scripts/defer-undici.mjs does in the bundle:
// undici is loaded on first use, not when @actions/http-client or @actions/github is imported.
// Both import it for one thing each (http-client's ProxyAgent behind a proxy, github's fetch for
// its requests), which no test file uses at import; loading undici's ~900 kB in every test file
// that imports them cost about a tenth of a CPU-second per file. CommonJS, so that both an
// import and a require of `undici` find it; plain functions, so that listing them loads nothing.

// By path: the bare name would come back here through jest's moduleNameMapper.
const UNDICI = require.resolve('undici/index.js')
let undici
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (above)
const real = () => (undici ??= require(UNDICI))

class ProxyAgent {
  constructor(...args) {
    return new (real().ProxyAgent)(...args)
  }
}

const fetch = (...args) => real().fetch(...args)

module.exports = { ProxyAgent, fetch }
