// Runs the committed dist/index.js as the GitHub runner does: INPUT_* variables from action.yml's
// defaults plus the step's `with:` values, GITHUB_* variables, the event payload at
// GITHUB_EVENT_PATH, and GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files.

import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readActionDefaults } from './action-defaults.mjs'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const GITHUB_TOKEN = 'sim-github-token'

/** action.yml's inputs with their defaults, as the runner evaluates them. */
export function actionDefaults() {
  /** @type {Record<string, string>} */
  const defaults = {}
  for (const [name, value] of Object.entries(readActionDefaults(join(ROOT, 'action.yml')))) {
    defaults[name] = (value ?? '').replace('${{ github.token }}', GITHUB_TOKEN)
  }
  return defaults
}

/** Parses the runner's file-command format: `name<<DELIMITER\nvalue\nDELIMITER`. */
export function parseFileCommands(text) {
  /** @type {Record<string, string>} */
  const values = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      values[name] = value.join('\n')
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=')
      values[lines[i].slice(0, at)] = lines[i].slice(at + 1)
    }
  }
  return values
}

/**
 * @typedef {{
 *   inputs?: Record<string, string>, env?: Record<string, string>, eventName?: string,
 *   event?: unknown, ref?: string, sha?: string, entry?: string, state?: Record<string, string>,
 *   onStdout?: (chunk: string, child: import('node:child_process').ChildProcess) => void,
 *   timeoutMs?: number
 * }} RunOptions
 */

/**
 * What the runner gives a step: a temporary folder with its files (output, state, summary, env,
 * path, the event payload) and the environment that names them, with INPUT_* and STATE_*.
 * Shared by runAction (the bundle spawned) and runInProcess (main.ts's run() in this process).
 * @param {RunOptions} options
 */
export function prepareStep(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'buddy-action-'))
  const files = {
    output: join(dir, 'output'),
    state: join(dir, 'state'),
    summary: join(dir, 'summary'),
    env: join(dir, 'env'),
    path: join(dir, 'path'),
    event: join(dir, 'event.json')
  }
  for (const f of [files.output, files.state, files.summary, files.env, files.path])
    writeFileSync(f, '')
  writeFileSync(files.event, JSON.stringify(options.event ?? {}))
  const inputs = { ...actionDefaults(), ...(options.inputs ?? {}) }
  /** @type {Record<string, string>} */
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REF: options.ref ?? 'refs/heads/main',
    GITHUB_SHA: options.sha ?? 'ffac537e6cbbf934b08745a378932722df287a53',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '17',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_JOB: 'deploy',
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    ...Object.fromEntries(Object.entries(options.state ?? {}).map(([k, v]) => [`STATE_${k}`, v])),
    ...Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v])
    ),
    ...(options.env ?? {})
  }
  return { dir, files, env }
}

/**
 * What the step left: its exit, its log (stdout, stderr), and the files it wrote; the temporary
 * folder is removed.
 * @param {ReturnType<typeof prepareStep>} step
 * @param {{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }} ended
 */
export function stepResult({ dir, files }, { code, signal, stdout, stderr }) {
  const read = f => readFileSync(f, 'utf8')
  const result = {
    code,
    signal,
    stdout,
    stderr,
    outputs: parseFileCommands(read(files.output)),
    state: parseFileCommands(read(files.state)),
    summary: read(files.summary),
    rawFiles: {
      output: read(files.output),
      state: read(files.state),
      summary: read(files.summary)
    },
    /** `::error::...` etc. lines from stdout. */
    errors: stdout.split('\n').filter(l => l.startsWith('::error')),
    warnings: stdout.split('\n').filter(l => l.startsWith('::warning'))
  }
  rmSync(dir, { recursive: true, force: true })
  return result
}

/** @param {RunOptions} options */
export async function runAction(options = {}) {
  const step = prepareStep(options)
  // ACTION_NODE: another Node.js to run the bundle with, to try it there by hand.
  const child = spawn(
    process.env.ACTION_NODE || process.execPath,
    [resolve(ROOT, options.entry ?? 'dist/index.js')],
    {
      env: step.env,
      cwd: step.dir
    }
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => {
    stdout += chunk
    options.onStdout?.(String(chunk), child)
  })
  child.stderr.on('data', chunk => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const [code, signal] = await new Promise(resolve => child.on('close', (c, s) => resolve([c, s])))
  clearTimeout(timer)
  return stepResult(step, { code, signal, stdout, stderr })
}
