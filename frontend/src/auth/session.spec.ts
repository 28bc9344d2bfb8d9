import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { accessToken, beginSignIn, completeSignIn, refreshTokens, session } from './session'

function tokenAnswer(access: string, expiresIn = 900): Response {
  return new Response(JSON.stringify({ access_token: access, refresh_token: `r-${access}`, expires_in: expiresIn, token_type: 'Bearer' }), {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
  })
}

function formOf(call: unknown[]): URLSearchParams {
  return (call[1] as RequestInit).body as URLSearchParams
}

describe('signing in with the authorization code and PKCE', () => {
  let assigned = ''
  beforeEach(() => {
    sessionStorage.clear()
    assigned = ''
    vi.spyOn(window.location, 'assign').mockImplementation((url: string | URL) => {
      assigned = String(url)
    })
  })
  afterEach(() => vi.restoreAllMocks())

  it('sends the browser to /o/authorize/ with an S256 challenge and a state', async () => {
    await beginSignIn('/sales-orders')
    const url = new URL(assigned, window.location.origin)
    expect(url.pathname).toBe('/o/authorize/')
    expect(url.searchParams.get('client_id')).toBe('stockyard-console')
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.get('redirect_uri')).toBe(`${window.location.origin}/app/oauth/callback`)
    expect(url.searchParams.get('scope')).toBe('read write')
    expect(url.searchParams.get('state')).toBeTruthy()
  })

  it('trades the code and the verifier for tokens, then returns where the user was going', async () => {
    await beginSignIn('/sales-orders')
    const state = new URL(assigned, window.location.origin).searchParams.get('state')
    const fetch = vi.fn().mockResolvedValue(tokenAnswer('a1'))
    vi.stubGlobal('fetch', fetch)
    const next = await completeSignIn(new URL(`${window.location.origin}/app/oauth/callback?code=c1&state=${state}`))
    expect(next).toBe('/sales-orders')
    const form = formOf(fetch.mock.calls[0]!)
    expect(fetch.mock.calls[0]![0]).toBe('/o/token/')
    expect(form.get('grant_type')).toBe('authorization_code')
    expect(form.get('code')).toBe('c1')
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await accessToken()).toBe('a1')
    expect(session.signedIn).toBe(true)
  })

  it('refuses a callback whose state it did not send', async () => {
    await beginSignIn()
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    await expect(completeSignIn(new URL(`${window.location.origin}/app/oauth/callback?code=c1&state=forged`))).rejects.toThrow(/stale/)
    expect(fetch).not.toHaveBeenCalled()
  })

  it('shows the provider error of a refused authorization', async () => {
    await expect(
      completeSignIn(new URL(`${window.location.origin}/app/oauth/callback?error=access_denied&error_description=No+thanks`)),
    ).rejects.toThrow('No thanks')
  })
})

describe('keeping the access token fresh', () => {
  beforeEach(() => sessionStorage.clear())
  afterEach(() => vi.unstubAllGlobals())

  function signedIn(expiresInMs: number): void {
    sessionStorage.setItem('stockyard.tokens', JSON.stringify({ access: 'old', refresh: 'r-old', expiresAt: Date.now() + expiresInMs }))
  }

  it('uses the token while it has more than a minute to live', async () => {
    signedIn(10 * 60_000)
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    expect(await accessToken()).toBe('old')
    expect(fetch).not.toHaveBeenCalled()
  })

  it('refreshes silently, once, however many requests ask at the same time', async () => {
    signedIn(30_000)
    const fetch = vi.fn().mockResolvedValue(tokenAnswer('new'))
    vi.stubGlobal('fetch', fetch)
    const tokens = await Promise.all([accessToken(), accessToken(), accessToken()])
    expect(tokens).toEqual(['new', 'new', 'new'])
    expect(fetch).toHaveBeenCalledTimes(1)
    const form = formOf(fetch.mock.calls[0]!)
    expect(form.get('grant_type')).toBe('refresh_token')
    expect(form.get('refresh_token')).toBe('r-old')
  })

  it('signs out when the refresh token is refused', async () => {
    signedIn(0)
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('{"error":"invalid_grant"}', { status: 400 })))
    expect(await refreshTokens()).toBeNull()
    expect(await accessToken()).toBeNull()
    expect(session.signedIn).toBe(false)
  })
})
