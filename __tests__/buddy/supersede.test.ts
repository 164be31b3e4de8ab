import { isSameRef, isStillGoing, runAge, type ThisStep } from '../../src/buddy/supersede.js'
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

describe('runAge: older runs are cancelled, newer ones left alone', () => {
  const began = Date.parse('2026-12-01T12:00:00Z')
  const step: ThisStep = { workflowRun: { id: 5000, attempt: 2 }, startedAtMs: began }
  const minutes = (n: number) => new Date(began + n * 60_000).toISOString()
  const marker = (id: string, attempt = '1') =>
    `Deploy [gh-step ${id}.${attempt}.deploy.0a1b2c3d.00000001]`

  it.each<[string, Partial<Execution>, 'older' | RegExp]>([
    ['an earlier workflow run', { comment: marker('4999'), start_date: minutes(-30) }, 'older'],
    [
      'an earlier workflow run, whose late job started it after this step began',
      { comment: marker('4999'), start_date: minutes(1) },
      'older'
    ],
    [
      'an earlier attempt of this workflow run',
      { comment: marker('5000', '1'), start_date: minutes(-30) },
      'older'
    ],
    [
      'a later workflow run, started before this step began (this job is late)',
      { comment: marker('5001'), start_date: minutes(-30) },
      /^a later workflow run \(5001\) started it$/
    ],
    [
      'a later attempt of this workflow run',
      { comment: marker('5000', '3'), start_date: minutes(-30) },
      /^a later attempt \(3\) of this workflow run started it$/
    ],
    [
      'a run that names the marker in custom text before its own marker',
      { comment: `${marker('9999')} ${marker('4999')}`, start_date: minutes(-30) },
      'older'
    ],
    ['no marker, started well before this step', { start_date: minutes(-10) }, 'older'],
    ['no marker, no comment at all', { comment: null, start_date: minutes(-10) }, 'older'],
    [
      'no marker, started after this step began',
      { comment: 'Started in Buddy', start_date: minutes(1) },
      /^it started at 2026-12-01T12:01:00\.000Z, after this step began \(or less than 2 minutes before/
    ],
    [
      'no marker, started a minute before (the clocks may differ)',
      { start_date: minutes(-1) },
      /after this step began/
    ],
    ['no marker, no start date', {}, /^Buddy gives no start date for it: it may be newer$/],
    [
      'a marker from outside GitHub ("local"): by its start date',
      { comment: '[gh-step local.1.job.0a1b2c3d.n]', start_date: minutes(-10) },
      'older'
    ],
    [
      'another job of this same workflow run and attempt: by its start date',
      { comment: marker('5000', '2'), start_date: minutes(1) },
      /after this step began/
    ],
    [
      'another job of this same workflow run and attempt, started long before',
      { comment: marker('5000', '2'), start_date: minutes(-10) },
      'older'
    ]
  ])('%s', (_name, fields, expected) => {
    const age = runAge(run(fields), step)
    if (expected === 'older') expect(age).toEqual({ kind: 'older' })
    else {
      expect(age.kind).toBe('newer')
      expect(age.kind === 'newer' && age.why).toMatch(expected)
    }
  })

  it('decides by the start date alone when this step runs outside GitHub', () => {
    const local: ThisStep = { startedAtMs: began }
    expect(runAge(run({ comment: marker('1'), start_date: minutes(-10) }), local)).toEqual({
      kind: 'older'
    })
    expect(runAge(run({ comment: marker('1'), start_date: minutes(1) }), local)).toMatchObject({
      kind: 'newer',
      by: 'start'
    })
  })
})
