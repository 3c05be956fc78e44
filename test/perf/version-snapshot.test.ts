// Per-version snapshots (prelude + tenant bundle, compiled and warmed): requests served from one
// must behave exactly like requests served from the prelude snapshot — fresh state, fresh entropy
// and clocks, the same startup errors and limits.
import { afterEach, describe, expect, it } from 'vitest';
import { bundleWorker, type WorkerBundle } from '../../runtime/bundler/bundle.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveLimits, type Limits } from '../../runtime/config/limits.ts';
import { WorkerEngine, type Isolation } from '../../runtime/host/engine.ts';
import type { LogRecord } from '../../runtime/host/log.ts';
import { deferredBundleScript } from '../../runtime/host/prelude.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function bundleOf(source: string): Promise<WorkerBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'isle-perf-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'worker.ts'), source);
  return (await bundleWorker(join(dir, 'worker.ts'), dir)).bundle;
}

interface Reply { status: number; body: string; outcome: string }

function engineFor(bundle: WorkerBundle, o: { isolation?: Isolation; limits?: Partial<Limits>; logs?: LogRecord[] } = {}) {
  const engine = new WorkerEngine(bundle, {
    isolation: o.isolation ?? 'request',
    limits: resolveLimits(o.limits),
    env: { NAME: 'isle' },
    dev: true,
    allowEgress: [],
    log: (r) => o.logs?.push(r),
  });
  const request = async (path = '/'): Promise<Reply> => {
    let status = 0;
    const chunks: Uint8Array[] = [];
    const outcome = await engine.handle({
      method: 'GET', url: `http://localhost${path}`, headers: ['host', 'localhost'], body: null, signal: new AbortController().signal,
    }, {
      head: (s) => void (status = s),
      write: async (c) => void chunks.push(c),
      end: () => {},
      abort: () => {},
    });
    return { status, body: Buffer.concat(chunks).toString('utf8'), outcome };
  };
  return { engine, request };
}

const entropyWorker = `
const topId = crypto.randomUUID();
const topRandom = Math.random();
const topNow = Date.now();
const topBytes = Array.from(crypto.getRandomValues(new Uint8Array(8))).join(',');
let counter = 0;
export default {
  fetch(request: Request, env: { NAME: string }) {
    counter++;
    (globalThis as any).seen = ((globalThis as any).seen ?? 0) + 1;
    return Response.json({
      topId, topRandom, topNow, topBytes, counter, seen: (globalThis as any).seen, name: env.NAME,
      id: crypto.randomUUID(), random: Math.random(), now: Date.now(),
    });
  },
};
`;

