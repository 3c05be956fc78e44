// worker dev end to end: real HTTP on 127.0.0.1, real esbuild builds, real isolates.
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliDev, startDev, type DevFixture } from '../support/project.ts';

const stateWorker = `
let moduleCounter = 0;
export default {
  async fetch(request: Request): Promise<Response> {
    moduleCounter++;
    const g = globalThis as any;
    g.globalCounter = (g.globalCounter ?? 0) + 1;
    const url = new URL(request.url);
    if (url.pathname === '/patch') {
      (Array.prototype as any).push = () => { throw new Error('patched'); };
      (JSON as any).stringify = () => 'lies';
    }
    if (url.pathname === '/check') {
      const arr: number[] = [];
      arr.push(1);
      return new Response(JSON.stringify({ arr, moduleCounter, globalCounter: g.globalCounter }));
    }
    return new Response(JSON.stringify({ moduleCounter, globalCounter: g.globalCounter }), {
      headers: { 'content-type': 'application/json' },
    });
  },
};
`;

describe('worker dev: per-request isolates', () => {
  let dev: DevFixture;
  beforeAll(async () => {
    dev = await startDev({ 'src/index.ts': stateWorker });
  });
  afterAll(() => dev.close());

  it('prints nothing to stderr and serves JSON', async () => {
    const res = await fetch(dev.url + '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ moduleCounter: 1, globalCounter: 1 });
  });

  it('gives every sequential request fresh module state and globals', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await (await fetch(dev.url + '/')).json()).toEqual({ moduleCounter: 1, globalCounter: 1 });
    }
  });

  it('gives 20 concurrent requests fresh state each', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => fetch(dev.url + '/').then((r) => r.json())),
    );
    for (const r of results) expect(r).toEqual({ moduleCounter: 1, globalCounter: 1 });
  });

  it('a request that patched built-in prototypes leaves nothing behind', async () => {
    await fetch(dev.url + '/patch');
    const res = await fetch(dev.url + '/check');
    expect(await res.json()).toEqual({ arr: [1], moduleCounter: 1, globalCounter: 1 });
  });

  it('logs one access line per request with method, path, status, wall and CPU ms', async () => {
    await fetch(dev.url + '/access-probe?x=1');
    const line = await dev.waitForOutput(/GET \/access-probe\?x=1 200/);
    expect(line).toMatch(/GET \/access-probe\?x=1 200 [\d.]+ms wall [\d.]+ms cpu/);
  });
});

describe('worker dev: bridge', () => {
  let dev: DevFixture;
  beforeAll(async () => {
    dev = await startDev({
      'src/index.ts': `
        export default {
          async fetch(request: Request): Promise<Response> {
            const url = new URL(request.url);
            if (url.pathname === '/echo') return new Response(request.body, { headers: { 'x-method': request.method } });
            if (url.pathname === '/headers') {
              return Response.json({ accept: request.headers.get('x-multi'), method: request.method, url: request.url });
            }
            if (url.pathname === '/cookies') {
              const h = new Headers();
              h.append('set-cookie', 'a=1; Path=/');
              h.append('set-cookie', 'b=2; Path=/');
              return new Response('ok', { headers: h });
            }
            if (url.pathname === '/no-content') return new Response(null, { status: 204 });
            if (url.pathname === '/status') return new Response('teapot', { status: 418, statusText: 'I am a teapot' });
            return new Response('hello body', { headers: { 'x-kind': 'text' } });
          },
        };`,
    });
  });
  afterAll(() => dev.close());

  it('keeps repeated request headers and the full URL', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(dev.url + '/headers?q=1', { headers: { 'x-multi': ['a', 'b'] } }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end();
    });
    const parsed = JSON.parse(body);
    expect(parsed.accept).toBe('a, b');
    expect(parsed.method).toBe('GET');
    expect(parsed.url).toBe(`${dev.url}/headers?q=1`);
  });

  it('keeps several Set-Cookie headers apart', async () => {
    const res = await fetch(dev.url + '/cookies');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
  });

  it('sends no body for HEAD and 204, and passes status text', async () => {
    const head = await fetch(dev.url + '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-kind')).toBe('text');
    expect(await head.text()).toBe('');
    const noContent = await fetch(dev.url + '/no-content');
    expect(noContent.status).toBe(204);
    expect(await noContent.text()).toBe('');
    const teapot = await fetch(dev.url + '/status');
    expect([teapot.status, teapot.statusText, await teapot.text()]).toEqual([418, 'I am a teapot', 'teapot']);
  });

  it('echoes a small POST body', async () => {
    const res = await fetch(dev.url + '/echo', { method: 'POST', body: 'ping' });
    expect(res.headers.get('x-method')).toBe('POST');
    expect(await res.text()).toBe('ping');
  });

  it('streams a 50 MB upload back without holding it in memory (server RSS grows < 64 MB)', async () => {
    // The server runs in its own process (the real CLI), so only its memory is measured.
    const server = await startCliDev(dev.dir);
    try {
      const total = 50 * 1024 * 1024;
      const chunk = new Uint8Array(64 * 1024).fill(7);
      let sent = 0;
      const upload = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent >= total) return c.close();
          c.enqueue(chunk);
          sent += chunk.byteLength;
        },
      });
      const rssBefore = server.rssMb();
      let peak = rssBefore;
      const sampler = setInterval(() => (peak = Math.max(peak, server.rssMb())), 10);
      const res = await fetch(server.url + '/echo', { method: 'POST', body: upload, duplex: 'half' } as RequestInit);
      let received = 0;
      let allSevens = true;
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        received += part.byteLength;
        if (part[0] !== 7 || part[part.byteLength - 1] !== 7) allSevens = false;
      }
      clearInterval(sampler);
      expect(received).toBe(total);
      expect(allSevens).toBe(true);
      expect(peak - rssBefore).toBeLessThan(64);
    } finally {
      await server.stop();
    }
  });
});

