// Request isolation on isolate threads (runtime/host/thread-pool.ts): the same behaviour as on the
// calling thread — fresh isolates, bodies both ways with backpressure, limits, logs, new builds.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorker, type WorkerBundle } from '../../runtime/bundler/bundle.ts';
import { resolveLimits, type Limits } from '../../runtime/config/limits.ts';
import { WorkerEngine } from '../../runtime/host/engine.ts';
import type { LogRecord } from '../../runtime/host/log.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function bundleOf(source: string): Promise<WorkerBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'isle-threads-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'worker.ts'), source);
  return (await bundleWorker(join(dir, 'worker.ts'), dir)).bundle;
}

interface Reply { status: number; body: Buffer; outcome: string; aborted: string | undefined }

function threaded(bundle: WorkerBundle, limits: Partial<Limits> = {}, logs: LogRecord[] = []) {
  const engine = new WorkerEngine(bundle, {
    isolation: 'request', limits: resolveLimits(limits), env: { NAME: 'isle' }, dev: true, allowEgress: [], threads: 2,
    log: (r) => logs.push(r),
  });
  const request = async (path = '/', init: { method?: string; body?: Uint8Array[]; signal?: AbortSignal; slowSink?: boolean } = {}): Promise<Reply> => {
    let status = 0;
    let aborted: string | undefined;
    const chunks: Buffer[] = [];
    const body = init.body
      ? (async function* () {
        for (const c of init.body!) yield c;
      })()
      : null;
    const outcome = await engine.handle({
      method: init.method ?? 'GET', url: `http://localhost${path}`, headers: ['host', 'localhost'], body,
      signal: init.signal ?? new AbortController().signal,
    }, {
      head: (s) => void (status = s),
      write: async (c) => {
        chunks.push(Buffer.from(c));
        if (init.slowSink) await new Promise((r) => setTimeout(r, 1));
      },
      end: () => {},
      abort: (reason) => void (aborted = reason),
    });
    return { status, body: Buffer.concat(chunks), outcome, aborted };
  };
  return { engine, request };
}

describe('request isolation on isolate threads', () => {
  it('serves every request in a fresh isolate, from the per-version snapshot once prepared', async () => {
    const bundle = await bundleOf(`
      let n = 0;
      const top = crypto.randomUUID();
      export default { fetch: (_r: Request, env: { NAME: string }) => Response.json({ n: ++n, top, name: env.NAME }) };`);
    const { engine, request } = threaded(bundle);
    const before = JSON.parse((await request()).body.toString());
    expect(before).toMatchObject({ n: 1, name: 'isle' });
    expect(await engine.prepare()).toBeDefined();
    const replies = await Promise.all(Array.from({ length: 12 }, () => request()));
    const tops = new Set<string>();
    for (const r of replies) {
      expect(r.status).toBe(200);
      const j = JSON.parse(r.body.toString());
      expect(j.n).toBe(1);
      tops.add(j.top);
    }
    expect(tops.size).toBe(12);
    engine.dispose();
  });

  it('moves request and response bodies both ways, in order, with a slow sink', async () => {
    const bundle = await bundleOf(`
      export default {
        async fetch(request: Request) {
          if (request.method === 'POST') return new Response(request.body);
          let i = 0;
          return new Response(new ReadableStream({
            pull(c) { if (i === 40) return c.close(); c.enqueue(new Uint8Array(32 * 1024).fill(i++)); },
          }));
        },
      };`);
    const { engine, request } = threaded(bundle);
    const parts = Array.from({ length: 20 }, (_, i) => new Uint8Array(50_000).fill(i));
    const echoed = await request('/', { method: 'POST', body: parts });
    expect(echoed.status).toBe(200);
    expect(echoed.body.equals(Buffer.concat(parts))).toBe(true);
    const streamed = await request('/', { slowSink: true });
    expect(streamed.body.byteLength).toBe(40 * 32 * 1024);
    for (let i = 0; i < 40; i++) expect(streamed.body[i * 32 * 1024]).toBe(i);
    engine.dispose();
  });

  it('reads a small request body inline (JSON)', async () => {
    const bundle = await bundleOf(`export default { fetch: async (r: Request) => Response.json(await r.json()) };`);
    const { engine } = threaded(bundle);
    const payload = Buffer.from(JSON.stringify({ a: [1, 2, 3] }));
    let status = 0;
    const chunks: Buffer[] = [];
    await engine.handle({
      method: 'POST', url: 'http://localhost/', headers: ['host', 'localhost', 'content-length', String(payload.byteLength)],
      body: (async function* () { yield new Uint8Array(payload); })(), signal: new AbortController().signal,
    }, { head: (s) => void (status = s), write: async (c) => void chunks.push(Buffer.from(c)), end: () => {}, abort: () => {} });
    expect(status).toBe(200);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({ a: [1, 2, 3] });
    engine.dispose();
  });

  it('enforces the CPU limit and forwards logs', async () => {
    const logs: LogRecord[] = [];
    const bundle = await bundleOf(`
      export default {
        fetch(r: Request) {
          console.log('from the isolate thread');
          if (new URL(r.url).pathname === '/spin') for (;;) {}
          return new Response('ok');
        },
      };`);
    const { engine, request } = threaded(bundle, { cpuMs: 50 }, logs);
    const spin = await request('/spin');
    expect([spin.status, spin.outcome]).toEqual([503, 'cpu']);
    expect(spin.body.toString()).toMatch(/CPU time limit/);
    expect((await request('/')).body.toString()).toBe('ok');
    expect(logs.some((l) => l.kind === 'tenant' && l.message.includes('from the isolate thread'))).toBe(true);
    expect(logs.some((l) => l.kind === 'access' && l.access?.outcome === 'cpu')).toBe(true);
    engine.dispose();
  });

  it('aborts request.signal when the client goes away, and serves a new build after setBundle', async () => {
    const bundle = await bundleOf(`
      export default {
        fetch(r: Request) {
          return new Promise<Response>((resolve) => r.signal.addEventListener('abort', () => resolve(new Response('aborted'))));
        },
      };`);
    const { engine, request } = threaded(bundle, { wallMs: 5000 });
    const controller = new AbortController();
    const pending = request('/', { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const r = await pending;
    expect(r.outcome).toBe('client-abort');
    engine.setBundle(await bundleOf(`export default { fetch: () => new Response('v2') };`));
    expect((await request('/')).body.toString()).toBe('v2');
    engine.dispose();
  });
});
