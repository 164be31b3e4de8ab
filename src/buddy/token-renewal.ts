/**
 * The Buddy token the client sends, and its renewal. Buddy's tokens expire: OIDC tokens after 10
 * minutes to 8 hours (as the identity provider in Buddy says), OAuth tokens after 8 hours, often
 * before a long run ends. A token from an OIDC exchange (provider-id) is renewed by exchanging a
 * new GitHub OIDC token; a token given as such (input "token", BUDDY_TOKEN) cannot be.
 */

/** Gets a fresh Buddy token within limitMs (masked before it is returned). */
export type RenewToken = (limitMs: number) => Promise<string>

export class RenewalTimeoutError extends Error {
  override name = 'RenewalTimeoutError'
}

export class BuddyToken {
  /** The renewal under way: requests refused together share it. */
  private renewing: Promise<string> | undefined

  constructor(
    private current: string | undefined,
    private readonly renewer?: RenewToken
  ) {}

  get value(): string | undefined {
    return this.current
  }

  get renewable(): boolean {
    return this.renewer !== undefined
  }

  /**
   * Makes the token fresh after Buddy refused `refused`: nothing to do when another request
   * renewed it meanwhile; else joins the renewal under way, or starts one. `started` tells
   * whether this call started it (the one to say so in the log). Throws when the renewal fails
   * or takes longer than limitMs (a renewal that ends later still replaces the token).
   */
  async renew(refused: string | undefined, limitMs: number): Promise<{ started: boolean }> {
    const renewer = this.renewer
    if (!renewer) throw new Error('This token cannot be renewed.')
    if (this.current !== refused && !this.renewing) return { started: false }
    const started = this.renewing === undefined
    if (!this.renewing) {
      const renewal = renewer(limitMs).then(token => {
        this.current = token
        return token
      })
      this.renewing = renewal
      // Cleared either way, so that a later 401 can try again; nobody may be left awaiting it.
      renewal.then(
        () => (this.renewing = undefined),
        () => (this.renewing = undefined)
      )
    }
    await withinLimit(this.renewing, limitMs)
    return { started }
  }
}

function withinLimit<T>(work: Promise<T>, limitMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RenewalTimeoutError(`no fresh token within ${limitMs / 1000} s`)),
      limitMs
    )
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}
