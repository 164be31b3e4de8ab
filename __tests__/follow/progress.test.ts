import type { Execution } from '../../src/buddy/model.js'
import type { FollowReport } from '../../src/follow/follow-run.js'
import type { FollowSettings } from '../../src/inputs/settings.js'
import {
  actionRows,
  failedActionNames,
  oneLine,
  ProgressTracker
} from '../../src/follow/progress.js'
import { failureMessage, finishedOutputs } from '../../src/report/report.js'
import { plain } from '../../src/report/log.js'
import { followDefaults } from '../support/simulator.js'

const run = (status: string, actions: [string, string, string?, string?][]): Execution => ({
  id: 7,
  status,
  html_url: 'https://app.buddy.works/acme/web/pipelines/pipeline/1/execution/abc',
  action_executions: actions.map(([name, s, start, finish], i) => ({
    status: s,
    start_date: start,
    finish_date: finish,
    action: { id: i + 1, name }
  }))
})

describe('ProgressTracker', () => {
  const t0 = Date.parse('2026-11-27T12:00:00Z')

  it('reports changes once, with durations from Buddy or from what it saw', () => {
    const tracker = new ProgressTracker(
      run('ENQUEUED', [
        ['Build', 'ENQUEUED'],
        ['Deploy', 'ENQUEUED']
      ]),
      t0
    )
    expect(
      tracker.update(
        run('INPROGRESS', [
          ['Build', 'INPROGRESS'],
          ['Deploy', 'ENQUEUED']
        ]),
        t0 + 1000,
        t0
      )
    ).toEqual(['  Build: INPROGRESS', 'Run #7: INPROGRESS after 1s'])
    expect(
      tracker.update(
        run('INPROGRESS', [
          ['Build', 'INPROGRESS'],
          ['Deploy', 'ENQUEUED']
        ]),
        t0 + 2000,
        t0
      )
    ).toEqual([])
    expect(
      tracker.update(
        run('INPROGRESS', [
          ['Build', 'SUCCESSFUL', '2026-11-27T12:00:01Z', '2026-11-27T12:01:31Z'],
          ['Deploy', 'INPROGRESS']
        ]),
        t0 + 95_000,
        t0
      )
    ).toEqual(['  Build: SUCCESSFUL (1m30s)', '  Deploy: INPROGRESS'])
    expect(
      tracker.update(
        run('FAILED', [
          ['Build', 'SUCCESSFUL'],
          ['Deploy', 'FAILED']
        ]),
        t0 + 100_000,
        t0
      )
    ).toEqual(['  Deploy: FAILED (5s)', 'Run #7: FAILED after 1m40s'])
  })

  it('beats quietly while nothing changes', () => {
    const going = run('INPROGRESS', [['Build', 'INPROGRESS']])
    const tracker = new ProgressTracker(going, t0, 60_000)
    expect(tracker.update(going, t0 + 30_000, t0)).toEqual([])
    expect(tracker.update(going, t0 + 60_000, t0)).toEqual([
      'Run #7 still INPROGRESS (1m so far; running: Build)'
    ])
    expect(tracker.update(going, t0 + 90_000, t0)).toEqual([])
    expect(tracker.update(going, t0 + 120_000, t0)).toHaveLength(1)
  })

  it("keeps Buddy's text on one line, so it cannot start a workflow command", () => {
    const hostile = run('INPROGRESS', [['x\n::set-output name=a::b', 'INPROGRESS']])
    const tracker = new ProgressTracker(run('INPROGRESS', []), t0)
    for (const line of tracker.update(hostile, t0 + 1, t0))
      expect(line.startsWith('::')).toBe(false)
    expect(oneLine('a\r\nb\u0007c')).toBe('a b c')
  })
})

describe('the end of the wait', () => {
  const settings = followDefaults({ timeoutMs: 1_800_000 })
  const failed = run('FAILED', [
    ['Build', 'SUCCESSFUL'],
    ['Test', 'FAILED'],
    ['Deploy', 'ENQUEUED']
  ])
  const report = (fields: Partial<FollowReport>): FollowReport => ({
    outcome: 'finished',
    execution: failed,
    durationMs: 125_000,
    cancelled: false,
    ...fields,
    statusWhenEnded: fields.statusWhenEnded ?? (fields.execution ?? failed).status
  })

  it('sets the outputs', () => {
    expect(finishedOutputs(report({}))).toEqual({
      status: 'FAILED',
      'timed-out': 'false',
      duration: '125',
      'failed-actions': 'Test',
      variables: '{}'
    })
    expect(finishedOutputs(report({ outcome: 'timed-out' }))['timed-out']).toBe('true')
    // A run that has not ended may export more: no variables output yet.
    expect(finishedOutputs(report({ outcome: 'timed-out' }))).not.toHaveProperty('variables')
    expect(failedActionNames(failed)).toEqual(['Test'])
    expect(actionRows(failed).map(r => r.status)).toEqual(['SUCCESSFUL', 'FAILED', 'ENQUEUED'])
  })

  it.each<[string, Partial<FollowReport>, Partial<FollowSettings>, RegExp | undefined]>([
    ['a successful run', { execution: run('SUCCESSFUL', []) }, {}, undefined],
    [
      'a failed run',
      {},
      {},
      /^Buddy run #7 ended FAILED after 2m5s; failed actions: Test\. https:\/\/app\.buddy\.works\/.*abc$/
    ],
    [
      'a skipped run',
      { execution: run('SKIPPED', []) },
      {},
      /Buddy run #7 ended SKIPPED after 2m5s\. https/
    ],
    [
      'a timeout, cancelled',
      {
        outcome: 'timed-out',
        cancelled: true,
        execution: run('TERMINATED', []),
        statusWhenEnded: 'INPROGRESS'
      },
      {},
      /^Timed out after 30m waiting for Buddy run #7 \(last seen INPROGRESS\)\. It was cancelled in Buddy \(now TERMINATED\)\. https/
    ],
    [
      'a timeout, left going',
      { outcome: 'timed-out', execution: run('INPROGRESS', []) },
      { cancelOnTimeout: false },
      /It goes on in Buddy \(cancel-on-timeout is false\)/
    ],
    [
      'a timeout whose cancel failed',
      {
        outcome: 'timed-out',
        execution: run('INPROGRESS', []),
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
        execution: run('TERMINATED', []),
        statusWhenEnded: 'INPROGRESS'
      },
      {},
      /^The job was cancelled while Buddy run #7 was INPROGRESS\. It was cancelled in Buddy \(now TERMINATED\)\./
    ],
    [
      'a run waiting for approval',
      {
        outcome: 'needs-approval',
        execution: run('INPROGRESS', []),
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

describe('plain (lines that carry text from Buddy or inputs)', () => {
  it.each([
    ['Build: SUCCESSFUL', 'Build: SUCCESSFUL'],
    ['::add-mask::x', '› ::add-mask::x'],
    ['   ::warning::x', '›    ::warning::x'],
    ['a ##[set-output name=x;]y', 'a ## [set-output name=x;]y'],
    ['ok\n::error::x', 'ok\n› ::error::x'],
    ['a :: b', 'a :: b']
  ])('%j → %j', (text, expected) => {
    expect(plain(text)).toBe(expected)
  })
})
