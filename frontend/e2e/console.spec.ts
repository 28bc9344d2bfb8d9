import { expect, test } from '@playwright/test'

import { apiAs, freshProduct, pick, shot, signIn } from './helpers'

type Order = { id: number; number: string; lines: { id: number }[] }

test('sign in with PKCE lands on the dashboard', async ({ page }) => {
  await signIn(page, 'manager')
  await expect(page).toHaveURL(/\/app\/$/)
  await expect(page.getByTestId('low-stock-count')).toHaveText(/\d+/)
  await expect(page.getByTestId('live-mode')).toHaveText('live: websocket')
  await shot(page, 'dashboard')
})

test('receive a purchase order in parts', async ({ page, request }) => {
  const api = await apiAs(request, 'manager')
  const product = await freshProduct(api, 'PO')
  const order = await api.post<Order>('purchase-orders/', {
    supplier: await api.idOf('suppliers', 'SUP-ACME'),
    warehouse: await api.idOf('warehouses', 'MAIN'),
    lines: [{ product: product.id, quantity: '10', unit_cost: '4.00' }],
  })
  await signIn(page, 'purchasing', `/app/purchase-orders/${order.id}`)
  await page.getByTestId('submit').click()
  await expect(page.getByTestId('status')).toHaveText('submitted')

  await page.getByTestId(`receive-${product.sku}`).fill('11')
  await page.getByTestId('receive').click()
  await expect(page.getByTestId('problem')).toBeVisible() // more than ordered: 409 at the line
  await page.getByTestId(`receive-${product.sku}`).fill('4')
  await page.getByTestId('receive').click()
  await expect(page.getByTestId('status')).toHaveText('partially_received')
  await expect(page.getByTestId(`received-${product.sku}`)).toHaveText('4')
  await shot(page, 'purchase-order')
})

test('sell with a price preview, confirm, and ship part of the order', async ({ page, request }) => {
  const api = await apiAs(request, 'manager')
  const product = await freshProduct(api, 'SO')
  await api.post('stock-adjustments/', { product: product.id, warehouse: await api.idOf('warehouses', 'MAIN'), quantity: '20', reason: 'e2e stock' })

  await signIn(page, 'manager', '/app/sales-orders')
  await page.getByTestId('new-so').click()
  await pick(page, page.locator('#so-customer'), 'CUS-BLUEOAK')
  await page.getByTestId('so-warehouse').click()
  await page.getByRole('option', { name: /MAIN/ }).click()
  await pick(page, page.getByTestId('line-0').locator('input').first(), product.sku)
  await page.getByTestId('line-0-quantity').fill('5')
  await page.getByTestId('create-so').click()

  await expect(page.getByTestId('status')).toHaveText('draft')
  await expect(page.getByTestId('order-total')).toContainText('62.50') // 5 × 12.50, priced by the server
  await shot(page, 'sales-order-draft')
  await page.getByTestId('confirm').click()
  await expect(page.getByTestId('status')).toHaveText('confirmed')

  await page.getByTestId('ship').click()
  await page.locator('#carrier').fill('UPS')
  await page.locator('#tracking').fill('1Z999AA10123456784')
  await page.getByTestId(`ship-${product.sku}`).fill('2')
  await page.getByTestId('create-shipment').click()
  await expect(page.getByTestId('status')).toHaveText('partially_shipped')
  await expect(page.getByTestId(`shipped-${product.sku}`)).toHaveText('2')
  await expect(page.getByTestId('shipments')).toContainText('1Z999AA10123456784')
  await shot(page, 'sales-order-shipped')
})

test('a 409 on confirm is shown at the short line', async ({ page, request }) => {
  const api = await apiAs(request, 'manager')
  const plenty = await freshProduct(api, 'OK')
  const scarce = await freshProduct(api, 'SHORT')
  const main = await api.idOf('warehouses', 'MAIN')
  await api.post('stock-adjustments/', { product: plenty.id, warehouse: main, quantity: '10', reason: 'e2e stock' })
  await api.post('stock-adjustments/', { product: scarce.id, warehouse: main, quantity: '1', reason: 'e2e stock' })
  const order = await api.post<Order>('sales-orders/', {
    customer: await api.idOf('customers', 'CUS-BLUEOAK'),
    warehouse: main,
    lines: [
      { product: plenty.id, quantity: '2' },
      { product: scarce.id, quantity: '5' },
    ],
  })
  await signIn(page, 'sales', `/app/sales-orders/${order.id}`)
  await page.getByTestId('confirm').click()
  await expect(page.getByTestId('short-line-1')).toContainText('Only 1.000')
  await expect(page.getByTestId('short-line-0')).toHaveCount(0)
  await expect(page.getByTestId('problem')).toContainText('Insufficient stock')
  await expect(page.getByTestId('status')).toHaveText('draft')
  await shot(page, 'sales-order-409')
})

