import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * The simulator launcher (CONTRIBUTING's `npm run local-action`, the end-to-end workflow) returns
 * once the simulator listens and says which process to end: the one that serves.
 */

const launcher = fileURLToPath(new URL('./support/start-simulator.mjs', import.meta.url))

function launch(): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => resolve({ stdout, stderr, code }))
  })
}

/** Resolves once no process has that id (polled: the process is not our child). */
async function ended(pid: number, budgetMs: number): Promise<boolean> {
  const deadline = Date.now() + budgetMs
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0)
    } catch {
      return true
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return false
}

describe('start-simulator.mjs', () => {
  it('prints the URL and the id of the process that serves it, and how to end it', async () => {
    const { stdout, stderr, code } = await launch()
    expect(code).toBe(0)
    const { url, pid } = JSON.parse(stdout) as { url: string; pid: number }
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(stderr).toContain(`process ${pid}`)
      const answer = await fetch(`${url}/workspaces/acme/projects/web/pipelines/1`, {
        headers: { Authorization: 'Bearer sim-token' }
      })
      expect(answer.status).toBe(200)
    } finally {
      process.kill(pid, 'SIGTERM')
    }
    // Ending that process ends the simulator: nothing else is left listening.
    expect(await ended(pid, 20_000)).toBe(true)
    await expect(fetch(url)).rejects.toThrow()
  }, 60_000)
})