describe('worker dev: limits and faults', () => {
  let dev: DevFixture;
  beforeAll(async () => {
    dev = await startDev(
      {
        'src/index.ts': `
          import { explode } from './explode';
          export default {
            async fetch(request: Request): Promise<Response> {
              const path = new URL(request.url).pathname;
              if (path === '/loop') for (;;) {}
              if (path === '/memory') {
                const hog: number[][] = [];
                for (;;) hog.push(new Array(100000).fill(Math.random()));
              }
              if (path === '/throw') explode();
              if (path === '/hang') return new Promise<Response>(() => {});
              if (path === '/not-a-response') return 'nope' as unknown as Response;
              return new Response('fine');
            },
          };`,
        'src/explode.ts': `export function explode(): never {\n  throw new TypeError('kaboom from explode');\n}\n`,
      },
      // CPU limit well above what filling 32 MB takes on a loaded 2-core machine (~200 ms).
      { limits: { cpuMs: 1000, wallMs: 3000, memoryMb: 32 } },
    );
  });
  afterAll(() => dev.close());

  it('stops an infinite loop at the CPU limit with a 503 naming it, then serves the next request', async () => {
    const res = await fetch(dev.url + '/loop');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/CPU time limit \(1000 ms\)/);
    expect(await (await fetch(dev.url + '/')).text()).toBe('fine');
    await dev.waitForOutput(/CPU time limit/);
  });

  it('stops a memory bomb with a 503 naming the memory limit; the host lives on', async () => {
    const res = await fetch(dev.url + '/memory');
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/memory limit \(32 MB\)/);
    expect(await (await fetch(dev.url + '/')).text()).toBe('fine');
  });

  it('answers a throw with 500 showing the message and a source-mapped stack in dev', async () => {
    const res = await fetch(dev.url + '/throw');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toMatch(/TypeError: kaboom from explode/);
    expect(text).toMatch(/src\/explode\.ts:2:\d+/);
    expect(res.headers.get('x-isle-request-id')).toBeTruthy();
    await dev.waitForOutput(/Uncaught TypeError: kaboom from explode/);
  });

  it('ends a never-settling promise at the wall limit with 504', async () => {
    const res = await fetch(dev.url + '/hang');
    expect(res.status).toBe(504);
    expect(await res.text()).toMatch(/wall-clock time limit \(3000 ms\)/);
  });

  it('explains a handler that returns something other than a Response', async () => {
    const res = await fetch(dev.url + '/not-a-response');
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/must return a Response/);
  });
});

