import type { RawInputs } from '../../src/inputs/input-table.js'
import type { Settings } from '../../src/inputs/settings.js'
import { errorOf, settingsOf } from '../support/raw-inputs.js'

// Each input's own rule (src/inputs/field-rules.ts), as the user meets it: through the parse, in
// the message that names the input.

describe('valid values', () => {
  it.each<[Partial<RawInputs>, (s: Settings) => unknown, unknown]>([
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
    [{ 'delay-until': '2028-02-29T00:00:00Z' }, s => s.delayUntil, '2028-02-29T00:00:00.000Z'],
    [{ 'actions-to-run': '1, 2\n3' }, s => s.actionsToRun, [1, 2, 3]],
    [{ 'delay-until': '2026-12-01T22:00:00+01:00' }, s => s.delayUntil, '2026-12-01T21:00:00.000Z'],
    [
      { 'api-url': 'https://buddy.example.com/api/' },
      s => s.apiUrl?.href,
      'https://buddy.example.com/api'
    ],
    [{ 'api-url': 'http://127.0.0.1:8080' }, s => s.apiUrl?.href, 'http://127.0.0.1:8080/'],
    [{ 'api-url': 'http://[::1]:9' }, s => s.apiUrl?.host, '[::1]:9'],
    [{ comment: '  spaced  ' }, s => s.comment, '  spaced  ']
  ])('%j', (values, pick, expected) => {
    expect(pick(settingsOf(values))).toEqual(expected)
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
    [
      { retries: '11' },
      /^Input "retries" \("11"\) is not valid: expected a whole number from 0 to 10\.$/
    ],
    [{ retries: '-1' }, /^Input "retries" \("-1"\) is not valid/],
    [
      { 'execution-id': 'abc' },
      /^Input "execution-id" \("abc"\) is not valid: expected a run id: a whole number from 1 upwards\.$/
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
})
