import {
  hasStepMarker,
  markedWorkflowRun,
  stepMarker,
  withStepMarker,
  workflowRunOf
} from '../../src/buddy/step-marker.js'

const env = {
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_JOB: 'deploy',
  GITHUB_ACTION: 'run'
}
const request = { to_revision: { revision: 'a'.repeat(40) } }

describe('stepMarker', () => {
  it('joins the run, attempt and job with a hash of the request and the nonce', () => {
    expect(stepMarker(env, request, '0badc0de')).toMatch(
      /^\[gh-step 42\.2\.deploy\.[0-9a-f]{8}\.0badc0de\]$/
    )
  })

  it('tells apart two steps with the same inputs (nonce) and two requests (hash)', () => {
    expect(stepMarker(env, request, '00000001')).not.toBe(stepMarker(env, request, '00000002'))
    const other = { to_revision: { revision: 'b'.repeat(40) } }
    const hashOf = (marker: string) => marker.split('.')[3]
    expect(hashOf(stepMarker(env, request, 'x'))).not.toBe(hashOf(stepMarker(env, other, 'x')))
  })

  it('runs outside GitHub too, and keeps odd characters out of the marker', () => {
    expect(stepMarker({ GITHUB_JOB: 'a b/c' }, request, 'n')).toMatch(
      /^\[gh-step local\.1\.a_b_c\.[0-9a-f]{8}\.n\]$/
    )
  })
})

describe('withStepMarker and hasStepMarker', () => {
  const marker = '[gh-step 1.1.deploy.0badc0de.00000001]'

  it.each<[string | undefined, string]>([
    [undefined, marker],
    ['', marker],
    ['Deploy from CI  ', `Deploy from CI ${marker}`],
    ['Again [gh-step 9.9.old.11111111.22222222]', `Again ${marker}`]
  ])('withStepMarker(%j) = %j', (comment, expected) => {
    expect(withStepMarker(comment, marker)).toBe(expected)
  })

  it('finds the marker in a comment, and nowhere else', () => {
    expect(hasStepMarker(`Deploy ${marker}`, marker)).toBe(true)
    expect(hasStepMarker('Deploy [gh-step 1.1.deploy.0badc0de.00000002]', marker)).toBe(false)
    expect(hasStepMarker(null, marker)).toBe(false)
    expect(hasStepMarker(undefined, marker)).toBe(false)
  })
})

describe('the workflow run in a marker', () => {
  it('is read back from the marker a step wrote', () => {
    const comment = withStepMarker('Deploy [gh-step 7.1.x.y.z]', stepMarker(env, request))
    expect(markedWorkflowRun(comment)).toEqual({ id: 42, attempt: 2 })
    expect(workflowRunOf(env)).toEqual({ id: 42, attempt: 2 })
  })

  it.each<[string | null | undefined, ReturnType<typeof markedWorkflowRun>]>([
    [undefined, undefined],
    [null, undefined],
    ['Started in Buddy', undefined],
    ['[gh-step local.1.job.0a1b2c3d.n]', undefined],
    ['[gh-step 4242.3.deploy.0a1b2c3d.00000001]', { id: 4242, attempt: 3 }],
    ['text [gh-step 1.1.a.b.c] more [gh-step 9.2.a.b.c]', { id: 9, attempt: 2 }]
  ])('%j → %j', (comment, expected) => {
    expect(markedWorkflowRun(comment)).toEqual(expected)
  })

  it('is unknown for this step outside GitHub', () => {
    expect(workflowRunOf({})).toBeUndefined()
    expect(workflowRunOf({ GITHUB_RUN_ID: '17' })).toEqual({ id: 17, attempt: 1 })
  })
})
