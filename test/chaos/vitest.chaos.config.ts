/**
 * Chaos suite: `npm run test:chaos`. One file, one fork, tests in order: they share one
 * multi-process deployment and one load generator (test/chaos/chaos.chaos.ts, docs/chaos.md).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  test: {
    root,
    include: ['test/chaos/**/*.chaos.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
    sequence: { concurrent: false },
    reporters: ['default', './test/support/closing-line-reporter.ts'],
  },
});
