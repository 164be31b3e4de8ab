/**
 * The job summary as GitHub gets it: the real @actions/core writing to a GITHUB_STEP_SUMMARY
 * file. Icons, cells never empty, failed actions' log tails, the timeline, the failure summary.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import type { ActionExecution } from '../../src/buddy/model.js'
import { ganttChart, mermaidText } from '../../src/report/summary-mermaid.js'
import {
  statusIcon,
  writeFailureSummary,
  writeFinalSummary,
  SUMMARY_LOG_LINES
} from '../../src/report/summary.js'
import { FINAL_STATUSES, PAUSED_STATUSES, RUNNING_STATUSES } from '../../src/buddy/model.js'
import { action, execution, report, started } from '../support/runs.js'

const dir = mkdtempSync(join(tmpdir(), 'summary-test-'))
const file = join(dir, 'summary.md')
const saved = process.env.GITHUB_STEP_SUMMARY
beforeAll(() => {
  process.env.GITHUB_STEP_SUMMARY = file
})
afterAll(() => {
  if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY
  else process.env.GITHUB_STEP_SUMMARY = saved
  rmSync(dir, { recursive: true, force: true })
})
beforeEach(() => {
  writeFileSync(file, '')
  core.summary.emptyBuffer()
})

const html = () => readFileSync(file, 'utf8')
const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 12, 0, second)).toISOString()
const ms = (second: number) => Date.UTC(2026, 10, 28, 12, 0, second)

describe('status icons', () => {
  it.each([...FINAL_STATUSES, ...RUNNING_STATUSES, ...PAUSED_STATUSES])('%s has one', status => {
    expect(statusIcon(status)).toMatch(/^\p{Extended_Pictographic}/u)
    expect(statusIcon(status)).not.toBe('❔')
  })
  it('an unknown status has the question mark', () => {
    expect(statusIcon('MELTING')).toBe('❔')
  })
  it('are in the heading and in every status cell', async () => {
    const e = execution('FAILED', [
      action('Build', 'SUCCESSFUL', { start_date: at(0), finish_date: at(5) }),
      action('Deploy', 'FAILED', { start_date: at(5), finish_date: at(9) })
    ])
    await writeFinalSummary(started(e), report(e))
    expect(html()).toContain('<h3>❌ Buddy run #7: FAILED</h3>')
    expect(html()).toContain('<td>Build</td><td>✅ <code>SUCCESSFUL</code></td><td>5s</td>')
    expect(html()).toContain('<td>Deploy</td><td>❌ <code>FAILED</code></td><td>4s</td>')
  })
  it('a timed-out run has the stopwatch', async () => {
    const e = execution('TERMINATED', [])
    await writeFinalSummary(started(e), report(e, 'timed-out'))
    expect(html()).toContain('<h3>⏱️ Buddy run #7: TERMINATED (timed out)</h3>')
  })
})

describe('no empty table cells', () => {
  it.each([
    ['ENQUEUED', 'not run'],
    ['SKIPPED', 'not run'],
    ['INPROGRESS', 'running'],
    ['WAITING_FOR_APPLY', 'paused'],
    ['SUCCESSFUL', 'not given by Buddy']
  ])('an action %s without dates: its duration says "%s"', async (status, said) => {
    const e = execution('TERMINATED', [action('Build', status)])
    await writeFinalSummary(started(e), report(e))
    expect(html()).toContain(`</code></td><td>${said}</td></tr>`)
    expect(html()).not.toMatch(/<td>\s*<\/td>/)
  })
})

describe("failed actions' log tails in the job summary", () => {
  it(`shows the last ${SUMMARY_LOG_LINES} lines read, escaped, none blank`, async () => {
    const lines = [
      ...Array.from({ length: 40 }, (_, i) => `line ${i + 1}`),
      '',
      '\u001b[31mred\u001b[0m *bold* [x](http://evil) @team',
      '</pre></details></li></ul><script>alert(1)</script>',
      '   '
    ]
    const e = execution('FAILED', [
      action('Build', 'SUCCESSFUL', { action_execution_id: 'b1' }),
      action('Deploy', 'FAILED', { action_execution_id: 'd1', error_message: 'exit code 2' })
    ])
    await writeFinalSummary(started(e), {
      ...report(e),
      logTails: new Map([
        ['d1', lines],
        ['b1', ['build ok']]
      ])
    })
    const text = html()
    expect(text).toContain(
      `<li><strong>Deploy</strong> (FAILED): exit code 2\n<details><summary>Last ${SUMMARY_LOG_LINES} lines of its log</summary>\n<pre>\nline 15\n`
    )
    expect(text).not.toContain('line 14\n')
    expect(text).toContain(
      '\nline 40\n&#32;\nred &#42;bold&#42; &#91;x&#93;&#40;http://evil&#41; &#64;team\n'
    )
    expect(text).toContain('&#60;/pre&#62;&#60;/details&#62;')
    expect(text).not.toContain('<script>')
    // The successful action's log is not in the summary.
    expect(text).not.toContain('build ok')
    // No blank line inside the failed actions' HTML block.
    const block = text.slice(text.indexOf('<p><strong>Failed actions'), text.indexOf('</ul>'))
    expect(block.split('\n').filter(l => l.trim() === '')).toEqual([])
  })
  it('names a failed action with a log tail but no error message', async () => {
    const e = execution('FAILED', [action('Deploy', 'FAILED', { action_execution_id: 'd1' })])
    await writeFinalSummary(started(e), { ...report(e), logTails: new Map([['d1', ['boom']]]) })
    expect(html()).toContain(
      '<li><strong>Deploy</strong> (FAILED): Buddy gave no error message\n<details><summary>Last 1 lines of its log</summary>\n<pre>\nboom\n</pre>\n</details>\n</li>'
    )
  })
})

describe('the timeline (Mermaid gantt)', () => {
  const run = (actions: ActionExecution[]) => ({
    ...execution('FAILED', actions),
    finish_date: at(30)
  })
  it('has one bar per started action, from Buddy’s dates, tagged by status', () => {
    const chart = ganttChart(
      run([
        action('Build', 'SUCCESSFUL', { start_date: at(0), finish_date: at(10) }),
        action('Test', 'FAILED', { start_date: at(10), finish_date: at(20) }),
        action('Slow', 'INPROGRESS', { start_date: at(20) }),
        action('Later', 'ENQUEUED')
      ])
    )
    expect(chart).toBe(
      [
        '```mermaid',
        'gantt',
        '    title Buddy run 7',
        '    dateFormat x',
        '    axisFormat %H:%M:%S',
        '    section Actions',
        `    #66;uild :done, ${ms(0)}, ${ms(10)}`,
        `    #84;est :crit, ${ms(10)}, ${ms(20)}`,
        `    #83;low :active, ${ms(20)}, ${ms(30)}`,
        '```'
      ].join('\n')
    )
  })
  it('is left out with fewer than two started actions', () => {
    expect(
      ganttChart(
        run([action('Build', 'SUCCESSFUL', { start_date: at(0) }), action('B', 'ENQUEUED')])
      )
    ).toBeUndefined()
  })
  it('escapes action names so that none can break the chart or the code block', () => {
    const hostile = 'a: b; c # d %%{init: {"theme": "dark"}}%%\n```\n<img src=x>'
    const chart = ganttChart(
      run([
        action(hostile, 'SUCCESSFUL', { start_date: at(0), finish_date: at(1) }),
        action('ok', 'SUCCESSFUL', { start_date: at(1), finish_date: at(2) })
      ])
    )!
    const lines = chart.split('\n')
    expect(lines).toHaveLength(9)
    expect(lines.filter(l => l.startsWith('```'))).toEqual(['```mermaid', '```'])
    // Before Mermaid parses a chart it sets entity codes aside: only the one colon is syntax.
    expect(lines[6]).toMatch(/^ {4}[^:%<>`\n]+ :done, \d+, \d+$/)
    expect(lines[6]).toContain('#97;#58; b#59; c #35; d')
  })
  it.each([
    // The first character always as a code: no keyword or date can begin the task.
    ['Build 2 (linux/x64), v1.0+rc_1', '#66;uild 2 (linux/x64), v1.0+rc_1'],
    ['Déploiement', '#68;éploiement'],
    ['Click tests', '#67;lick tests'],
    ['2024-01-01 migration', '#50;024-01-01 migration'],
    ['a:b', '#97;#58;b'],
    ['x;y', '#120;#59;y'],
    ['#1', '#35;1'],
    ['50%', '#53;0#37;'],
    ['`code`', '#96;code#96;'],
    ['<b>&', '#60;b#62;#38;'],
    ['line\nbreak', '#108;ine break']
  ])('mermaidText(%j) = %j', (text, escaped) => {
    expect(mermaidText(text)).toBe(escaped)
  })
  it('is in a collapsed section of the summary when two or more actions ran', async () => {
    const e = run([
      action('Build', 'SUCCESSFUL', { start_date: at(0), finish_date: at(10) }),
      action('Test', 'FAILED', { start_date: at(10), finish_date: at(20) })
    ])
    await writeFinalSummary(started(e), report(e))
    expect(html()).toContain(
      '<details><summary>Timeline of the actions</summary>\n\n```mermaid\ngantt\n'
    )
    expect(html()).toContain('```\n\n</details>')
  })
})

describe('the summary of a step that failed before a run existed', () => {
  it('says what it tried, how far it got, and why it failed, escaped', async () => {
    await writeFailureSummary(
      {
        stage: 'finding the pipeline',
        pipeline: 'pipeline "deploy" in acme/web',
        target: 'branch main at ' + 'a'.repeat(40)
      },
      'Buddy refused the token (401).\n\nCheck *it* <here>'
    )
    expect(html()).toBe(
      [
        '<h3>❌ Buddy run not started</h3>',
        '<p>The step failed while finding the pipeline.</p>',
        `<p><strong>What it tried</strong></p><ul><li>Pipeline: pipeline &#34;deploy&#34; in acme/web</li><li>Target: branch main at ${'a'.repeat(40)}</li></ul>`,
        '<p><strong>Why it failed</strong></p><blockquote>Buddy refused the token &#40;401&#41;.<br>Check &#42;it&#42; &#60;here&#62;</blockquote>',
        ''
      ].join('\n')
    )
  })
  it('with only the stage when the inputs could not be read', async () => {
    await writeFailureSummary({ stage: 'reading the inputs' }, 'Input "logs" ("loud") is not valid')
    expect(html()).toContain('<p>The step failed while reading the inputs.</p>')
    expect(html()).not.toContain('What it tried')
  })
})

describe('the summary of a step that failed while following its run', () => {
  it('names the run, with its link and the status last seen', async () => {
    await writeFailureSummary(
      {
        stage: 'following the run',
        pipeline: 'pipeline 1 in acme/web',
        execution: execution('INPROGRESS', [])
      },
      'Run #7 is gone (404): it was deleted in Buddy while this step followed it.'
    )
    expect(html()).toContain('<h3>❌ Buddy run #7: the step failed</h3>')
    expect(html()).toContain(
      '<li>Run: <a href="https://app.buddy.works/acme/web/pipelines/pipeline/1/execution/abc">#7</a> (last seen INPROGRESS)</li>'
    )
  })
})
