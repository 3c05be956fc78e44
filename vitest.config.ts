import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // isolated-vm needs --no-node-snapshot in every process that loads it.
    pool: 'forks',
    execArgv: ['--no-node-snapshot', '--expose-gc'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep heavy suites from starving each other.
    maxWorkers: 2,
  },
});
