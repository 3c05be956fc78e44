// The tenant's outbound fetch() in real isolates, against local upstream servers on 127.0.0.x
// (allowed by egress rules, since loopback is denied by default).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSession, type EvalOptions } from '../support/isolate.ts';
import { createEgress, type Egress, type Resolver } from '../../runtime/host/egress/connect.ts';
import { EGRESS_STATE } from '../../runtime/host/ops/outbound-fetch.ts';
import type { LogRecord } from '../../runtime/host/log.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Upstream {
  server: Server;
  port: number;
  base: string;
  routes: Map<string, Handler>;
  connections: number;
  closed: number;
}

function startUpstream(host = '127.0.0.1', port = 0): Promise<Upstream> {
  const up = { routes: new Map<string, Handler>(), connections: 0, closed: 0 } as Upstream;
  up.server = createServer((req, res) => {
    const h = up.routes.get(req.url!.split('?')[0]!);
    if (h) return h(req, res);
    res.statusCode = 404;
    res.end('not found');
  });
  up.server.on('connection', (s) => {
    up.connections++;
    s.on('close', () => up.closed++);
  });
  return new Promise((resolve) =>
    up.server.listen(port, host, () => {
      up.port = (up.server.address() as AddressInfo).port;
      up.base = `http://${host}:${up.port}`;
      resolve(up);
    }),
  );
}

interface RunOptions extends EvalOptions {
  limit?: number;
  resolver?: Resolver;
}

