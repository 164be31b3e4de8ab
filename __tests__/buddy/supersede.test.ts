import { isSameRef, isStillGoing } from '../../src/buddy/supersede.js'
import type { Execution, RunRequestBody } from '../../src/buddy/model.js'

const to_revision = { revision: 'HEAD' }
const run = (fields: Partial<Execution>): Execution => ({ id: 1, status: 'INPROGRESS', ...fields })

describe('isSameRef', () => {
  it.each<[string, Partial<Execution>, RunRequestBody, boolean]>([
    [
      'the same branch',
      { branch: { name: 'main' } },
      { to_revision, branch: { name: 'main' } },
      true
    ],
    [
      'the same branch, written as a ref',
      { branch: { name: 'main' } },
      { to_revision, branch: { name: 'refs/heads/main' } },
      true
    ],
    [
      'another branch',
      { branch: { name: 'feature' } },
      { to_revision, branch: { name: 'main' } },
      false
    ],
    [
      'a branch named like the tag',
      { branch: { name: 'v1' } },
      { to_revision, tag: { name: 'v1' } },
      false
    ],
    ['the same tag', { tag: { name: 'v1' } }, { to_revision, tag: { name: 'v1' } }, true],
    [
      'the same pull request',
      { pull_request: { name: 'pull/1' } },
      { to_revision, pull_request: { name: 'pull/1' } },
      true
    ],
    [
      'another pull request',
      { pull_request: { name: 'pull/12' } },
      { to_revision, pull_request: { name: 'pull/1' } },
      false
    ],
    [
      'the same pull request, named by its number',
      { pull_request: { name: '1' } },
      { to_revision, pull_request: { name: 'pull/1' } },
      true
    ],
    [
      'the same pull request, given only as a number',
      { pull_request: { number: 1 } },
      { to_revision, pull_request: { name: 'pull/1' } },
      true
    ],
    [
      'another pull request, named by its number',
      { pull_request: { name: '12', number: 12 } },
      { to_revision, pull_request: { name: 'pull/1' } },
      false
    ],
    [
      'a pull request whose number is 1 but named pull/11: the number wins',
      { pull_request: { name: 'pull/11', number: 1 } },
      { to_revision, pull_request: { name: 'pull/1' } },
      true
    ],
    ['a run that names no ref', {}, { to_revision, branch: { name: 'main' } }, false],
    [
      'a run that names an empty pull request',
      { pull_request: {} },
      { to_revision, pull_request: { name: 'pull/1' } },
      false
    ],
    ['a codeless pipeline: every run is its own', {}, {}, true],
    [
      'a pipeline bound to one ref: every run is for it',
      { branch: { name: 'main' } },
      { to_revision },
      true
    ]
  ])('%s → %s', (_name, fields, request, expected) => {
    expect(isSameRef(run(fields), request)).toBe(expected)
  })
})

describe('isStillGoing', () => {
  it.each<[string, boolean]>([
    ['INITIAL', true],
    ['ENQUEUED', true],
    ['INPROGRESS', true],
    ['WAITING_FOR_APPLY', true],
    ['WAITING_FOR_VARIABLES', true],
    ['TERMINATING', false],
    ['SUCCESSFUL', false],
    ['FAILED', false],
    ['TERMINATED', false],
    ['SOMETHING_NEW', false]
  ])('%s → %s', (status, expected) => {
    expect(isStillGoing(run({ status }))).toBe(expected)
  })
})
