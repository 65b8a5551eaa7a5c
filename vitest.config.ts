import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end and chaos suites need a running stack and take minutes;
    // they have their own entry points and stay out of `npm test`.
    exclude: [...configDefaults.exclude, 'test/e2e/**', 'test/chaos/**'],
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    // Tests start real processes and talk to Redis/PostgreSQL, so the
    // 5 s defaults are too tight on a loaded 2-core CI machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Child processes rather than worker threads: native modules, spawned
    // servers and process-wide state (signals, env) behave as in production.
    pool: 'forks',
  },
});
