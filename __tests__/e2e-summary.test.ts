/**
 * End to end, the job summary: the committed dist/index.js against the simulator, the summary
 * file read as GitHub gets it. Icons, a failed run's errors and log tails, the timeline, and a
 * summary also when the step fails before a run exists. One case of each kind through the bundle,
 * the others in-process (runStep).
 */
import { scanningRunAction } from './support/secret-scan.js'
import { followingStepPerTest, SHA } from './support/simulator-per-test.js'
import { scanningRunStep } from './support/run-in-process.js'

const runAction = scanningRunAction()
// The same step in-process (support/run-in-process.ts): the summary is run()'s to write, so one
// case of each kind through the bundle is enough.
const runStep = scanningRunStep()

const { sim, event, inputs } = followingStepPerTest({
  configure: started => {
    // An action name with Markdown and HTML in it: the summary must show it as written.
    started.config.pipelines[0]!.actions![1]!.name = 'Deploy: *prod* <eu>'
  }
})

/** The cells of the summary's tables. */
const cells = (summary: string) => [...summary.matchAll(/<td>([\s\S]*?)<\/td>/g)].map(m => m[1])

describe('the job summary of a followed run', () => {
  it.each(['failed', 'live'])(
    'a failed run (logs: %s): icons, the error and log tail of the failed action, a timeline',
    async logs => {
      sim.config.statusScript = 'FAILED'
      sim.config.actionErrors = { 'Deploy: *prod* <eu>': 'Upload refused: [550](http://evil)' }
      const step = logs === 'failed' ? runAction : runStep
      const result = await step({ inputs: inputs({ logs }), event })
      expect(result.code).toBe(1)
      const { summary } = result
      expect(summary).toContain('<h3>❌ Buddy run #1: FAILED</h3>')
      expect(cells(summary)).toContain('✅ <code>SUCCESSFUL</code>')
      expect(cells(summary)).toContain('❌ <code>FAILED</code>')
      expect(cells(summary).every(c => c!.trim() !== '')).toBe(true)
      // The failed action: its error, then the tail of its log, escaped.
      expect(summary).toContain(
        '<li><strong>Deploy: &#42;prod&#42; &#60;eu&#62;</strong> (FAILED): Upload refused: &#91;550&#93;&#40;http://evil&#41;\n<details><summary>Last 5 lines of its log</summary>\n<pre>\nStarting Deploy: &#42;prod&#42; &#60;eu&#62;\nExecuting SFTP action\n::set&#45;output name&#61;pwned::yes\n'
      )
      // The timeline: both actions, the name escaped for Mermaid, in a collapsed section.
      const chart =
        /<details><summary>Timeline of the actions<\/summary>\n\n```mermaid\n([\s\S]*?)```\n\n<\/details>/.exec(
          summary
        )
      expect(chart).not.toBeNull()
      const tasks = chart![1]!.split('\n').filter(l => /:(done|crit|active)?,? ?\d+, \d+$/.test(l))
      expect(tasks).toEqual([
        expect.stringMatching(/^ {4}#66;uild :done, \d+, \d+$/),
        expect.stringMatching(/^ {4}#68;eploy#58; #42;prod#42; #60;eu#62; :crit, \d+, \d+$/)
      ])
    }
  )

  it('no timeline for a run of one action', async () => {
    sim.config.pipelines[0]!.actions = [{ id: 11, name: 'Build', type: 'BUILD' }]
    const result = await runStep({ inputs: inputs(), event })
    expect(result.code).toBe(0)
    expect(result.summary).toContain('<h3>✅ Buddy run #1: SUCCESSFUL</h3>')
    expect(result.summary).not.toContain('mermaid')
  })

  it('a run not followed has its icon too', async () => {
    const result = await runStep({ inputs: inputs({ wait: 'false' }), event })
    expect(result.code).toBe(0)
    expect(result.summary).toContain('<h3>🔄 Buddy run #1: INPROGRESS</h3>')
    expect(cells(result.summary)).toContain('🔄 <code>INPROGRESS</code>')
  })
})

describe('the job summary of a step that failed before a run existed', () => {
  it('a bad input: how far it got and why', async () => {
    const result = await runAction({ inputs: inputs({ logs: 'loud' }), event })
    expect(result.code).toBe(1)
    expect(result.summary).toContain('<h3>❌ Buddy run not started</h3>')
    expect(result.summary).toContain('<p>The step failed while reading the inputs.</p>')
    expect(result.summary).toContain(
      '<blockquote>Input &#34;logs&#34; &#40;&#34;loud&#34;&#41; is not valid: expected one of FAILED, ALL, LIVE, NONE.</blockquote>'
    )
    expect(result.summary).not.toContain('What it tried')
    expect(sim.buddyRequests()).toHaveLength(0)
  })

  it('a token Buddy refuses: what it tried, and why it failed, with no secret', async () => {
    const token = 'refused-token-4f2a9c'
    const result = await runStep({ inputs: inputs({ token }), event })
    expect(result.code).toBe(1)
    const { summary } = result
    expect(summary).toContain('<h3>❌ Buddy run not started</h3>')
    expect(summary).toContain('<p>The step failed while finding the pipeline.</p>')
    expect(summary).toContain(
      `<ul><li>Pipeline: pipeline 1 in acme/web</li><li>Target: branch main at ${SHA}</li></ul>`
    )
    expect(summary).toContain('401')
    expect(summary).not.toContain(token)
    expect(sim.requests.filter(r => r.method === 'POST')).toHaveLength(0)
  })

  it('a pipeline that does not exist', async () => {
    const result = await runStep({ inputs: inputs({ 'pipeline-id': '99' }), event })
    expect(result.code).toBe(1)
    expect(result.summary).toContain('<p>The step failed while finding the pipeline.</p>')
    expect(result.summary).toContain('<li>Pipeline: pipeline 99 in acme/web</li>')
    expect(result.summary).toContain('404')
  })
})
