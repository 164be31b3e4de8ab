/**
 * What a followed run leaves behind: the variables output, and failed actions' error messages in
 * the annotation and the job summary. @actions/core is recorded (support/fake-core.ts).
 */
import { jest } from '@jest/globals'
import type { FollowReport } from '../../src/follow/follow-report.js'
import type { FollowSettings } from '../../src/inputs/settings.js'
import { createFakeCore } from '../support/fake-core.js'
import { followDefaults } from '../support/simulator.js'
import { action, execution, failedWithMessages, longErrorMessage, report } from '../support/runs.js'

const fake = createFakeCore()
jest.unstable_mockModule('@actions/core', () => fake.module)
const {
  ERROR_MESSAGE_LIMIT,
  failedActions,
  failureMessage,
  finishedOutputs,
  reportFinished,
  shortText
} = await import('../../src/report/report.js')

beforeEach(() => fake.reset())

describe('the variables output', () => {
  const deployed = execution('SUCCESSFUL', [
    action('Build', 'SUCCESSFUL', { outputted_variables: [{ key: 'VERSION', value: '1.0' }] }),
    action('Deploy', 'SUCCESSFUL', {
      outputted_variables: [
        { key: 'DEPLOY_URL', value: 'https://preview-42.example.com' },
        { key: 'VERSION', value: '1.0.1' },
        { key: 'bad key::warning::x', value: 'v1' },
        { key: 'API_KEY', value: 'k3y-v4lue-0f-a-secret', encrypted: true },
        { key: 'DB_PASSWORD', value: 'secure!ZW5jcnlwdGVkLWRiLXBhc3N3b3Jk' }
      ]
    })
  ])

  it('is set once the run has ended: a JSON object, the later action winning', () => {
    reportFinished(report(deployed), followDefaults())
    expect(JSON.parse(fake.record.outputs.variables as string)).toEqual({
      DEPLOY_URL: 'https://preview-42.example.com',
      VERSION: '1.0.1'
    })
    expect(fake.record.failed).toBeUndefined()
  })

  it('names the variables in the log, never their values', () => {
    reportFinished(report(deployed), followDefaults())
    expect(fake.record.infoLines).toContain('Variables the run exported: VERSION, DEPLOY_URL')
    const log = fake.record.log.filter(l => !l.startsWith('::add-mask::')).join('\n')
    for (const value of ['preview-42', '1.0.1', 'v1', 'k3y-v4lue', 'ZW5jcnlwdGVk']) {
      expect(log).not.toContain(value)
    }
  })

  it('leaves out a key that is not a name, with a notice', () => {
    reportFinished(report(deployed), followDefaults())
    const notices = fake.record.log.filter(l => l.startsWith('::notice::'))
    expect(notices).toEqual([
      '::notice::Buddy exported a variable whose key is not a name (letters, digits and _, not starting with a digit): "bad key::warning::x". It is left out of the variables output.'
    ])
  })

  it('masks and leaves out a variable Buddy marks encrypted, or gives in its encrypted form', () => {
    reportFinished(report(deployed), followDefaults())
    expect(fake.record.secrets).toEqual([
      'k3y-v4lue-0f-a-secret',
      'secure!ZW5jcnlwdGVkLWRiLXBhc3N3b3Jk'
    ])
    expect(fake.record.outputs.variables).not.toContain('API_KEY')
    expect(fake.record.outputs.variables).not.toContain('DB_PASSWORD')
    expect(fake.record.infoLines.join('\n')).toContain(
      'Buddy marks the variable "API_KEY" as encrypted: it is masked and left out of the variables output.'
    )
    expect(fake.record.infoLines.join('\n')).toContain(
      'Buddy gives the variable "DB_PASSWORD" in its encrypted form (a secret\'s plain value is never returned): it is masked and left out of the variables output.'
    )
  })

  it('is set for a failed run too: it has ended', () => {
    const failed = execution('FAILED', [
      action('Deploy', 'FAILED', { outputted_variables: [{ key: 'STAGE', value: 'migrate' }] })
    ])
    reportFinished(report(failed), followDefaults())
    expect(fake.record.outputs.variables).toBe('{"STAGE":"migrate"}')
  })

  it.each<FollowReport['outcome']>(['timed-out', 'job-cancelled', 'needs-approval'])(
    'is not set when the wait ended before the run (%s)',
    outcome => {
      reportFinished(report(deployed, outcome), followDefaults())
      expect(fake.record.outputs).not.toHaveProperty('variables')
      expect(fake.record.secrets).toEqual([])
      expect(fake.record.log.filter(l => l.startsWith('::notice::'))).toEqual([])
    }
  )
})

