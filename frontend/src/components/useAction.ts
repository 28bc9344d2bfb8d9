import { useToast } from 'primevue/usetoast'
import { ref } from 'vue'

/**
 * A user action against the API: `busy` while it runs (buttons show progress), `error`
 * holding what failed (an `ApiProblem` for forms to spread over their fields).
 */
export function useAction() {
  const busy = ref(false)
  const error = ref<unknown>(null)
  const toast = useToast()

  async function run<T>(action: () => Promise<T>, success?: string): Promise<T | undefined> {
    busy.value = true
    error.value = null
    try {
      const result = await action()
      if (success) toast.add({ severity: 'success', summary: success, life: 3000 })
      return result
    } catch (caught) {
      error.value = caught
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { busy, error, run }
}
