// `npm run demo`: the action's main job, end to end, against the built-in Buddy simulator.
// Runs the committed dist/index.js exactly as the GitHub runner would, for a sample push event.
// No token, no network: everything stays on 127.0.0.1.

import { startSimulator } from '../__tests__/support/buddy-simulator.mjs'
import { runAction } from '../__tests__/support/run-action.mjs'

const bold = s => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)
const dim = s => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s)
const heading = s => console.log(`\n${bold(`── ${s} `.padEnd(78, '─'))}`)

/**
 * The step's stdout as the runner reads it: each line, and whether it is only text. Between
 * ::stop-commands::TOKEN and ::TOKEN:: the runner takes every line as text (and hides the two
 * markers); elsewhere a line that starts with :: is a workflow command.
 */
function runnerLines(stdout) {
  const lines = []
  let stopToken
  for (const line of stdout.split('\n')) {
    const stop = /^::stop-commands::(\w+)$/.exec(line)
    if (stopToken) {
      if (line === `::${stopToken}::`) stopToken = undefined
      else lines.push({ line, text: true })
    } else if (stop) {
      stopToken = stop[1]
    } else {
      lines.push({ line, text: false })
    }
  }
  return lines
}

/** The lines of the step's stdout that the runner may read as workflow commands. */
function commandLines(stdout) {
  return runnerLines(stdout)
    .filter(l => !l.text)
    .map(l => l.line)
}

/** What the runner's log viewer shows for the step's stdout (workflow commands rendered). */
function renderLog(stdout) {
  const shown = []
  for (const { line, text } of runnerLines(stdout)) {
    if (text) {
      shown.push(line)
      continue
    }
    if (line === '' || line === '::endgroup::') continue
    if (line.startsWith('::add-mask::') || line.startsWith('::debug::')) continue
    shown.push(
      line
        .replace(/^::group::(.*)$/, '▶ $1')
        .replace(
          /^::(warning|error|notice)[^:]*::(.*)$/,
          (_, kind, text) =>
            `${kind[0].toUpperCase()}${kind.slice(1)}: ${text.replace(/%0A/g, '\n')}`
        )
    )
  }
  return shown.map(line => `  ${line}`).join('\n')
}

/** The job summary's HTML as a plain table. */
function renderSummary(html) {
  const text = s =>
    s
      .replace(/<[^>]+>/g, '')
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  const title = /<h3>(.*?)<\/h3>/.exec(html)?.[1] ?? ''
  const paragraph = /<p>(.*?)<\/p>/.exec(html)?.[1]
  const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map(r =>
    [...r[1].matchAll(/<t[hd]>(.*?)<\/t[hd]>/g)].map(c => text(c[1]))
  )
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length))) ?? []
  const line = r => `  | ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  return [
    `  ${text(title)}`,
    ...(paragraph ? [`  ${text(paragraph)}`] : []),
    ...rows.map(line)
  ].join('\n')
}

const sim = await startSimulator()
const sha = '9f2c1e4b7a1d3c5e8f0a2b4c6d8e0f1a3b5c7d9e'
const step = {
  workspace: 'acme',
  project: 'web',
  pipeline: 'deploy',
  'api-url': sim.url,
  token: 'demo-token-not-a-secret',
  variables: 'ENVIRONMENT=staging',
  'secret-variables': 'DB_PASSWORD=correct-horse-battery-staple',
  wait: 'true',
  // Each action's log, streamed into the GitHub log while the run goes on.
  logs: 'live',
  // The simulator's runs take a few status reads: a short pause keeps the demo quick.
  'poll-interval': '1s'
}
sim.config.tokens['demo-token-not-a-secret'] = sim.config.tokens['sim-token']
// The deploy action exports the address it deployed to: the step's `variables` output.
sim.config.actionOutputs = {
  Deploy: [{ key: 'DEPLOY_URL', value: 'https://staging.example.com' }]
}
// What the actions log. The deploy's log also holds two lines shaped as workflow commands, as a
// build's output can (a test printing them, a hostile dependency): the step prints Buddy's logs
// between ::stop-commands:: markers, so the runner shows them as text and they do nothing.
const HOSTILE = ['::set-output name=pwned::yes', '::add-mask::staging.example.com']
sim.config.actionLogs = {
  Build: ['$ npm ci', 'added 312 packages in 8s', '$ npm run build', 'dist/index.js 1.6 MB'],
  Test: ['$ npm test', 'Tests: 1005 passed, 1005 total', 'Time: 44 s'],
  Deploy: ['Uploading dist/ to staging.example.com', ...HOSTILE, 'Uploaded 42 files']
}

heading('The workflow step')
console.log(`  on: push   (refs/heads/main, commit ${sha.slice(0, 7)})`)
console.log('  - uses: ./')
console.log('    with:')
for (const [k, v] of Object.entries(step)) {
  const shown =
    k === 'token' ? '${{ secrets.BUDDY_TOKEN }}' : k === 'api-url' ? `${v}   # the simulator` : v
  const lines = String(shown).split('\n')
  console.log(
    lines.length > 1
      ? `      ${k}: |\n${lines.map(l => `        ${l}`).join('\n')}`
      : `      ${k}: ${shown}`
  )
}

const result = await runAction({
  inputs: step,
  eventName: 'push',
  ref: 'refs/heads/main',
  sha,
  event: {
    ref: 'refs/heads/main',
    after: sha,
    deleted: false,
    head_commit: { id: sha, message: 'Add a new feature' }
  }
})

heading('The step log, as GitHub shows it')
console.log(renderLog(result.stdout))
if (result.stderr) console.log(result.stderr)
// What the two command-shaped lines of the deploy's log prove: Buddy's text cannot act as a
// workflow command. Checked, not only shown (`.ci/run` runs the demo): neither line reaches the
// runner outside a ::stop-commands:: block, and no output "pwned" was set.
const acted = HOSTILE.filter(line => commandLines(result.stdout).includes(line))
console.log(
  `\n  ${dim("Buddy's Deploy log held")} ${HOSTILE.join(dim(' and '))}${dim(':')}\n  ${dim(
    'the step printed them between ::stop-commands:: markers, so the runner showed them as text:'
  )}\n  ${dim('no output "pwned" was set, and nothing was masked.')}`
)
if (acted.length > 0 || 'pwned' in result.outputs) {
  console.log(bold(`  But Buddy's log acted as workflow commands: ${acted.join(', ')}. A bug.`))
  process.exitCode = 1
}

heading('What Buddy received')
for (const r of sim.requests) {
  console.log(
    `  ${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ''}`
  )
  // Buddy receives secret values as they are (over TLS, marked encrypted); not repeated here.
  const body = r.body?.variables
    ? {
        ...r.body,
        variables: r.body.variables.map(v =>
          v.encrypted ? { ...v, value: '<the secret value>' } : v
        )
      }
    : r.body
  if (body) console.log(JSON.stringify(body, null, 2).replace(/^/gm, '      '))
}

heading('Step outputs')
for (const [name, value] of Object.entries(result.outputs))
  console.log(`  ${name.padEnd(18)} ${value}`)

heading('Job summary')
console.log(renderSummary(result.summary))

console.log(
  `\n${result.code === 0 ? bold('The step succeeded.') : bold(`The step failed (exit ${result.code}).`)} ${dim('Secrets in the log: masked by the runner (::add-mask::).')}`
)
await sim.close()
process.exitCode = process.exitCode || (result.code ?? 1)
