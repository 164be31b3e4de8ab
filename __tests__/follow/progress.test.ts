import type { Execution } from '../../src/buddy/model.js'
import { actionRows, failedActionNames, ProgressTracker } from '../../src/follow/progress.js'

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
  })
})

describe('actionRows and failedActionNames', () => {
  it("lists the run's actions in order, and names the failed ones", () => {
    const failed = run('FAILED', [
      ['Build', 'SUCCESSFUL'],
      ['Test', 'FAILED'],
      ['Deploy', 'ENQUEUED']
    ])
    expect(failedActionNames(failed)).toEqual(['Test'])
    expect(actionRows(failed).map(r => r.status)).toEqual(['SUCCESSFUL', 'FAILED', 'ENQUEUED'])
  })
})
