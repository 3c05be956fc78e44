// The programmatic API (`import { createWorker } from 'isle'`): real isolates, from Node code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type IsleWorker } from '../../runtime/embed/index.ts';

describe('createWorker', () => {
  let worker: IsleWorker;
  const logs: string[] = [];
  beforeAll(async () => {
    worker = await createWorker({
      script: `
        let calls = 0;
        export default {
          async fetch(request: Request, env: { NAME: string }) {
            calls++;
            const url = new URL(request.url);
            if (url.pathname === '/spin') for (;;) {}
            if (request.method === 'POST') return new Response((await request.text()).toUpperCase(), { status: 201 });
            console.log('handled ' + url.pathname);
            return Response.json({ calls, name: env.NAME, path: url.pathname });
          },
        };`,
      env: { NAME: 'isle' },
      limits: { cpuMs: 100 },
      onLog: (r) => logs.push(r.message),
    });
  });
  afterAll(() => worker.dispose());

  it('runs every call in a fresh isolate with env', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await worker.fetch('http://localhost/a');
      expect(await res.json()).toEqual({ calls: 1, name: 'isle', path: '/a' });
    }
    expect(logs).toContain('handled /a');
  });

  it('passes request bodies and statuses through', async () => {
    const res = await worker.fetch(new Request('http://localhost/', { method: 'POST', body: 'shout' }));
    expect([res.status, await res.text()]).toEqual([201, 'SHOUT']);
  });

  it('applies limits', async () => {
    const res = await worker.fetch('http://localhost/spin');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/CPU time limit \(100 ms\)/);
  });
});
