import { expect, test, type Page } from '@playwright/test'

/** Every request the page makes that leaves loopback is refused, and recorded. */
async function loopbackOnly(page: Page): Promise<string[]> {
  const refused: string[] = []
  await page.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url())
    if (['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) return route.continue()
    refused.push(route.request().url())
    return route.abort()
  })
  return refused
}

test('Swagger UI renders the API from assets this server serves', async ({ page }) => {
  const refused = await loopbackOnly(page)
  // Swagger UI 5 virtualizes a schema of 150 or more tags and operations (this one has more):
  // only what is on screen is in the DOM, so open the sales orders the way a reader's link
  // does (deepLinking), then one operation, whose own description must be there.
  await page.goto('/api/docs/#/sales-orders')
  await expect(page.locator('.swagger-ui .info .title')).toContainText('Stockyard API')
  const confirm = page.locator('.opblock-summary-path', { hasText: '/api/v1/sales-orders/{id}/confirm/' })
  await expect(confirm).toBeVisible()
  await confirm.click()
  await expect(page.locator('.opblock.is-open .opblock-description-wrapper')).toContainText('insufficient_stock')
  expect(refused).toEqual([])
})

test('ReDoc renders the API from assets this server serves', async ({ page }) => {
  const refused = await loopbackOnly(page)
  await page.goto('/api/redoc/')
  await expect(page.locator('h1', { hasText: 'Stockyard API' })).toBeVisible({ timeout: 50_000 })
  await expect(page.getByText('/api/v1/sales-orders/').first()).toBeAttached()
  expect(refused).toEqual([])
})

test('the admin is styled: static files come from the app', async ({ page }) => {
  await page.goto('/admin/login/')
  const css = await page.request.get('/static/admin/css/base.css')
  expect(css.status()).toBe(200)
  await expect(page.locator('#header')).toHaveCSS('background-color', /rgb/)
})
