import { readFileSync } from 'node:fs'
import { executionSchema, statusKind } from '../src/buddy/model.js'
import { parseAnswer } from '../src/buddy/client.js'

const fixture = readFileSync(
  new URL('./fixtures/run-execution-response.json', import.meta.url),
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
