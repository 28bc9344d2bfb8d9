/**
 * The API client, typed by `schema.d.ts` (generated from /api/schema/ by
 * openapi-typescript: `make api-client`). Every request carries a fresh access token;
 * every failure becomes an `ApiProblem`.
 */
import createClient, { type Middleware } from 'openapi-fetch'

import { accessToken, forgetTokens } from '@/auth/session'

import { problemFrom } from './problem'
import type { components, paths } from './schema'

export type Schemas = components['schemas']

const authenticate: Middleware = {
  async onRequest({ request }) {
    const token = await accessToken()
    if (token) request.headers.set('Authorization', `Bearer ${token}`)
    return request
  },
  async onResponse({ response }) {
    if (response.status === 401) forgetTokens() // revoked or expired for good: sign in again
    return response
  },
}

// `fetch` looked up per request (not captured once), so tests can stand in for the network.
export const api = createClient<paths>({ baseUrl: '', fetch: (request) => globalThis.fetch(request) })
api.use(authenticate)

interface Answer<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The data of a 2xx answer; anything else throws the `ApiProblem` the server described. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call
  if (!response.ok) throw problemFrom(error, response)
  return data as T
}

/** A fresh key for a POST that must not run twice if retried (`Idempotency-Key`). */
export function idempotencyKey(): string {
  return crypto.randomUUID()
}

/** A resource as read or written, with its version: the `ETag` to send back as `If-Match`. */
export interface Versioned<T> {
  data: T
  etag: string
}

/** The data of a 2xx answer and its `ETag` (optimistic concurrency: a write naming a
 * version that is no longer current answers 412 `precondition_failed`). */
export async function versioned<T>(call: Promise<Answer<T>>): Promise<Versioned<T>> {
  const answer = await call
  const data = await ok(Promise.resolve(answer))
  return { data, etag: answer.response.headers.get('ETag') ?? '' }
}
