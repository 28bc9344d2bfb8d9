/**
 * Editing a resource the way the API wants it: read it with its `ETag`, send back only the
 * fields the user changed (`PATCH`, so masked or write-only fields are never echoed back)
 * with `If-Match`; a 412 means someone else saved first, and reloading keeps the user's
 * edits over their version.
 */
import { computed, ref, shallowRef } from 'vue'

import type { Versioned } from '@/api/client'
import { ApiProblem } from '@/api/problem'

export type Values = Record<string, unknown>

const blank = (value: unknown) => value === undefined || value === ''

function same(a: unknown, b: unknown): boolean {
  if (blank(a) && blank(b)) return true
  return JSON.stringify(a) === JSON.stringify(b)
}

/** The fields of `current` whose values differ from `original` (a blank field the record
 * does not have, such as a new password left empty, is no change). */
export function changes(original: Values, current: Values): Values {
  return Object.fromEntries(Object.entries(current).filter(([key, value]) => !same(original[key], value)))
}

/** Whether an error is the API's 412: the record changed since it was read. */
export function isStale(error: unknown): boolean {
  return error instanceof ApiProblem && error.status === 412
}

export function useEditForm<T extends Values>(io: {
  load: () => Promise<Versioned<T>>
  save: (changed: Partial<T>, etag: string) => Promise<Versioned<T>>
}) {
  const original = shallowRef<T | null>(null)
  const values = ref<Values>({})
  const etag = ref('')
  const busy = ref(false)
  const error = ref<unknown>(null)
  const stale = computed(() => isStale(error.value))
  const pending = computed(() => (original.value ? changes(original.value, values.value) : {}))

  /** One request at a time: a save started while a reload runs would name the old version. */
  async function guarded<R>(work: () => Promise<R>): Promise<R | undefined> {
    if (busy.value) return undefined
    busy.value = true
    error.value = null
    try {
      return await work()
    } catch (caught) {
      error.value = caught
      return undefined
    } finally {
      busy.value = false
    }
  }

  function take(fresh: Versioned<T>, keep: Values = {}): T {
    original.value = fresh.data
    values.value = { ...fresh.data, ...keep }
    etag.value = fresh.etag
    return fresh.data
  }

  /** Reads the record (and its version) afresh, dropping unsaved edits; `original` is
   * null until it is here, so nothing is typed into a form about to be overwritten. */
  const open = () =>
    guarded(async () => {
      original.value = null
      return take(await io.load())
    })

  /** Saves the changed fields; resolves the saved record, or undefined with `error` set
   * (field errors for the form, or a 412 for `reload`). Nothing changed: nothing sent. */
  const submit = () =>
    guarded(async () => {
      const changed = pending.value
      if (!original.value || Object.keys(changed).length === 0) return original.value ?? undefined
      return take(await io.save(changed as Partial<T>, etag.value))
    })

  /** After a 412: the other user's version, with this user's edits kept over it. */
  const reload = () =>
    guarded(async () => {
      const mine = pending.value
      return take(await io.load(), mine)
    })

  return { values, original, etag, busy, error, stale, pending, open, submit, reload }
}