describe("failed actions' error messages", () => {
  it('are shortened: one line, no control characters, at most 300 characters', () => {
    const short = shortText(longErrorMessage)
    expect([...short]).toHaveLength(ERROR_MESSAGE_LIMIT)
    expect(short.endsWith('…')).toBe(true)
    expect(short.startsWith('Deployment failed: [31mconnection refused [0m xxx')).toBe(true)
    // eslint-disable-next-line no-control-regex
    expect(short).not.toMatch(/[\u0000-\u001f\u007f]/)
    expect(shortText('  short\r\n message ')).toBe('short message')
  })

  it('come with each failed action, in run order', () => {
    expect(failedActions(failedWithMessages)).toEqual([
      { name: 'Deploy *prod* <b>', status: 'FAILED', error: shortText(longErrorMessage) },
      { name: 'Notify', status: 'TERMINATED', error: undefined }
    ])
  })

  it('are in the annotation, after the failed actions and the link', () => {
    const message = failureMessage(report(failedWithMessages), followDefaults()) as string
    const [first, ...rest] = message.split('\n')
    expect(first).toBe(
      'Buddy run #7 ended FAILED after 1m5s; failed actions: Deploy *prod* <b>, Notify. https://app.buddy.works/acme/web/pipelines/pipeline/1/execution/abc'
    )
    expect(rest).toEqual([`Deploy *prod* <b>: ${shortText(longErrorMessage)}`])
    reportFinished(report(failedWithMessages), followDefaults())
    expect(fake.record.failed).toBe(message)
  })
})

