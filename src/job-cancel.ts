/**
 * The runner cancels a job by sending SIGINT, then SIGTERM 7.5 s later, then killing the
 * process. Both signals abort one signal, so that the Buddy run is cancelled once, at once.
 */
export function watchJobCancel(process: Pick<NodeJS.Process, 'on' | 'off'>): {
  signal: AbortSignal
  dispose(): void
} {
  const controller = new AbortController()
  const onSignal = (name: NodeJS.Signals) => controller.abort(new Error(`received ${name}`))
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
