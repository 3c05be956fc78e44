// Host-backed APIs exercised the way tenants use them: a real worker served by `worker dev` over
// real HTTP, talking to real upstreams on 127.0.0.1 through the egress policy.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevFixture } from '../support/project.ts';

let upstream: Server;
let upstreamPort: number;
const seen: string[] = [];

beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/hello' }).end();
      return;
    }
    if (req.url === '/upload') {
      let chunks = 0;
      let bytes = 0;
      for await (const c of req) {
        chunks++;
        bytes += (c as Buffer).byteLength;
      }
      res.end(JSON.stringify({ chunks, bytes }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': 'yes' }).end('hello from upstream');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamPort = (upstream.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

// jose's package.json is resolvable from the repo (devDependency); its browser build is bundled into the worker.
const joseDir = dirname(createRequire(import.meta.url).resolve('jose/package.json'));

const worker = (port: number) => `
import { SignJWT, jwtVerify, generateKeyPair } from '${joseDir}/dist/webapi/index.js';

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const upstream = 'http://127.0.0.1:${port}';
    switch (url.pathname) {
      case '/proxy': {
        const r = await fetch(upstream + '/hello');
        return new Response(await r.text(), { headers: { 'x-upstream': r.headers.get('x-upstream') ?? '' } });
      }
      case '/follow': {
        const r = await fetch(upstream + '/redirect');
        return Response.json({ status: r.status, redirected: r.redirected, url: r.url, body: await r.text() });
      }
      case '/manual': {
        const r = await fetch(upstream + '/redirect', { redirect: 'manual' });
        return Response.json({ status: r.status, location: r.headers.get('location') });
      }
      case '/error-mode': {
        try { await fetch(upstream + '/redirect', { redirect: 'error' }); return new Response('no error'); }
        catch (e) { return new Response((e as Error).name); }
      }
      case '/upload': {
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(c) { if (sent++ >= 8) c.close(); else c.enqueue(new Uint8Array(32 * 1024)); },
        });
        const r = await fetch(upstream + '/upload', { method: 'POST', body, duplex: 'half' } as RequestInit);
        return new Response(await r.text());
      }
      case '/blocked': {
        const target = url.searchParams.get('target')!;
        try { await fetch(target); return new Response('reached'); }
        catch (e) { return new Response((e as Error).name + ': ' + (e as Error).message); }
      }
      case '/sse': {
        let n = 0;
        let timer: ReturnType<typeof setInterval>;
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            const enc = new TextEncoder();
            timer = setInterval(() => {
              n++;
              c.enqueue(enc.encode('data: tick ' + n + '\\n\\n'));
              if (n === 3) { clearInterval(timer); c.close(); }
            }, 30);
          },
          cancel() { clearInterval(timer); },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      }
      case '/console': {
        const m = new Map<string, unknown>([['k', { deep: [1, 2, { x: new Uint8Array([1, 2]) }] }]]);
        const cyclic: Record<string, unknown> = { name: 'loop' };
        cyclic.self = cyclic;
        console.log('formatted %s %d', 'str', 42, m, cyclic);
        console.error(new TypeError('shown with stack'));
        return new Response('logged');
      }
      case '/crypto': {
        const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode('secret'));
        const pt = new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, ct));
        const { publicKey, privateKey } = await generateKeyPair('ES256');
        const jwt = await new SignJWT({ sub: 'isle' }).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('1h').sign(privateKey);
        const { payload } = await jwtVerify(jwt, publicKey);
        const hs = new TextEncoder().encode('a-string-secret-at-least-256-bits-long');
        const hsJwt = await new SignJWT({ n: 1 }).setProtectedHeader({ alg: 'HS256' }).sign(hs);
        const hsOk = (await jwtVerify(hsJwt, hs)).payload.n;
        return Response.json({ pt, sub: payload.sub, hsOk, uuid: crypto.randomUUID().length });
      }
      case '/compress': {
        const input = 'isle '.repeat(1000);
        const gz = new Response(new Blob([input]).stream().pipeThrough(new CompressionStream('gzip')));
        const bytes = new Uint8Array(await gz.arrayBuffer());
        const back = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
        let corrupt = 'no error';
        try { await new Response(new Blob([new Uint8Array([1, 2, 3, 4])]).stream().pipeThrough(new DecompressionStream('gzip'))).text(); }
        catch (e) { corrupt = (e as Error).name; }
        return Response.json({ smaller: bytes.length < input.length, same: back === input, corrupt });
      }
    }
    return new Response('not found', { status: 404 });
  },
};
`;

describe('host-backed APIs over HTTP through worker dev', () => {
  let dev: DevFixture;
  beforeAll(async () => {
    dev = await startDev({ 'src/index.ts': worker(upstreamPort) }, { allowEgress: [`127.0.0.1:${upstreamPort}`], limits: { subrequests: 20 } });
  });
  afterAll(() => dev.close());

  it('fetches an upstream allowed by --allow-egress', async () => {
    const res = await fetch(dev.url + '/proxy');
    expect([await res.text(), res.headers.get('x-upstream')]).toEqual(['hello from upstream', 'yes']);
  });

  it('follows redirects, or returns them (manual), or fails (error)', async () => {
    expect(await (await fetch(dev.url + '/follow')).json()).toEqual({
      status: 200, redirected: true, url: `http://127.0.0.1:${upstreamPort}/hello`, body: 'hello from upstream',
    });
    expect(await (await fetch(dev.url + '/manual')).json()).toEqual({ status: 302, location: '/hello' });
    expect(await (await fetch(dev.url + '/error-mode')).text()).toBe('TypeError');
  });

  it('streams an upload body to the upstream', async () => {
    const r = JSON.parse(await (await fetch(dev.url + '/upload')).text());
    expect(r.bytes).toBe(8 * 32 * 1024);
  });

  it('refuses loopback, private, link-local and metadata targets with a policy TypeError', async () => {
    for (const target of ['http://127.0.0.1:1/', 'http://localhost:1/', 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:1/', 'http://[::ffff:127.0.0.1]:1/']) {
      const text = await (await fetch(`${dev.url}/blocked?target=${encodeURIComponent(target)}`)).text();
      expect(text, target).toMatch(/^TypeError: .*blocked by the egress policy/);
    }
    await dev.waitForOutput(/blocked by the egress policy|egress/i);
  });

  it('streams interval ticks as server-sent events', async () => {
    const res = await fetch(dev.url + '/sse');
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const arrivals: number[] = [];
    let text = '';
    const decoder = new TextDecoder();
    for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
      arrivals.push(Date.now());
      text += decoder.decode(part, { stream: true });
    }
    expect(text).toBe('data: tick 1\n\ndata: tick 2\n\ndata: tick 3\n\n');
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
  });

  it('formats console output inside the isolate', async () => {
    await fetch(dev.url + '/console');
    const line = await dev.waitForOutput(/formatted str 42/);
    // Node-style inspection, nested objects past depth 2 abbreviated, cycles marked.
    expect(line).toMatch(/formatted str 42 Map\(1\) \{ 'k' => \{ deep: \[ 1, 2, \[Object\] \] \} \} \{ name: 'loop', self: \[Circular\] \}$/);
    await dev.waitForOutput(/\[error\].*TypeError: shown with stack/);
  });

  it('runs WebCrypto and jose (ES256, HS256) inside the worker', async () => {
    expect(await (await fetch(dev.url + '/crypto')).json()).toEqual({ pt: 'secret', sub: 'isle', hsOk: 1, uuid: 36 });
  });

  it('compresses and decompresses, and rejects corrupt input with TypeError', async () => {
    expect(await (await fetch(dev.url + '/compress')).json()).toEqual({ smaller: true, same: true, corrupt: 'TypeError' });
  });
});

describe('subrequest budget in tenant isolation', () => {
  it('restarts for each request even though the isolate is reused', async () => {
    const dev = await startDev(
      { 'src/index.ts': `export default { async fetch() { return new Response(await (await fetch('http://127.0.0.1:${upstreamPort}/hello')).text()); } };` },
      { isolation: 'tenant', allowEgress: [`127.0.0.1:${upstreamPort}`], limits: { subrequests: 2 } },
    );
    try {
      // Five sequential requests, one fetch each: a budget shared across requests would run out at the third.
      for (let i = 0; i < 5; i++) expect(await (await fetch(dev.url)).text()).toBe('hello from upstream');
    } finally {
      await dev.close();
    }
  });
});
