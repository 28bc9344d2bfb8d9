/** Choices for pickers. Warehouses are few and loaded whole; products, customers and
 * suppliers may be tens of thousands, so pickers search them a page at a time. */
import { shallowRef } from 'vue'

import { api, ok, type Schemas } from './client'

export type Option = { label: string; value: number }

const warehouses = shallowRef<Schemas['Warehouse'][]>([])
let warehousesLoaded: Promise<void> | null = null

export function useWarehouses() {
  warehousesLoaded ??= ok(api.GET('/api/v1/warehouses/', { params: { query: { page_size: 500, is_active: true } } })).then(
    (page) => {
      warehouses.value = page.results
    },
  )
  return warehouses
}

export function warehouseOptions(list: Schemas['Warehouse'][]): Option[] {
  return list.map((warehouse) => ({ label: `${warehouse.code} — ${warehouse.name}`, value: warehouse.id }))
}

export async function searchProducts(search: string): Promise<(Option & { price: string; currency: string; cost: string })[]> {
  const page = await ok(api.GET('/api/v1/products/', { params: { query: { search, page_size: 20, is_active: true } } }))
  return page.results.map((product) => ({
    label: `${product.sku} — ${product.name}`,
    value: product.id,
    price: product.price ?? '',
    cost: product.cost ?? '',
    currency: product.currency ?? '',
  }))
}

export async function searchCustomers(search: string): Promise<Option[]> {
  const page = await ok(api.GET('/api/v1/customers/', { params: { query: { search, page_size: 20 } } }))
  return page.results.map((customer) => ({ label: `${customer.code} — ${customer.name}`, value: customer.id }))
}

export async function searchSuppliers(search: string): Promise<Option[]> {
  const page = await ok(api.GET('/api/v1/suppliers/', { params: { query: { search, page_size: 20 } } }))
  return page.results.map((supplier) => ({ label: `${supplier.code} — ${supplier.name}`, value: supplier.id }))
}

/** Sales orders that have shipped goods, which a customer may send back. */
export async function searchShippedOrders(search: string): Promise<Option[]> {
  const status__in = ['partially_shipped', 'shipped', 'delivered', 'closed']
  const page = await ok(api.GET('/api/v1/sales-orders/', { params: { query: { search, status__in, page_size: 20 } } }))
  return page.results.map((order) => ({ label: `${order.number} — ${order.customer_name}`, value: order.id }))
}
