/**
 * The live event feed: the WebSocket at /ws/events/ (it takes the console's OAuth2 access
 * token, as the API does), or the long-poll at /api/v1/events/ when the WebSocket fails
 * (cursor-following, so nothing is missed or seen twice). Screens subscribe with type
 * patterns (`stock.*`) and refresh what they show.
 *
 * A WebSocket starts at the present end of the stream, so a dropped one (its token
 * expired, the server restarted) may have missed events: after reconnecting, every
 * screen is told to reload (`missed`).
 */
import { reactive } from 'vue'

import { api, ok, type Schemas } from '@/api/client'
import { accessToken } from '@/auth/session'

export type FeedEvent = Schemas['Event']
type Listener = { patterns: string[]; notify: (event: FeedEvent) => void; missed?: () => void }

const RECENT = 200
const LONG_POLL_WAIT_S = 25
/** Waits before each new attempt at a dropped WebSocket; when all fail, the long-poll. */
export const RECONNECT_DELAYS_MS = [250, 1000, 3000]
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

function missedSome(): void {
  for (const listener of listeners) listener.missed?.()
}

/** Calls `notify` for each event of the given types, and `missed` when the feed may have
 * lost some (after a reconnection), until the returned function is called. */
export function onEvents(
  patterns: string[],
  notify: (event: FeedEvent) => void,
  missed?: () => void,
): () => void {
  const listener = { patterns, notify, missed }
  listeners.add(listener)
  return () => listeners.delete(listener)
}

let running = false
let socket: WebSocket | null = null
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function longPoll(resuming: boolean): Promise<void> {
  feed.mode = 'long-poll'
  let cursor: number | undefined
  while (running) {
    try {
      const page = await ok(
        api.GET('/api/v1/events/', {
          params: { query: cursor === undefined ? {} : { after: cursor, wait: LONG_POLL_WAIT_S } },
        }),
      )
      if (cursor === undefined && resuming) missedSome()
      page.results.forEach(deliver)
      cursor = page.cursor
    } catch {
      await sleep(3000) // server away: try again
    }
  }
}

/** Resolves true once the server acknowledges the subscription (the token was good), false
 * if the socket closes before; `dropped` runs if an acknowledged socket closes later. */
function openSocket(token: string, dropped: () => void): Promise<boolean> {
  return new Promise((resolve) => {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
    const ws = new WebSocket(`${scheme}://${window.location.host}/ws/events/?token=${encodeURIComponent(token)}`)
    let opened = false
    ws.onopen = () => ws.send(JSON.stringify({ subscribe: ['*'] }))
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as Partial<FeedEvent> & { subscribed?: string[] }
      if (!opened && frame.subscribed) {
        opened = true
        socket = ws
        feed.mode = 'websocket'
        resolve(true)
      }
      if (typeof frame.type === 'string' && typeof frame.id === 'number') deliver(frame as FeedEvent)
    }
    ws.onclose = () => {
      if (socket === ws) socket = null
      if (!opened) resolve(false)
      else if (running) dropped()
    }
  })
}

/** Follows the feed over a WebSocket, reconnecting with a fresh token when it drops; the
 * long-poll when a WebSocket cannot be had. */
async function follow(resuming: boolean): Promise<void> {
  const delays = resuming ? RECONNECT_DELAYS_MS : [0]
  for (const delay of delays) {
    if (delay) await sleep(delay)
    const token = await accessToken()
    if (!running || !token) return
    if (await openSocket(token, () => void follow(true))) {
      if (resuming) missedSome()
      return
    }
  }
  if (running) await longPoll(resuming)
}

/** Starts following the feed (once); `stopFeed` on sign-out. */
export function startFeed(): void {
  if (running) return
  running = true
  void follow(false)
}

export function stopFeed(): void {
  running = false
  socket?.close()
  socket = null
  feed.mode = 'off'
}