test("one user's adjustment shows on another's screen within 2 s", async ({ browser, request }) => {
  const api = await apiAs(request, 'manager')
  const product = await freshProduct(api, 'LIVE')
  const main = await api.idOf('warehouses', 'MAIN')
  await api.post('stock-adjustments/', { product: product.id, warehouse: main, quantity: '7', reason: 'e2e stock' })

  const watcher = await (await browser.newContext()).newPage()
  await signIn(watcher, 'viewer', '/app/products')
  await watcher.getByTestId('level-search').fill(product.sku)
  const cell = watcher.getByTestId(`on-hand-${product.sku}-MAIN`)
  await expect(cell).toHaveText('7')
  await expect(watcher.getByTestId('live-mode')).toHaveText('live: websocket')

  const clerk = await (await browser.newContext()).newPage()
  await signIn(clerk, 'warehouse', '/app/stock')
  await pick(clerk, clerk.locator('#adj-product'), product.sku)
  await clerk.getByTestId('adj-warehouse').click()
  await clerk.getByRole('option', { name: /MAIN/ }).click()
  await clerk.locator('#adj-qty').fill('-3')
  await clerk.locator('#adj-reason').fill('damaged')
  const posted = clerk.waitForResponse((r) => r.url().includes('/api/v1/stock-adjustments/') && r.status() === 201)
  await clerk.getByTestId('adjust').click()
  await posted
  await expect(cell).toHaveText('4', { timeout: 2_000 })
  await shot(clerk, 'stock-operations')
  await shot(watcher, 'stock-levels')
})

test('a viewer sees no write buttons, and a 403 is rendered', async ({ page, request }) => {
  const api = await apiAs(request, 'manager')
  const orders = await api.get<{ results: Order[] }>('sales-orders/?status=draft')
  await signIn(page, 'viewer', '/app/sales-orders')
  await expect(page.getByTestId('so-table')).toBeVisible()
  await expect(page.getByTestId('new-so')).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Stock operations' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Reports' })).toHaveCount(0)
  if (orders.results[0]) {
    await page.goto(`/app/sales-orders/${orders.results[0].id}`)
    await expect(page.getByTestId('status')).toHaveText('draft')
    await expect(page.getByTestId('confirm')).toHaveCount(0)
  }
  await page.goto('/app/purchase-orders')
  await expect(page.getByTestId('po-table')).toBeVisible()
  await expect(page.getByTestId('new-po')).toHaveCount(0)
  await page.goto('/app/returns')
  await expect(page.getByTestId('returns-table')).toBeVisible()
  await expect(page.getByTestId('new-return')).toHaveCount(0)
  await page.goto('/app/customers')
  await expect(page.getByTestId('customers-table')).toContainText('CUS-BLUEOAK')
  await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0)
  await page.goto('/app/reports') // not in the menu; the API still says no
  await expect(page.getByTestId('problem').first()).toContainText('Not allowed')
})

test('reports, products and the event feed render', async ({ page }) => {
  await signIn(page, 'manager', '/app/reports')
  await expect(page.getByTestId('report-table')).toBeVisible()
  await shot(page, 'reports')
  await page.goto('/app/products')
  await expect(page.getByTestId('levels-table')).toBeVisible()
  await shot(page, 'products')
  await page.goto('/app/purchase-orders')
  await expect(page.getByTestId('po-table')).toBeVisible()
  await shot(page, 'purchase-orders')
  await page.goto('/app/events')
  await expect(page.getByTestId('events-table')).toBeVisible()
  await shot(page, 'events')
  await page.goto('/app/sales-orders')
  await expect(page.getByTestId('so-table')).toBeVisible()
  await shot(page, 'sales-orders')
  await page.goto('/app/returns')
  await expect(page.getByTestId('returns-table')).toBeVisible()
  await shot(page, 'returns')
  await page.goto('/app/suppliers')
  await expect(page.getByTestId('suppliers-table')).toBeVisible()
  await shot(page, 'suppliers')
})

