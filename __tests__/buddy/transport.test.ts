import { proxyHost } from '../../src/buddy/transport.js'

describe('proxyHost', () => {
  it.each<[NodeJS.ProcessEnv, string | undefined]>([
    [{ HTTPS_PROXY: 'http://user:secret@proxy.corp:3128' }, 'proxy.corp:3128'],
    [{ https_proxy: 'proxy.corp:8080', HTTPS_PROXY: 'http://other:1' }, 'proxy.corp:8080'],
    [{ HTTPS_PROXY: 'http://[::1' }, undefined],
    [{}, undefined]
  ])('%j → %j (host and port only, from the environment given)', (env, expected) => {
    expect(proxyHost(env)).toBe(expected)
  })
})
