import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import {
  INPUT_NAMES,
  InputError,
  parseSettings,
  secretValues,
  type RawInputs
} from '../src/inputs.js'

const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>
}

/** The inputs as the runner hands them over: action.yml's defaults, then the step's values. */
function raw(values: Partial<RawInputs> = {}): RawInputs {
  const defaults = Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [
      name,
      spec.default === undefined ? '' : String(spec.default).replace('${{ github.token }}', 'ghs_x')
    ])
  )
  return {
    ...defaults,
    workspace: 'acme',
    project: 'web',
    'pipeline-id': '7',
    ...values
  } as RawInputs
}

function errorOf(values: Partial<RawInputs>): string {
  try {
    parseSettings(raw(values))
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error('expected an InputError')
}

describe('input names', () => {
  it('are exactly the inputs of action.yml', () => {
    expect([...INPUT_NAMES].sort()).toEqual(Object.keys(action.inputs).sort())
  })
})

describe('defaults from action.yml', () => {
  it('parse into the documented settings', () => {
    const settings = parseSettings(raw())
    expect(settings).toMatchObject({
      region: 'US',
      priority: 'NORMAL',
      refresh: false,
      clearCache: false,
      pipeline: { id: 7 },
      variables: [],
      githubToken: 'ghs_x'
    })
    expect(settings.target).toBeUndefined()
    expect(settings.revision).toBeUndefined()
    expect(settings.comment).toBeUndefined()
    expect(settings.apiUrl).toBeUndefined()
  })
})

describe('valid values', () => {
  it.each<[Partial<RawInputs>, (s: ReturnType<typeof parseSettings>) => unknown, unknown]>([
    [{ region: 'eu' }, s => s.region, 'EU'],
    [{ region: 'AP' }, s => s.region, 'AP'],
    [{ priority: 'high' }, s => s.priority, 'HIGH'],
    [{ refresh: 'True' }, s => s.refresh, true],
    [{ 'clear-cache': 'TRUE' }, s => s.clearCache, true],
    [{ 'pipeline-id': ' 42 ' }, s => s.pipeline, { id: 42 }],
    [
      { 'pipeline-id': '', pipeline: 'deploy-prod' },
      s => s.pipeline,
      { identifier: 'deploy-prod' }
    ],
    [{ revision: 'HEAD' }, s => s.revision, 'HEAD'],
    [
      { revision: 'ABCDEF0123456789abcdef0123456789abcdef01' },
      s => s.revision,
      'abcdef0123456789abcdef0123456789abcdef01'
    ],
    [{ branch: 'feature/x-1' }, s => s.target, { kind: 'branch', name: 'feature/x-1' }],
    [{ branch: 'refs/heads/main' }, s => s.target, { kind: 'branch', name: 'main' }],
    [{ tag: 'v1.2.3' }, s => s.target, { kind: 'tag', name: 'v1.2.3' }],
    [{ tag: 'refs/tags/v2' }, s => s.target, { kind: 'tag', name: 'v2' }],
    [{ 'pull-request': '#12' }, s => s.target, { kind: 'pull_request', name: '12' }],
    [{ 'actions-to-run': '1, 2\n3' }, s => s.actionsToRun, [1, 2, 3]],
    [{ 'delay-until': '2026-12-01T22:00:00+01:00' }, s => s.delayUntil, '2026-12-01T21:00:00.000Z'],
    [
      { 'api-url': 'https://buddy.example.com/api/' },
      s => s.apiUrl?.href,
      'https://buddy.example.com/api'
    ],
    [{ 'api-url': 'http://127.0.0.1:8080' }, s => s.apiUrl?.href, 'http://127.0.0.1:8080/'],
    [{ 'api-url': 'http://[::1]:9' }, s => s.apiUrl?.host, '[::1]:9'],
    [{ comment: '  spaced  ' }, s => s.comment, '  spaced  '],
    [
      { variables: 'A=1\n\n  B = x=y \r\nEMPTY=' },
      s => s.variables,
      [
        { key: 'A', value: '1', encrypted: false },
        { key: 'B', value: ' x=y ', encrypted: false },
        { key: 'EMPTY', value: '', encrypted: false }
      ]
    ],
    [
      { variables: 'A=1', 'secret-variables': 'PASS=s3cr=t' },
      s => s.variables,
      [
        { key: 'A', value: '1', encrypted: false },
        { key: 'PASS', value: 's3cr=t', encrypted: true }
      ]
    ]
  ])('%j', (values, pick, expected) => {
    expect(pick(parseSettings(raw(values)))).toEqual(expected)
  })
})

describe('invalid values name the input, the value and what is accepted', () => {
  it.each<[Partial<RawInputs>, RegExp]>([
    [{ workspace: '' }, /Input "workspace" is required/],
    [{ project: '  ' }, /Input "project" is required/],
    [
      { workspace: '../admin' },
      /Input "workspace" \("\.\.\/admin"\) is not valid: expected a URL handle/
    ],
    [{ project: 'a/b' }, /Input "project" \("a\/b"\) is not valid/],
    [{ project: 'a..b' }, /Input "project"/],
    [{ region: 'MARS' }, /Input "region" \("MARS"\) is not valid: expected one of US, EU, AP/],
    [
      { priority: 'URGENT' },
      /Input "priority" \("URGENT"\) is not valid: expected one of LOW, NORMAL, HIGH/
    ],
    [{ refresh: 'yes' }, /Input "refresh" \("yes"\) is not valid: expected true or false/],
    [{ 'clear-cache': '1' }, /Input "clear-cache"/],
    [
      { 'pipeline-id': 'abc' },
      /Input "pipeline-id" \("abc"\) is not valid: expected a pipeline id/
    ],
    [{ 'pipeline-id': '0' }, /Input "pipeline-id" \("0"\)/],
    [{ 'pipeline-id': '1e3' }, /Input "pipeline-id"/],
    [{ 'pipeline-id': '' }, /Give the pipeline: input "pipeline-id" \(a number\) or "pipeline"/],
    [{ pipeline: 'deploy' }, /"pipeline-id" and "pipeline" are both set/],
    [{ revision: 'main' }, /Input "revision" \("main"\) is not valid: expected a commit SHA/],
    [
      { branch: 'bad branch' },
      /Input "branch" \("bad branch"\) is not valid: expected a branch name/
    ],
    [{ branch: 'a..b' }, /Input "branch"/],
    [{ tag: 'v1:2' }, /Input "tag"/],
    [{ branch: 'main', tag: 'v1' }, /"branch" and "tag" are all set: give at most one/],
    [
      { 'pull-request': 'pull/3' },
      /Input "pull-request" \("pull\/3"\) is not valid: expected a pull request number/
    ],
    [
      { variables: 'NOEQUALS' },
      /Input "variables" \("NOEQUALS"\) is not valid: line 1 \("NOEQUALS"\) has no "="/
    ],
    [{ variables: '1A=x' }, /key "1A" is not a variable name/],
    [{ variables: 'A=1\nA=2' }, /A is given twice/],
    [
      { variables: 'A=1', 'secret-variables': 'A=2' },
      /Variable A is in both "variables" and "secret-variables"/
    ],
    [
      { 'actions-to-run': '1,x' },
      /Input "actions-to-run" \("1,x"\) is not valid: expected action ids/
    ],
    [
      { 'delay-until': 'tomorrow' },
      /Input "delay-until" \("tomorrow"\) is not valid: expected an ISO-8601 time/
    ],
    [{ 'delay-until': '2026-12-01T22:00:00' }, /Input "delay-until".*time zone/],
    [
      { 'api-url': 'http://buddy.example.com' },
      /Input "api-url" \("http:\/\/buddy.example.com"\) is not valid: expected an https URL/
    ],
    [{ 'api-url': 'not a url' }, /Input "api-url".*absolute URL/],
    [{ 'api-url': 'https://u:p@buddy.example.com' }, /without credentials/]
  ])('%j', (values, message) => {
    expect(errorOf(values)).toMatch(message)
  })

  it('reports every problem at once', () => {
    const message = errorOf({ region: 'X', priority: 'Y', workspace: '' })
    expect(message.split('\n')).toHaveLength(3)
  })

  it('never shows a secret value, even when it is malformed', () => {
    const message = errorOf({ 'secret-variables': 'hunter2-no-equals' })
    expect(message).toMatch(/Input "secret-variables" is not valid: line 1 has no "="/)
    expect(message).not.toContain('hunter2')
    const badKey = errorOf({ 'secret-variables': 'bad key=hunter2' })
    expect(badKey).not.toContain('hunter2')
  })
})

describe('secretValues', () => {
  it('lists the token, the GitHub token and every secret variable value', () => {
    expect(
      secretValues({
        token: ' tok ',
        'github-token': 'ghs',
        'secret-variables': 'A=x=1\n\nB=y\nwhole-secret'
      }).sort()
    ).toEqual(['ghs', 'tok', 'whole-secret', 'x=1', 'y'].sort())
  })
})
