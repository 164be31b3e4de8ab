import { readFileSync } from 'node:fs'
import {
  executionSchema,
  identifiersSchema,
  pipelineSchema,
  oidcTokenSchema,
  parseOidcAnswer,
  statusKind
} from '../../src/buddy/model.js'
import { parseAnswer } from '../../src/buddy/failures.js'

const fixture = readFileSync(
  new URL('../fixtures/run-execution-response.json', import.meta.url),
  'utf8'
)

describe("Buddy's answers", () => {
  it("parses Buddy's own example of a run", () => {
    const parsed = parseAnswer(fixture, executionSchema)
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.value).toMatchObject({
      id: 3,
      status: 'INPROGRESS',
      html_url:
        'https://app.buddy.works/buddy/company-website/pipelines/pipeline/2/execution/56fa37f499f1e10c105fb388',
      branch: { name: 'master' },
      pipeline: { id: 2, name: 'dev' }
    })
    expect(parsed.value.action_executions?.[0]?.action?.name).toBe('Upload files to dev')
  })

  it('accepts a run with only an id and a status, and nulls where fields are missing', () => {
    expect(parseAnswer('{"id": 1, "status": "ENQUEUED", "branch": null}', executionSchema).ok).toBe(
      true
    )
  })

  it.each([
    ['', 'an empty answer'],
    ['{"id": 1, "stat', 'malformed JSON'],
    ['<!DOCTYPE html><html></html>', 'an HTML page instead of JSON'],
    ['{"status": "X"}', 'unexpected shape (id: '],
    ['[]', 'unexpected shape']
  ])('says why %j cannot be read', (text, problem) => {
    const parsed = parseAnswer(text, executionSchema)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.problem).toContain(problem)
  })
})

describe('odd fields that must not make an answer unreadable', () => {
  it.each<[string, unknown]>([
    ['a number as text', '5'],
    ['an object', { n: 5 }],
    ['null', null]
  ])("a pull request's number given as %s is ignored, its name kept", (_name, number) => {
    const parsed = executionSchema.safeParse({
      id: 1,
      status: 'SUCCESSFUL',
      pull_request: { name: '5', number }
    })
    expect(parsed.success).toBe(true)
    expect(parsed.data?.pull_request).toMatchObject({ name: '5' })
    expect(parsed.data?.pull_request?.number ?? undefined).toBeUndefined()
  })

  it.each<[unknown, boolean | null | undefined]>([
    [true, true],
    [false, false],
    ['true', undefined],
    [1, undefined],
    [null, null]
  ])('strict_context %j is read as %p', (value, expected) => {
    const parsed = pipelineSchema.safeParse({ id: 1, refs: [], strict_context: value })
    expect(parsed.success).toBe(true)
    expect(parsed.data?.strict_context).toBe(expected)
  })
})

describe('statusKind', () => {
  it.each([
    ['SUCCESSFUL', 'final'],
    ['FAILED', 'final'],
    ['TERMINATED', 'final'],
    ['SKIPPED', 'final'],
    ['NOT_EXECUTED', 'final'],
    ['INITIAL', 'running'],
    ['ENQUEUED', 'running'],
    ['INPROGRESS', 'running'],
    ['TERMINATING', 'running'],
    ['WAITING_FOR_APPLY', 'paused'],
    ['WAITING_FOR_VARIABLES', 'paused'],
    ['WAITING_FOR_SETTABLE_VARIABLES', 'paused'],
    ['WAITING_FOR_VT_SESSION', 'paused'],
    ['IN_PROGRESS', 'unknown'],
    ['', 'unknown']
  ])('%s is %s', (status, kind) => {
    expect(statusKind(status)).toBe(kind)
  })
})

describe('the identifiers answer', () => {
  it.each([
    ['{"url": "u", "domain": "acme", "project_identifier": "web", "pipeline_id": 7}', 7],
    // Buddy's 200 for an identifier it does not know: no pipeline_id.
    ['{"url": "u", "domain": "acme", "project_identifier": "web"}', undefined],
    ['{}', undefined]
  ])('reads %s as pipeline id %p', (text, id) => {
    const parsed = parseAnswer(text, identifiersSchema)
    expect(parsed).toEqual({ ok: true, value: expect.anything() })
    if (parsed.ok) expect(parsed.value.pipeline_id ?? undefined).toBe(id)
  })

  it.each([
    ['{"result": "ok", "items": []}', 'not an identifiers answer'],
    ['{"pipeline_id": "7"}', 'pipeline_id']
  ])('does not take %s for an identifiers answer', (text, problem) => {
    const parsed = parseAnswer(text, identifiersSchema)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.problem).toContain(problem)
  })
})

describe('the OIDC exchange answer', () => {
  it.each([
    ['a JSON string, as Buddy documents it', '"a1b2.c3-d4_e5"', 'a1b2.c3-d4_e5'],
    ['a JSON string with spaces around', ' "a1b2"\n', 'a1b2'],
    ['a bare token', 'a1b2.c3', 'a1b2.c3'],
    ['an object with token', '{"token": "t1"}', 't1'],
    ['an object with access_token', '{"access_token": "t2"}', 't2'],
    ['an object with buddy_token', '{"buddy_token": "t3", "expires_in": 3600}', 't3']
  ])('reads %s', (_, text, token) => {
    const parsed = parseAnswer(text, oidcTokenSchema, parseOidcAnswer)
    expect(parsed.ok).toBe(true)
    if (parsed.ok)
      expect(parsed.value.token ?? parsed.value.access_token ?? parsed.value.buddy_token).toBe(
        token
      )
  })

  it.each([
    ['a JSON string that is no token', '"not a token"', 'malformed JSON'],
    ['an unterminated JSON string', '"a1b2', 'malformed JSON'],
    ['an object without a token', '{"expires_in": 3600}', 'no token, access_token or buddy_token'],
    ['an HTML page', '<html><body>oops</body></html>', 'an HTML page instead of JSON']
  ])('refuses %s', (_, text, problem) => {
    const parsed = parseAnswer(text, oidcTokenSchema, parseOidcAnswer)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.problem).toContain(problem)
  })
})

describe("an action's exported variables and error message", () => {
  const withAction = (fields: object) =>
    JSON.stringify({
      id: 1,
      status: 'SUCCESSFUL',
      action_executions: [{ status: 'FAILED', ...fields }]
    })

  it('are read as Buddy gives them', () => {
    const parsed = parseAnswer(
      withAction({
        error_message: 'exit code 1',
        outputted_variables: [{ key: 'DEPLOY_URL', value: 'https://x.example' }]
      }),
      executionSchema
    )
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.value.action_executions?.[0]).toMatchObject({
      error_message: 'exit code 1',
      outputted_variables: [{ key: 'DEPLOY_URL', value: 'https://x.example' }]
    })
  })

  it.each([
    ['variables that are no list', { outputted_variables: 'DEPLOY_URL=x' }],
    ['a variable with a number for a value', { outputted_variables: [{ key: 'N', value: 5 }] }],
    ['a variable that is no object', { outputted_variables: ['x'] }],
    ['an error message that is no text', { error_message: { code: 1 } }]
  ])('never make the run unreadable: %s', (_, fields) => {
    const parsed = parseAnswer(withAction(fields), executionSchema)
    expect(parsed.ok).toBe(true)
    if (parsed.ok) expect(parsed.value.status).toBe('SUCCESSFUL')
  })
})
