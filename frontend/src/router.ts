import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'

import { api, ok } from '@/api/client'
import { hasTokens, session } from '@/auth/session'

const routes: RouteRecordRaw[] = [
  { path: '/sign-in', name: 'sign-in', component: () => import('@/views/SignInView.vue'), meta: { public: true } },
  { path: '/oauth/callback', name: 'callback', component: () => import('@/views/CallbackView.vue'), meta: { public: true } },
  { path: '/', name: 'dashboard', component: () => import('@/views/DashboardView.vue') },
  { path: '/products', name: 'products', component: () => import('@/views/ProductsView.vue') },
  { path: '/products/:id(\\d+)', name: 'product', component: () => import('@/views/ProductView.vue'), props: (r) => ({ id: Number(r.params.id) }) },
  { path: '/stock', name: 'stock', component: () => import('@/views/StockOperationsView.vue') },
  { path: '/purchase-orders', name: 'purchase-orders', component: () => import('@/views/PurchaseOrdersView.vue') },
  { path: '/purchase-orders/:id(\\d+)', name: 'purchase-order', component: () => import('@/views/PurchaseOrderView.vue'), props: (r) => ({ id: Number(r.params.id) }) },
  { path: '/sales-orders', name: 'sales-orders', component: () => import('@/views/SalesOrdersView.vue') },
  { path: '/sales-orders/:id(\\d+)', name: 'sales-order', component: () => import('@/views/SalesOrderView.vue'), props: (r) => ({ id: Number(r.params.id) }) },
  { path: '/returns', name: 'returns', component: () => import('@/views/ReturnsView.vue') },
  { path: '/returns/:id(\\d+)', name: 'return', component: () => import('@/views/ReturnView.vue'), props: (r) => ({ id: Number(r.params.id) }) },
  { path: '/customers', name: 'customers', component: () => import('@/views/RecordsView.vue'), props: { kind: 'customers' } },
  { path: '/suppliers', name: 'suppliers', component: () => import('@/views/RecordsView.vue'), props: { kind: 'suppliers' } },
  { path: '/users', name: 'users', component: () => import('@/views/RecordsView.vue'), props: { kind: 'users' } },
  { path: '/reports', name: 'reports', component: () => import('@/views/ReportsView.vue') },
  { path: '/events', name: 'events', component: () => import('@/views/EventsView.vue') },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue') },
]

export const router = createRouter({ history: createWebHistory('/app/'), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!hasTokens()) return { name: 'sign-in', query: { next: to.fullPath } }
  if (!session.user) {
    try {
      session.user = await ok(api.GET('/api/v1/auth/me/'))
    } catch {
      return { name: 'sign-in', query: { next: to.fullPath } }
    }
  }
  return true
})
