/** Time, as the action sees it: injected, so that tests never sleep (see __tests__/support/fake-clock.ts). */

export interface Clock {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: abortableSleep,
  random: Math.random
}