/** Runs `body` (an async function body) in a fresh isolate; returns the result and the logs. */
async function run<T = any>(body: string, options: RunOptions = {}): Promise<{ result: T; logs: LogRecord[] }> {
  const logs: LogRecord[] = [];
  const session = await createTestSession(options, logs);
  let egress: Egress | undefined;
  if (options.resolver) {
    egress = createEgress({ allow: options.allowEgress ?? [], resolver: options.resolver });
    session.state(EGRESS_STATE, () => egress!);
  }
  if (options.limit !== undefined) (session.config as { subrequestLimit: number }).subrequestLimit = options.limit;
  try {
    const result = (await session.context.eval(`(async () => {\n${body}\n})()`, {
      promise: true, copy: true, timeout: options.timeoutMs ?? 10_000, filename: 'test.js',
    })) as T;
    return { result, logs };
  } finally {
    session.dispose();
    await egress?.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fetch() outbound', () => {
  let up: Upstream;
  let allow: string[];
  const uploads: { chunks: number[]; times: number[]; body: string; headers: IncomingMessage['headers'] }[] = [];
  let bigWritten = 0;
  let hanging = 0;
  let hangingClosed = 0;
  let timeoutClosed = 0;

  beforeAll(async () => {
    up = await startUpstream();
    allow = [`127.0.0.1:${up.port}`];
    up.routes.set('/hello', (req, res) => {
      res.setHeader('content-type', 'text/plain;charset=utf-8');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(`hello ${req.method} ${req.headers.host}`);
    });
    up.routes.set('/echo', (req, res) => {
      const chunks: Buffer[] = [];
      const rec = { chunks: [] as number[], times: [] as number[], body: '', headers: req.headers };
      req.on('data', (c: Buffer) => {
        chunks.push(c);
        rec.chunks.push(c.length);
        rec.times.push(Date.now());
      });
      req.on('end', () => {
        rec.body = Buffer.concat(chunks).toString();
        uploads.push(rec);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, body: rec.body, headers: req.headers }));
      });
    });
    up.routes.set('/redirect', (req, res) => {
      const u = new URL(req.url!, up.base);
      res.statusCode = Number(u.searchParams.get('status') ?? 302);
      res.setHeader('location', u.searchParams.get('to') ?? '/echo');
      res.end('moved');
    });
    up.routes.set('/hang', (req, res) => {
      hanging++;
      req.socket.once('close', () => hangingClosed++);
      res.setHeader('content-type', 'text/plain');
      res.write('partial;');
    });
    up.routes.set('/slow-head', (req) => {
      hanging++;
      req.socket.once('close', () => hangingClosed++);
    });
    up.routes.set('/zero', (_req, res) => res.end());
    up.routes.set('/slow-timeout', (req) => {
      req.socket.once('close', () => timeoutClosed++);
    });
    up.routes.set('/chunked', (_req, res) => {
      res.write('a;');
      setTimeout(() => res.write('b;'), 20);
      setTimeout(() => res.end('c'), 40);
    });
    up.routes.set('/empty', (_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    up.routes.set('/big', (_req, res) => {
      const total = 32 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 97);
      bigWritten = 0;
      const pump = () => {
        while (bigWritten < total) {
          bigWritten += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    up.routes.set('/written', (_req, res) => res.end(String(bigWritten)));
  });

  afterAll(async () => {
    up.server.closeAllConnections();
    await new Promise((r) => up.server.close(r));
  });

  it('is a global function with the WebIDL shape', async () => {
    const { result } = await run(`
      const d = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
      let noArgs;
      try { await fetch(); } catch (e) { noArgs = e.constructor === TypeError; }
      return { type: typeof fetch, name: fetch.name, length: fetch.length, writable: d.writable, enumerable: d.enumerable,
        configurable: d.configurable, noArgs, promise: fetch('data:,x') instanceof Promise };
    `);
    expect(result).toEqual({ type: 'function', name: 'fetch', length: 1, writable: true, enumerable: true, configurable: true, noArgs: true, promise: true });
  });

  it('GET: status, headers, body, url; Host comes from the URL', async () => {
    const { result } = await run(`
      const r = await fetch('${up.base}/hello', { headers: { host: 'evil.example' } });
      return { status: r.status, statusText: r.statusText, ok: r.ok, url: r.url, redirected: r.redirected, type: r.type,
        ct: r.headers.get('content-type'), cookies: r.headers.getSetCookie(), isResponse: r instanceof Response,
        text: await r.text() };
    `, { allowEgress: allow });
    expect(result).toEqual({
      status: 200, statusText: 'OK', ok: true, url: `${up.base}/hello`, redirected: false, type: 'basic',
      ct: 'text/plain;charset=utf-8', cookies: ['a=1', 'b=2'], isResponse: true, text: `hello GET 127.0.0.1:${up.port}`,
    });
  });

  it('sends byte bodies with their Content-Type and Content-Length; HEAD and 204 have a null body', async () => {
    const { result } = await run(`
      const a = await (await fetch('${up.base}/echo', { method: 'POST', body: 'text body' })).json();
      const b = await (await fetch(new Request('${up.base}/echo', { method: 'PUT', body: new URLSearchParams('x=1&y=2') }))).json();
      const head = await fetch('${up.base}/hello', { method: 'HEAD' });
      const empty = await fetch('${up.base}/empty');
      return { a, b, headBody: head.body, headStatus: head.status, emptyBody: empty.body, emptyStatus: empty.status };
    `, { allowEgress: allow });
    expect(result.a).toMatchObject({ method: 'POST', body: 'text body', headers: { 'content-type': 'text/plain;charset=UTF-8', 'content-length': '9' } });
    expect(result.b).toMatchObject({ method: 'PUT', body: 'x=1&y=2', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' } });
    expect(result).toMatchObject({ headBody: null, headStatus: 200, emptyBody: null, emptyStatus: 204 });
  });

  it('adds the spec\'s default request headers without overriding the tenant\'s', async () => {
    const { result } = await run(`
      const h = async (init) => (await (await fetch('${up.base}/echo', init)).json()).headers;
      const plain = await h();
      const noStore = await h({ cache: 'no-store' });
      const noCache = await h({ cache: 'no-cache' });
      const range = await h({ headers: { range: 'bytes=0-1', accept: 'text/plain' } });
      const post = await h({ method: 'POST' });
      const pick = (x) => ({ accept: x.accept, ae: x['accept-encoding'], cc: x['cache-control'] ?? null, pragma: x.pragma ?? null, cl: x['content-length'] ?? null });
      return { plain: pick(plain), noStore: pick(noStore), noCache: pick(noCache), range: pick(range), post: pick(post) };
    `, { allowEgress: allow });
    expect(result).toEqual({
      plain: { accept: '*/*', ae: 'gzip, deflate, br', cc: null, pragma: null, cl: null },
      noStore: { accept: '*/*', ae: 'gzip, deflate, br', cc: 'no-cache', pragma: 'no-cache', cl: null },
      noCache: { accept: '*/*', ae: 'gzip, deflate, br', cc: 'max-age=0', pragma: null, cl: null },
      range: { accept: 'text/plain', ae: 'identity', cc: null, pragma: null, cl: null },
      post: { accept: '*/*', ae: 'gzip, deflate, br', cc: null, pragma: null, cl: '0' },
    });
  });

  it('streams a ReadableStream upload: the upstream receives chunks as the tenant produces them', async () => {
    const before = uploads.length;
    const { result } = await run(`
      const enc = new TextEncoder();
      let i = 0;
      const body = new ReadableStream({
        async pull(c) {
          if (i === 4) return c.close();
          if (i > 0) await new Promise((r) => setTimeout(r, 80));
          c.enqueue(enc.encode('chunk' + i++ + ';'));
        },
      });
      const r = await fetch('${up.base}/echo', { method: 'POST', body, duplex: 'half' });
      return await r.json();
    `, { allowEgress: allow });
    expect(result.body).toBe('chunk0;chunk1;chunk2;chunk3;');
    expect(result.headers['transfer-encoding']).toBe('chunked');
    const rec = uploads[before]!;
    expect(rec.chunks.length).toBeGreaterThanOrEqual(3);
    // Arrived spread over time, not in one piece at the end.
    expect(rec.times.at(-1)! - rec.times[0]!).toBeGreaterThanOrEqual(150);
  });

  it('rejects with TypeError when a stream body yields a non-Uint8Array chunk', async () => {
    const { result } = await run(`
      const body = new ReadableStream({ start(c) { c.enqueue('not bytes'); c.close(); } });
      try { await fetch('${up.base}/echo', { method: 'POST', body, duplex: 'half' }); return 'resolved'; }
      catch (e) { return e.constructor.name + ': ' + e.message; }
    `, { allowEgress: allow });
    expect(result).toMatch(/^TypeError: /);
  });

  it('redirect: follow (303/302 POST→GET), manual (the real 3xx), error (TypeError)', async () => {
    const { result } = await run(`
      const f = await fetch('${up.base}/redirect?status=302', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
      const fj = await f.json();
      const m = await fetch('${up.base}/redirect?status=301&to=/elsewhere', { redirect: 'manual' });
      let e;
      try { await fetch('${up.base}/redirect', { redirect: 'error' }); } catch (err) { e = err.constructor.name + ': ' + err.message; }
      return { fStatus: f.status, redirected: f.redirected, url: f.url, method: fj.method, ct: fj.headers['content-type'] ?? null,
        mStatus: m.status, mType: m.type, mLocation: m.headers.get('location'), mRedirected: m.redirected, mText: await m.text(), e };
    `, { allowEgress: allow });
    expect(result).toEqual({
      fStatus: 200, redirected: true, url: `${up.base}/echo`, method: 'GET', ct: null,
      mStatus: 301, mType: 'basic', mLocation: '/elsewhere', mRedirected: false, mText: 'moved',
      e: expect.stringMatching(/^TypeError: fetch failed: .*redirect mode is "error"/),
    });
  });

  it('a redirect from an allowed host to a denied one is blocked', async () => {
    const { result, logs } = await run(`
      try { await fetch('${up.base}/redirect?to=' + encodeURIComponent('http://10.0.0.1/admin')); return 'resolved'; }
      catch (e) { return e.constructor.name + ': ' + e.message; }
    `, { allowEgress: allow });
    expect(result).toBe('TypeError: fetch to http://10.0.0.1 was blocked by the egress policy: 10.0.0.1 is a private address');
    expect(logs.some((l) => l.kind === 'system' && l.level === 'warn' && l.message.includes('egress denied'))).toBe(true);
  });

  it('refuses loopback, private, link-local and metadata targets by default', async () => {
    const { result } = await run(`
      const targets = ['http://127.0.0.1:${up.port}/hello', 'http://localhost:${up.port}/', 'http://10.0.0.1/',
        'http://169.254.169.254/latest/meta-data/', 'http://[::1]:${up.port}/', 'http://[::ffff:127.0.0.1]:${up.port}/',
        'http://0x7f.1:${up.port}/', 'https://192.168.1.1/', 'http://[fd00:ec2::254]/'];
      const out = [];
      for (const t of targets) {
        try { await fetch(t); out.push('resolved'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
      }
      return out;
    `);
    expect(result).toEqual([
      `TypeError: fetch to http://127.0.0.1:${up.port} was blocked by the egress policy: 127.0.0.1 is a loopback address`,
      `TypeError: fetch to http://localhost:${up.port} was blocked by the egress policy: localhost is a local name`,
      'TypeError: fetch to http://10.0.0.1 was blocked by the egress policy: 10.0.0.1 is a private address',
      'TypeError: fetch to http://169.254.169.254 was blocked by the egress policy: 169.254.169.254 is a cloud metadata address',
      `TypeError: fetch to http://[::1]:${up.port} was blocked by the egress policy: ::1 is a loopback address`,
      `TypeError: fetch to http://[::ffff:7f00:1]:${up.port} was blocked by the egress policy: ::ffff:7f00:1 is a loopback address (in IPv4-mapped 127.0.0.1)`,
      `TypeError: fetch to http://127.0.0.1:${up.port} was blocked by the egress policy: 127.0.0.1 is a loopback address`,
      'TypeError: fetch to https://192.168.1.1 was blocked by the egress policy: 192.168.1.1 is a private address',
      'TypeError: fetch to http://[fd00:ec2::254] was blocked by the egress policy: fd00:ec2::254 is a cloud metadata address',
    ]);
  });

  it('refuses a name that resolves to a private address (stub resolver)', async () => {
    const { result } = await run(`
      try { await fetch('http://intranet.example/'); return 'resolved'; } catch (e) { return e.message; }
    `, { resolver: async () => [{ address: '93.184.216.34', family: 4 }, { address: '192.168.0.10', family: 4 }] });
    expect(result).toBe('fetch to http://intranet.example was blocked by the egress policy: 192.168.0.10 is a private address (intranet.example resolved to it)');
  });

  it('DNS rebinding: the checked address is the one connected to; the rebound answer is refused', async () => {
    const a = await startUpstream('127.0.0.1');
    const b = await startUpstream('127.0.0.2', a.port);
    const who = (name: string) => (_req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('connection', 'close');
      res.end(name);
    };
    a.routes.set('/', who('A'));
    b.routes.set('/', who('B'));
    let lookups = 0;
    const resolver: Resolver = async () => [{ address: lookups++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    try {
      const { result } = await run(`
        const first = await (await fetch('http://rebind.test:${a.port}/')).text();
        let second;
        try { second = await (await fetch('http://rebind.test:${a.port}/')).text(); } catch (e) { second = e.message; }
        return { first, second };
      `, { allowEgress: ['127.0.0.1'], resolver });
      expect(result.first).toBe('A');
      expect(result.second).toMatch(/^fetch to http:\/\/rebind\.test:\d+ was blocked by the egress policy: 127\.0\.0\.2 is a loopback address/);
      expect(lookups).toBe(2);
      expect(a.connections).toBe(1);
      expect(b.connections).toBe(0);
    } finally {
      for (const s of [a, b]) {
        s.server.closeAllConnections();
        await new Promise((r) => s.server.close(r));
      }
    }
  });

  it('AbortSignal: aborting before the response rejects with the reason; mid-body errors the stream', async () => {
    const closedBefore = up.closed;
    const { result } = await run(`
      const out = {};
      const c1 = new AbortController();
      const p = fetch('${up.base}/slow-head', { signal: c1.signal });
      setTimeout(() => c1.abort(), 50);
      try { await p; out.early = 'resolved'; } catch (e) { out.early = e.name + ':' + (e instanceof DOMException); }
      const reason = new Error('custom reason');
      const c2 = new AbortController();
      const r = await fetch('${up.base}/hang', { signal: c2.signal });
      const reader = r.body.getReader();
      out.first = new TextDecoder().decode((await reader.read()).value);
      c2.abort(reason);
      try { await reader.read(); out.mid = 'resolved'; } catch (e) { out.mid = e === reason; }
      const c3 = new AbortController();
      c3.abort();
      try { await fetch('${up.base}/hello', { signal: c3.signal }); out.pre = 'resolved'; } catch (e) { out.pre = e.name; }
      return out;
    `, { allowEgress: allow });
    expect(result).toEqual({ early: 'AbortError:true', first: 'partial;', mid: true, pre: 'AbortError' });
    await sleep(100);
    expect(up.closed - closedBefore).toBeGreaterThanOrEqual(2);
  });

  it('abort follows the Fetch Standard\'s ordering and body rules', async () => {
    const { result } = await run(`
      const out = {};
      // Already aborted: rejects before a microtask queued afterwards; the request body stream is
      // cancelled synchronously with the same reason; the Request's body counts as used.
      const c = new AbortController();
      c.abort();
      const log = [];
      await Promise.all([fetch('${up.base}/hello', { signal: c.signal }).then(() => log.push('resolved'), () => log.push('fetch-reject')),
        Promise.resolve().then(() => log.push('next-microtask'))]);
      out.order = log;
      let cancelReason;
      const body = new ReadableStream({ pull(ctl) { ctl.enqueue(new Uint8Array([42])); }, cancel(r) { cancelReason = r; } });
      const p = fetch('${up.base}/echo', { method: 'POST', body, duplex: 'half', signal: c.signal });
      out.cancelledSync = cancelReason instanceof DOMException && cancelReason.name === 'AbortError';
      out.sameReason = (await p.catch((e) => e)) === cancelReason;
      const req = new Request('${up.base}/echo', { method: 'POST', body: 'foo', signal: c.signal });
      await fetch(req).catch(() => {});
      out.bodyUsed = req.bodyUsed;
      // Aborted after the response: body methods reject with AbortError.
      for (const m of ['arrayBuffer', 'blob', 'json', 'text', 'formData', 'bytes']) {
        const c2 = new AbortController();
        const r = await fetch('${up.base}/hello', { signal: c2.signal });
        c2.abort();
        out[m] = await r[m]().then(() => 'resolved', (e) => e.name);
      }
      // An empty, complete body is closed before the abort: reading gives done.
      const c3 = new AbortController();
      const empty = await fetch('${up.base}/zero', { signal: c3.signal });
      const reader = empty.body.getReader();
      c3.abort();
      out.emptyDone = (await reader.read()).done;
      // Aborted after getReader on a streaming body: read and closed both reject with AbortError.
      const c4 = new AbortController();
      const hang = await fetch('${up.base}/hang', { signal: c4.signal });
      const r4 = hang.body.getReader();
      c4.abort();
      out.read = await r4.read().then(() => 'resolved', (e) => e.name);
      out.closed = await r4.closed.then(() => 'resolved', (e) => e.name);
      return out;
    `, { allowEgress: allow });
    expect(result).toEqual({
      order: ['fetch-reject', 'next-microtask'], cancelledSync: true, sameReason: true, bodyUsed: true,
      arrayBuffer: 'AbortError', blob: 'AbortError', json: 'AbortError', text: 'AbortError', formData: 'AbortError', bytes: 'AbortError',
      emptyDone: true, read: 'AbortError', closed: 'AbortError',
    });
  });

  it('AbortSignal.timeout rejects with a TimeoutError DOMException and stops the request', async () => {
    const { result } = await run(`
      const t0 = Date.now();
      try { await fetch('${up.base}/slow-timeout', { signal: AbortSignal.timeout(100) }); return 'resolved'; }
      catch (e) { return { name: e.name, dom: e instanceof DOMException, elapsed: Date.now() - t0 }; }
    `, { allowEgress: allow });
    expect(result).toMatchObject({ name: 'TimeoutError', dom: true });
    expect(result.elapsed).toBeGreaterThanOrEqual(90);
    expect(result.elapsed).toBeLessThan(2000);
    await sleep(100);
    expect(timeoutClosed).toBe(1); // the upstream saw the connection go
  });

  it('large download with backpressure: the host does not buffer what the tenant has not read', async () => {
    const { result } = await run(`
      const r = await fetch('${up.base}/big');
      const reader = r.body.getReader();
      let total = (await reader.read()).value.byteLength;
      await new Promise((res) => setTimeout(res, 300));
      const writtenWhilePaused = Number(await (await fetch('${up.base}/written')).text());
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
      }
      return { total, writtenWhilePaused };
    `, { allowEgress: allow, timeoutMs: 30_000 });
    expect(result.total).toBe(32 * 1024 * 1024);
    expect(result.writtenWhilePaused).toBeLessThan(8 * 1024 * 1024);
  });

  it('enforces the subrequest limit with a clear TypeError', async () => {
    const { result } = await run(`
      await (await fetch('${up.base}/hello')).text();
      await (await fetch('${up.base}/hello')).text();
      try { await fetch('${up.base}/hello'); return 'resolved'; } catch (e) { return e.constructor.name + ': ' + e.message; }
    `, { allowEgress: allow, limit: 2 });
    expect(result).toMatch(/^TypeError: Too many subrequests: this request may make at most 2 subrequests .*isle\.json/);
  });

  it('checks Subresource Integrity metadata against the whole body', async () => {
    const { createHash } = await import('node:crypto');
    const text = `hello GET 127.0.0.1:${up.port}`;
    const sha256 = createHash('sha256').update(text).digest('base64');
    const sha512 = createHash('sha512').update(text).digest('base64');
    const { result } = await run(`
      const cases = { good: 'sha256-${sha256}', goodUrl: 'sha256-${sha256.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}',
        bad: 'sha256-AAAA${sha256.slice(4)}', unknown: 'md5-whatever', empty: '',
        strongestWins: 'sha256-${sha256} sha512-AAAA${sha512.slice(4)}', multi: 'sha512-bogus sha512-${sha512}?opt', upper: 'SHA256-${sha256}' };
      const out = {};
      for (const [k, integrity] of Object.entries(cases)) {
        try { out[k] = await (await fetch('${up.base}/hello', { integrity })).text() === ${JSON.stringify(text)}; }
        catch (e) { out[k] = e.constructor.name; }
      }
      return out;
    `, { allowEgress: allow });
    expect(result).toEqual({ good: true, goodUrl: true, bad: 'TypeError', unknown: true, empty: true, strongestWins: 'TypeError', multi: true, upper: true });
  });

  it('network errors are TypeErrors; unsupported schemes are refused', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const { result } = await run(`
      const out = [];
      for (const u of ['http://127.0.0.1:${closedPort}/', 'ftp://example.com/', 'about:blank', 'blob:https://a/b', 'file:///etc/passwd', 'ws://example.com/']) {
        try { await fetch(u); out.push('resolved'); } catch (e) { out.push(e.constructor.name + ': ' + e.message); }
      }
      return out;
    `, { allowEgress: [`127.0.0.1:${closedPort}`] });
    expect(result[0]).toMatch(/^TypeError: fetch failed: .*ECONNREFUSED/);
    for (const r of result.slice(1)) expect(r).toMatch(/^TypeError: fetch failed: URL scheme "\w+" is not supported/);
  });

  it('disposing the isolate cancels in-flight subrequests', async () => {
    const hangingBefore = hanging;
    const closedBefore = hangingClosed;
    const { result } = await run(`
      fetch('${up.base}/slow-head').catch(() => {});
      const r = await fetch('${up.base}/hang');
      await r.body.getReader().read();
      return 'started';
    `, { allowEgress: allow });
    expect(result).toBe('started');
    await sleep(150);
    // Both requests reached the upstream, and both connections were closed when the isolate went.
    expect(hanging - hangingBefore).toBe(2);
    expect(hangingClosed - closedBefore).toBe(2);
  });

  it('keeps working when the tenant patches built-ins', async () => {
    const { result } = await run(`
      Promise.prototype.then = function () { throw new Error('patched then'); };
      Array.prototype.push = function () { throw new Error('patched push'); };
      ReadableStream.prototype.getReader = function () { throw new Error('patched getReader'); };
      Object.defineProperty(Object.prototype, 'type', { get() { return 'bytes'; }, configurable: true });
      const r = await fetch('${up.base}/echo', { method: 'POST', body: new ReadableStream({ start(c) { c.enqueue(new Uint8Array([104, 105])); c.close(); } }), duplex: 'half' });
      delete Object.prototype.type;
      ReadableStream.prototype.getReader = undefined;
      const echoed = (await r.json()).body;
      for (const k of ['body', 'hasBody', 'status', 'headers', 'done', 'value', 'url', 'urlList']) {
        Object.defineProperty(Object.prototype, k, Object.assign(Object.create(null), { get() { throw new Error('read ' + k); }, configurable: true }));
      }
      const h = await fetch('${up.base}/hello');
      const text = await h.text();
      const streamed = await (await fetch('${up.base}/chunked')).text();
      return { echoed, text, status: h.status, streamed };
    `, { allowEgress: allow });
    expect(result).toEqual({ echoed: 'hi', text: `hello GET 127.0.0.1:${up.port}`, status: 200, streamed: 'a;b;c' });
  });
});
