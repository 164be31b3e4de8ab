// `npm run bench`: what this action costs, side by side with its floor, on this machine.
//   1. cold start: spawn → first request at the API, against a bare `node -e ''` (interleaved)
//   2. noticing the end, and requests made, for runs of 10 s, 1 min, 10 min, 1 h (virtual time)
//   3. peak resident memory of a run with wait: true
//   4. the bundle's size, and what dominates it
//   5. many steps at once against one workspace's rate limit (a token bucket): the share of
//      requests answered 429, and the slowest step (BENCH_MATRIX: the step counts, "30,100";
//      BENCH_MATRIX_RUNS: runs of each, 3; BENCH_COMPARE: another bundle's index.js, measured
//      the same way beside this one)
// Prints a Markdown table and writes it to BENCHMARKS.md. Reports figures; asserts nothing.

import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { cpus, totalmem, platform, release } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { gzipSync } from 'node:zlib'
import { startSimulator } from '../__tests__/support/buddy-simulator.mjs'
import { actionDefaults, ROOT, runAction } from '../__tests__/support/run-action.mjs'

const RUNS = Number(process.env.BENCH_RUNS ?? 30)
const cache = join(ROOT, 'node_modules', '.cache', 'buddy-bench')
mkdirSync(cache, { recursive: true })
const say = text => process.stderr.write(`${text}\n`)

const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const quantile = (values, q) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]
const ms = value => `${value.toFixed(0)} ms`
const mb = bytes => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const kb = bytes => `${(bytes / 1024).toFixed(0)} kB`

/** The environment the runner gives the step, for a push to main, without waiting. */
function stepEnv(sim, extra = {}) {
  const inputs = {
    ...actionDefaults(),
    token: 'sim-token',
    'api-url': sim.url,
    workspace: 'acme',
    project: 'web',
    'pipeline-id': '1',
    ...extra
  }
  const env = {
    PATH: process.env.PATH,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: 'ffac537e6cbbf934b08745a378932722df287a53'
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  return env
}

const exited = child => new Promise(resolve => child.on('close', resolve))

async function coldStart() {
  say(`cold start: ${RUNS} runs each, interleaved`)
  const sim = await startSimulator()
  const env = stepEnv(sim)
  const bare = []
  const action = []
  for (let i = 0; i < RUNS + 3; i++) {
    let t0 = performance.now()
    await exited(spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }))
    const bareMs = performance.now() - t0
    const before = sim.requests.length
    t0 = performance.now()
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'index.js')], {
      env,
      stdio: 'ignore'
    })
    await exited(child)
    const first = sim.requests[before]
    if (!first) throw new Error('the action sent no request')
    // The first three of each are warm-up (disk cache), not counted.
    if (i >= 3) {
      bare.push(bareMs)
      action.push(first.receivedAt - t0)
    }
  }
  await sim.close()
  const ratios = action.map((a, i) => a / bare[i])
  return { bare, action, ratio: median(action) / median(bare), ratios }
}

/** A TypeScript module of scripts/bench/, bundled with ncc (no TypeScript loader here), imported. */
async function bundled(name) {
  const out = join(cache, name)
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'ncc'),
    ['build', join(ROOT, 'scripts', 'bench', `${name}.ts`), '-o', out, '-q'],
    { stdio: 'inherit' }
  )
  return import(join(out, 'index.js'))
}

async function noticing() {
  say('noticing the end: bundling the wait loop for virtual time')
  const { measureFollow } = await bundled('virtual-follow')
  const rows = []
  for (const runMs of [10_000, 60_000, 600_000, 3_600_000]) {
    say(`  a run of ${runMs / 1000} s`)
    rows.push(await measureFollow(runMs, actionDefaults()['poll-interval']))
  }
  const with429 = await measureFollow(120_000, actionDefaults()['poll-interval'], true)
  say('  a run of 600 s with logs: live')
  const live = await measureFollow(600_000, actionDefaults()['poll-interval'], false, 'live')
  return { rows, with429, live }
}

/** Peak RSS of a process, from /proc (VmHWM), read until it exits. */
async function peakRss(command, args, env) {
  const child = spawn(command, args, { env, stdio: 'ignore' })
  let peak = 0
  const read = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status)
      if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024)
    } catch {
      /* gone */
    }
  }
  const timer = setInterval(read, 5)
  const code = await exited(child)
  clearInterval(timer)
  return { peak, code }
}

