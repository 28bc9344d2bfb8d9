import { describe, expect, it, vi } from 'vitest'

import { deliver, feed, matches, onEvents } from './feed'

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
    deliver({ id: 1, type: 'stock.changed', occurred_at: '2026-12-01T00:00:00Z', data: {} })
    deliver({ id: 2, type: 'sales_order.created', occurred_at: '2026-12-01T00:00:01Z', data: {} })
    stop()
    deliver({ id: 3, type: 'stock.changed', occurred_at: '2026-12-01T00:00:02Z', data: {} })
    expect(stock.mock.calls.map(([event]) => event.id)).toEqual([1])
    expect(feed.recent.map((event) => event.id)).toEqual([3, 2, 1])
  })
})
