/**
 * Signing in through the OAuth2 provider at /o/ (authorization code + PKCE S256) and
 * keeping the tokens fresh.
 *
 * Tokens live in sessionStorage: they survive a reload but not the tab, and are not shared
 * with other tabs. The refresh token rotates on every use and the provider revokes the
 * whole family when one is replayed, which is what makes keeping it in a public client
 * acceptable (RFC 9700 §4.14.2).
 */
import { reactive } from 'vue'

import type { components } from '@/api/schema'

import { randomToken, s256Challenge } from './pkce'

export type Me = components['schemas']['Me']
export type Capability = components['schemas']['CapabilityEnum']

export const CLIENT_ID: string = import.meta.env.VITE_OAUTH_CLIENT_ID || 'stockyard-console'
const TOKENS_KEY = 'stockyard.tokens'
const PENDING_KEY = 'stockyard.pkce'
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000

interface Tokens {
  access: string
  refresh: string
  expiresAt: number // epoch milliseconds
}

interface PendingSignIn {
  verifier: string
  state: string
  returnTo: string
}

export interface TokenResponse {
  access_token: string
  refresh_token: string
  expires_in: number
}

export const session = reactive({
  user: null as Me | null,
  signedIn: false,
})

export function redirectUri(): string {
  return `${window.location.origin}/app/oauth/callback`
}

function readTokens(): Tokens | null {
  const raw = sessionStorage.getItem(TOKENS_KEY)
  return raw ? (JSON.parse(raw) as Tokens) : null
}

function storeTokens(answer: TokenResponse): Tokens {
  const tokens = {
    access: answer.access_token,
    refresh: answer.refresh_token,
    expiresAt: Date.now() + answer.expires_in * 1000,
  }
  sessionStorage.setItem(TOKENS_KEY, JSON.stringify(tokens))
  session.signedIn = true
  return tokens
}

export function forgetTokens(): void {
  sessionStorage.removeItem(TOKENS_KEY)
  session.signedIn = false
  session.user = null
}

/** Sends the browser to the provider; it comes back to /app/oauth/callback. */
export async function beginSignIn(returnTo = '/'): Promise<void> {
  const pending: PendingSignIn = { verifier: randomToken(), state: randomToken(16), returnTo }
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending))
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: 'read write',
    state: pending.state,
    code_challenge: await s256Challenge(pending.verifier),
    code_challenge_method: 'S256',
  })
  window.location.assign(`/o/authorize/?${query}`)
}

async function tokenRequest(form: Record<string, string>): Promise<TokenResponse> {
  const response = await fetch('/o/token/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...form }),
  })
  const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & {
    error?: string
    error_description?: string
  }
  if (!response.ok || !body.access_token || !body.refresh_token || !body.expires_in) {
    throw new Error(body.error_description || body.error || `Token request failed (${response.status})`)
  }
  return body as TokenResponse
}

/**
 * Finishes the flow on the callback page: checks `state`, trades the code and verifier
 * for tokens. Returns where the user was going. Throws on a provider error or a forged or
 * stale callback.
 */
export async function completeSignIn(callback: URL): Promise<string> {
  const raw = sessionStorage.getItem(PENDING_KEY)
  sessionStorage.removeItem(PENDING_KEY)
  const error = callback.searchParams.get('error')
  if (error) throw new Error(callback.searchParams.get('error_description') || error)
  const pending = raw ? (JSON.parse(raw) as PendingSignIn) : null
  if (!pending || callback.searchParams.get('state') !== pending.state) {
    throw new Error('This sign-in link is stale or was not started here. Please sign in again.')
  }
  storeTokens(
    await tokenRequest({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  )
  return pending.returnTo
}

let refreshing: Promise<Tokens | null> | null = null

/** Trades the refresh token for a new pair, once at a time (rotation forbids two). */
export function refreshTokens(): Promise<Tokens | null> {
  refreshing ??= (async () => {
    const tokens = readTokens()
    if (!tokens) return null
    try {
      return storeTokens(
        await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh }),
      )
    } catch {
      forgetTokens()
      return null
    }
  })().finally(() => {
    refreshing = null
  })
  return refreshing
}

/** A usable access token, refreshed silently when it is about to expire; null: signed out. */
export async function accessToken(): Promise<string | null> {
  const tokens = readTokens()
  if (!tokens) return null
  if (tokens.expiresAt - Date.now() > REFRESH_MARGIN_MS) return tokens.access
  return (await refreshTokens())?.access ?? null
}

/** Revokes both tokens at the provider (RFC 7009) and forgets them here. */
export async function signOut(): Promise<void> {
  const tokens = readTokens()
  forgetTokens()
  if (!tokens) return
  await Promise.allSettled(
    [tokens.refresh, tokens.access].map((token) =>
      fetch('/o/revoke_token/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: CLIENT_ID }),
      }),
    ),
  )
}

export function hasTokens(): boolean {
  const present = readTokens() !== null
  session.signedIn = present
  return present
}

/** Whether the signed-in user's roles allow `capability` (from /auth/me/). */
export function can(capability: Capability): boolean {
  return session.user?.capabilities.includes(capability) ?? false
}
