/**
 * End-to-end suite: a real WSOPTV process, the built web app and Debian Chromium driven by
 * playwright-core. `npm run test:e2e`. One fork, one file at a time: each file starts its own
 * server and browser, and the machine has two cores.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  test: {
    root,
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
    sequence: { concurrent: false },
    reporters: ['default'],
  },
});