test('close a sales order, then take part of it back on a return and receive it', async ({ page, request }) => {
  const api = await apiAs(request, 'manager')
  const product = await freshProduct(api, 'RMA')
  const main = await api.idOf('warehouses', 'MAIN')
  await api.post('stock-adjustments/', { product: product.id, warehouse: main, quantity: '10', reason: 'e2e stock' })
  const order = await api.post<Order>('sales-orders/', {
    customer: await api.idOf('customers', 'CUS-BLUEOAK'),
    warehouse: main,
    lines: [{ product: product.id, quantity: '5' }],
  })
  await api.post(`sales-orders/${order.id}/confirm/`)
  const shipment = await api.post<{ id: number }>('shipments/', { sales_order: order.id, carrier: 'UPS', lines: [{ sales_order_line: order.lines[0]!.id, quantity: '3' }] })
  await api.post(`shipments/${shipment.id}/ship/`)

  await signIn(page, 'manager', `/app/sales-orders/${order.id}`)
  await expect(page.getByTestId('status')).toHaveText('partially_shipped')
  await page.getByTestId('close').click()
  await expect(page.getByTestId('status')).toHaveText('closed')
  await expect(page.getByTestId(`released-${product.sku}`)).toHaveText('2')

  await page.getByTestId('return-goods').click()
  await expect(page.getByTestId('return-order')).toContainText(order.number)
  await page.getByTestId(`return-${product.sku}`).fill('4') // more than shipped: 409 at the line
  await page.getByTestId('create-return').click()
  await expect(page.getByTestId('problem')).toBeVisible()
  await page.getByTestId(`return-${product.sku}`).fill('1')
  await page.locator('#return-reason').fill('damaged in transit')
  await shot(page, 'return-new')
  await page.getByTestId('create-return').click()
  await expect(page.getByTestId('status')).toHaveText('requested')
  await page.getByTestId('receive-return').click()
  await expect(page.getByTestId('status')).toHaveText('received')
  await expect(page.getByTestId('rma-lines')).toContainText(product.sku)
  await shot(page, 'return')
})

test('edit forms: field errors at the field, a 412 keeps the edits, and feedback is sent', async ({ page, request }) => {
  const api = await apiAs(request, 'manager')
  const product = await freshProduct(api, 'EDIT')
  await signIn(page, 'manager', `/app/products/${product.id}`)
  await page.getByTestId('edit-product').click()
  await page.locator('#edit-price').fill('-1')
  await page.getByTestId('save-record').click()
  await expect(page.locator('[data-field-error="price"]')).toBeVisible()
  await page.locator('#edit-price').fill('13.75')
  await page.locator('#edit-name').fill(`${product.sku} renamed`)
  await api.patchCurrent(`products/${product.id}/`, { reorder_point: '3' }) // someone else saves first
  await page.getByTestId('save-record').click()
  await expect(page.getByTestId('stale')).toBeVisible()
  await page.getByTestId('reload-stale').click()
  await expect(page.getByTestId('stale')).toHaveCount(0)
  await expect(page.locator('#edit-reorder_point')).toHaveValue(/^3(\.0+)?$/) // their version…
  await expect(page.locator('#edit-price')).toHaveValue('13.75') // …with these edits over it
  await page.getByTestId('save-record').click()
  await expect(page.getByTestId('record-form')).toHaveCount(0)
  const saved = await api.get<{ name: string; price: string; reorder_point: string }>(`products/${product.id}/`)
  expect([saved.name, Number(saved.price), Number(saved.reorder_point)]).toEqual([`${product.sku} renamed`, 13.75, 3])

  await page.goto('/app/customers')
  await page.getByTestId('customers-search').fill('CUS-BLUEOAK')
  await page.getByTestId('edit-CUS-BLUEOAK').click()
  await expect(page.locator('#edit-code')).toHaveValue('CUS-BLUEOAK')
  await shot(page, 'customer-edit')
  await page.keyboard.press('Escape')

  await page.getByTestId('feedback').click()
  const note = `e2e feedback ${Date.now()}`
  await page.getByTestId('feedback-message').fill(note)
  await page.getByTestId('send-feedback').click()
  await expect(page.getByText('Thank you: your feedback was sent')).toBeVisible()
  const feedback = await api.get<{ results: { message: string; page: string }[] }>('feedback/?page_size=50')
  expect(feedback.results.find((item) => item.message === note)?.page).toBe('/app/customers')
})

test('an admin opens a user\'s edit form: roles and a new password', async ({ page }) => {
  await signIn(page, 'admin', '/app/users')
  await page.getByTestId('users-search').fill('viewer')
  await page.getByTestId('edit-viewer').click()
  await expect(page.locator('#edit-username')).toHaveValue('viewer')
  await expect(page.getByTestId('record-form')).toContainText('viewer')
  await shot(page, 'users')
})
