/**
 * Vite build of the WSOPTV web app (Preact, no preset: esbuild compiles the JSX). Output goes
 * to web/dist, which the server serves at / (src/platform/web.ts). `vite --config
 * web/vite.config.ts` runs a dev server that proxies /api to a WSOPTV on WSOPTV_API (default
 * http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: true,
    // One small bundle: the whole app is a few dozen KB, splitting would only add round trips.
    assetsInlineLimit: 4096,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api': process.env.WSOPTV_API ?? 'http://127.0.0.1:8080' },
  },
});
