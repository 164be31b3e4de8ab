/**
 * End to end with wait: true — the committed dist/index.js, spawned as the runner spawns it,
 * following runs in the simulator; the job cancelled by signal (the post step after it:
 * e2e-post-step.test.ts). What run() decides from a run's end is also checked in-process (runStep).
 */
import { itWithSignals } from './support/signals.js'
import { followingStepPerTest } from './support/simulator-per-test.js'
import { scanningRunAction } from './support/secret-scan.js'
import { scanningRunStep } from './support/run-in-process.js'

const runAction = scanningRunAction()
// The same step in-process (support/run-in-process.ts), for what run() decides from a run's end
// (outputs, annotations, saved state). Each kind keeps its case through the bundle: following a
// run to its end, the exit code of a failed run (propagate-failure), signals, the post step.
const runStep = scanningRunStep()

const { sim, event, inputs } = followingStepPerTest()
const cancels = () => sim.requests.filter(r => r.method === 'PATCH')

describe('wait: true', () => {
  it('follows a run to success: progress, outputs, summary table', async () => {
    const result = await runAction({ inputs: inputs(), event })
    expect(result.code).toBe(0)
    expect(result.outputs).toMatchObject({
      'execution-id': '1',
      status: 'SUCCESSFUL',
      'timed-out': 'false',
      'failed-actions': ''
    })
    expect(Number(result.outputs.duration)).toBeGreaterThanOrEqual(0)
    expect(result.stdout).toContain('  Build: SUCCESSFUL')
    expect(result.stdout).toContain('  Deploy: SUCCESSFUL')
    expect(result.stdout).toMatch(/Buddy run #1 SUCCESSFUL in \d+s\./)
    expect(result.summary).toContain('Buddy run #1: SUCCESSFUL')
    expect(result.summary).toContain('<th>Action</th><th>Status</th><th>Duration</th>')
    expect(result.summary).toContain('<td>Deploy</td><td>✅ <code>SUCCESSFUL</code></td>')
    expect(result.summary.match(/<h3>/g)).toHaveLength(1)
    expect(result.state['followed-run']).toBe(
      JSON.stringify({ workspace: 'acme', project: 'web', pipelineId: 1, executionId: 1 })
    )
    expect(result.state['run-settled']).toBe('ended')
    expect(cancels()).toHaveLength(0)
  })

  it("fails with the run's failure, its failed actions and their logs, printed as text", async () => {
    sim.config.statusScript = 'FAILED'
    const result = await runAction({ inputs: inputs(), event })
    expect(result.code).toBe(1)
    expect(result.outputs).toMatchObject({ status: 'FAILED', 'failed-actions': 'Deploy' })
    expect(result.errors.join('\n')).toMatch(
      /Buddy run #1 ended FAILED after \d+s; failed actions: Deploy\. http:\/\/127\.0\.0\.1:\d+\/app\//
    )
    // Buddy's log lines that look like workflow commands sit between stop-commands markers.
    const lines = result.stdout.split('\n')
    const hostile = lines.indexOf('::set-output name=pwned::yes')
    expect(hostile).toBeGreaterThan(0)
    const stop = lines
      .slice(0, hostile)
      .reverse()
      .find(l => l.startsWith('::stop-commands::'))
    expect(stop).toBeDefined()
    const token = stop!.slice('::stop-commands::'.length)
    expect(lines.indexOf(`::${token}::`)).toBeGreaterThan(hostile)
    expect(result.stdout).toContain('::group::Log of Deploy (FAILED)')
    expect(result.outputs.pwned).toBeUndefined()
  })

  it("sets the variables output from what the run's actions exported, printing no value", async () => {
    const hostileValue = 'https://preview-42.example.com/?q=::set-output name=pwned::yes'
    sim.config.actionOutputs = {
      Build: [{ key: 'VERSION', value: '1.0.0' }],
      Deploy: [
        { key: 'DEPLOY_URL', value: hostileValue },
        { key: 'VERSION', value: '1.0.1\nsecond line' },
        { key: 'not-a-name', value: 'left-out-value' }
      ]
    }
    const result = await runStep({ inputs: inputs(), event })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.outputs.variables!)).toEqual({
      VERSION: '1.0.1\nsecond line',
      DEPLOY_URL: hostileValue
    })
    expect(result.outputs.pwned).toBeUndefined()
    expect(result.stdout).toContain('Variables the run exported: VERSION, DEPLOY_URL')
    expect(result.stdout).toContain(
      '::notice title=Variable left out::Buddy exported a variable whose key is not a name (letters, digits and _, not starting with a digit): "not-a-name". It is left out of the variables output.'
    )
    for (const value of ['preview-42', '1.0.1', 'second line', 'left-out-value']) {
      expect(result.stdout).not.toContain(value)
    }
  })

  it("names each failed action with Buddy's error message in the annotation and the summary", async () => {
    sim.config.statusScript = 'FAILED'
    sim.config.actionErrors = {
      Deploy: 'Upload failed: *550* <Permission denied>\n::error::injected [x](http://evil)'
    }
    const result = await runStep({ inputs: inputs({ logs: 'none' }), event })
    expect(result.code).toBe(1)
    // One annotation; Buddy's message on its own line of it (the runner's %0A), after the link.
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatch(
      /^::error::Buddy run #1 ended FAILED after \d+s; failed actions: Deploy\. http:\/\/127\.0\.0\.1:\d+\/app\/\S+%0ADeploy: Upload failed: \*550\* <Permission denied> ::error::injected \[x\]\(http:\/\/evil\)$/
    )
    expect(result.summary).toContain(
      '<li><strong>Deploy</strong> (FAILED): Upload failed: &#42;550&#42; &#60;Permission denied&#62; ::error::injected &#91;x&#93;&#40;http://evil&#41;</li>'
    )
    // The run ended: what it exported (nothing here) is set.
    expect(result.outputs.variables).toBe('{}')
  })

  it('stays green with propagate-failure: false, with an error annotation and the status output', async () => {
    sim.config.statusScript = 'FAILED'
    const result = await runAction({
      inputs: inputs({ 'propagate-failure': 'false', logs: 'none' }),
      event
    })
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('FAILED')
    expect(result.errors.join('\n')).toMatch(/ended FAILED/)
    expect(sim.requests.filter(r => r.path.endsWith('/logs'))).toHaveLength(0)
  })

  it('ends at the timeout even while a status read hangs: no socket keeps the step alive', async () => {
    sim.fault({ method: 'GET', path: /\/executions\/1$/, kind: 'hang', times: 100 })
    // The step's own limits: 3 s, then one last look of at most 5 s. A socket left open would
    // keep the process until the client's 30 s socket timeout; runAction kills it at 25 s.
    const result = await runAction({
      inputs: inputs({ timeout: '3s' }),
      event,
      timeoutMs: 25_000
    })
    expect(result.signal).toBeNull()
    expect(result.code).toBe(1)
    expect(result.outputs['timed-out']).toBe('true')
  })

  it('times out, cancels the run once, and says so', async () => {
    sim.config.statusScript = Array(1000).fill('INPROGRESS')
    const result = await runAction({ inputs: inputs({ timeout: '2s' }), event })
    expect(result.code).toBe(1)
    expect(result.outputs).toMatchObject({ 'timed-out': 'true', status: 'TERMINATED' })
    // The run did not end while followed: no variables output.
    expect(result.outputs.variables).toBeUndefined()
    expect(result.errors.join('\n')).toMatch(
      /Timed out after 2s waiting for Buddy run #1 \(last seen INPROGRESS\)\. It was cancelled in Buddy \(now TERMINATED\)/
    )
    expect(cancels()).toHaveLength(1)
    expect(result.state['run-settled']).toBe('cancelled')
  })

  itWithSignals(
    'cancels the Buddy run exactly once when the job is cancelled (SIGINT, then SIGTERM)',
    async () => {
      sim.config.statusScript = Array(1000).fill('INPROGRESS')
      let signalled = false
      let printed = ''
      const result = await runAction({
        inputs: inputs(),
        event,
        onStdout: (chunk, child) => {
          // A line may come split over two chunks.
          printed += chunk
          if (!signalled && printed.includes('Following run #1')) {
            signalled = true
            child.kill('SIGINT')
            setTimeout(() => child.kill('SIGTERM'), 50)
          }
        }
      })
      expect(signalled).toBe(true)
      expect(result.signal).toBeNull()
      expect(result.code).toBe(1)
      expect(cancels()).toHaveLength(1)
      expect(cancels()[0]?.body).toEqual({ operation: 'CANCEL' })
      expect(sim.executions(1)[0].status).toBe('TERMINATED')
      expect(result.errors.join('\n')).toMatch(
        /The job was cancelled while Buddy run #1 was INPROGRESS\. It was cancelled in Buddy \(now TERMINATED\)\./
      )
      expect(result.state['run-settled']).toBe('cancelled')
    }
  )

  it('saves no run for the post step when cancel-on-job-cancel is false', async () => {
    const result = await runStep({ inputs: inputs({ 'cancel-on-job-cancel': 'false' }), event })
    expect(result.code).toBe(0)
    expect(result.state['followed-run']).toBeUndefined()
  })
})