describe('the end of the wait', () => {
  const settings = followDefaults({ timeoutMs: 1_800_000 })
  const failed = execution('FAILED', [
    action('Build', 'SUCCESSFUL'),
    action('Test', 'FAILED'),
    action('Deploy', 'ENQUEUED')
  ])
  const report = (fields: Partial<FollowReport>): FollowReport => ({
    outcome: 'finished',
    execution: failed,
    durationMs: 125_000,
    cancelled: false,
    ...fields,
    statusWhenEnded: fields.statusWhenEnded ?? (fields.execution ?? failed).status
  })

  it('sets the outputs: a run whose token was refused shows its last seen status', () => {
    const lost = report({ outcome: 'token-refused', execution: execution('INPROGRESS', []) })
    expect(finishedOutputs(lost)).toEqual({
      status: 'INPROGRESS',
      'timed-out': 'false',
      duration: '125',
      'failed-actions': '',
      attempts: '1'
    })
  })

  it('sets the outputs', () => {
    expect(finishedOutputs(report({}))).toEqual({
      status: 'FAILED',
      'timed-out': 'false',
      duration: '125',
      'failed-actions': 'Test',
      attempts: '1',
      variables: '{}'
    })
    expect(finishedOutputs(report({ outcome: 'timed-out' }))['timed-out']).toBe('true')
    const retried = report({ retried: [{ failedActions: ['Test'] }, { failedActions: [] }] })
    expect(finishedOutputs(retried).attempts).toBe('3')
    // A run that has not ended may export more: no variables output yet.
    expect(finishedOutputs(report({ outcome: 'timed-out' }))).not.toHaveProperty('variables')
  })

  it.each<[string, Partial<FollowReport>, Partial<FollowSettings>, RegExp | undefined]>([
    ['a successful run', { execution: execution('SUCCESSFUL', []) }, {}, undefined],
    [
      'a failed run',
      {},
      {},
      /^Buddy run #7 ended FAILED after 2m5s; failed actions: Test\. https:\/\/app\.buddy\.works\/.*abc$/
    ],
    [
      'a skipped run',
      { execution: execution('SKIPPED', []) },
      {},
      /Buddy run #7 ended SKIPPED after 2m5s\. https/
    ],
    [
      'a timeout, cancelled',
      {
        outcome: 'timed-out',
        cancelled: true,
        execution: execution('TERMINATED', []),
        statusWhenEnded: 'INPROGRESS'
      },
      {},
      /^Timed out after 30m waiting for Buddy run #7 \(last seen INPROGRESS\)\. It was cancelled in Buddy \(now TERMINATED\)\. https/
    ],
    [
      'a timeout, left going',
      { outcome: 'timed-out', execution: execution('INPROGRESS', []) },
      { cancelOnTimeout: false },
      /It goes on in Buddy \(cancel-on-timeout is false\)/
    ],
    [
      'a timeout whose cancel failed',
      {
        outcome: 'timed-out',
        execution: execution('INPROGRESS', []),
        cancelProblem: 'boom',
        problem: '503'
      },
      {},
      /the status could not be read lately: 503\)\. Cancelling it failed: boom/
    ],
    [
      'a cancelled job',
      {
        outcome: 'job-cancelled',
        cancelled: true,
        execution: execution('TERMINATED', []),
        statusWhenEnded: 'INPROGRESS'
      },
      {},
      /^The job was cancelled while Buddy run #7 was INPROGRESS\. It was cancelled in Buddy \(now TERMINATED\)\./
    ],
    [
      'a token refused while following',
      { outcome: 'token-refused', execution: execution('INPROGRESS', []), problem: '401' },
      {},
      /^Buddy refused the token \(401 Unauthorized\) while this step followed Buddy run #7, last seen INPROGRESS: the token expired or was revoked after the run started\. The run was not seen to end: it may still be going in Buddy, and this step can no longer follow or cancel it\. Give a token that lives longer than the run and this step's timeout \(30m\), or use OIDC with "provider-id": the action then gets a fresh token whenever Buddy refuses one\. https:\/\/app\.buddy\.works\/\S+abc$/
    ],
    [
      'a token refused again right after its renewal (OIDC)',
      {
        outcome: 'token-refused',
        execution: execution('WAITING_FOR_APPLY', []),
        renewsToken: true,
        problem: 'Buddy refused the token (401 Unauthorized) when trying to read run #7.'
      },
      {},
      /^Buddy refused the token \(401 Unauthorized\) while this step followed Buddy run #7, last seen WAITING_FOR_APPLY, and renewing it through OIDC did not help\. The run was not seen to end: .* Check the identity provider \("provider-id"\) in Buddy, and its access to this workspace\. Buddy refused the token \(401 Unauthorized\) when trying to read run #7\. https:\/\/app\.buddy\.works\/\S+abc$/
    ],
    [
      'a run waiting for approval',
      {
        outcome: 'needs-approval',
        execution: execution('INPROGRESS', []),
        paused: { status: 'WAITING_FOR_APPLY', action: 'Deploy' }
      },
      { onApproval: 'fail' },
      /waits for a person \(WAITING_FOR_APPLY in action "Deploy"\) and on-approval is fail: approve or answer it in Buddy.*https/
    ]
  ])('says what ended the wait: %s', (_name, fields, changes, message) => {
    const text = failureMessage(report(fields), { ...settings, ...changes })
    if (message === undefined) expect(text).toBeUndefined()
    else expect(text).toMatch(message)
  })
})
