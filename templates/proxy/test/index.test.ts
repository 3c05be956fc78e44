// The proxy against a real upstream: a small node:http server on 127.0.0.1. Loopback is private,
// so the worker may reach it only with allowEgress (`worker dev --allow-egress` on the command line).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorker, type IsleWorker } from 'isle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let upstream: Server;
let origin: string;
let worker: IsleWorker;
const seen: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const self = `http://${req.headers.host}`;
      if (req.url === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', server: 'upstream/1.0', 'x-powered-by': 'php', etag: '"abc"' });
        // Written in small pieces, so the URL and </body> straddle chunk boundaries.
        const html = `<html><body><a href="${self}/about">about</a><img src="${self}/logo.png"></body></html>`;
        for (let i = 0; i < html.length; i += 7) res.write(html.slice(i, i + 7));
        res.end();
      } else if (req.url === '/api/data.json') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'private, max-age=5' });
        res.end(JSON.stringify({ self: `${self}/api/data.json`, next: `${self}/api/data.json?page=2` }));
      } else if (req.url === '/old') {
        res.writeHead(301, { location: `${self}/new?x=1`, 'set-cookie': ['a=1; Domain=upstream.test; Path=/', 'b=2'] });
        res.end();
      } else if (req.url === '/image.bin') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '4' });
        res.end(Buffer.from([0, 1, 2, 3]));
      } else if (req.url === '/echo') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${req.method} ${body}`);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('nope');
      }
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  worker = await createWorker({ env: { UPSTREAM_URL: origin }, allowEgress: [`127.0.0.1:${port}`], onLog: () => {} });
});

afterAll(async () => {
  await worker?.dispose();
  upstream?.close();
});

describe('HTML', () => {
  it('rewrites upstream links to the proxy, injects the banner, fixes headers', async () => {
    const res = await worker.fetch('https://proxy.example/page');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a href="https://proxy.example/about">');
    expect(html).toContain('<img src="https://proxy.example/logo.png">');
    expect(html).not.toContain(origin);
    expect(html).toMatch(/Served through an Isle proxy of 127\.0\.0\.1:\d+<\/p><\/body><\/html>$/);
    expect(res.headers.get('server')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-proxied-by')).toBe('isle');
    expect(res.headers.get('etag')).toBe('W/"abc"');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
  });

  it('forwards the request with X-Forwarded headers and without hop-by-hop ones', async () => {
    seen.length = 0;
    await (await worker.fetch('https://proxy.example/page', { headers: { 'x-custom': '1', 'proxy-authorization': 'secret' } })).text();
    const req = seen[0]!;
    expect(req.headers['x-forwarded-host']).toBe('proxy.example');
    expect(req.headers['x-forwarded-proto']).toBe('https');
    expect(req.headers['x-custom']).toBe('1');
    expect(req.headers['proxy-authorization']).toBeUndefined();
  });
});

describe('JSON and other bodies', () => {
  it('rewrites URLs inside JSON and keeps the upstream cache-control', async () => {
    const res = await worker.fetch('https://proxy.example/api/data.json');
    expect(await res.json()).toEqual({
      self: 'https://proxy.example/api/data.json',
      next: 'https://proxy.example/api/data.json?page=2',
    });
    expect(res.headers.get('cache-control')).toBe('private, max-age=5');
  });

  it('passes binary bodies through untouched', async () => {
    const res = await worker.fetch('https://proxy.example/image.bin');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([0, 1, 2, 3]));
    expect(res.headers.get('content-length')).toBe('4');
  });

  it('streams request bodies upstream', async () => {
    const res = await worker.fetch('https://proxy.example/echo', { method: 'POST', body: 'hello upstream' });
    expect(await res.text()).toBe('POST hello upstream');
  });
});

describe('redirects, cookies, errors', () => {
  it('points Location and cookie domains at the proxy', async () => {
    const res = await worker.fetch('https://proxy.example/old', { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('https://proxy.example/new?x=1');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Domain=proxy.example; Path=/', 'b=2']);
  });

  it('answers 502 when the upstream is unreachable', async () => {
    const down = await createWorker({ env: { UPSTREAM_URL: 'http://127.0.0.1:9' }, allowEgress: ['127.0.0.1:9'], onLog: () => {} });
    try {
      const res = await down.fetch('https://proxy.example/');
      expect(res.status).toBe(502);
    } finally {
      await down.dispose();
    }
  });

  it('cannot reach a private upstream without allowEgress', async () => {
    const denied = await createWorker({ env: { UPSTREAM_URL: origin }, onLog: () => {} });
    try {
      const before = seen.length;
      const res = await denied.fetch('https://proxy.example/page');
      expect(res.status).toBe(502);
      expect(await res.text()).toMatch(/^Bad gateway: /);
      expect(seen.length).toBe(before);
    } finally {
      await denied.dispose();
    }
  });
});