describe("text from Buddy can't act as a workflow command", () => {
  it('in action names, statuses, logs and error messages', async () => {
    sim.config.pipelines[0]!.actions = [
      { id: 11, name: '::add-mask::evil', type: 'BUILD' },
      { id: 12, name: 'x ##[set-output name=a;]b', type: 'BUILD' }
    ]
    sim.config.statusScript = [
      { status: 'INPROGRESS', actions: ['INPROGRESS', 'ENQUEUED'] },
      { status: 'INPROGRESS', actions: ['::warning::status', 'ENQUEUED'] },
      { status: 'FAILED', actions: ['SUCCESSFUL', 'FAILED'] }
    ]
    const result = await runAction({ inputs: inputs({ logs: 'all' }), event })
    expect(result.code).toBe(1)
    const lines = result.stdout.split('\n')
    // Outside the stop-commands blocks that hold Buddy's logs, no line is a command we did not write.
    let stopped: string | undefined
    const ours = /^::(add-mask|debug|group|endgroup|error|warning|stop-commands)(::| )/
    for (const line of lines) {
      if (stopped) {
        if (line === `::${stopped}::`) stopped = undefined
        continue
      }
      if (line.startsWith('::stop-commands::')) stopped = line.slice('::stop-commands::'.length)
      if (line.trimStart().startsWith('::')) expect(line).toMatch(ours)
      if (!line.startsWith('::')) expect(line).not.toContain('##[')
    }
    expect(lines).not.toContain('::add-mask::evil')
    expect(result.stdout).toContain('›   ::add-mask::evil: INPROGRESS')
  })
})
