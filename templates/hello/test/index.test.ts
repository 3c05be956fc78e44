// createWorker() bundles src/index.ts (from isle.json "main") and runs each fetch() in a fresh Isle
// isolate with the real runtime, env and limits: the same as `worker dev` and production.
import { createWorker, type IsleWorker } from 'isle';
import { afterAll, beforeAll, expect, it } from 'vitest';

let worker: IsleWorker;
beforeAll(async () => {
  worker = await createWorker();
});
afterAll(() => worker.dispose());

it('greets the world by default', async () => {
  const res = await worker.fetch('http://localhost/');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(await res.text()).toBe('Hello, world!\n');
});

it('greets by name', async () => {
  const res = await worker.fetch('http://localhost/?name=Isle');
  expect(await res.text()).toBe('Hello, Isle!\n');
});

it('takes the greeting from env', async () => {
  const custom = await createWorker({ env: { GREETING: 'Bonjour' } });
  try {
    expect(await (await custom.fetch('http://localhost/?name=Isle')).text()).toBe('Bonjour, Isle!\n');
  } finally {
    await custom.dispose();
  }
});
