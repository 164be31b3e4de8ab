import { classifyRunAnswer, isUnknownRevision } from '../../src/buddy/run-answer.js'
import { REVISION } from '../support/run-request-fixture.js'

describe('isUnknownRevision', () => {
  it.each<[number, string | undefined, string, boolean]>([
    [400, 'Revision 1111111 not found in the repository', REVISION, true],
    [404, `Commit ${REVISION} does not exist`, REVISION, true],
    [422, 'Unknown revision', REVISION, true],
    [400, 'Branch, tag or pull request is required', REVISION, false],
    [404, 'Pipeline not found', REVISION, false],
    [400, 'Revision not found', 'HEAD', false],
    [403, `Revision ${REVISION} not found`, REVISION, false],
    [500, `Revision ${REVISION} not found`, REVISION, false]
  ])('%d %j', (status, message, revision, expected) => {
    expect(isUnknownRevision(status, message, revision)).toBe(expected)
  })
})

describe('classifyRunAnswer', () => {
  const ctx = { action: 'run pipeline 1', notFound: 'pipeline 1', scopes: 'PIPELINE_RUN' }
  const answer = (status: number, json: unknown, headers = {}) =>
    ({ kind: 'response', status, headers, text: JSON.stringify(json) }) as const
  const classify = (result: Parameters<typeof classifyRunAnswer>[0]) =>
    classifyRunAnswer(result, REVISION, ctx, 'api.example', 1_000_000)

  it('reads a created run', () => {
    const created = classify(answer(200, { id: 5, status: 'INPROGRESS' }))
    expect(created).toMatchObject({ kind: 'created', execution: { id: 5, status: 'INPROGRESS' } })
  })

  it('says a 2xx it cannot read may have created a run', () => {
    const result = classify({ kind: 'response', status: 200, headers: {}, text: '{"id":' })
    expect(result.kind).toBe('ambiguous')
    expect(result).toMatchObject({
      why: expect.stringMatching(
        /^Buddy accepted the run request but its answer could not be read \(/
      )
    })
  })

  it('keeps a 429 apart, with the wait Buddy asks for', () => {
    expect(
      classify(answer(429, { errors: [{ message: 'slow down' }] }, { 'retry-after': '7' }))
    ).toEqual({
      kind: 'rate-limited',
      serverMs: 7000,
      message: 'slow down'
    })
  })

  it('tells an unknown revision from another 4xx, which is final', () => {
    expect(
      classify(answer(400, { errors: [{ message: `Revision ${REVISION} not found` }] }))
    ).toEqual({
      kind: 'unknown-revision',
      status: 400,
      message: `Revision ${REVISION} not found`
    })
    const refused = classify(answer(400, { errors: [{ message: 'Bad priority' }] }))
    expect(refused.kind).toBe('refused')
    expect(refused.kind === 'refused' && refused.error.status).toBe(400)
    expect(refused.kind === 'refused' && refused.error.buddyMessage).toBe('Bad priority')
  })

  it('says a 5xx, or a reset after sending, may have created a run; a refused connection did not', () => {
    expect(classify(answer(502, {})).kind).toBe('ambiguous')
    expect(classify({ kind: 'network', code: 'ECONNRESET', sent: true }).kind).toBe('ambiguous')
    expect(classify({ kind: 'network', code: 'ECONNREFUSED', sent: false }).kind).toBe('not-sent')
    expect(classify({ kind: 'network', code: 'EPROXY', sent: false, fatal: 'proxy' }).kind).toBe(
      'refused'
    )
  })
})
