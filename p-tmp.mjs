import { startSimulator } from './__tests__/support/buddy-simulator.mjs'
import { runAction } from './__tests__/support/run-action.mjs'
for (let i = 0; i < 40; i++) {
  const sim = await startSimulator()
  sim.config.statusScript = Array(1000).fill('INPROGRESS')
  sim.fault({ method: 'POST', kind: 'gate' })
  let sent = false,
    acked = false,
    printed = ''
  const wait = i % 2 ? 'false' : 'true'
  const r = await runAction({
    inputs: {
      token: 'sim-token',
      'api-url': sim.url,
      workspace: 'acme',
      project: 'web',
      'pipeline-id': '1',
      wait,
      'poll-interval': '1s'
    },
    event: { ref: 'refs/heads/main', after: 'ffac537e6cbbf934b08745a378932722df287a53' },
    timeoutMs: 8000,
    onStdout: (chunk, child) => {
      printed += chunk
      if (sent && !acked && /Received SIG\w+: the job/.test(printed)) {
        acked = true
        sim.release()
      }
      if (!sent && printed.includes('POST http')) {
        sent = true
        child.kill('SIGINT')
        setTimeout(() => child.kill('SIGTERM'), 50)
      }
    }
  })
  if (r.signal || r.code !== 1) {
    console.log(
      'FAIL',
      i,
      wait,
      r.code,
      r.signal,
      acked,
      r.stdout.slice(-600),
      r.stderr,
      sim.requests.map(q => q.method)
    )
  }
  await sim.close()
}
console.log('done')
