import { readFileSync } from 'node:fs'
import type { Pipeline } from '../../src/buddy/model.js'
import { RunTargetError, type RunTarget } from '../../src/github/run-target.js'
import {
  buildRunRequest,
  defaultComment,
  pipelineRefs,
  redactBody,
  type RunOptions
} from '../../src/buddy/run-request.js'

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
    [
      'refs only under events (newer pipelines): one fixed ref',
      pipeline({ refs: [], events: [{ type: 'PUSH', refs: ['refs/heads/main'] }] }),
      { kind: 'fixed', ref: 'refs/heads/main' }
    ],
    [
      'refs only under events: the same ref twice is one',
      pipeline({
        events: [
          { type: 'PUSH', refs: ['main'] },
          { type: 'CREATE_REF', refs: ['refs/heads/main'] }
        ]
      }),
      { kind: 'fixed', ref: 'refs/heads/main' }
    ],
    [
      'refs only under events: a wildcard',
      pipeline({ events: [{ type: 'PUSH', refs: ['refs/tags/*'] }] }),
      { kind: 'any', why: 'the pipeline runs on refs/tags/*' }
    ],
    [
      'refs only under events: several',
      pipeline({
        events: [
          { type: 'PUSH', refs: ['refs/heads/main'] },
          { type: 'PUSH', refs: ['refs/heads/develop'] }
        ]
      }),
      { kind: 'any', why: 'the pipeline runs on 2 refs' }
    ],
    [
      "its context refs and its events' refs together",
      pipeline({ refs: ['refs/heads/*'], events: [{ type: 'PUSH', refs: ['refs/heads/main'] }] }),
      { kind: 'any' }
    ],
    [
      'a context ref and a push trigger on :context and dev-*: runs more than master',
      pipeline({
        refs: ['refs/heads/master'],
        events: [{ type: 'PUSH', refs: [':context', 'refs/heads/dev-*'] }]
      }),
      { kind: 'any', why: 'the pipeline runs on 2 refs' }
    ],
    [
      ':context stands for the context refs, never a branch named ":context"',
      pipeline({ refs: ['refs/heads/master'], events: [{ type: 'PUSH', refs: [':context'] }] }),
      { kind: 'fixed', ref: 'refs/heads/master' }
    ],
    [
      ':context with several context refs',
      pipeline({
        refs: ['refs/heads/master', 'refs/tags/v*'],
        events: [{ type: 'PUSH', refs: [':context'] }]
      }),
      { kind: 'any', why: 'the pipeline runs on 2 refs' }
    ],
    [
      'a context ref, and an event on another: two refs',
      pipeline({ refs: ['refs/heads/master'], events: [{ type: 'PUSH', refs: ['develop'] }] }),
      { kind: 'any', why: 'the pipeline runs on 2 refs' }
    ],
    [
      ':context without context refs stands for none',
      pipeline({ refs: [], events: [{ type: 'PUSH', refs: [':context'] }] }),
      { kind: 'any', why: 'the pipeline names no single fixed ref' }
    ],
    [
      'strict_context: only the context refs (the narrower reading)',
      pipeline({
        refs: ['refs/heads/master'],
        strict_context: true,
        events: [{ type: 'PUSH', refs: [':context', 'refs/heads/dev-*'] }]
      }),
      { kind: 'fixed', ref: 'refs/heads/master' }
    ],
    [
      'strict_context with a pull request trigger: still only the context refs',
      pipeline({
        refs: ['refs/heads/master'],
        strict_context: true,
        events: [{ type: 'PULL_REQUEST', branches: ['master'] }]
      }),
      { kind: 'fixed', ref: 'refs/heads/master' }
    ],
    [
      'strict_context false: the events count',
      pipeline({
        refs: ['refs/heads/master'],
        strict_context: false,
        events: [{ type: 'PUSH', refs: ['refs/heads/dev-*'] }]
      }),
      { kind: 'any' }
    ],
    [
      'strict_context without context refs: the events',
      pipeline({ strict_context: true, events: [{ type: 'PUSH', refs: ['refs/heads/main'] }] }),
      { kind: 'fixed', ref: 'refs/heads/main' }
    ],
    [
      'a context ref and a pull request trigger: runs pull requests too',
      pipeline({ refs: ['refs/heads/master'], events: [{ type: 'PULL_REQUEST' }] }),
      { kind: 'any', why: 'the pipeline runs on pull requests' }
    ],
    [
      "a regular expression (Buddy's pattern in parentheses) is no fixed ref",
      pipeline({ refs: ['(refs/heads/(main|develop))'] }),
      { kind: 'any', why: 'the pipeline runs on (refs/heads/(main|develop))' }
    ],
    ['codeless: no refs and no events', pipeline({ refs: [], events: [] }), { kind: 'codeless' }],
    ['codeless: refs unset, no events', pipeline({ events: [] }), { kind: 'codeless' }],
    [
      'events said to be none, but the older single ref given: that ref',
      pipeline({ events: [], ref_name: 'main', ref_type: 'BRANCH' }),
      { kind: 'fixed', ref: 'refs/heads/main' }
    ],
    ['events without refs', pipeline({ events: [{ type: 'SCHEDULE' }] }), { kind: 'any' }],
    [
      'refs under events, and a pull request trigger: runs pull requests too',
      pipeline({
        events: [
          { type: 'PUSH', refs: ['refs/heads/main'] },
          { type: 'PULL_REQUEST', branches: ['main'] }
        ]
      }),
      { kind: 'any', why: 'the pipeline runs on pull requests' }
    ],
    [
      'an event that names branches: runs more than one ref',
      pipeline({ events: [{ type: 'PUSH', refs: ['refs/heads/main'], branches: ['develop'] }] }),
      { kind: 'any' }
    ],
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

  describe('a pipeline bound to one ref, and an event for another', () => {
    const main = { kind: 'fixed' as const, ref: 'refs/heads/main' }
    const pr = {
      kind: 'pull_request' as const,
      name: 'pull/4',
      revision: 'abc1234',
      source: 'pull_request #4'
    }

    it.each<[string, RunTarget & { revision: string }, RegExp]>([
      [
        'a pull request',
        pr,
        /^The pipeline runs only on refs\/heads\/main, but this event is for pull request pull\/4 \(refs\/pull\/4\/head\): running its commit abc1234 through this pipeline would run code that is not on refs\/heads\/main\. Set input "revision: HEAD" to run refs\/heads\/main at its latest commit/
      ],
      [
        'another branch',
        { kind: 'branch', name: 'feature', revision: 'abc1234', source: 'push' },
        /this event is for branch feature \(refs\/heads\/feature\)/
      ],
      [
        'a tag',
        { kind: 'tag', name: 'v1', revision: 'abc1234', source: 'push' },
        /this event is for tag v1 \(refs\/tags\/v1\)/
      ]
    ])('%s: refused before any request', (_name, target, message) => {
      expect(() => buildRunRequest(settings, target, main, 'c')).toThrow(RunTargetError)
      expect(() => buildRunRequest(settings, target, main, 'c')).toThrow(message)
    })

    it("revision: HEAD runs the pipeline's own ref at its latest commit", () => {
      const request = buildRunRequest(
        settings,
        { ...pr, revision: 'HEAD', explicitRevision: true },
        main,
        'c'
      )
      expect(request.body).toEqual({
        to_revision: { revision: 'HEAD' },
        comment: 'c',
        priority: 'NORMAL'
      })
      expect(request.description).toBe("the pipeline's own ref refs/heads/main")
      expect(request.warnings).toEqual([])
    })

    it('an explicit revision is sent as given, with a warning that says so', () => {
      const request = buildRunRequest(settings, { ...pr, explicitRevision: true }, main, 'c')
      expect(request.body).toEqual({
        to_revision: { revision: 'abc1234' },
        comment: 'c',
        priority: 'NORMAL'
      })
      expect(request.warnings).toEqual([
        'The pipeline runs only on refs/heads/main: running it at revision abc1234, as input "revision" says (this event is for pull request pull/4).'
      ])
    })

    it('an explicit branch is sent as given, for Buddy to run or refuse', () => {
      const request = buildRunRequest(
        settings,
        {
          kind: 'branch',
          name: 'develop',
          revision: 'HEAD',
          source: 'inputs',
          explicitTarget: true
        },
        main,
        'c'
      )
      expect(request.body).toMatchObject({
        branch: { name: 'develop' },
        to_revision: { revision: 'HEAD' }
      })
      expect(request.warnings).toEqual([
        'The pipeline runs only on refs/heads/main, but inputs name branch develop: sending it as given, for Buddy to run or refuse.'
      ])
    })
  })

  describe('a codeless pipeline (no refs, no events): it takes no ref', () => {
    const codeless = { kind: 'codeless' as const }

    it('sends neither a ref nor a revision: nothing of the event is run, nothing to guard', () => {
      const pr = {
        kind: 'pull_request' as const,
        name: 'pull/4',
        revision: 'abc1234',
        source: 'pr'
      }
      const request = buildRunRequest(settings, pr, codeless, 'c')
      expect(request.body).toEqual({ comment: 'c', priority: 'NORMAL' })
      expect(request.description).toBe('no ref (a codeless pipeline)')
      expect(request.warnings).toEqual([])
    })

    it('says that input "revision" is not sent', () => {
      const request = buildRunRequest(
        settings,
        { ...target, explicitRevision: true },
        codeless,
        'c'
      )
      expect(request.body.to_revision).toBeUndefined()
      expect(request.warnings).toEqual([
        'The pipeline is codeless (no refs and no trigger events): it runs no code, so input "revision" (abc1234) is not sent: the run request names no branch, tag, pull request or revision.'
      ])
    })

    it('sends an explicit branch as given, for Buddy to run or refuse', () => {
      const request = buildRunRequest(settings, { ...target, explicitTarget: true }, codeless, 'c')
      expect(request.body).toMatchObject({
        branch: { name: 'main' },
        to_revision: { revision: 'abc1234' }
      })
      expect(request.warnings).toEqual([
        'The pipeline is codeless (no refs and no trigger events): it runs no code, but inputs name branch main: sending it as given, for Buddy to run or refuse.'
      ])
    })
  })

  it('sends a dev-* push to a pipeline on master whose push trigger covers :context and dev-*', () => {
    const refs = pipelineRefs(
      pipeline({
        refs: ['refs/heads/master'],
        events: [{ type: 'PUSH', refs: [':context', 'refs/heads/dev-*'] }]
      })
    )
    const dev = { kind: 'branch' as const, name: 'dev-login', revision: 'abc1234', source: 'push' }
    expect(buildRunRequest(settings, dev, refs, 'c').body).toMatchObject({
      branch: { name: 'dev-login' },
      to_revision: { revision: 'abc1234' }
    })
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
      readFileSync(new URL('../fixtures/run-execution-request.json', import.meta.url), 'utf8')
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
