import { abortable, abortablePause, Aborted } from '../../src/follow/abortable.js'
import { fakeClock } from '../support/fake-clock.js'

describe('abortable', () => {
  it('is the work itself without a signal', async () => {
    const work = Promise.resolve(7)
    expect(abortable(work, undefined)).toBe(work)
  })

  it('gives the work’s answer, or its failure, while the job goes on', async () => {
    const signal = new AbortController().signal
    await expect(abortable(Promise.resolve('read'), signal)).resolves.toBe('read')
    await expect(abortable(Promise.reject(new Error('503')), signal)).rejects.toThrow('503')
  })

  it('abandons work in flight the moment the job is cancelled', async () => {
    const controller = new AbortController()
    const never = new Promise<string>(() => undefined)
    const waiting = abortable(never, controller.signal)
    controller.abort()
    await expect(waiting).rejects.toBeInstanceOf(Aborted)
  })

  it('starts nothing to wait for once the job is cancelled, and ignores the work’s later failure', async () => {
    const controller = new AbortController()
    controller.abort()
    const failing = Promise.reject(new Error('late'))
    await expect(abortable(failing, controller.signal)).rejects.toBeInstanceOf(Aborted)
  })
})

describe('abortablePause', () => {
  it('pauses on the clock', async () => {
    const clock = fakeClock()
    await abortablePause(clock, 1500, new AbortController().signal)
    expect(clock.sleeps).toEqual([1500])
  })

  it('rejects with Aborted once the job is cancelled', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(abortablePause(fakeClock(), 1500, controller.signal)).rejects.toBeInstanceOf(
      Aborted
    )
  })
})
