import { leaks } from './support/secret-scan.js'

describe('the secret scanner', () => {
  const result = (stdout: string, summary = '') => ({
    code: 0,
    signal: null,
    stdout,
    stderr: '',
    outputs: {},
    state: {},
    summary,
    rawFiles: { output: '', state: '', summary },
    errors: [],
    warnings: []
  })

  it('allows a secret only in its ::add-mask:: command', () => {
    expect(leaks(result('::add-mask::s3cret\nfine'), ['s3cret'])).toEqual([])
  })

  it('finds a secret anywhere else', () => {
    expect(leaks(result('token s3cret here'), ['s3cret'])).toEqual(['token s3cret here'])
    expect(leaks(result('', '<td>s3cret</td>'), ['s3cret'])).toEqual(['<td>s3cret</td>'])
    expect(leaks(result('::add-mask::s3cret-and-more'), ['s3cret'])).toHaveLength(1)
  })

  it('allows the mask of a secret that contains another one it knows', () => {
    expect(leaks(result('::add-mask::s3cret-2'), ['s3cret', 's3cret-2'])).toEqual([])
    expect(leaks(result('renewed: s3cret-2'), ['s3cret', 's3cret-2'])).toHaveLength(1)
  })
})
