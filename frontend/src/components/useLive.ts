import { onBeforeUnmount } from 'vue'

import { onEvents, type FeedEvent } from '@/events/feed'

/** Re-runs `refresh` (at most every `delayMs`) when an event of these types arrives, or
 * when the feed may have missed some, for as long as the calling component lives. */
export function useLive(patterns: string[], refresh: () => unknown, delayMs = 250): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  const later = () => {
    clearTimeout(timer)
    timer = setTimeout(refresh, delayMs)
  }
  const stop = onEvents(patterns, later, later)
  onBeforeUnmount(() => {
    clearTimeout(timer)
    stop()
  })
}

/** Calls `handle` with each event of these types, for as long as the component lives. */
export function useEvents(patterns: string[], handle: (event: FeedEvent) => void): void {
  onBeforeUnmount(onEvents(patterns, handle))
}
