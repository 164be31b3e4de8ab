/**
 * End to end: text the action does not control — Buddy's answers and GitHub's payloads — never
 * becomes a workflow command, whatever line break it holds. The committed dist/index.js runs as
 * the runner starts it, against the simulator; its output is read as the runner reads it
 * (support/runner-output.ts: split at "\r\n", "\r" and "\n", commands found by the runner's rules).
 *
 * Through the bundle: every kind of text with the hardest break (a carriage return, then white
 * space that .NET trims). The other breaks run the same step in-process
 * (support/run-in-process.ts: main.ts's run(), the real @actions/core, the same stdout), which
 * costs milliseconds instead of a spawn each.
 */
import { webhookExample } from './support/webhooks.js'
import { runnerCommands, type RunnerCommand } from './support/runner-output.js'
import { scanningRunAction } from './support/secret-scan.js'
import { simulatorInputs, simulatorPerTest } from './support/simulator-per-test.js'
import { scanningRunStep } from './support/run-in-process.js'

const runAction = scanningRunAction()
const runStep = scanningRunStep()

const sim = simulatorPerTest()

/** Line breaks the runner honours, and those with white space that .NET trims after them. */
const BREAKS: [string, string][] = [
  ['\\n', '\n'],
  ['\\r', '\r'],
  ['\\r\\n', '\r\n'],
  ['\\n then U+0085', '\n\u0085'],
  ['\\r then U+2028', '\r\u2028'],
  ['\\r then U+3000 and a tab', '\r\u3000\t']
]
/** The break whose cases spawn the bundle. */
const THROUGH_THE_BUNDLE = '\r\u3000\t'

/** A command of each form, each marked so that a real one is told from the action's own. */
const injected = (lineBreak: string) =>
  `${lineBreak}::error title=Injected::pwned${lineBreak}::set-output name=pwned::yes${lineBreak}##[set-output name=pwned;]yes`

/** The commands an injection would have made: its title, or the output name it would set. */
const injections = (commands: RunnerCommand[]) =>
  commands.filter(c => c.properties.title === 'Injected' || c.properties.name === 'pwned')

const SHA = 'ffac537e6cbbf934b08745a378932722df287a53'

const inputs = () => simulatorInputs(sim, { wait: 'true', 'poll-interval': '1s', logs: 'all' })

describe.each(BREAKS)('outside text with %s in it prints as text only', (_name, lineBreak) => {
  const text = (kind: string) => `${kind}-text${injected(lineBreak)}`
  const start = lineBreak === THROUGH_THE_BUNDLE ? runAction : runStep

  it("Buddy's text: pipeline name, run URL, unknown status, action names, errors, logs, variable keys; a branch name", async () => {
    const build = text('action-name')
    sim.config.pipelines[0]!.name = text('pipeline-name')
    sim.config.pipelines[0]!.actions![0]!.name = build
    sim.config.statusScript = [
      { status: text('run-status'), actions: [text('action-status'), 'ENQUEUED'] },
      { status: 'FAILED', actions: ['FAILED', 'ENQUEUED'] }
    ]
    sim.config.actionErrors = { [build]: text('error-message') }
    sim.config.actionLogs = { [build]: [text('log-line'), 'second line'] }
    sim.config.actionOutputs = { [build]: [{ key: text('variable-key'), value: 'v' }] }
    sim.config.rewriteAnswer = (record, json) =>
      /\/executions(\/\d+)?$/.test(record.path) && !Array.isArray(json.executions)
        ? { ...json, html_url: `https://app.buddy.works/run${text('run-url')}` }
        : json
    const branch = text('branch-name')
    const result = await start({
      inputs: inputs(),
      eventName: 'push',
      event: { ref: `refs/heads/${branch}`, after: SHA, head_commit: { id: SHA } },
      timeoutMs: 90_000
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(1)
    const kinds = [
      'pipeline-name',
      'run-url',
      'run-status',
      'action-status',
      'action-name',
      'error-message',
      'log-line',
      'variable-key',
      'branch-name'
    ]
    // Each kind of text was printed (the test would mean nothing otherwise)…
    for (const kind of kinds) expect(result.stdout).toContain(`${kind}-text`)
    // …and none of it became a command.
    expect(injections(runnerCommands(result.stdout))).toEqual([])
    expect(result.outputs.pwned).toBeUndefined()
  }, 120_000)

  it("GitHub's text: a workflow's name, a branch name, a tag name", async () => {
    const completed = webhookExample('workflow_run', p => p.action === 'completed')
    const workflowRun = completed.workflow_run as Record<string, unknown>
    const defaultBranch = text('default-branch')
    const results = await Promise.all([
      start({
        inputs: { ...inputs(), wait: 'false' },
        eventName: 'workflow_run',
        event: {
          ...completed,
          repository: { ...(completed.repository as object), default_branch: defaultBranch },
          workflow_run: {
            ...workflowRun,
            name: text('workflow-name'),
            event: 'push',
            head_branch: defaultBranch,
            head_sha: SHA
          }
        }
      }),
      start({
        inputs: { ...inputs(), wait: 'false' },
        eventName: 'release',
        event: { release: { tag_name: text('tag-name') } },
        ref: 'refs/tags/v1',
        sha: SHA
      })
    ])
    for (const result of results) {
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(injections(runnerCommands(result.stdout))).toEqual([])
      expect(result.outputs.pwned).toBeUndefined()
    }
    const [fromWorkflowRun, fromRelease] = results as [(typeof results)[0], (typeof results)[0]]
    expect(fromWorkflowRun.stdout).toContain('workflow-name-text')
    expect(fromWorkflowRun.stdout).toContain('default-branch-text')
    expect(fromRelease.stdout).toContain('tag-name-text')
  }, 120_000)
})
