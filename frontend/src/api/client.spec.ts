import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { session } from '@/auth/session'

import { api, ok, versioned } from './client'
import { ApiProblem } from './problem'

const PROBLEM = {
  type: 'urn:stockyard:problem:insufficient_stock',
  title: 'Insufficient stock',
  status: 409,
  detail: 'Not enough stock for 1 line.',
  code: 'insufficient_stock',
  errors: { 'lines.1.quantity': ['Only 1.000 of X available in warehouse MAIN; 5.000 requested.'] },
}

function answer(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } })
}

describe('the API client', () => {
  beforeEach(() => {
    sessionStorage.setItem('stockyard.tokens', JSON.stringify({ access: 'tok', refresh: 'r', expiresAt: Date.now() + 600_000 }))
  })
  afterEach(() => vi.unstubAllGlobals())

  it('sends the access token and returns the data of a 2xx answer', async () => {
    const fetch = vi.fn().mockResolvedValue(answer(200, { id: 1, username: 'ann', email: '', roles: ['viewer'], capabilities: [] }))
    vi.stubGlobal('fetch', fetch)
    const me = await ok(api.GET('/api/v1/auth/me/'))
    expect(me.username).toBe('ann')
    const request = fetch.mock.calls[0]![0] as Request
    expect(request.headers.get('Authorization')).toBe('Bearer tok')
  })

  it('turns a problem+json answer into an ApiProblem with its field errors', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(409, PROBLEM, 'application/problem+json')))
    const failure = await ok(api.POST('/api/v1/sales-orders/{id}/confirm/', { params: { path: { id: 3 } } })).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ApiProblem)
    const problem = failure as ApiProblem
    expect(problem.status).toBe(409)
    expect(problem.problem.code).toBe('insufficient_stock')
    expect(problem.field('lines.1.quantity')).toEqual(PROBLEM.errors['lines.1.quantity'])
    expect(problem.field('lines.0.quantity')).toEqual([])
  })

  it('describes an answer that is not problem+json (a proxy error page) by its status', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('<html>Bad gateway</html>', { status: 502 })))
    const failure = (await ok(api.GET('/api/v1/auth/me/')).catch((e: unknown) => e)) as ApiProblem
    expect(failure.status).toBe(502)
    expect(failure.problem.code).toBe('server_error')
  })

  it('forgets the tokens on a 401, so the console asks to sign in again', async () => {
    session.signedIn = true
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(401, { ...PROBLEM, status: 401, code: 'not_authenticated', errors: undefined })))
    await expect(ok(api.GET('/api/v1/auth/me/'))).rejects.toBeInstanceOf(ApiProblem)
    expect(session.signedIn).toBe(false)
    expect(sessionStorage.getItem('stockyard.tokens')).toBeNull()
  })

  it('reads a record with its ETag and writes it back with If-Match', async () => {
    const product = { id: 4, name: 'Bolt' }
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(new Response(JSON.stringify(product), { status: 200, headers: { 'Content-Type': 'application/json', ETag: '"v1"' } }))
      .mockResolvedValueOnce(answer(412, { ...PROBLEM, status: 412, code: 'precondition_failed', errors: undefined }, 'application/problem+json'))
    vi.stubGlobal('fetch', fetch)
    const read = await versioned(api.GET('/api/v1/products/{id}/', { params: { path: { id: 4 } } }))
    expect(read.etag).toBe('"v1"')
    const failure = await versioned(
      api.PATCH('/api/v1/products/{id}/', { params: { path: { id: 4 }, header: { 'If-Match': read.etag } }, body: { name: 'Nut' } }),
    ).catch((e: unknown) => e)
    const request = fetch.mock.calls[1]![0] as Request
    expect(request.method).toBe('PATCH')
    expect(request.headers.get('If-Match')).toBe('"v1"')
    expect((failure as ApiProblem).status).toBe(412)
  })
})
