import { readFileSync } from 'node:fs'
import type { Pipeline } from '../src/buddy/model.js'
import {
  buildRunRequest,
  defaultComment,
  pipelineRefs,
  redactBody,
  type RunOptions
} from '../src/run-request.js'

const settings: RunOptions = {
  variables: [],
  priority: 'NORMAL',
  refresh: false,
  clearCache: false
}
const pipeline = (fields: Partial<Pipeline>): Pipeline => ({ id: 1, ...fields })

describe('pipelineRefs', () => {
  it.each<[string, Pipeline | undefined, object]>([
    [
      'one fixed branch',
      pipeline({ refs: ['refs/heads/master'] }),
      { kind: 'fixed', ref: 'refs/heads/master' }
    ],
    ['one fixed tag', pipeline({ refs: ['refs/tags/v1'] }), { kind: 'fixed', ref: 'refs/tags/v1' }],
    ['a bare branch name', pipeline({ refs: ['main'] }), { kind: 'fixed', ref: 'refs/heads/main' }],
    ['a wildcard', pipeline({ refs: ['*'] }), { kind: 'any' }],
    ['a pattern', pipeline({ refs: ['refs/heads/release-*'] }), { kind: 'any' }],
    ['several refs', pipeline({ refs: ['refs/heads/a', 'refs/heads/b'] }), { kind: 'any' }],
    [
      'older fields, fixed',
      pipeline({ ref_name: 'main', ref_type: 'BRANCH' }),
      { kind: 'fixed', ref: 'refs/heads/main' }
    ],
    ['older fields, wildcard', pipeline({ ref_name: '*', ref_type: 'WILDCARD' }), { kind: 'any' }],
    ['nothing said', pipeline({}), { kind: 'any' }],
    ['not readable', undefined, { kind: 'any', why: 'the pipeline could not be read' }]
  ])('%s', (_name, p, expected) => {
    expect(pipelineRefs(p)).toMatchObject(expected)
  })
})

describe('buildRunRequest', () => {
  const target = { kind: 'branch' as const, name: 'main', revision: 'abc1234', source: 'test' }

  it('sends the target to a pipeline that runs any ref', () => {
    const request = buildRunRequest(settings, target, { kind: 'any', why: '' }, 'c')
    expect(request.body).toEqual({
      to_revision: { revision: 'abc1234' },
      branch: { name: 'main' },
      comment: 'c',
      priority: 'NORMAL'
    })
    expect(request.warnings).toEqual([])
    expect(request.description).toBe('branch main')
  })

  it('sends only the revision to a fixed-ref pipeline, silently when the refs agree', () => {
    const request = buildRunRequest(
      settings,
      target,
      { kind: 'fixed', ref: 'refs/heads/main' },
      'c'
    )
    expect(request.body).toEqual({
      to_revision: { revision: 'abc1234' },
      comment: 'c',
      priority: 'NORMAL'
    })
    expect(request.warnings).toEqual([])
    expect(request.description).toBe("the pipeline's own ref refs/heads/main")
  })

  it('warns when a fixed-ref pipeline is run for another ref', () => {
    const pr = {
      kind: 'pull_request' as const,
      name: 'pull/4',
      revision: 'abc1234',
      source: 'test'
    }
    const request = buildRunRequest(settings, pr, { kind: 'fixed', ref: 'refs/heads/main' }, 'c')
    expect(request.body.pull_request).toBeUndefined()
    expect(request.warnings[0]).toMatch(
      /runs only on refs\/heads\/main, but this is for pull request pull\/4/
    )
  })

  it('maps every option to the documented field', () => {
    const request = buildRunRequest(
      {
        ...settings,
        variables: [
          { key: 'version', value: '1.0', encrypted: false },
          { key: 'pass', value: 'qwerty', encrypted: true }
        ],
        priority: 'HIGH',
        refresh: true,
        clearCache: true,
        actionsToRun: [1, 2],
        delayUntil: '2026-12-01T22:00:00.000Z'
      },
      { kind: 'tag', name: 'v1', revision: 'HEAD', source: 'test' },
      { kind: 'any', why: '' },
      'hotfix'
    )
    expect(request.body).toEqual({
      to_revision: { revision: 'HEAD' },
      tag: { name: 'v1' },
      variables: [
        { key: 'version', value: '1.0' },
        { key: 'pass', value: 'qwerty', encrypted: true }
      ],
      comment: 'hotfix',
      priority: 'HIGH',
      refresh: true,
      clear_cache: true,
      actions_to_run: [1, 2],
      delay_until: '2026-12-01T22:00:00.000Z'
    })
  })

  it("uses only fields of Buddy's own example request", () => {
    const example = JSON.parse(
      readFileSync(new URL('./fixtures/run-execution-request.json', import.meta.url), 'utf8')
    ) as Record<string, unknown>
    const request = buildRunRequest(
      {
        ...settings,
        variables: [{ key: 'pass', value: 'x', encrypted: true }],
        clearCache: true,
        actionsToRun: [1]
      },
      { kind: 'branch', name: 'm', revision: 'HEAD', source: 'test' },
      { kind: 'fixed', ref: 'refs/heads/m' },
      'c'
    )
    for (const key of Object.keys(request.body)) expect(Object.keys(example)).toContain(key)
  })
})

describe('defaultComment', () => {
  it('names the repository, workflow, run number and actor, with a link', () => {
    expect(
      defaultComment({
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_WORKFLOW: 'Deploy',
        GITHUB_RUN_NUMBER: '7',
        GITHUB_RUN_ID: '99',
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_ACTOR: 'me'
      })
    ).toBe(
      'GitHub Actions: o/r · Deploy #7 by me https://github.com/o/r/actions/runs/99/attempts/2'
    )
  })

  it('copes with a bare environment', () => {
    expect(defaultComment({})).toBe('GitHub Actions: unknown repository · workflow')
  })
})

describe('redactBody', () => {
  it('hides secret values only', () => {
    const body = {
      to_revision: { revision: 'HEAD' },
      variables: [
        { key: 'A', value: 'plain' },
        { key: 'B', value: 'secret', encrypted: true }
      ]
    }
    expect(redactBody(body).variables).toEqual([
      { key: 'A', value: 'plain' },
      { key: 'B', value: '***', encrypted: true }
    ])
    expect(body.variables[1]?.value).toBe('secret')
  })
})
