import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // createWorker() runs the worker in isolated-vm isolates, which need these Node flags in every
    // test process (the `worker` command adds them itself).
    pool: 'forks',
    execArgv: ['--no-node-snapshot', '--expose-gc'],
    testTimeout: 20_000,
  },
});
