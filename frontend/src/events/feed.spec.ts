import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { deliver, feed, matches, onEvents, RECONNECT_DELAYS_MS, startFeed, stopFeed } from './feed'

/** A WebSocket the test drives: the server's side is `accept`, `push` and `drop`. */
class FakeSocket {
  static made: FakeSocket[] = []
  static refuse = false
  sent: string[] = []
  onopen: (() => void) | null = null
  onmessage: ((message: { data: string }) => void) | null = null
  onclose: ((event: { code: number }) => void) | null = null

  constructor(readonly url: string) {
    FakeSocket.made.push(this)
    queueMicrotask(() => (FakeSocket.refuse ? this.drop(4401) : this.onopen?.()))
  }
  send(text: string): void {
    this.sent.push(text)
    const { subscribe } = JSON.parse(text) as { subscribe: string[] }
    queueMicrotask(() => this.push({ subscribed: subscribe }))
  }
  push(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) })
  }
  drop(code: number): void {
    this.onclose?.({ code })
  }
  close(): void {
    this.drop(1000)
  }
}

const event = (id: number, type = 'stock.changed') => ({ id, type, occurred_at: '2026-12-01T00:00:00Z', data: {} })

function signIn(access: string): void {
  sessionStorage.setItem('stockyard.tokens', JSON.stringify({ access, refresh: 'r', expiresAt: Date.now() + 600_000 }))
}

describe('the live feed', () => {
  it('matches type patterns as the server does', () => {
    expect(matches('stock.*', 'stock.changed')).toBe(true)
    expect(matches('stock.*', 'stocks.changed')).toBe(false)
    expect(matches('*', 'sales_order.confirmed')).toBe(true)
    expect(matches('shipment.shipped', 'shipment.delivered')).toBe(false)
  })

  it('tells each screen about the events it follows, until it stops', () => {
    const stock = vi.fn()
    const stop = onEvents(['stock.*'], stock)
    deliver(event(1))
    deliver(event(2, 'sales_order.created'))
    stop()
    deliver(event(3))
    expect(stock.mock.calls.map(([event]) => event.id)).toEqual([1])
    expect(feed.recent.slice(0, 3).map((event) => event.id)).toEqual([3, 2, 1])
  })
})

describe('following the feed', () => {
  beforeEach(() => {
    FakeSocket.made = []
    FakeSocket.refuse = false
    vi.stubGlobal('WebSocket', FakeSocket)
    signIn('oauth2-access')
  })
  afterEach(() => {
    stopFeed()
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('uses the WebSocket with the OAuth2 access token, and no long-poll', async () => {
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    const seen = vi.fn()
    const stop = onEvents(['stock.*'], seen)
    startFeed()
    await vi.waitFor(() => expect(feed.mode).toBe('websocket'))
    const [ws] = FakeSocket.made
    expect(ws!.url).toMatch(/\/ws\/events\/\?token=oauth2-access$/)
    expect(ws!.sent).toEqual([JSON.stringify({ subscribe: ['*'] })])
    ws!.push(event(7))
    expect(seen).toHaveBeenCalledWith(event(7))
    expect(fetch).not.toHaveBeenCalled()
    stop()
  })

  it('reconnects a dropped WebSocket with a fresh token and has screens reload what it missed', async () => {
    const missed = vi.fn()
    const stop = onEvents(['stock.*'], vi.fn(), missed)
    startFeed()
    await vi.waitFor(() => expect(feed.mode).toBe('websocket'))
    signIn('refreshed-access')
    FakeSocket.made[0]!.drop(4401) // the token expired between two pushes
    await vi.waitFor(() => expect(missed).toHaveBeenCalledTimes(1), { timeout: 2000 })
    expect(FakeSocket.made).toHaveLength(2)
    expect(FakeSocket.made[1]!.url).toMatch(/token=refreshed-access$/)
    expect(feed.mode).toBe('websocket')
    stop()
  })

  it('falls back to the long-poll, following its cursor, when the WebSocket is refused', async () => {
    FakeSocket.refuse = true
    const pages = [
      { results: [], cursor: 10 },
      { results: [event(11)], cursor: 11 },
    ]
    const fetch = vi.fn<(request: Request) => Promise<Response>>(async () => {
      const page = pages.shift()
      if (!page) return new Promise<Response>(() => {}) // the next wait never answers
      return new Response(JSON.stringify(page), { status: 200, headers: { 'Content-Type': 'application/json' } })
    })
    vi.stubGlobal('fetch', fetch)
    const seen = vi.fn()
    const stop = onEvents(['stock.*'], seen)
    startFeed()
    await vi.waitFor(() => expect(seen).toHaveBeenCalledWith(event(11)))
    expect(feed.mode).toBe('long-poll')
    const urls = fetch.mock.calls.map(([request]) => new URL(request.url).search)
    expect(urls.slice(0, 2)).toEqual(['', '?after=10&wait=25'])
    stop()
  })

  it('gives up on a WebSocket that keeps failing after a drop, for the long-poll', async () => {
    vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>(() => {})))
    startFeed()
    await vi.waitFor(() => expect(feed.mode).toBe('websocket'))
    vi.useFakeTimers({ toFake: ['setTimeout'] })
    FakeSocket.refuse = true
    FakeSocket.made[0]!.drop(1012) // the server restarted, and is not back
    for (const delay of RECONNECT_DELAYS_MS) {
      expect(feed.mode).toBe('websocket')
      await vi.advanceTimersByTimeAsync(delay)
    }
    expect(feed.mode).toBe('long-poll')
    expect(FakeSocket.made).toHaveLength(1 + RECONNECT_DELAYS_MS.length)
  })
})
