import {
  CredentialsError,
  resolveApiBase,
  resolveTokenSource
} from '../../src/buddy/credentials.js'
import type { Settings } from '../../src/inputs/settings.js'
import type { EventContext } from '../../src/github/event.js'

const settings = (fields: Partial<Settings> = {}) => ({ region: 'US', ...fields }) as Settings
const push: EventContext = { eventName: 'push', payload: {} }

describe('resolveApiBase', () => {
  it('takes api-url first, then BUDDY_API_ENDPOINT (a bare host read as https), then the region', () => {
    const apiUrl = new URL('https://buddy.example.com/api')
    expect(resolveApiBase(settings({ apiUrl }), { BUDDY_API_ENDPOINT: 'api.eu.buddy.works' })).toBe(
      apiUrl
    )
    expect(resolveApiBase(settings(), { BUDDY_API_ENDPOINT: 'api.eu.buddy.works' }).href).toBe(
      'https://api.eu.buddy.works/'
    )
    expect(resolveApiBase(settings({ region: 'AP' }), {}).href).toBe(
      'https://api.asia.buddy.works/'
    )
  })

  it('names BUDDY_API_ENDPOINT and its value when it is not valid', () => {
    expect(() =>
      resolveApiBase(settings(), { BUDDY_API_ENDPOINT: 'http://buddy.example.com' })
    ).toThrow(
      new CredentialsError(
        'Environment variable BUDDY_API_ENDPOINT ("http://buddy.example.com") is not valid: expected an https URL (http is accepted only for 127.0.0.1, localhost, [::1]). Set input "api-url" to override it.'
      )
    )
  })
})

describe('resolveTokenSource', () => {
  it('takes input "token", then BUDDY_TOKEN, then an OIDC exchange with provider-id', () => {
    expect(resolveTokenSource(settings({ token: 't1' }), { BUDDY_TOKEN: 't2' }, push)).toEqual({
      kind: 'token',
      token: 't1',
      from: 'input "token"'
    })
    expect(resolveTokenSource(settings(), { BUDDY_TOKEN: ' t2 ' }, push)).toEqual({
      kind: 'token',
      token: 't2',
      from: 'BUDDY_TOKEN'
    })
    expect(resolveTokenSource(settings({ providerId: 'p', audience: 'a' }), {}, push)).toEqual({
      kind: 'oidc',
      providerId: 'p',
      audience: 'a'
    })
  })

  it('says why there is no token, in the words of the event', () => {
    expect(() => resolveTokenSource(settings(), {}, push)).toThrow(
      new CredentialsError(
        'No Buddy token: input "token" is empty, BUDDY_TOKEN is not set, and no "provider-id" is given for an OIDC exchange.'
      )
    )
    const forkPullRequest: EventContext = {
      eventName: 'pull_request',
      payload: {
        pull_request: {
          head: { repo: { full_name: 'someone/web' } },
          base: { repo: { full_name: 'acme/web' } }
        }
      }
    }
    expect(() => resolveTokenSource(settings(), {}, forkPullRequest)).toThrow(
      /^No Buddy token: .* This pull_request run is for a pull request from a fork, and GitHub gives such runs neither secrets nor an OIDC token/
    )
    expect(() => resolveTokenSource(settings(), { GITHUB_ACTOR: 'dependabot[bot]' }, push)).toThrow(
      /Runs started by Dependabot get the repository's Dependabot secrets/
    )
  })
})