async function memory() {
  say('memory: a run with wait: true')
  const sim = await startSimulator()
  const action = await peakRss(
    process.execPath,
    [join(ROOT, 'dist', 'index.js')],
    stepEnv(sim, { wait: 'true', 'poll-interval': '1s', logs: 'all' })
  )
  await sim.close()
  if (action.code !== 0) throw new Error(`the action failed (${action.code})`)
  const bare = await peakRss(process.execPath, ['-e', 'setTimeout(() => {}, 200)'], {
    PATH: process.env.PATH
  })
  return { action: action.peak, bare: bare.peak }
}

function bundle() {
  say('bundle: sizes, and what dominates (ncc --stats-out)')
  const files = [
    'index.js',
    ...['413.index.js', 'undici.cjs'].filter(f => existsSync(join(ROOT, 'dist', f)))
  ]
  const sizes = files.map(f => {
    const text = readFileSync(join(ROOT, 'dist', f))
    return { file: `dist/${f}`, bytes: text.length, gzip: gzipSync(text).length }
  })
  const statsFile = join(cache, 'stats.json')
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'ncc'),
    [
      'build',
      join(ROOT, 'src', 'index.ts'),
      '-o',
      join(cache, 'bundle'),
      '-q',
      '--stats-out',
      statsFile
    ],
    { stdio: 'inherit' }
  )
  const stats = JSON.parse(readFileSync(statsFile, 'utf8'))
  const initial = new Set((stats.chunks ?? []).filter(c => c.initial).map(c => c.id))
  const byPackage = new Map()
  // A concatenated module lists the modules it holds (each counted by its own package); they
  // are listed on their own too, with no chunk: count each once, inside its parent.
  const counted = (stats.modules ?? [])
    .filter(m => (m.chunks ?? []).length > 0)
    .flatMap(m =>
      m.modules?.length ? m.modules.map(inner => ({ ...inner, chunks: m.chunks })) : [m]
    )
  for (const m of counted) {
    const name = String(m.name ?? '')
    const inner = name.startsWith('./node_modules/')
      ? name.slice('./node_modules/'.length)
      : 'this action (src/)'
    const pkg = !name.startsWith('./node_modules/')
      ? inner
      : inner.startsWith('@')
        ? inner.split('/').slice(0, 2).join('/')
        : inner.split('/')[0]
    // undici's modules leave the initial chunk after the build (scripts/defer-undici.mjs).
    const file = !(m.chunks ?? []).some(id => initial.has(id))
      ? 'dist/413.index.js'
      : pkg === 'undici'
        ? 'dist/undici.cjs'
        : 'dist/index.js'
    const key = `${pkg}|${file}`
    byPackage.set(key, (byPackage.get(key) ?? 0) + (m.size ?? 0))
  }
  const top = [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)
  return { sizes, top }
}

/** The token bucket of the matrix scenario: Buddy's limit for one workspace, as simulated. */
const BUCKET = { perSecond: 10, capacity: 10 }

