import type { DataTablePageEvent } from 'primevue/datatable'
import { ref, shallowRef } from 'vue'

export interface Page<T> {
  count: number
  results: T[]
}

/**
 * A server-paginated list for a lazy DataTable: only the page shown is fetched, so a list
 * of 10,000 rows costs one page. `load(page, pageSize)` asks the API for one page.
 */
export function usePagedList<T>(load: (page: number, pageSize: number) => Promise<Page<T>>, pageSize = 25) {
  const rows = shallowRef<T[]>([])
  const total = ref(0)
  const first = ref(0)
  const size = ref(pageSize)
  const loading = ref(false)
  const error = ref<unknown>(null)

  async function fetchPage(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const page = await load(Math.floor(first.value / size.value) + 1, size.value)
      rows.value = page.results
      total.value = page.count
    } catch (caught) {
      error.value = caught
    } finally {
      loading.value = false
    }
  }

  function onPage(event: DataTablePageEvent): Promise<void> {
    first.value = event.first
    size.value = event.rows
    return fetchPage()
  }

  /** Back to the first page (after a filter changed). */
  function reload(): Promise<void> {
    first.value = 0
    return fetchPage()
  }

  return { rows, total, first, size, loading, error, fetchPage, onPage, reload }
}
