import { afterEach, expect } from '@jest/globals'
import { GITHUB_TOKEN, runAction } from './run-action.mjs'

/** Distinctive secrets that every end-to-end scenario carries (the simulator knows them). */
export const E2E_SECRETS = {
  token: 'sim-token',
  githubToken: GITHUB_TOKEN,
  secretVariable: 'e2e-5ecret-value-7f1c',
  oidcRequestToken: 'sim-actions-request-token',
  oidcJwt: 'sim.github.oidc-jwt',
  oidcBuddyToken: 'sim-oidc-buddy-token'
}
export const SECRET_VARIABLE = `E2E_SECRET=${E2E_SECRETS.secretVariable}`

/**
 * The time limit of a test that spawns the bundle (some twice) and follows a run in real time:
 * generous, for a busy 2-core machine. Nothing waits for it on a good run; it bounds a broken one.
 */
export const SPAWNS_BUDGET_MS = 120_000

type Result = Awaited<ReturnType<typeof runAction>>

/** Lines of everything the step left behind that show a secret outside an ::add-mask:: command. */
export function leaks(result: Result, secrets: string[] = Object.values(E2E_SECRETS)): string[] {
  const everything = [
    result.stdout,
    result.stderr,
    result.rawFiles.output,
    result.rawFiles.state,
    result.rawFiles.summary
  ]
  // A secret may be part of another (a renewed token named after the first): masking the
  // longer one shows no other.
  const masks = new Set(secrets.map(secret => `::add-mask::${secret}`))
  return everything
    .join('\n')
    .split('\n')
    .filter(line => !masks.has(line) && secrets.some(secret => line.includes(secret)))
}

/**
 * runAction, with every result scanned for secrets after each test. The OIDC request token is
 * in every run's environment, as on a runner with `id-token: write`. `moreSecrets`: secrets the
 * test's simulator made up along the way (the Buddy tokens a renewal got), read after the test.
 * `runner`: runAction (the bundle spawned) or runInProcess (main.ts's run() in this process).
 */
export function scanningRunAction(
  moreSecrets: () => string[] = () => [],
  runner: typeof runAction = runAction
): typeof runAction {
  const results: Result[] = []
  afterEach(() => {
    const secrets = [...Object.values(E2E_SECRETS), ...moreSecrets()]
    for (const result of results.splice(0)) expect(leaks(result, secrets)).toEqual([])
  })
  return async options => {
    const result = await runner({
      ...options,
      env: { ACTIONS_ID_TOKEN_REQUEST_TOKEN: E2E_SECRETS.oidcRequestToken, ...options?.env }
    })
    results.push(result)
    return result
  }
}