/** `steps` steps spawned at once (each with its own run), against one token bucket. */
async function oneMatrix(steps, entry) {
  const sim = await startSimulator({ tokenBucket: BUCKET })
  const results = await Promise.all(
    Array.from({ length: steps }, (_, index) => {
      const spawnedAt = performance.now()
      return runAction({
        inputs: {
          token: 'sim-token',
          'api-url': sim.url,
          workspace: 'acme',
          project: 'web',
          'pipeline-id': '1',
          variables: `TARGET=node-${index}`
        },
        event: { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' },
        entry,
        timeoutMs: 600_000
      }).then(result => ({ ...result, ms: performance.now() - spawnedAt }))
    })
  )
  const requests = sim.buddyRequests()
  const runs = sim.executions(1).length
  await sim.close()
  const failed = results.filter(r => r.code !== 0).length
  if (failed > 0 || runs !== steps) throw new Error(`${failed} steps failed, ${runs} runs`)
  return {
    requests: requests.length,
    limited: requests.filter(r => r.rateLimited).length,
    slowestMs: Math.max(...results.map(r => r.ms))
  }
}

async function matrix() {
  const counts = (process.env.BENCH_MATRIX ?? '30,100').split(',').map(Number)
  const runs = Number(process.env.BENCH_MATRIX_RUNS ?? 3)
  const bundles = [['this bundle', 'dist/index.js']]
  if (process.env.BENCH_COMPARE) bundles.push(['compared', process.env.BENCH_COMPARE])
  const rows = []
  for (const steps of counts) {
    for (const [name, entry] of bundles) {
      const measured = []
      for (let i = 0; i < runs; i++) {
        say(`matrix: ${steps} steps (${name}), run ${i + 1} of ${runs}`)
        measured.push(await oneMatrix(steps, entry))
      }
      rows.push({ steps, name, measured })
    }
  }
  return { rows, runs }
}

/** The same arithmetic in virtual time (scripts/bench/rate-limit-model.ts): what a spread can do. */
async function rateLimitModel() {
  say('many steps, modelled in virtual time')
  const { POLICIES, modelMatrix, firstWaveFloor } = await bundled('rate-limit-model')
  const SEEDS = 30
  const rows = []
  for (const steps of [30, 100]) {
    for (const policy of POLICIES) {
      const figures = Array.from({ length: SEEDS }, (_, seed) =>
        modelMatrix(policy, { steps, arrivalMs: 500, seed: seed + 1 })
      )
      rows.push({
        steps,
        policy: policy.name,
        share: median(figures.map(f => f.share429)),
        slowestMs: median(figures.map(f => f.slowestMs))
      })
    }
  }
  return { rows, seeds: SEEDS, floor: steps => firstWaveFloor(steps) }
}

const started = performance.now()
const many = await matrix()
const model = await rateLimitModel()
const cold = await coldStart()
const follow = await noticing()
const mem = await memory()
const size = bundle()

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}, Node.js ${process.version}`
const pass = ok => (ok ? '✓' : '✗')
const lines = []
lines.push('# Benchmarks', '')
lines.push(
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${machine}.`,
  ''
)
lines.push('## Cold start: spawn → first request at the API', '')
lines.push(
  `${RUNS} runs of each, interleaved (after 3 warm-up runs), against the Buddy simulator on 127.0.0.1.`,
  ''
)
lines.push('| | median | p10 – p90 | min – max |', '|---|---|---|---|')
for (const [name, values] of [
  ["`node -e ''` (spawn → exit)", cold.bare],
  ['`node dist/index.js` (spawn → first request)', cold.action]
]) {
  lines.push(
    `| ${name} | ${ms(median(values))} | ${ms(quantile(values, 0.1))} – ${ms(quantile(values, 0.9))} | ${ms(Math.min(...values))} – ${ms(Math.max(...values))} |`
  )
}
lines.push(
  `| **ratio** (median ÷ median; budget ≤ 2.0) | **${cold.ratio.toFixed(2)}** ${pass(cold.ratio <= 2)} | run by run: ${quantile(cold.ratios, 0.1).toFixed(2)} – ${quantile(cold.ratios, 0.9).toFixed(2)} | |`,
  ''
)
lines.push(
  `## Noticing the end, and requests (poll-interval ${actionDefaults()['poll-interval']}, virtual time)`,
  ''
)
lines.push(
  '| run length | noticed after the end (budget ≤ poll-interval) | status reads (budget ≤ length ÷ interval + 5) | all requests |',
  '|---|---|---|---|'
)
for (const r of follow.rows) {
  const budget = Math.floor(r.runMs / r.pollIntervalMs) + 5
  const length =
    r.runMs >= 3_600_000
      ? `${r.runMs / 3_600_000} h`
      : r.runMs >= 60_000
        ? `${r.runMs / 60_000} min`
        : `${r.runMs / 1000} s`
  lines.push(
    `| ${length} | ${(r.noticedAfterMs / 1000).toFixed(1)} s ${pass(r.noticedAfterMs <= r.pollIntervalMs)} | ${r.statusReads} of ${budget} ${pass(r.statusReads <= budget)} | ${r.allRequests} |`
  )
}
lines.push(
  '',
  `A 2-minute run with a 429 (Retry-After: 30) on the third read: ${follow.with429.readsDuringRetryAfter} reads sent while its wait was pending ${pass(follow.with429.readsDuringRetryAfter === 0)}; ${follow.with429.statusReads} status reads in all.`,
  '',
  `A 10-minute run with \`logs: live\`, its ${follow.live.actions} actions running throughout: at most ${follow.live.mostLogRequestsPerRead} log requests per status read (budget ≤ ${follow.live.actions}, one per running action) ${pass(follow.live.mostLogRequestsPerRead <= follow.live.actions)}; ${follow.live.logRequests} log requests and ${follow.live.statusReads} status reads in all.`,
  ''
)
lines.push(
  '## Many steps, one workspace',
  '',
  `Steps spawned at once as the runner spawns them, each starting its own run (\`wait: false\`), against one workspace's rate limit simulated as a token bucket (${BUCKET.perSecond} requests a second, bursts of ${BUCKET.capacity}; every answer carries X-Rate-Limit-Limit and X-Rate-Limit-Remaining, a 429 X-Rate-Limit-Reset). ${many.runs} runs of each; every step succeeded with one run of its own in every run.`,
  '',
  '| steps | bundle | requests answered 429 (median; each run) | slowest step (median; each run) |',
  '|---|---|---|---|'
)
for (const row of many.rows) {
  const shares = row.measured.map(m => (100 * m.limited) / m.requests)
  const slowest = row.measured.map(m => m.slowestMs / 1000)
  lines.push(
    `| ${row.steps} | ${row.name} | ${median(shares).toFixed(0)} % (${shares.map(s => `${s.toFixed(0)} %`).join(', ')}) | ${median(slowest).toFixed(1)} s (${slowest.map(s => `${s.toFixed(1)} s`).join(', ')}) |`
  )
}
lines.push(
  '',
  `Why not fewer: before its first answer a step knows nothing of the others. When the steps' first requests arrive at about the same moment, the bucket answers ${BUCKET.capacity} of them and every other one meets a 429, whatever the action does after; with two requests per step that alone is ${(100 * model.floor(30)).toFixed(0)} % of the requests for 30 steps and ${(100 * model.floor(100)).toFixed(0)} % for 100. Past that first wave, a spread after a 429 trades 429s for time: spread the returning steps wide and fewer collide but the bucket sits idle; keep it narrow and they collide. The same arithmetic in virtual time (\`scripts/bench/rate-limit-model.ts\`: first requests within 0.5 s, answers in 20–50 ms, the median of ${model.seeds} seeds; the action's spread is \`rateLimitDelay\` itself), where the floor on the slowest step is the bucket's pace (${((2 * 100 - BUCKET.capacity) / BUCKET.perSecond).toFixed(0)} s for 100 steps):`,
  '',
  '| steps | spread after a 429 | requests answered 429 | slowest step |',
  '|---|---|---|---|'
)
for (const row of model.rows) {
  lines.push(
    `| ${row.steps} | ${row.policy} | ${(100 * row.share).toFixed(0)} % | ${(row.slowestMs / 1000).toFixed(1)} s |`
  )
}
lines.push('')
lines.push('## Memory', '')
lines.push('| process | peak resident memory (VmHWM) |', '|---|---|')
lines.push(
  `| \`node dist/index.js\`, wait: true, logs: all (budget ≤ 80 MB) | ${mb(mem.action)} ${pass(mem.action <= 80 * 1024 * 1024)} |`
)
lines.push(`| \`node -e\` (for scale) | ${mb(mem.bare)} |`, '')
lines.push('## Bundle', '')
lines.push('| file | size | gzip |', '|---|---|---|')
for (const s of size.sizes) lines.push(`| \`${s.file}\` | ${kb(s.bytes)} | ${kb(s.gzip)} |`)
lines.push(
  '',
  "What dominates, by package (webpack module sizes from `ncc --stats-out`; the modules that webpack concatenated into one counted each by its own package). `dist/413.index.js` is loaded only where the event does not carry what to run (`issue_comment`, `workflow_run`, and a pull request or revision named in the inputs of an event that outsiders can start, which the fork guard checks: the GitHub API client); undici is moved out of `dist/index.js` into `dist/undici.cjs` after the build, read only with `dist/413.index.js` (the GitHub API client sends its requests with undici's fetch) or if a proxy dispatcher is asked for (`scripts/defer-undici.mjs`).",
  ''
)
lines.push('| package | file | size |', '|---|---|---|')
for (const [key, bytes] of size.top) {
  const [pkg, when] = key.split('|')
  lines.push(`| ${pkg} | ${when} | ${kb(bytes)} |`)
}
lines.push('', `The benchmark took ${((performance.now() - started) / 1000).toFixed(0)} s.`, '')
const markdown = lines.join('\n')
// BENCH_OUT: write elsewhere (CI's smoke run keeps the committed figures untouched).
writeFileSync(process.env.BENCH_OUT ?? join(ROOT, 'BENCHMARKS.md'), markdown)
process.stdout.write(`${markdown}\n`)
