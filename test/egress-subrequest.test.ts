// Host side of outbound fetch (runtime/host/ops/outbound-fetch.ts) driven directly through its ops
// with a stand-in OpContext: redirects, policy on every hop, limits, decoding, backpressure.
// The same behaviour through a real isolate is covered by test/api/fetch-outbound*.test.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync, deflateSync, deflateRawSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EGRESS_STATE, outboundFetchOps, type SubrequestHead } from '../runtime/host/ops/outbound-fetch.ts';
import { createEgress, type Egress } from '../runtime/host/egress/connect.ts';
import type { OpContext } from '../runtime/host/ops/types.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

function startServer(host = '127.0.0.1'): Promise<{ server: Server; port: number; routes: Map<string, Handler>; seen: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[] }> {
  const routes = new Map<string, Handler>();
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = req.url!.split('?')[0]!;
      const h = routes.get(path);
      if (h) h(req, res, body);
      else {
        res.statusCode = 404;
        res.end('not found');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, host, () => resolve({ server, port: (server.address() as AddressInfo).port, routes, seen })));
}

interface FakeIsolate {
  ctx: OpContext;
  logs: [string, string][];
  uploads: Map<number, { chunks: Uint8Array[]; pulls: number; cancelled?: string }>;
  dispose(): void;
}

function fakeIsolate(options: { allow?: string[]; limit?: number; egress?: Egress } = {}): FakeIsolate {
  const states = new Map<symbol, unknown>();
  const disposers: (() => void)[] = [];
  const logs: [string, string][] = [];
  const uploads = new Map<number, { chunks: Uint8Array[]; pulls: number; cancelled?: string }>();
  let disposed = false;
  const ctx: OpContext = {
    id: 'test',
    log: { system: (l, m) => logs.push([l, m]), tenant: () => {}, access: () => {} },
    state<T>(key: symbol, init: () => T): T {
      if (!states.has(key)) states.set(key, init());
      return states.get(key) as T;
    },
    onDispose: (fn) => disposers.push(fn),
    async callIsolate(kind: string, id: unknown, reason?: unknown) {
      const u = uploads.get(id as number);
      if (!u) throw new Error('no upload');
      if (kind === 'subrequest.pullBody') {
        u.pulls++;
        await new Promise((r) => setTimeout(r, 5));
        const value = u.chunks.shift();
        return value ? { done: false, value } : { done: true };
      }
      if (kind === 'subrequest.cancelBody') u.cancelled = String(reason);
      return undefined;
    },
    config: { subrequestLimit: options.limit ?? 50, allowEgress: options.allow ?? [] },
    get disposed() {
      return disposed;
    },
    mapStack: (s) => s,
  };
  if (options.egress) ctx.state(EGRESS_STATE, () => options.egress!);
  return {
    ctx,
    logs,
    uploads,
    dispose() {
      disposed = true;
      for (const fn of disposers) fn();
    },
  };
}

let nextId = 1;
const start = outboundFetchOps.async!['subrequest.start']!;
const read = outboundFetchOps.async!['subrequest.read']!;
const cancel = outboundFetchOps.send!['subrequest.cancel']!;

async function fetchVia(iso: FakeIsolate, init: Partial<{ method: string; url: string; headers: string[]; redirect: string; body: unknown }>) {
  const id = nextId++;
  const head = (await start(iso.ctx, id, {
    method: 'GET', headers: [], redirect: 'follow', body: null, ...init,
  })) as SubrequestHead;
  return { id, head };
}

/** The body: inline with the head when it arrived complete, else read chunk by chunk. */
async function readAll(iso: FakeIsolate, r: { id: number; head: SubrequestHead }): Promise<Buffer> {
  if (r.head.body !== null) return Buffer.from(r.head.body);
  const id = r.id;
  const parts: Uint8Array[] = [];
  for (;;) {
    const c = (await read(iso.ctx, id)) as Uint8Array | null;
    if (c === null) return Buffer.concat(parts);
    parts.push(c);
  }
}

function header(head: SubrequestHead, name: string): string | undefined {
  for (let i = 0; i < head.headers.length; i += 2) if (head.headers[i]!.toLowerCase() === name) return head.headers[i + 1];
  return undefined;
}

