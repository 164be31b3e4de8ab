/**
 * The step as runAction runs it, but in this process: main.ts's run(), the function the bundle's
 * index.ts calls, with the real @actions/core, the same environment (INPUT_*, GITHUB_*, the
 * runner's files) and the same result (exit code, stdout, outputs, state, summary). A spawn of
 * the bundle costs about a quarter of a CPU-second; this costs a few milliseconds. For the cases
 * that check a decision (what to run, what is refused, how outside text is printed), each
 * guarantee keeps at least one case through the bundle (runAction).
 *
 * What it leaves out is index.ts: the job-cancel watch and the exit. Runs are taken one at a
 * time (process.env, stdout and the exit code are the process's own), in the order they are
 * asked for. `entry: 'dist/post/index.js'` runs the post step the same way: post.ts's runPost(),
 * the function the post bundle's post-entry.ts calls.
 */
import * as core from '@actions/core'
import { run } from '../../src/main.js'
import { runPost } from '../../src/post.js'
import { systemClock } from '../../src/base/clock.js'
import { prepareStep, stepResult, type RunOptions } from './run-action.mjs'
import { scanningRunAction } from './secret-scan.js'

let queue: Promise<unknown> = Promise.resolve()

type StepResult = ReturnType<typeof stepResult>

/**
 * runInProcess, with every result scanned for secrets after each test: the in-process twin of
 * scanningRunAction(), for a file's cases that check only a decision.
 */
export function scanningRunStep(moreSecrets?: () => string[]) {
  return scanningRunAction(moreSecrets, runInProcess)
}

export function runInProcess(options: RunOptions = {}): Promise<StepResult> {
  const next = queue.then(() => runNow(options))
  queue = next.catch(() => undefined)
  return next
}

/** What each bundle's entry calls. */
const ENTRIES: Record<string, () => Promise<unknown>> = {
  'dist/index.js': () => run({ env: process.env, clock: systemClock }),
  'dist/post/index.js': () => runPost(process.env, systemClock)
}

async function runNow(options: RunOptions) {
  const entry = ENTRIES[options.entry ?? 'dist/index.js']
  if (!entry) throw new Error(`runInProcess: no entry ${options.entry}`)
  const step = prepareStep(options)
  const savedEnv = { ...process.env }
  const savedExitCode = process.exitCode
  replaceEnv(step.env)
  // @actions/core keeps the summary's file and buffer from one step to the next: a fresh step.
  const summary = core.summary as unknown as { _filePath?: string }
  summary._filePath = undefined
  core.summary.emptyBuffer()
  process.exitCode = undefined
  let stdout = ''
  // A plain swap, not jest.spyOn: a spy records every call, and a step writes a line per call
  // (a 20,000-line log is 20,000 calls).
  const write = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  }) as typeof process.stdout.write
  let code: number
  try {
    await entry()
    code = Number(process.exitCode ?? 0)
  } finally {
    process.stdout.write = write
    process.exitCode = savedExitCode
    replaceEnv(savedEnv)
  }
  return stepResult(step, { code, signal: null, stdout, stderr: '' })
}

function replaceEnv(env: Record<string, string | undefined>) {
  for (const name of Object.keys(process.env)) delete process.env[name]
  Object.assign(process.env, env)
}