describe('per-version snapshot', () => {
  it('wraps only bundles in Isle format, keeping every line of the bundle where it was', async () => {
    const bundle = await bundleOf('export default { fetch: () => new Response("x") };');
    const deferred = deferredBundleScript(bundle.code)!;
    expect(deferred).toBeDefined();
    expect(deferred.split('\n').length).toBe(bundle.code.split('\n').length);
    expect(deferred.split('\n').slice(1, -2)).toEqual(bundle.code.split('\n').slice(1, -2));
    expect(deferredBundleScript('console.log(1)')).toBeUndefined();
  });

  it('is built, and requests from it get fresh module state, globals, entropy and clocks', async () => {
    const bundle = await bundleOf(entropyWorker);
    const { engine, request } = engineFor(bundle);
    const info = await engine.prepare();
    expect(info).toBeDefined();
    expect(info!.bytes).toBeGreaterThan(100_000);
    const replies: Record<string, unknown>[] = [];
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 2)); // Date.now() must be able to move on
      const r = await request();
      expect(r.status).toBe(200);
      replies.push(JSON.parse(r.body));
    }
    for (const r of replies) {
      expect(r.counter).toBe(1);
      expect(r.seen).toBe(1);
      expect(r.name).toBe('isle');
    }
    const distinct = (k: string) => new Set(replies.map((r) => String(r[k]))).size;
    // Values made by the tenant's top level are made afresh in every isolate, never baked.
    expect(distinct('topId')).toBe(replies.length);
    expect(distinct('topRandom')).toBe(replies.length);
    expect(distinct('topBytes')).toBe(replies.length);
    expect(distinct('topNow')).toBeGreaterThan(1);
    expect(distinct('id')).toBe(replies.length);
    expect(distinct('random')).toBe(replies.length);
    // Math.random sequences differ between isolates made from the same snapshot.
    expect(new Set(replies.map((r) => `${r.topRandom}:${r.random}`)).size).toBe(replies.length);
    engine.dispose();
  });

  it('keeps a tenant patch of a built-in in its own request', async () => {
    const bundle = await bundleOf(`
      export default {
        fetch(request: Request) {
          const patched = (Array.prototype as any).push.name;
          if (new URL(request.url).pathname === '/patch') (Array.prototype as any).push = function evil() { return 0; };
          return new Response(patched);
        },
      };`);
    const { engine, request } = engineFor(bundle);
    expect(await engine.prepare()).toBeDefined();
    expect((await request('/patch')).body).toBe('push');
    expect((await request('/')).body).toBe('push');
    engine.dispose();
  });

  it('reports a top level that throws only when served (not while warming up) as a startup error', async () => {
    const bundle = await bundleOf(`
      let hostAvailable = false;
      try { crypto.getRandomValues(new Uint8Array(1)); hostAvailable = true; } catch {}
      if (hostAvailable) throw new RangeError('broken at top level');
      export default { fetch: () => new Response('unreachable') };`);
    const logs: LogRecord[] = [];
    const { engine, request } = engineFor(bundle, { logs });
    expect(await engine.prepare()).toBeDefined();
    const r = await request();
    expect(r.status).toBe(500);
    expect(r.outcome).toBe('startup');
    expect(r.body).toMatch(/Worker failed to start/);
    expect(r.body).toMatch(/RangeError: broken at top level/);
    expect(r.body).toMatch(/worker\.ts:4/); // source-mapped to the tenant's file and line
    engine.dispose();
  });

  it('bounds the top level by the startup limit', async () => {
    const bundle = await bundleOf(`
      let hostAvailable = false;
      try { crypto.getRandomValues(new Uint8Array(1)); hostAvailable = true; } catch {}
      if (hostAvailable) for (;;) {}
      export default { fetch: () => new Response('unreachable') };`);
    const { engine, request } = engineFor(bundle, { limits: { startupMs: 50 } });
    expect(await engine.prepare()).toBeDefined();
    const r = await request();
    expect(r.status).toBe(500);
    expect(r.outcome).toBe('startup');
    expect(r.body).toMatch(/did not finish within 50 ms/);
    engine.dispose();
  });

  it('is not built for a worker whose warm-up never settles, which is still served', async () => {
    const bundle = await bundleOf(`
      let n = 0;
      export default {
        fetch() {
          n++;
          let hostAvailable = false;
          try { crypto.getRandomValues(new Uint8Array(1)); hostAvailable = true; } catch {}
          if (!hostAvailable) for (;;) {}
          return new Response('served ' + n);
        },
      };`);
    const { engine, request } = engineFor(bundle);
    expect(await engine.prepare()).toBeUndefined();
    expect((await request()).body).toBe('served 1');
    engine.dispose();
  }, 10_000);

  it('reports a missing handler as before', async () => {
    const bundle = await bundleOf(`export const x = 1;`);
    const { engine, request } = engineFor(bundle);
    await engine.prepare();
    const r = await request();
    expect(r.status).toBe(500);
    expect(r.body).toMatch(/no handler/);
    engine.dispose();
  });
});

describe('per-version snapshot warmed from traffic', () => {
  it('is rebuilt once with the most requested paths (no query) warmed, and serves the same afterwards', async () => {
    const bundle = await bundleOf(`
const id = crypto.randomUUID();
export default {
  fetch(request: Request) {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/items/')) return Response.json({ item: url.pathname.slice(7), q: url.searchParams.get('q'), id });
    return new Response('home ' + id);
  },
};`);
    const { engine, request } = engineFor(bundle);
    try {
      expect(await engine.prepare()).toBeDefined();
      expect(engine.warmedPaths).toEqual([]);
      const ids = new Set<string>();
      for (let i = 0; i < 200; i++) {
        const r = await request(i % 4 === 0 ? '/' : `/items/${i % 3}?q=secret${i}`);
        expect(r.status).toBe(200);
        if (i % 4 !== 0) ids.add(JSON.parse(r.body).id);
      }
      const until = Date.now() + 10_000;
      while (engine.warmedPaths.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect([...engine.warmedPaths].sort()).toEqual(['/items/0', '/items/1', '/items/2']);
      // Served from the rebuilt snapshot: same answers, and still a fresh top level per request.
      const after = JSON.parse((await request('/items/1?q=x')).body);
      expect(after).toMatchObject({ item: '1', q: 'x' });
      expect(ids.has(after.id)).toBe(false);
      expect(ids.size).toBeGreaterThan(100);
    } finally {
      engine.dispose();
    }
  });
});
