import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import {
  INPUT_NAMES,
  InputError,
  parseSettings,
  secretValues,
  type RawInputs
} from '../../src/inputs/settings.js'

const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
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

/** The clock of every parse here: delay-until is judged against it, never the machine's. */
const NOW = Date.parse('2026-11-28T12:00:00Z')

function errorOf(values: Partial<RawInputs>): string {
  try {
    parseSettings(raw(values), NOW)
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
    const settings = parseSettings(raw(), NOW)
    expect(settings).toMatchObject({
      allowForkCode: false,
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
    [{ 'execution-id': '#42' }, s => s.executionId, 42],
    [{}, s => s.executionId, undefined],
    [{ retries: '3', wait: 'true' }, s => s.follow.retries, 3],
    [{}, s => s.follow.retries, 0],
    [{ 'on-approval': 'Approve' }, s => s.follow.onApproval, 'approve'],
    [{ 'cancel-previous': 'true' }, s => s.cancelPrevious, true],
    [{}, s => s.cancelPrevious, false],
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
    [{ 'pull-request': 'pull/3' }, s => s.target, { kind: 'pull_request', name: '3' }],
    [{ 'pull-request': 'refs/pull/4/head' }, s => s.target, { kind: 'pull_request', name: '4' }],
    [{ 'pull-request': 'refs/pull/5/merge' }, s => s.target, { kind: 'pull_request', name: '5' }],
    [{ 'allow-fork-code': 'true' }, s => s.allowForkCode, true],
    [{ 'delay-until': '2026-11-28T12:00:01Z' }, s => s.delayUntil, '2026-11-28T12:00:01.000Z'],
    [{ 'delay-until': '2028-02-29T00:00:00Z' }, s => s.delayUntil, '2028-02-29T00:00:00.000Z'],
    [
      { variables: '  A=  spaced both ends  \nB=last line keeps its spaces  ' },
      s => s.variables.map(v => v.value),
      ['  spaced both ends  ', 'last line keeps its spaces  ']
    ],
    [
      { variables: 'JSON<<EOF\n{\n  "a": 1\n}\nEOF\nAFTER=x\n' },
      s => s.variables,
      [
        { key: 'JSON', value: '{\n  "a": 1\n}', encrypted: false },
        { key: 'AFTER', value: 'x', encrypted: false }
      ]
    ],
    [
      { variables: 'EMPTY<<END\nEND\nKEEP<<END\n\n  x  \nEND' },
      s => s.variables.map(v => v.value),
      ['', '\n  x  ']
    ],
    [{ variables: 'A=x<<y' }, s => s.variables[0]?.value, 'x<<y'],
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
    expect(pick(parseSettings(raw(values), NOW))).toEqual(expected)
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
    [
      { project: 'a..b' },
      /^Input "project" \("a\.\.b"\) is not valid: expected a URL handle as in Buddy's address bar/
    ],
    [{ region: 'MARS' }, /Input "region" \("MARS"\) is not valid: expected one of US, EU, AP/],
    [
      { priority: 'URGENT' },
      /Input "priority" \("URGENT"\) is not valid: expected one of LOW, NORMAL, HIGH/
    ],
    [{ refresh: 'yes' }, /Input "refresh" \("yes"\) is not valid: expected true or false/],
    [
      { 'clear-cache': '1' },
      /^Input "clear-cache" \("1"\) is not valid: expected true or false\.$/
    ],
    [
      { 'pipeline-id': 'abc' },
      /Input "pipeline-id" \("abc"\) is not valid: expected a pipeline id/
    ],
    [{ 'pipeline-id': '0' }, /Input "pipeline-id" \("0"\)/],
    [
      { 'pipeline-id': '1e3' },
      /^Input "pipeline-id" \("1e3"\) is not valid: expected a pipeline id: a whole number from 1 upwards\.$/
    ],
    [{ 'pipeline-id': '' }, /Give the pipeline: input "pipeline-id" \(a number\) or "pipeline"/],
    [{ pipeline: 'deploy' }, /"pipeline-id" and "pipeline" are both set/],
    [
      { retries: '11' },
      /^Input "retries" \("11"\) is not valid: expected a whole number from 0 to 10\.$/
    ],
    [{ retries: '-1' }, /^Input "retries" \("-1"\) is not valid/],
    [
      { 'execution-id': 'abc' },
      /^Input "execution-id" \("abc"\) is not valid: expected a run id: a whole number from 1 upwards\.$/
    ],
    [
      { 'execution-id': '42', branch: 'main', variables: 'A=1' },
      /^Input "execution-id" follows a run that exists, so nothing is requested: remove "branch", "variables"\.$/
    ],
    [
      { 'execution-id': '42', 'cancel-previous': 'true' },
      /^Input "execution-id" follows a run that exists, so nothing is requested: remove "cancel-previous"\.$/
    ],
    [
      { 'execution-id': '42', wait: 'true', retries: '2' },
      /^Inputs "execution-id" and "retries" \("2"\) are both set: "retries" re-runs a failed run, and a run this step did not start may be old \(re-running it would deploy its old commit again\)\. Remove "retries", or let this step start the run\.$/
    ],
    [{ revision: 'main' }, /Input "revision" \("main"\) is not valid: expected a commit SHA/],
    [
      { branch: 'bad branch' },
      /Input "branch" \("bad branch"\) is not valid: expected a branch name/
    ],
    [
      { branch: 'a..b' },
      /^Input "branch" \("a\.\.b"\) is not valid: expected a branch name that git accepts/
    ],
    [{ tag: 'v1:2' }, /^Input "tag" \("v1:2"\) is not valid: expected a tag name that git accepts/],
    [{ branch: 'main', tag: 'v1' }, /"branch" and "tag" are all set: give at most one/],
    [
      { 'pull-request': 'pull/x' },
      /Input "pull-request" \("pull\/x"\) is not valid: expected a pull request number \(42, #42, pull\/42 or refs\/pull\/42\/head\): a whole number from 1 upwards\./
    ],
    [
      { branch: 'refs/tags/v1' },
      /Input "branch" \("refs\/tags\/v1"\) is not valid: expected a branch, but this is a tag ref: use input "tag"\./
    ],
    [
      { tag: 'refs/heads/main' },
      /Input "tag" \("refs\/heads\/main"\) is not valid: expected a tag, but this is a branch ref: use input "branch"\./
    ],
    [
      { branch: 'refs/pull/3/head' },
      /Input "branch" \("refs\/pull\/3\/head"\) is not valid: expected a branch, but this is a pull request ref: use input "pull-request"\./
    ],
    [
      { 'allow-fork-code': 'yes' },
      /Input "allow-fork-code" \("yes"\) is not valid: expected true or false\./
    ],
    [
      { 'delay-until': '2026-02-30T10:00:00Z' },
      /Input "delay-until" \("2026-02-30T10:00:00Z"\) is not valid: expected an ISO-8601 time with a time zone, e\.g\. 2026-12-01T22:00:00Z; this date or time does not exist\./
    ],
    [{ 'delay-until': '2026-04-31T10:00:00Z' }, /"2026-04-31T10:00:00Z".*does not exist/],
    [{ 'delay-until': '2027-02-29T10:00:00Z' }, /"2027-02-29T10:00:00Z".*does not exist/],
    [{ 'delay-until': '2026-12-01T24:00:00Z' }, /"2026-12-01T24:00:00Z".*does not exist/],
    [{ 'delay-until': '2026-12-01T22:60:00Z' }, /"2026-12-01T22:60:00Z".*does not exist/],
    [
      { 'delay-until': '2026-11-28T11:00:00Z' },
      /Input "delay-until" \("2026-11-28T11:00:00Z"\) is not valid: expected a time in the future, but it was 1h ago \(now: 2026-11-28T12:00:00\.000Z\)\./
    ],
    [
      { 'delay-until': '2026-11-28T13:30:00+02:00' },
      /"2026-11-28T13:30:00\+02:00"\) is not valid: expected a time in the future, but it was 30m ago/
    ],
    [
      { variables: 'A=1\nPEM<<END\nline\n' },
      /Input "variables" is not valid: line 2 \("PEM<<END"\) starts a multi-line value that no line "END" ends\./
    ],
    [
      { variables: 'PEM<<\nx' },
      /Input "variables" is not valid: line 1 \("PEM<<"\) has no delimiter after "<<"/
    ],
    [
      { variables: 'NOEQUALS' },
      /Input "variables" \("NOEQUALS"\) is not valid: line 1 \("NOEQUALS"\) has no "=": expected KEY=VALUE, one per line, or KEY<<DELIMITER for a multi-line value\./
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
    for (const pasted of ['dGhpcyBpcyBzZWNyZXQ=', 'c2VjcmV0IHR3bw==', 'EMPTY=', 'SPACES=   ']) {
      const message = errorOf({ 'secret-variables': `OK=fine\n${pasted}` })
      expect(message).toBe(
        'Input "secret-variables" is not valid: line 2 has an empty value: is the secret it comes from set? A secret written without "KEY=" would be read as a key, so this is refused.'
      )
    }
    expect(errorOf({ 'secret-variables': 'A=1\nA=2' })).toBe(
      'Input "secret-variables" is not valid: line 2: a key is given twice.'
    )
    const unclosed = errorOf({ 'secret-variables': 'KEY<<END\nhunter2' })
    expect(unclosed).toBe(
      'Input "secret-variables" is not valid: line 1 starts a multi-line value that no line "END" ends.'
    )
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

  it('masks a value as written and trimmed, so that either form is hidden', () => {
    expect(secretValues({ 'secret-variables': 'A=  padded secret  ' }).sort()).toEqual(
      ['  padded secret  ', 'padded secret'].sort()
    )
  })

  it('masks every line of a multi-line secret, and the whole', () => {
    const pem =
      '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n  indented line  \n==\n-----END KEY-----'
    const secrets = secretValues({ 'secret-variables': `KEY<<PEM\n${pem}\nPEM\nNEXT=n3xt-value` })
    expect(secrets).toEqual(
      expect.arrayContaining([
        pem,
        '-----BEGIN KEY-----',
        'MIIBOgIBAAJBAKj34GkxFhD9',
        '  indented line  ',
        'indented line',
        '-----END KEY-----',
        'n3xt-value'
      ])
    )
    // "==" would mask that text everywhere and reveals nothing.
    expect(secrets).not.toContain('==')
    expect(secrets).not.toContain('PEM')
  })

  it('masks a line pasted without its key whole: never "=" alone, never half of it', () => {
    const secrets = secretValues({ 'secret-variables': 'dGhpcyBpcyBzZWNyZXQ=\nc2VjcmV0IHR3bw==' })
    expect(secrets.sort()).toEqual(['c2VjcmV0IHR3bw==', 'dGhpcyBpcyBzZWNyZXQ='].sort())
  })

  it('masks the lines of a multi-line secret that is never closed', () => {
    const secrets = secretValues({ 'secret-variables': 'KEY<<END\nfirst-secret-line\nsecond-line' })
    expect(secrets).toEqual(expect.arrayContaining(['first-secret-line', 'second-line']))
  })

  it('registers nothing for blank input', () => {
    expect(secretValues({ token: '', 'github-token': ' ', 'secret-variables': '\n\n' })).toEqual([])
  })
})
