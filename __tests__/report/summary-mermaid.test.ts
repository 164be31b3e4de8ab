/**
 * The summary's timeline, read by Mermaid's own parser (a dev dependency): whatever the actions
 * are called, each stays a task with its bar, its name and its dates, and the chart keeps its
 * title. Names built to break the chart: Mermaid's keywords and dates at the start, its syntax
 * anywhere, and fast-check's strings around them.
 */
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import type { ActionExecution } from '../../src/buddy/model.js'
import { oneLine } from '../../src/base/log.js'
import { ganttChart } from '../../src/report/summary-mermaid.js'
import { parseGantt } from '../support/mermaid-gantt.js'
import { action, execution } from '../support/runs.js'
import { runAction } from '../support/run-action.mjs'
import { startSimulator } from '../support/buddy-simulator.mjs'
import { simulatorInputs } from '../support/simulator-per-test.js'

const START = Date.UTC(2026, 10, 28, 12, 0, 0)
const at = (second: number) => new Date(START + second * 1000).toISOString()

/** A finished run whose actions have these names, each running one second after the other. */
function runOf(names: string[]) {
  const actions: ActionExecution[] = names.map((name, i) =>
    action(name, i % 3 === 1 ? 'FAILED' : 'SUCCESSFUL', {
      start_date: at(i),
      finish_date: at(i + 1)
    })
  )
  return { ...execution('FAILED', actions), finish_date: at(names.length) }
}

/** What the chart must show for each name: one task per action, in order, with its dates. */
async function expectEveryNameABar(names: string[]) {
  const run = runOf(names)
  const chart = ganttChart(run)!
  const parsed = await parseGantt(chart)
  expect(parsed.title).toBe(`Buddy run ${run.id}`)
  expect(parsed.tasks.map(t => t.name)).toEqual(
    names.map((name, i) => oneLine(name) || `action ${i + 1}`)
  )
  expect(parsed.tasks.map(t => [t.section, t.startMs, t.endMs])).toEqual(
    names.map((_, i) => ['Actions', START + i * 1000, START + (i + 1) * 1000])
  )
}

/** Words Mermaid's gantt lexer reads at the start of a line, and other syntax. */
const BREAKERS = [
  'Call webhook',
  'Click tests',
  '2024-01-01 migration',
  'Gantt export',
  'dateFormat YYYY-MM-DD',
  'Title screen build',
  'Section A tests',
  'axisFormat %H',
  'tickInterval 1day',
  'includes 2024-01-01',
  'excludes weekends',
  'todayMarker off',
  'weekday monday',
  'weekend friday',
  'inclusiveEndDates',
  'topAxis',
  'accTitle: a title',
  'accDescr: a description',
  'accDescr { a block }',
  'accDescription text',
  'href "https://example.com"',
  'call back()',
  'click me',
  '%% a comment',
  '%%{init: {"theme": "dark"}}%%',
  '5% done',
  'style x fill:#f00;',
  'classDef a fill:#f00;',
  'Build: step 2',
  'a;b',
  '#1;',
  'ﬂ°°66¶ß',
  '&amp; &#58;',
  '```',
  '</details>',
  'line\nbreak',
  'carriage\rreturn',
  '}',
  ':',
  '',
  '   ',
  '🚀 Deploy',
  'שלום',
  'gantt',
  'title'
]

describe('the timeline, as Mermaid parses it', () => {
  it('the plain case: every action a task, the title kept', async () => {
    await expectEveryNameABar(['Build', 'Test', 'Deploy'])
  })

  it.each(BREAKERS.map(name => [name]))('%j stays a task with its bar', async name => {
    await expectEveryNameABar(['Build', name, 'Deploy'])
  })

  it('all of them in one chart', async () => {
    await expectEveryNameABar(BREAKERS)
  })

  it('any names (fast-check, around the words that broke it)', async () => {
    const name = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc
        .tuple(fc.constantFrom(...BREAKERS), fc.string({ maxLength: 15 }))
        .map(([word, rest]) => `${word}${rest}`)
    )
    await fc.assert(
      fc.asyncProperty(fc.array(name, { minLength: 2, maxLength: 6 }), expectEveryNameABar),
      { numRuns: 150, seed: 20261210 }
    )
  })

  it('a chart of the old escaping breaks as the issue says (the parser is really used)', async () => {
    await expect(
      parseGantt(
        ['gantt', '    dateFormat x', '    Click tests :1, 2', '    Other :2, 3'].join('\n')
      )
    ).rejects.toThrow(/Parse error/)
  })

  it('nothing of Mermaid reaches the bundles', () => {
    for (const bundle of ['dist/index.js', 'dist/post/index.js']) {
      const code = readFileSync(new URL(`../../${bundle}`, import.meta.url), 'utf8')
      expect(code).not.toMatch(/gantt\.jison|mermaid\.core|dompurify/i)
    }
  })
})

describe('the timeline in the summary the bundle writes', () => {
  it('parses with every action a task, whatever the names', async () => {
    const sim = await startSimulator()
    try {
      // The names the issue found breaking the chart.
      const names = BREAKERS.slice(0, 7)
      sim.config.pipelines[0]!.actions = names.map((name, i) => ({
        id: 11 + i,
        name,
        type: 'BUILD'
      }))
      const result = await runAction({
        inputs: simulatorInputs(sim, { wait: 'true', 'poll-interval': '1s' }),
        event: { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' },
        timeoutMs: 90_000
      })
      expect(result.code).toBe(0)
      const chart = /```mermaid\n([\s\S]*?)```/.exec(result.summary)
      expect(chart).not.toBeNull()
      const parsed = await parseGantt(chart![1]!.trimEnd())
      expect(parsed.title).toBe('Buddy run 1')
      expect(parsed.tasks.map(t => t.name)).toEqual(names.map(n => oneLine(n)))
    } finally {
      await sim.close()
    }
  }, 120_000)
})