describe('outbound fetch host ops', () => {
  let up: Awaited<ReturnType<typeof startServer>>;
  let other: Awaited<ReturnType<typeof startServer>>;
  let base = '';
  let otherBase = '';
  let allow: string[] = [];

  beforeAll(async () => {
    up = await startServer();
    other = await startServer();
    base = `http://127.0.0.1:${up.port}`;
    otherBase = `http://127.0.0.1:${other.port}`;
    allow = [`127.0.0.1:${up.port}`, `127.0.0.1:${other.port}`];
    up.routes.set('/hello', (_req, res) => {
      res.setHeader('x-multi', ['a', 'b']);
      res.end('hello world');
    });
    up.routes.set('/echo', (req, res, body) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, headers: req.headers, body: body.toString() }));
    });
    up.routes.set('/redirect', (req, res) => {
      const u = new URL(req.url!, base);
      res.statusCode = Number(u.searchParams.get('status') ?? 302);
      res.setHeader('location', u.searchParams.get('to') ?? '/echo');
      res.end('redirecting');
    });
    up.routes.set('/loop', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', '/loop');
      res.end();
    });
    other.routes.set('/echo', (req, res, body) => {
      res.end(JSON.stringify({ method: req.method, headers: req.headers, body: body.toString(), other: true }));
    });
  });
  afterAll(async () => {
    up.server.closeAllConnections();
    other.server.closeAllConnections();
    await new Promise((r) => up.server.close(r));
    await new Promise((r) => other.server.close(r));
  });

  it('GET: status, raw headers in order, body chunks, default Accept and Host from the URL', async () => {
    const iso = fakeIsolate({ allow });
    const res = await fetchVia(iso, { url: `${base}/hello`, headers: ['Host', 'evil.example', 'Connection', 'x-drop', 'x-drop', '1'] });
    const { head } = res;
    expect(head.status).toBe(200);
    expect(head.statusText).toBe('OK');
    expect(head.redirected).toBe(false);
    expect(head.url).toBe(`${base}/hello`);
    expect(head.headers.filter((_, i) => i % 2 === 0 && head.headers[i]!.toLowerCase() === 'x-multi').length).toBe(2);
    expect(header(head, 'connection')).toBeUndefined();
    expect((await readAll(iso, res)).toString()).toBe('hello world');
    const req = up.seen.at(-1)!;
    expect(req.headers.host).toBe(`127.0.0.1:${up.port}`);
    expect(req.headers.accept).toBe('*/*');
    expect(req.headers['x-drop']).toBeUndefined();
    iso.dispose();
  });

  it('denies loopback without a rule and logs the denial', async () => {
    const iso = fakeIsolate();
    const err = await fetchVia(iso, { url: `${base}/hello` }).catch((e) => e);
    expect(err.name).toBe('TypeError');
    expect(err.message).toBe(`fetch to ${base} was blocked by the egress policy: 127.0.0.1 is a loopback address`);
    expect(iso.logs.some(([l, m]) => l === 'warn' && m.includes('egress denied'))).toBe(true);
  });

  it('follows 302 for POST as GET without body headers; 307 resends the bytes', async () => {
    const iso = fakeIsolate({ allow });
    const body = new TextEncoder().encode('payload');
    const r1 = await fetchVia(iso, {
      method: 'POST', url: `${base}/redirect?status=302`, headers: ['content-type', 'text/plain', 'x-keep', '1'], body,
    });
    const e1 = JSON.parse((await readAll(iso, r1)).toString());
    expect(e1.method).toBe('GET');
    expect(e1.body).toBe('');
    expect(e1.headers['content-type']).toBeUndefined();
    expect(e1.headers['x-keep']).toBe('1');
    expect(r1.head.redirected).toBe(true);
    expect(r1.head.urlList).toEqual([`${base}/redirect?status=302`, `${base}/echo`]);

    const r2 = await fetchVia(iso, { method: 'POST', url: `${base}/redirect?status=307`, headers: ['content-type', 'text/plain'], body });
    const e2 = JSON.parse((await readAll(iso, r2)).toString());
    expect(e2).toMatchObject({ method: 'POST', body: 'payload' });
    expect(e2.headers['content-type']).toBe('text/plain');

    const r3 = await fetchVia(iso, { method: 'PUT', url: `${base}/redirect?status=303`, body });
    expect(JSON.parse((await readAll(iso, r3)).toString())).toMatchObject({ method: 'GET', body: '' });
    iso.dispose();
  });

  it('drops Authorization (and Cookie) when a redirect leaves the origin, keeps it on the same origin', async () => {
    const iso = fakeIsolate({ allow });
    const same = await fetchVia(iso, { url: `${base}/redirect?to=/echo`, headers: ['authorization', 'Bearer x', 'cookie', 'a=b'] });
    expect(JSON.parse((await readAll(iso, same)).toString()).headers.authorization).toBe('Bearer x');
    const cross = await fetchVia(iso, {
      url: `${base}/redirect?to=${encodeURIComponent(`${otherBase}/echo`)}`, headers: ['authorization', 'Bearer x', 'cookie', 'a=b'],
    });
    const e = JSON.parse((await readAll(iso, cross)).toString());
    expect(e.other).toBe(true);
    expect(e.headers.authorization).toBeUndefined();
    expect(e.headers.cookie).toBeUndefined();
    iso.dispose();
  });

  it('manual gives the real 3xx; error rejects; a loop stops after 20 redirects', async () => {
    const iso = fakeIsolate({ allow, limit: 100 });
    const m = await fetchVia(iso, { url: `${base}/redirect?status=301&to=/x`, redirect: 'manual' });
    expect(m.head.status).toBe(301);
    expect(header(m.head, 'location')).toBe('/x');
    expect((await readAll(iso, m)).toString()).toBe('redirecting');
    const e = await fetchVia(iso, { url: `${base}/redirect`, redirect: 'error' }).catch((x) => x);
    expect(e).toMatchObject({ name: 'TypeError' });
    expect(e.message).toMatch(/redirect mode is "error"/);
    const before = up.seen.length;
    const loop = await fetchVia(iso, { url: `${base}/loop` }).catch((x) => x);
    expect(loop.message).toBe('fetch failed: too many redirects (more than 20)');
    expect(up.seen.length - before).toBe(21);
    iso.dispose();
  });

  it('applies the policy to every hop: a redirect to a denied target is blocked', async () => {
    const iso = fakeIsolate({ allow: [`127.0.0.1:${up.port}`] });
    const otherBefore = other.seen.length;
    const toOther = await fetchVia(iso, { url: `${base}/redirect?to=${encodeURIComponent(`${otherBase}/echo`)}` }).catch((x) => x);
    expect(toOther.message).toBe(`fetch to ${otherBase} was blocked by the egress policy: 127.0.0.1 is a loopback address`);
    const toMeta = await fetchVia(iso, { url: `${base}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}` }).catch((x) => x);
    expect(toMeta.message).toMatch(/blocked by the egress policy: 169\.254\.169\.254 is a cloud metadata address/);
    expect(other.seen.length).toBe(otherBefore);
    iso.dispose();
  });

  it('counts every hop against the subrequest limit', async () => {
    const iso = fakeIsolate({ allow, limit: 3 });
    await readAll(iso, await fetchVia(iso, { url: `${base}/redirect` })); // 2 subrequests
    await readAll(iso, await fetchVia(iso, { url: `${base}/hello` })); // 3
    const err = await fetchVia(iso, { url: `${base}/hello` }).catch((x) => x);
    expect(err.name).toBe('TypeError');
    expect(err.message).toMatch(/^Too many subrequests: this request may make at most 3 subrequests.*limits.*subrequests/);
    iso.dispose();
  });

  it('streams an upload pulled from the isolate; a stream body cannot follow a 307', async () => {
    const iso = fakeIsolate({ allow });
    const enc = new TextEncoder();
    const id = nextId++;
    iso.uploads.set(id, { chunks: [enc.encode('one,'), enc.encode('two,'), enc.encode('three')], pulls: 0 });
    const head = (await start(iso.ctx, id, { method: 'POST', url: `${base}/echo`, headers: [], redirect: 'follow', body: 'stream' })) as SubrequestHead;
    expect(head.status).toBe(200);
    const echoed = JSON.parse((await readAll(iso, { id, head })).toString());
    expect(echoed.body).toBe('one,two,three');
    expect(echoed.headers['transfer-encoding']).toBe('chunked');

    const id2 = nextId++;
    iso.uploads.set(id2, { chunks: [enc.encode('x')], pulls: 0 });
    const err = await Promise.resolve(start(iso.ctx, id2, { method: 'POST', url: `${base}/redirect?status=307`, headers: [], redirect: 'follow', body: 'stream' })).catch((x: Error) => x);
    expect((err as Error).message).toMatch(/cannot follow the 307 redirect because the request body is a stream/);
    iso.dispose();
  });

  it('removes content codings (gzip, deflate, raw deflate, br) and keeps the headers', async () => {
    const text = 'compressible '.repeat(1000);
    const codings: Record<string, Buffer> = {
      gzip: gzipSync(text), deflate: deflateSync(text), rawdeflate: deflateRawSync(text), br: brotliCompressSync(text),
    };
    for (const [name, bytes] of Object.entries(codings)) {
      up.routes.set(`/enc-${name}`, (_req, res) => {
        res.setHeader('content-encoding', name === 'rawdeflate' ? 'deflate' : name);
        res.end(bytes);
      });
    }
    const iso = fakeIsolate({ allow });
    for (const name of Object.keys(codings)) {
      const res = await fetchVia(iso, { url: `${base}/enc-${name}` });
      expect(header(res.head, 'content-encoding')).toBe(name === 'rawdeflate' ? 'deflate' : name);
      expect(res.head.body).toBeNull(); // decoded bodies always stream
      expect((await readAll(iso, res)).toString()).toBe(text);
    }
    expect(up.seen.at(-1)!.headers['accept-encoding']).toBe('gzip, deflate, br');
    up.routes.set('/enc-bad', (_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end('definitely not gzip');
    });
    const bad = await fetchVia(iso, { url: `${base}/enc-bad` });
    const err = await readAll(iso, bad).catch((x) => x);
    expect(err).toMatchObject({ name: 'TypeError' });
    expect(err.message).toMatch(/could not decode the response body/);
    iso.dispose();
  });

  it('backpressure: the host reads the upstream only as the isolate pulls', async () => {
    const total = 32 * 1024 * 1024;
    let written = 0;
    up.routes.set('/big', (_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const iso = fakeIsolate({ allow });
    const { id } = await fetchVia(iso, { url: `${base}/big` });
    const first = (await read(iso.ctx, id)) as Uint8Array;
    expect(first.byteLength).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    // Socket buffers on both sides plus our 64 KiB: far below the 32 MiB body.
    expect(written).toBeLessThan(8 * 1024 * 1024);
    let got = first.byteLength;
    for (;;) {
      const c = (await read(iso.ctx, id)) as Uint8Array | null;
      if (c === null) break;
      got += c.byteLength;
    }
    expect(got).toBe(total);
    iso.dispose();
  });

  it('cancel and dispose abort in-flight subrequests', async () => {
    let closed = 0;
    up.routes.set('/hang', (req, res) => {
      res.write('partial');
      req.socket.on('close', () => closed++);
    });
    const iso = fakeIsolate({ allow });
    const a = await fetchVia(iso, { url: `${base}/hang` });
    expect(Buffer.from((await read(iso.ctx, a.id)) as Uint8Array).toString()).toBe('partial');
    cancel(iso.ctx, a.id);
    const b = await fetchVia(iso, { url: `${base}/hang` });
    expect(Buffer.from((await read(iso.ctx, b.id)) as Uint8Array).toString()).toBe('partial');
    const pending = read(iso.ctx, b.id);
    iso.dispose();
    await expect(pending).rejects.toMatchObject({ name: 'TypeError' });
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(2);
  });

  it('a name resolving to a private address is refused (stub resolver)', async () => {
    const egress = createEgress({ resolver: async () => [{ address: '10.1.2.3', family: 4 }] });
    const iso = fakeIsolate({ egress });
    const err = await fetchVia(iso, { url: 'http://internal.example/' }).catch((x) => x);
    expect(err.message).toBe('fetch to http://internal.example was blocked by the egress policy: 10.1.2.3 is a private address (internal.example resolved to it)');
    await egress.close();
  });
});
