// Starts the Buddy simulator in the background and returns once it listens, on Linux, macOS and
// Windows alike (a shell's `&` does not outlive a step everywhere). Used by the end-to-end
// workflow: `node __tests__/support/start-simulator.mjs --port 8080` prints {"url": ...}.

import { spawn } from 'node:child_process'
import { openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const log = join(tmpdir(), `buddy-simulator-${process.pid}.json`)
const out = openSync(log, 'w')
const child = spawn(
  process.execPath,
  [join(dirname(fileURLToPath(import.meta.url)), 'buddy-simulator.mjs'), ...process.argv.slice(2)],
  { detached: true, stdio: ['ignore', out, out], windowsHide: true }
)
child.unref()

const deadline = Date.now() + 30_000
for (;;) {
  const text = readFileSync(log, 'utf8')
  const line = text.split('\n').find(l => l.startsWith('{'))
  if (line) {
    process.stdout.write(`${line}\n`)
    break
  }
  if (child.exitCode !== null || Date.now() > deadline) {
    process.stderr.write(`The simulator did not start:\n${text}`)
    process.exit(1)
  }
  await new Promise(resolve => setTimeout(resolve, 100))
}
