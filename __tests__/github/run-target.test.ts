import { describeTarget, targetFromRef } from '../../src/github/run-target.js'

describe('helpers', () => {
  it.each([
    ['refs/heads/a/b', { kind: 'branch', name: 'a/b' }],
    ['refs/tags/v1', { kind: 'tag', name: 'v1' }],
    ['refs/pull/12/merge', { kind: 'pull_request', name: 'pull/12' }],
    ['refs/pull/12/head', { kind: 'pull_request', name: 'pull/12' }],
    ['refs/remotes/x', undefined],
    [undefined, undefined]
  ])('targetFromRef(%s)', (ref, expected) => {
    expect(targetFromRef(ref)).toEqual(expected)
  })

  it('describes targets', () => {
    expect(describeTarget({ kind: 'pull_request', name: 'pull/2' })).toBe('pull request pull/2')
    expect(describeTarget({ kind: 'tag', name: 'v1' })).toBe('tag v1')
  })
})
