import { existsSync, readFileSync } from 'node:fs'

/** SECURITY.md names the tests that show each guard: they exist. */
describe('SECURITY.md', () => {
  const text = readFileSync(new URL('../SECURITY.md', import.meta.url), 'utf8')
  const named = [...new Set(text.match(/__tests__\/[\w./-]+\.(?:ts|mjs)/g) ?? [])]

  it('names the tests of its guards', () => {
    expect(named).toEqual(
      expect.arrayContaining([
        '__tests__/github/fork-policy.test.ts',
        '__tests__/e2e-fork-code.test.ts',
        '__tests__/e2e-outside-text.test.ts',
        '__tests__/report/summary-mermaid.test.ts'
      ])
    )
  })

  it.each(named.map(path => [path]))('%s exists', path => {
    expect(existsSync(new URL(`../${path}`, import.meta.url))).toBe(true)
  })
})
