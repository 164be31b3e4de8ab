import { hasStepMarker, stepMarker, withStepMarker } from '../../src/buddy/step-marker.js'

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
