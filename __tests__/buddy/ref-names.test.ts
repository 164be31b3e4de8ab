import {
  pullRequestNumber,
  sameRef,
  type RefKind,
  type ShownRef
} from '../../src/buddy/ref-names.js'

describe('pullRequestNumber', () => {
  it.each<[ShownRef, number | undefined]>([
    [{ name: 'pull/5' }, 5],
    [{ name: '5' }, 5],
    [{ name: '#5' }, 5],
    [{ name: 'refs/pull/5/head' }, 5],
    [{ name: 'refs/pull/5/merge' }, 5],
    [{ name: ' pull/5 ' }, 5],
    [{ number: 7 }, 7],
    [{ name: 'pull/5', number: 7 }, 7],
    [{ name: 'pull/5', number: null }, 5],
    [{ name: 'pull/5', number: 0 }, 5],
    [{ name: 'feature/5' }, undefined],
    [{ name: 'pull/' }, undefined],
    [{ name: 'pull/5x' }, undefined],
    [{ name: '' }, undefined],
    [{}, undefined],
    [null, undefined],
    [undefined, undefined]
  ])('%j → %p', (shown, expected) => {
    expect(pullRequestNumber(shown)).toBe(expected)
  })
})

describe('sameRef', () => {
  it.each<[RefKind, ShownRef, ShownRef, boolean | undefined]>([
    ['branch', { name: 'main' }, { name: 'main' }, true],
    ['branch', { name: 'main' }, { name: 'refs/heads/main' }, true],
    ['branch', { name: 'refs/heads/main' }, { name: 'main' }, true],
    ['branch', { name: 'main' }, { name: 'dev' }, false],
    ['branch', { name: 'main' }, {}, undefined],
    ['branch', { name: 'main' }, undefined, undefined],
    ['tag', { name: 'v1' }, { name: 'refs/tags/v1' }, true],
    ['tag', { name: 'v1' }, { name: 'v2' }, false],
    ['pull_request', { name: 'pull/5' }, { name: 'pull/5' }, true],
    ['pull_request', { name: 'pull/5' }, { name: '5' }, true],
    ['pull_request', { name: 'pull/5' }, { number: 5 }, true],
    ['pull_request', { name: 'pull/5' }, { name: '6' }, false],
    ['pull_request', { name: 'pull/5' }, { number: 6 }, false],
    ['pull_request', { name: 'pull/5' }, { name: 'odd name' }, false],
    ['pull_request', { name: 'pull/5' }, {}, undefined]
  ])('%s asked %j, shown %j → %p', (kind, asked, shown, expected) => {
    expect(sameRef(kind, asked, shown)).toBe(expected)
  })
})
