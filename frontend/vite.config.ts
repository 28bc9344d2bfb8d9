/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The build lands in the Django app that serves it: index.html at /app/ (any path under
// it), the hashed assets as static files under /static/console/.
const djangoServer = process.env.STOCKYARD_SERVER ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [vue()],
  base: '/static/console/',
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: '../stockyard/console/static/console',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev`: the console on :5173, the API, OAuth2 provider and WebSocket proxied.
    proxy: {
      '/api': djangoServer,
      '/o': djangoServer,
      '/ws': { target: djangoServer.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.spec.ts'],
  },
})
