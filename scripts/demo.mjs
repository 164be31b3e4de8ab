// `npm run demo`: the action's main job, end to end, against the built-in Buddy simulator.
// Runs the committed dist/index.js exactly as the GitHub runner would, for a sample push event.
// No token, no network: everything stays on 127.0.0.1.

import { startSimulator } from '../__tests__/support/buddy-simulator.mjs'
import { runAction } from '../__tests__/support/run-action.mjs'

const bold = s => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)
const dim = s => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s)
const heading = s => console.log(`\n${bold(`── ${s} `.padEnd(78, '─'))}`)

/** What the runner's log viewer shows for the step's stdout (workflow commands rendered). */
function renderLog(stdout) {
  return stdout
    .split('\n')
    .filter(
      line =>
        line !== '' &&
        !line.startsWith('::add-mask::') &&
        !line.startsWith('::debug::') &&
        // The markers around Buddy's text: the runner hides them too.
        !/^::stop-commands::\w+$/.test(line) &&
        !/^::[0-9a-f]{32}::$/.test(line)
    )
    .map(line =>
      line
        .replace(/^::group::(.*)$/, '▶ $1')
        .replace(/^::endgroup::$/, '')
        .replace(
          /^::(warning|error|notice)[^:]*::(.*)$/,
          (_, kind, text) =>
            `${kind[0].toUpperCase()}${kind.slice(1)}: ${text.replace(/%0A/g, '\n')}`
        )
    )
    .filter(line => line !== '')
    .map(line => `  ${line}`)
    .join('\n')
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
process.exitCode = result.code ?? 1
