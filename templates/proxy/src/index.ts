// A reverse proxy: forwards each request to UPSTREAM_URL and rewrites the answer on the fly.
//  - Request: hop-by-hop headers dropped, X-Forwarded-Host/-Proto added, body streamed through.
//  - Response headers: Server/X-Powered-By dropped, Location and Set-Cookie domains pointed back at
//    the proxy, X-Proxied-By added, Cache-Control set for cacheable answers that have none.
//  - Response bodies: in HTML, JSON, CSS and JavaScript the upstream's origin becomes the proxy's,
//    through a TransformStream (chunk by chunk, never buffered whole); HTML also gets a banner.
// Egress: fetch() from a worker may reach public addresses only, unless the operator allows more.
// For a private or loopback upstream run `worker dev --allow-egress HOST:PORT`.
import { injectBeforeBodyEnd, replaceAll } from './rewrite';

export interface Env {
  /** Where requests go, e.g. https://example.com (a path prefix is kept: https://host/base). */
  UPSTREAM_URL: string;
  /** Seconds a successful GET may be cached by browsers and shared caches, when upstream says nothing. */
  CACHE_TTL?: string;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
const REWRITTEN_TYPES = /^(text\/html|application\/([\w.+-]+\+)?json|text\/css|text\/javascript|application\/javascript)\b/i;
const CACHEABLE = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);

function upstreamUrl(request: Request, upstream: URL): URL {
  const url = new URL(request.url);
  const base = upstream.pathname.replace(/\/$/, '');
  return new URL(base + url.pathname + url.search, upstream.origin);
}

function forwardHeaders(request: Request): Headers {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  headers.delete('host');
  headers.set('x-forwarded-host', url.host);
  headers.set('x-forwarded-proto', url.protocol.slice(0, -1));
  return headers;
}

function rewriteHeaders(upstream: Response, from: URL, proxy: URL, rewritesBody: boolean, ttl: number, method: string): Headers {
  const headers = new Headers(upstream.headers);
  headers.delete('server');
  headers.delete('x-powered-by');
  headers.set('x-proxied-by', 'isle');
  const location = headers.get('location');
  if (location) {
    const target = new URL(location, from);
    if (target.origin === from.origin) headers.set('location', proxy.origin + target.pathname + target.search + target.hash);
  }
  const cookies = upstream.headers.getSetCookie();
  if (cookies.length) {
    headers.delete('set-cookie');
    for (const cookie of cookies) {
      headers.append('set-cookie', cookie.replace(/;\s*domain=[^;]*/i, `; Domain=${proxy.hostname}`));
    }
  }
  if (rewritesBody) {
    // The body changes length, and it is decoded already: fetch() undid any gzip/br.
    headers.delete('content-length');
    headers.delete('content-encoding');
    headers.delete('content-md5');
    // A validator of the upstream's bytes no longer describes ours: weaken it.
    const etag = headers.get('etag');
    if (etag && !etag.startsWith('W/')) headers.set('etag', `W/${etag}`);
  }
  if ((method === 'GET' || method === 'HEAD') && CACHEABLE.has(upstream.status) && !headers.has('cache-control')) {
    headers.set('cache-control', `public, max-age=${ttl}`);
  }
  if (rewritesBody) {
    const vary = headers.get('vary');
    if (!vary?.toLowerCase().includes('accept-encoding')) headers.set('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
  }
  return headers;
}

export default {
  async fetch(request, env) {
    let upstream: URL;
    try {
      upstream = new URL(env.UPSTREAM_URL);
    } catch {
      return new Response('UPSTREAM_URL is not set to an absolute URL (isle.json "vars" or --var UPSTREAM_URL=…)\n', { status: 500 });
    }
    const proxy = new URL(request.url);
    const target = upstreamUrl(request, upstream);
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    let response: Response;
    try {
      response = await fetch(target, {
        method: request.method,
        headers: forwardHeaders(request),
        redirect: 'manual',
        ...(hasBody && { body: request.body, duplex: 'half' }),
        signal: request.signal,
      });
    } catch (e) {
      console.error(`upstream ${target.origin} failed: ${(e as Error).message}`);
      return new Response(`Bad gateway: ${(e as Error).message}\n`, { status: 502, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    const type = response.headers.get('content-type') ?? '';
    const rewritesBody = response.body !== null && REWRITTEN_TYPES.test(type);
    const ttl = Number(env.CACHE_TTL ?? 60) || 0;
    const headers = rewriteHeaders(response, upstream, proxy, rewritesBody, ttl, request.method);
    let body: ReadableStream<Uint8Array> | null = response.body;
    if (body && rewritesBody) {
      let rewritten = body.pipeThrough(replaceAll(upstream.origin, proxy.origin));
      if (/^text\/html\b/i.test(type)) {
        rewritten = rewritten.pipeThrough(injectBeforeBodyEnd(`<p style="font:12px sans-serif;opacity:.6">Served through an Isle proxy of ${upstream.host}</p>`));
      }
      body = rewritten;
    }
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  },
} satisfies ExportedHandler<Env>;