describe('worker dev: worker formats and context', () => {
  it('serves service-worker syntax', async () => {
    const dev = await startDev({
      'src/index.js': `addEventListener('fetch', (event) => {
        event.respondWith(new Response('sw:' + new URL(event.request.url).pathname));
      });`,
    }, { entry: 'src/index.js' });
    try {
      expect(await (await fetch(dev.url + '/x')).text()).toBe('sw:/x');
    } finally {
      await dev.close();
    }
  });

  it('runs ctx.waitUntil work after the response is sent', async () => {
    const dev = await startDev({
      'src/index.ts': `export default {
        async fetch(request: Request, env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }) {
          ctx.waitUntil(new Promise<void>((resolve) => setTimeout(() => { console.log('waitUntil done'); resolve(); }, 200)));
          return new Response('sent first');
        },
      };`,
    });
    try {
      const t0 = Date.now();
      expect(await (await fetch(dev.url + '/')).text()).toBe('sent first');
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(dev.out.some((l) => l.includes('waitUntil done'))).toBe(false);
      await dev.waitForOutput(/\[log\].*waitUntil done/);
    } finally {
      await dev.close();
    }
  });

  it('keeps the response when the handler leaves a promise rejection unhandled', async () => {
    const dev = await startDev({
      'src/index.ts': `export default {
        fetch() {
          Promise.reject(new RangeError('nobody handles me'));
          return new Response('still answered');
        },
      };`,
    });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(dev.url + '/');
        expect([res.status, await res.text()]).toEqual([200, 'still answered']);
      }
    } finally {
      await dev.close();
    }
  });

  it('reports a rejection left unhandled by a later task of the request (waitUntil)', async () => {
    const dev = await startDev({
      'src/index.ts': `export default {
        fetch(_r: Request, _env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }) {
          ctx.waitUntil(new Promise<void>((resolve) => setTimeout(() => {
            Promise.reject(new RangeError('nobody handles me later'));
            setTimeout(resolve, 20);
          }, 5)));
          return new Response('answered');
        },
      };`,
    });
    try {
      expect(await (await fetch(dev.url + '/')).text()).toBe('answered');
      await dev.waitForOutput(/RangeError: nobody handles me later/);
    } finally {
      await dev.close();
    }
  });

  it('passes env vars to module workers', async () => {
    const dev = await startDev({
      'src/index.ts': `export default { fetch: (_r: Request, env: Record<string, unknown>) => Response.json(env) };`,
    }, { env: { A: '1', B: { nested: true } } });
    try {
      expect(await (await fetch(dev.url + '/')).json()).toEqual({ A: '1', B: { nested: true } });
    } finally {
      await dev.close();
    }
  });

  it('aborts request.signal when the client disconnects', async () => {
    const dev = await startDev({
      'src/index.ts': `export default {
        async fetch(request: Request, env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }) {
          ctx.waitUntil(new Promise<void>((resolve) => {
            request.signal.addEventListener('abort', () => { console.log('signal aborted: ' + request.signal.reason.name); resolve(); });
          }));
          return new Promise<Response>(() => {});
        },
      };`,
    }, { limits: { wallMs: 10_000 } });
    try {
      const controller = new AbortController();
      const pending = fetch(dev.url + '/', { signal: controller.signal }).catch(() => 'aborted');
      await new Promise((r) => setTimeout(r, 300));
      controller.abort();
      expect(await pending).toBe('aborted');
      await dev.waitForOutput(/signal aborted: AbortError/);
    } finally {
      await dev.close();
    }
  });
});

describe('worker dev: rebuilds', () => {
  it('serves the new build after an edit and keeps the old one on a syntax error', async () => {
    const dev = await startDev({ 'src/index.ts': `export default { fetch: () => new Response('v1') };` }, { watch: true });
    try {
      expect(await (await fetch(dev.url)).text()).toBe('v1');
      writeFileSync(join(dev.dir, 'src/index.ts'), `export default { fetch: () => new Response('v2') };`);
      await dev.waitForOutput(/Rebuilt worker\.js/);
      expect(await (await fetch(dev.url)).text()).toBe('v2');
      writeFileSync(join(dev.dir, 'src/index.ts'), `export default { fetch: () => new Response('v3' };`);
      const failure = await dev.waitForOutput(/Build failed/);
      expect(failure).toMatch(/still serving the previous build/);
      expect(dev.err.join('\n')).toMatch(/src\/index\.ts:1:\d+: /);
      expect(await (await fetch(dev.url)).text()).toBe('v2');
    } finally {
      await dev.close();
    }
  });

  it('refuses Node built-ins with a message about web APIs', async () => {
    await expect(startDev({ 'src/index.ts': `import fs from 'node:fs';\nexport default { fetch: () => new Response(String(fs)) };` }))
      .rejects.toThrow(/Node built-in module "node:fs" cannot be imported: Isle workers get web APIs only/);
  });
});

describe('worker dev: scheduled', () => {
  it('fires scheduled() by hand at /__scheduled', async () => {
    const dev = await startDev({
      'src/index.ts': `export default {
        fetch: () => new Response('x'),
        scheduled(controller: { cron: string; scheduledTime: number }) { console.log('scheduled with ' + controller.cron + ' ' + typeof controller.scheduledTime); },
      };`,
    });
    try {
      const res = await fetch(dev.url + '/__scheduled?cron=*/5+*+*+*+*');
      expect(res.status).toBe(200);
      await dev.waitForOutput(/scheduled with \*\/5 \* \* \* \* number/);
    } finally {
      await dev.close();
    }
  });
});

describe('worker dev: content encoding', () => {
  it('encodes the body when the worker labels it gzip or br (fetch() passthrough stays consistent)', async () => {
    const dev = await startDev({
      'src/index.ts': `export default {
        fetch(request: Request) {
          const enc = new URL(request.url).searchParams.get('enc') ?? 'gzip';
          return new Response('compress me '.repeat(100), { headers: { 'content-encoding': enc, 'content-length': '1200' } });
        },
      };`,
    });
    try {
      for (const enc of ['gzip', 'br', 'deflate']) {
        const res = await fetch(`${dev.url}/?enc=${enc}`);
        expect(res.headers.get('content-encoding')).toBe(enc);
        expect(await res.text()).toBe('compress me '.repeat(100));
      }
      const { gunzipSync } = await import('node:zlib');
      const raw = await new Promise<Buffer>((resolve, reject) => {
        httpRequest(dev.url + '/?enc=gzip', (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c) => parts.push(c));
          res.on('end', () => resolve(Buffer.concat(parts)));
        }).on('error', reject).end();
      });
      expect(raw.length).toBeLessThan(1200);
      expect(gunzipSync(raw).toString()).toBe('compress me '.repeat(100));
    } finally {
      await dev.close();
    }
  });
});
