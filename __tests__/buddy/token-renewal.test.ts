import { BuddyToken, RenewalTimeoutError } from '../../src/buddy/token-renewal.js'

/** A renewal the test settles by hand, counting its calls. */
function handRenewal() {
  const calls: { limitMs: number; resolve: (t: string) => void; reject: (e: Error) => void }[] = []
  const renew = (limitMs: number) =>
    new Promise<string>((resolve, reject) => calls.push({ limitMs, resolve, reject }))
  return { calls, renew }
}

describe('BuddyToken', () => {
  it('cannot renew a token given as such', async () => {
    const token = new BuddyToken('given')
    expect(token.renewable).toBe(false)
    await expect(token.renew('given', 1000)).rejects.toThrow('This token cannot be renewed.')
    expect(token.value).toBe('given')
  })

  it('renews once for requests refused together; only the first says it started it', async () => {
    const { calls, renew } = handRenewal()
    const token = new BuddyToken('old', renew)
    const first = token.renew('old', 1000)
    const second = token.renew('old', 1000)
    expect(calls).toHaveLength(1)
    calls[0]!.resolve('new')
    await expect(first).resolves.toEqual({ started: true })
    await expect(second).resolves.toEqual({ started: false })
    expect(token.value).toBe('new')
    // A request refused with the old token after the renewal: nothing more to do.
    await expect(token.renew('old', 1000)).resolves.toEqual({ started: false })
    expect(calls).toHaveLength(1)
  })

  it('tries again on a later refusal after a renewal failed', async () => {
    const { calls, renew } = handRenewal()
    const token = new BuddyToken('old', renew)
    const failing = token.renew('old', 1000)
    calls[0]!.reject(new Error('exchange refused'))
    await expect(failing).rejects.toThrow('exchange refused')
    const again = token.renew('old', 1000)
    expect(calls).toHaveLength(2)
    calls[1]!.resolve('new')
    await expect(again).resolves.toEqual({ started: true })
  })

  it('gives up waiting at the limit, and still takes the token should it come later', async () => {
    const { calls, renew } = handRenewal()
    const token = new BuddyToken('old', renew)
    await expect(token.renew('old', 10)).rejects.toBeInstanceOf(RenewalTimeoutError)
    expect(calls[0]!.limitMs).toBe(10)
    calls[0]!.resolve('late')
    await Promise.resolve()
    await Promise.resolve()
    expect(token.value).toBe('late')
  })
})
