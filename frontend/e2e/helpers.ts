import { expect, type APIRequestContext, type Page } from '@playwright/test'

/** Demo users made by `manage.py seed_demo`: one per role, `<role>-demo-pass-1`. */
export type Role = 'admin' | 'manager' | 'purchasing' | 'sales' | 'warehouse' | 'viewer'

/** Signs in the way a person does: the console's button, the provider's sign-in page,
 * back to the console with a code that is traded (with the PKCE verifier) for tokens. */
export async function signIn(page: Page, role: Role, next = '/app/'): Promise<void> {
  await page.goto(next)
  await page.getByTestId('sign-in').click()
  await page.waitForURL(/\/o\/login\//)
  await page.locator('#id_username').fill(role)
  await page.locator('#id_password').fill(`${role}-demo-pass-1`)
  await page.locator('input[type=submit], button[type=submit]').first().click()
  await expect(page.getByTestId('username')).toHaveText(role)
}

/** A JWT-authenticated API client for setting up what a test needs. */
export async function apiAs(request: APIRequestContext, role: Role) {
  const answer = await request.post('/api/v1/auth/token/', { data: { username: role, password: `${role}-demo-pass-1` } })
  expect(answer.ok()).toBeTruthy()
  const { access } = (await answer.json()) as { access: string }
  const headers = { Authorization: `Bearer ${access}` }
  async function call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, data?: unknown, extra: Record<string, string> = {}): Promise<T> {
    const response = await request.fetch(`/api/v1/${path}`, { method, headers: { ...headers, ...extra }, data })
    expect(response.ok(), `${method} ${path}: ${response.status()} ${await response.text()}`).toBeTruthy()
    return (await response.json()) as T
  }
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, data?: unknown) => call<T>('POST', path, data ?? {}),
    /** A PATCH naming the version it read, as another user's save would. */
    async patchCurrent<T>(path: string, data: unknown): Promise<T> {
      const read = await request.fetch(`/api/v1/${path}`, { headers })
      return call<T>('PATCH', path, data, { 'If-Match': read.headers()['etag'] ?? '' })
    },
    async idOf(resource: string, search: string): Promise<number> {
      const page = await call<{ results: { id: number }[] }>('GET', `${resource}/?search=${encodeURIComponent(search)}`)
      expect(page.results.length, `${resource} ${search}`).toBeGreaterThan(0)
      return page.results[0]!.id
    },
  }
}

/** A product of its own for one test run, so tests repeat on the same database. */
export async function freshProduct(api: Awaited<ReturnType<typeof apiAs>>, label: string) {
  const sku = `E2E-${label}-${Date.now().toString(36)}`.toUpperCase()
  const supplier = await api.idOf('suppliers', 'SUP-ACME')
  return api.post<{ id: number; sku: string }>('products/', {
    sku,
    name: `${label} (e2e)`,
    price: '12.50',
    cost: '5.00',
    supplier,
    reorder_point: '2',
    reorder_quantity: '10',
  })
}

/** Picks an option in a search picker by typing into it. A dialog focuses its first field
 * as it finishes opening, and a picker that loses focus without a choice clears itself:
 * text typed during the opening can vanish, so type again until the option shows. */
export async function pick(page: Page, input: ReturnType<Page['locator']>, text: string): Promise<void> {
  const option = page.locator('.p-autocomplete-option', { hasText: text }).first()
  await expect(async () => {
    await input.fill(text)
    await expect(option).toBeVisible({ timeout: 3_000 })
  }).toPass({ timeout: 30_000 })
  await option.click()
}

export async function shot(page: Page, name: string): Promise<void> {
  // The live feed keeps a long-poll open, so the network is never idle: give renders a moment.
  await page.waitForTimeout(500)
  await page.screenshot({ path: `../docs/screenshots/${name}.png`, fullPage: false })
}
