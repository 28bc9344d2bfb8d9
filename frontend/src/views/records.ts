/**
 * The catalog's, partners' and users' edit screens: what each lists and which fields its
 * form edits. Reads and writes go through the typed client; writes are PATCHes of the
 * changed fields with `If-Match` (`components/editForm.ts`).
 */
import { api, ok, versioned, type Schemas, type Versioned } from '@/api/client'
import type { Capability } from '@/auth/session'
import type { FieldSpec } from '@/components/RecordEditor.vue'
import type { Page } from '@/components/usePagedList'

type Row = Record<string, unknown> & { id: number }
export interface ListQuery {
  page: number
  page_size: number
  search?: string
}

export interface RecordKind {
  title: string
  /** What the user needs to edit (the list is open to whoever may read it). */
  edit: Capability
  label: (row: Row) => string
  columns: { field: string; header: string }[]
  fields: FieldSpec[]
  list: (query: ListQuery) => Promise<Page<Row>>
  get: (id: number) => Promise<Versioned<Row>>
  patch: (id: number, changed: Partial<Row>, etag: string) => Promise<Versioned<Row>>
}

const ifMatch = (id: number, etag: string) => ({ path: { id }, header: { 'If-Match': etag } })
const path = (id: number) => ({ params: { path: { id } } })

export const ROLES: Schemas['RoleEnum'][] = ['admin', 'manager', 'purchasing', 'sales', 'warehouse', 'viewer']

export const PRODUCT_FIELDS: FieldSpec[] = [
  { key: 'sku', label: 'SKU' },
  { key: 'name', label: 'Name' },
  { key: 'description', label: 'Description', kind: 'textarea' },
  { key: 'barcode', label: 'Barcode' },
  { key: 'unit', label: 'Unit', hint: 'a unit code, e.g. pcs or kg' },
  { key: 'price', label: 'Price' },
  { key: 'cost', label: 'Cost' },
  { key: 'currency', label: 'Currency' },
  { key: 'reorder_point', label: 'Reorder point' },
  { key: 'reorder_quantity', label: 'Reorder quantity' },
  { key: 'lead_time_days', label: 'Lead time (days)' },
  { key: 'is_active', label: 'Active', kind: 'boolean' },
]

export function product(id: number) {
  return {
    get: () => versioned(api.GET('/api/v1/products/{id}/', path(id))) as Promise<Versioned<Row>>,
    patch: (changed: Partial<Row>, etag: string) =>
      versioned(api.PATCH('/api/v1/products/{id}/', { params: ifMatch(id, etag), body: changed as Schemas['PatchedProductRequest'] })) as Promise<Versioned<Row>>,
  }
}

export const KINDS: Record<'customers' | 'suppliers' | 'users', RecordKind> = {
  customers: {
    title: 'Customers',
    edit: 'customers.manage',
    label: (row) => `${row.code} — ${row.name}`,
    columns: [
      { field: 'code', header: 'Code' },
      { field: 'name', header: 'Name' },
      { field: 'email', header: 'Email' },
      { field: 'currency', header: 'Currency' },
      { field: 'credit_limit', header: 'Credit limit' },
    ],
    fields: [
      { key: 'code', label: 'Code' },
      { key: 'name', label: 'Name' },
      { key: 'email', label: 'Email' },
      { key: 'phone', label: 'Phone' },
      { key: 'billing_address', label: 'Billing address', kind: 'textarea' },
      { key: 'shipping_address', label: 'Shipping address', kind: 'textarea' },
      { key: 'tax_id', label: 'Tax id', hint: 'shown masked to roles that may not read it' },
      { key: 'currency', label: 'Currency' },
      { key: 'credit_limit', label: 'Credit limit', nullable: true, hint: 'empty: no limit (admins and managers only)' },
      { key: 'is_active', label: 'Active', kind: 'boolean' },
    ],
    list: (query) => ok(api.GET('/api/v1/customers/', { params: { query: { ...query, ordering: 'code' } } })),
    get: (id) => versioned(api.GET('/api/v1/customers/{id}/', path(id))),
    patch: (id, changed, etag) =>
      versioned(api.PATCH('/api/v1/customers/{id}/', { params: ifMatch(id, etag), body: changed as Schemas['PatchedCustomerRequest'] })),
  },
  suppliers: {
    title: 'Suppliers',
    edit: 'suppliers.manage',
    label: (row) => `${row.code} — ${row.name}`,
    columns: [
      { field: 'code', header: 'Code' },
      { field: 'name', header: 'Name' },
      { field: 'email', header: 'Email' },
      { field: 'currency', header: 'Currency' },
      { field: 'lead_time_days', header: 'Lead time (days)' },
    ],
    fields: [
      { key: 'code', label: 'Code' },
      { key: 'name', label: 'Name' },
      { key: 'email', label: 'Email' },
      { key: 'phone', label: 'Phone' },
      { key: 'address', label: 'Address', kind: 'textarea' },
      { key: 'tax_id', label: 'Tax id', hint: 'shown masked to roles that may not read it' },
      { key: 'bank_account', label: 'Bank account', hint: 'shown masked to roles that may not read it' },
      { key: 'currency', label: 'Currency' },
      { key: 'lead_time_days', label: 'Lead time (days)' },
      { key: 'is_active', label: 'Active', kind: 'boolean' },
    ],
    list: (query) => ok(api.GET('/api/v1/suppliers/', { params: { query: { ...query, ordering: 'code' } } })),
    get: (id) => versioned(api.GET('/api/v1/suppliers/{id}/', path(id))),
    patch: (id, changed, etag) =>
      versioned(api.PATCH('/api/v1/suppliers/{id}/', { params: ifMatch(id, etag), body: changed as Schemas['PatchedSupplierRequest'] })),
  },
  users: {
    title: 'Users',
    edit: 'users.manage',
    label: (row) => String(row.username),
    columns: [
      { field: 'username', header: 'Username' },
      { field: 'email', header: 'Email' },
      { field: 'roles', header: 'Roles' },
      { field: 'is_active', header: 'Active' },
    ],
    fields: [
      { key: 'username', label: 'Username' },
      { key: 'email', label: 'Email' },
      { key: 'roles', label: 'Roles', kind: 'choices', options: ROLES },
      { key: 'password', label: 'New password', kind: 'password', hint: 'empty: unchanged; a change signs the user out everywhere' },
      { key: 'is_active', label: 'Active', kind: 'boolean' },
    ],
    list: (query) => ok(api.GET('/api/v1/users/', { params: { query } })),
    get: (id) => versioned(api.GET('/api/v1/users/{id}/', path(id))),
    patch: (id, changed, etag) =>
      versioned(api.PATCH('/api/v1/users/{id}/', { params: ifMatch(id, etag), body: changed as Schemas['PatchedUserRequest'] })),
  },
}
