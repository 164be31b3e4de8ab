import { buddyMessageOf, describeNetworkFailure } from '../../src/buddy/failures.js'

describe('buddyMessageOf', () => {
  it.each([
    ['{"errors":[{"message":"a"},{"message":"b"}]}', 'a; b'],
    ['{"error":"x"}', 'x'],
    ['<html><body>oops</body></html>', 'an HTML page instead of JSON'],
    ['plain\ntext\u001b[31m', 'plain text [31m'],
    ['', undefined],
    ['{}', undefined]
  ])('%j → %j', (text, expected) => {
    expect(buddyMessageOf(text)).toBe(expected)
  })

  it('keeps long messages short', () => {
    expect(buddyMessageOf('x'.repeat(1000))).toHaveLength(300)
  })
})

describe('describeNetworkFailure', () => {
  const ctx = { action: 'read pipeline 1', notFound: 'pipeline 1', scopes: 'PIPELINE_READ' }

  it('names the proxy the failure went through, never its password', () => {
    const failure = { code: 'EPROXY', fatal: 'proxy' as const, detail: 'statusCode=407' }
    const message = describeNetworkFailure(
      { ...failure, proxy: 'proxy.corp:3128' },
      ctx,
      'buddy.test:443'
    )
    expect(message).toMatch(
      /^The proxy \(proxy\.corp:3128, from HTTPS_PROXY\) refused to open a tunnel to buddy\.test:443 \(407 Proxy Authentication Required\)/
    )
    expect(describeNetworkFailure(failure, ctx, 'buddy.test:443')).toMatch(
      /^The proxy refused to open a tunnel/
    )
  })
})
