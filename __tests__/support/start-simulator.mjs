// Starts the Buddy simulator in the background and returns once it listens, on Linux, macOS and
// Windows alike (a shell's `&` does not outlive a step everywhere). Used by the end-to-end
// workflow and for `npm run local-action`:
//   node __tests__/support/start-simulator.mjs --port 8080
// prints one JSON line {"url": ..., "pid": ...} on stdout, and on stderr how to end the
// simulator, which goes on running: by that process id (kill <pid>; Windows: taskkill /PID <pid>).

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
    const { url } = JSON.parse(line)
    process.stdout.write(`${JSON.stringify({ url, pid: child.pid })}\n`)
    const end = process.platform === 'win32' ? `taskkill /PID ${child.pid} /F` : `kill ${child.pid}`
    process.stderr.write(
      `The Buddy simulator listens at ${url}, in the background as process ${child.pid}. End it with: ${end}\n`
    )
    break
  }
  if (child.exitCode !== null || Date.now() > deadline) {
    process.stderr.write(`The simulator did not start:\n${text}`)
    process.exit(1)
  }
  await new Promise(resolve => setTimeout(resolve, 100))
}
