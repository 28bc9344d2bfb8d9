/**
 * The live event feed: the WebSocket at /ws/events/ when the server accepts it, else the
 * long-poll at /api/v1/events/ (cursor-following, so nothing is missed or seen twice).
 * Screens subscribe with type patterns (`stock.*`) and refresh what they show.
 */
import { reactive } from 'vue'

import { api, ok, type Schemas } from '@/api/client'
import { accessToken } from '@/auth/session'

export type FeedEvent = Schemas['Event']
type Listener = { patterns: string[]; notify: (event: FeedEvent) => void }

const RECENT = 200
const LONG_POLL_WAIT_S = 25
const listeners = new Set<Listener>()

export const feed = reactive({
  mode: 'off' as 'off' | 'websocket' | 'long-poll',
  recent: [] as FeedEvent[],
})

/** `stock.*` matches `stock.changed`; `*` matches everything; otherwise exact. */
export function matches(pattern: string, type: string): boolean {
  if (pattern === '*') return true
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1))
  return pattern === type
}

export function deliver(event: FeedEvent): void {
  feed.recent = [event, ...feed.recent].slice(0, RECENT)
  for (const listener of listeners) {
    if (listener.patterns.some((pattern) => matches(pattern, event.type))) listener.notify(event)
  }
}

/** Calls `notify` for each event of the given types until the returned function is called. */
export function onEvents(patterns: string[], notify: (event: FeedEvent) => void): () => void {
  const listener = { patterns, notify }
  listeners.add(listener)
  return () => listeners.delete(listener)
}

let running = false
let socket: WebSocket | null = null

async function longPoll(): Promise<void> {
  feed.mode = 'long-poll'
  let cursor: number | undefined
  while (running) {
    try {
      const page = await ok(
        api.GET('/api/v1/events/', {
          params: { query: cursor === undefined ? {} : { after: cursor, wait: LONG_POLL_WAIT_S } },
        }),
      )
      page.results.forEach(deliver)
      cursor = page.cursor
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 3000)) // server away: try again
    }
  }
}

function openSocket(token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
    const ws = new WebSocket(`${scheme}://${window.location.host}/ws/events/?token=${encodeURIComponent(token)}`)
    let opened = false
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as Partial<FeedEvent>
      if (!opened) {
        opened = true
        resolve(true)
      }
      if (typeof frame.type === 'string' && typeof frame.id === 'number') deliver(frame as FeedEvent)
    }
    ws.onopen = () => {
      socket = ws
      feed.mode = 'websocket'
      ws.send(JSON.stringify({ subscribe: ['*'] }))
    }
    ws.onclose = () => {
      socket = null
      if (!opened) resolve(false)
      else if (running) void start() // dropped (token expired): reconnect with a fresh one
    }
  })
}

async function start(): Promise<void> {
  const token = await accessToken()
  if (!running || !token) return
  if (!(await openSocket(token)) && running) await longPoll()
}

/** Starts following the feed (once); `stopFeed` on sign-out. */
export function startFeed(): void {
  if (running) return
  running = true
  void start()
}

export function stopFeed(): void {
  running = false
  socket?.close()
  feed.mode = 'off'
}
