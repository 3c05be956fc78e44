// Host side of the tenant's outbound fetch(): one subrequest per `subrequest.start`, sent through
// the egress dispatcher (runtime/host/egress/), redirects followed here, the response body handed
// to the isolate one chunk per `subrequest.read`.
//
// Why redirects are followed in the host: every hop must pass the egress policy and count against
// the subrequest limit, and both are enforced where the tenant cannot interfere; the request body
// bytes (when not a stream) are already here to resend on 307/308; one op round trip per fetch
// instead of one per hop; and an abort or the isolate's disposal cancels one host object whatever
// hop it is on. The isolate still handles what needs no network (data: URLs, scheme checks,
// Request construction).
//
// Backpressure, both directions:
// - upload: a ReadableStream body is pulled from the isolate (`callIsolate('subrequest.pullBody')`)
//   only when undici's socket wants more (a Node Readable with a small high-water mark);
// - download: undici's response is paused once 64 KiB are buffered here and resumed only when the
//   isolate pulls (`subrequest.read`), so a slow reader never makes the host buffer the body.
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { createEgress, EgressDeniedError, formatHostPort, type Egress } from '../egress/connect.ts';
import type { OpContext, OpModule } from './types.ts';

/** Per-isolate egress override (tests install one with a stub resolver before running code). */
export const EGRESS_STATE = Symbol.for('isle.outbound-fetch.egress');
const FETCH_STATE = Symbol('isle.outbound-fetch');

const BODY_HIGH_WATER_MARK = 64 * 1024;
const MAX_REDIRECTS = 20;

// One dispatcher (and connection pool) per tenant and rule set, shared by that tenant's isolates.
const sharedEgress = new Map<string, Egress>();

export function egressFor(ctx: OpContext): Egress {
  return ctx.state(EGRESS_STATE, () => {
    const rules = ctx.config.allowEgress ?? [];
    const tenant = ctx.config.tenant;
    const key = JSON.stringify([tenant ?? null, rules]);
    let egress = sharedEgress.get(key);
    if (!egress) {
      try {
        egress = createEgress({ allow: rules, ...(tenant !== undefined && { tenant }) });
      } catch (e) {
        // Rules are validated when the worker is configured; this is the last line of defence.
        ctx.log.system('error', `invalid egress configuration: ${(e as Error).message}`);
        throw tenantTypeError('fetch failed: the egress configuration of this worker is invalid (see the runtime log)');
      }
      sharedEgress.set(key, egress);
    }
    return egress;
  });
}

interface FetchState {
  /** Subrequests made so far by this isolate (each redirect hop counts). */
  count: number;
  inflight: Map<number, Subrequest>;
}

function fetchState(ctx: OpContext): FetchState {
  return ctx.state(FETCH_STATE, () => {
    const state: FetchState = { count: 0, inflight: new Map() };
    ctx.onDispose(() => {
      const all = [...state.inflight.values()];
      state.inflight.clear();
      for (const s of all) s.abort(new Error('the isolate was disposed'));
    });
    return state;
  });
}

/**
 * Starts a new subrequest budget for this isolate. In `request` isolation every isolate serves one
 * request, so the budget is per request by construction; an engine that reuses an isolate
 * (`tenant` isolation) calls this when a request starts with no other request in flight.
 */
export function resetSubrequestCount(ctx: OpContext): void {
  fetchState(ctx).count = 0;
}

/** Subrequests counted so far for this isolate (each redirect hop counts). */
export function subrequestCount(ctx: OpContext): number {
  return fetchState(ctx).count;
}

/** An error the isolate rebuilds as a TypeError with this message. */
function tenantTypeError(message: string): Error {
  const e = new Error(message);
  e.name = 'TypeError';
  return e;
}

// ---------------------------------------------------------------------------------------------
// Request description from the isolate

export type RedirectMode = 'follow' | 'error' | 'manual';

export interface SubrequestInit {
  method: string;
  url: string;
  /** Flat list name, value, … (ByteStrings). */
  headers: string[];
  redirect: RedirectMode;
  /** null, the body's bytes, or 'stream' (pulled from the isolate chunk by chunk). */
  body: null | Uint8Array | ArrayBuffer | 'stream';
  /** Subresource Integrity metadata (Request.integrity); '' for none. */
  integrity?: string;
  /** Request.cache: 'no-store', 'reload' and 'no-cache' add the spec's request headers. */
  cache?: string;
}

export interface SubrequestHead {
  status: number;
  statusText: string;
  headers: string[];
  /** Final URL (fragment excluded) and every URL fetched, in order. */
  url: string;
  urlList: string[];
  redirected: boolean;
  /** Whether a body follows (read with `subrequest.read`, unless `body` holds all of it). */
  hasBody: boolean;
  /** The whole body when it had fully arrived with the head (small responses: no read round trip), else null. */
  body: Uint8Array | null;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Hop-by-hop and connection-managed request headers: never forwarded from the tenant.
const STRIPPED_REQUEST_HEADERS = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'expect', 'http2-settings',
]);
const STRIPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
// Fetch "request-body-header name"s, dropped when a redirect turns the request into a GET.
const REQUEST_BODY_HEADERS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type']);
// Dropped when a redirect leaves the origin: Fetch removes Authorization; Cookie and
// Proxy-Authorization go too (credentials the next origin must not see).
const CROSS_ORIGIN_STRIPPED = new Set(['authorization', 'proxy-authorization', 'cookie']);
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

function validateInit(raw: unknown): SubrequestInit {
  const init = (raw ?? {}) as Record<string, unknown>;
  const { method, url, headers, redirect, body, integrity, cache } = init;
  if (typeof method !== 'string' || !TOKEN.test(method)) throw tenantTypeError('fetch failed: invalid method');
  if (typeof url !== 'string') throw tenantTypeError('fetch failed: invalid URL');
  if (!Array.isArray(headers) || headers.length % 2 !== 0 || !headers.every((h) => typeof h === 'string')) {
    throw tenantTypeError('fetch failed: invalid headers');
  }
  if (redirect !== 'follow' && redirect !== 'error' && redirect !== 'manual') throw tenantTypeError('fetch failed: invalid redirect mode');
  if (!(body === null || body === 'stream' || body instanceof Uint8Array || body instanceof ArrayBuffer)) {
    throw tenantTypeError('fetch failed: invalid body');
  }
  if (integrity !== undefined && typeof integrity !== 'string') throw tenantTypeError('fetch failed: invalid integrity');
  if (cache !== undefined && typeof cache !== 'string') throw tenantTypeError('fetch failed: invalid cache mode');
  return {
    method, url, headers: headers as string[], redirect, body: body as SubrequestInit['body'], integrity: integrity ?? '',
    cache: cache ?? 'default',
  };
}

// ---------------------------------------------------------------------------------------------
// Subresource Integrity (https://w3c.github.io/webappsec-subresource-integrity/#does-response-match-metadatalist)

const SRI_STRENGTH: Record<string, number> = { sha256: 1, sha384: 2, sha512: 3 };
const MAX_INTEGRITY_BODY = 64 * 1024 * 1024;

function normalizeBase64(s: string): string {
  return s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
}

/** Whether `bytes` match the metadata: true when it names no supported algorithm. */
export function matchesIntegrity(bytes: Uint8Array, metadata: string): boolean {
  const parsed: { alg: string; value: string }[] = [];
  for (const token of metadata.split(/[\t\n\f\r ]+/)) {
    if (token === '') continue;
    const [expression] = token.split('?') as [string];
    const dash = expression.indexOf('-');
    if (dash === -1) continue;
    const alg = expression.slice(0, dash).toLowerCase();
    if (!(alg in SRI_STRENGTH)) continue;
    parsed.push({ alg, value: expression.slice(dash + 1) });
  }
  if (parsed.length === 0) return true;
  const strongest = Math.max(...parsed.map((m) => SRI_STRENGTH[m.alg]!));
  const actual = new Map<string, string>();
  for (const m of parsed) {
    if (SRI_STRENGTH[m.alg] !== strongest) continue;
    let digest = actual.get(m.alg);
    if (digest === undefined) {
      digest = normalizeBase64(createHash(m.alg).update(bytes).digest('base64'));
      actual.set(m.alg, digest);
    }
    if (normalizeBase64(m.value) === digest) return true;
  }
  return false;
}

async function readWhole(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const c = await readChunk(body);
    if (c === null) return Buffer.concat(parts, total);
    total += c.length;
    if (total > MAX_INTEGRITY_BODY) {
      throw tenantTypeError(`fetch failed: a response checked against integrity metadata may be at most ${MAX_INTEGRITY_BODY} bytes`);
    }
    parts.push(c);
  }
}

function parseHttpURL(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw tenantTypeError(`fetch failed: invalid URL ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw tenantTypeError(`fetch failed: URL scheme "${url.protocol.slice(0, -1)}" is not supported`);
  }
  if (url.username !== '' || url.password !== '') throw tenantTypeError('fetch failed: URL includes credentials');
  return url;
}

function portOf(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function urlWithoutFragment(url: URL): string {
  if (url.hash === '' && !url.href.endsWith('#')) return url.href;
  const copy = new URL(url.href);
  copy.hash = '';
  const href = copy.href;
  return href.endsWith('#') ? href.slice(0, -1) : href;
}

type HeaderList = [string, string][];

function toHeaderList(flat: string[]): HeaderList {
  const list: HeaderList = [];
  for (let i = 0; i < flat.length; i += 2) list.push([flat[i]!, flat[i + 1]!]);
  return list;
}

function hasHeader(list: HeaderList, name: string): boolean {
  return list.some(([n]) => n.toLowerCase() === name);
}

function removeHeaders(list: HeaderList, names: Set<string>): HeaderList {
  return list.filter(([n]) => !names.has(n.toLowerCase()));
}

/** The tenant's headers minus hop-by-hop ones (and the ones a Connection header names). */
function sanitizeRequestHeaders(list: HeaderList): HeaderList {
  const named = new Set<string>();
  for (const [n, v] of list) {
    if (n.toLowerCase() !== 'connection') continue;
    for (const token of v.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) named.add(t);
    }
  }
  return list.filter(([n]) => {
    const lower = n.toLowerCase();
    return !STRIPPED_REQUEST_HEADERS.has(lower) && !named.has(lower);
  });
}

function contentCodings(headers: string[]): string[] {
  const codings: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== 'content-encoding') continue;
    for (const c of headers[i + 1]!.split(',')) {
      const t = c.trim().toLowerCase();
      if (t && t !== 'identity') codings.push(t);
    }
  }
  return codings;
}

// ---------------------------------------------------------------------------------------------
// One HTTP exchange through undici's dispatcher, body paused until read.

interface HopHead {
  status: number;
  statusText: string;
  /** Raw header bytes, name and value alternating. */
  rawHeaders: Buffer[];
}

interface DispatchController {
  abort(reason: Error): void;
  pause(): void;
  resume(): void;
  readonly rawHeaders: (Buffer | string)[] | null;
}

class Hop {
  readonly head: Promise<HopHead>;
  readonly body: Readable;
  #resolveHead!: (h: HopHead) => void;
  #rejectHead!: (e: Error) => void;
  #controller: DispatchController | null = null;
  #abortReason: Error | null = null;
  #started = false;
  #finished = false;

  constructor(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions) {
    this.head = new Promise<HopHead>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    this.head.catch(() => {});
    this.body = new Readable({
      highWaterMark: BODY_HIGH_WATER_MARK,
      read: () => this.#controller?.resume(),
      destroy: (err, cb) => {
        if (!this.#finished) this.#abortUndici(err ?? new Error('response body cancelled'));
        cb(err);
      },
    });
    // Errors are read from `errored` by whoever reads the body; none may go unhandled.
    this.body.on('error', () => {});
    const handler = {
      onRequestStart: (controller: DispatchController) => {
        this.#controller = controller;
        if (this.#abortReason) controller.abort(this.#abortReason);
      },
      onResponseStart: (controller: DispatchController, status: number, _headers: unknown, statusText?: string) => {
        if (status < 200) return; // informational: the final response follows
        this.#started = true;
        const raw = (controller.rawHeaders ?? []).map((h) => (typeof h === 'string' ? Buffer.from(h, 'latin1') : h));
        this.#resolveHead({ status, statusText: statusText ?? '', rawHeaders: raw });
      },
      onResponseData: (controller: DispatchController, chunk: Buffer) => {
        if (!this.body.push(chunk)) controller.pause();
      },
      onResponseEnd: () => {
        this.#finished = true;
        this.body.push(null);
      },
      onResponseError: (_controller: unknown, err: Error) => {
        this.#finished = true;
        if (!this.#started) this.#rejectHead(err);
        else this.body.destroy(err);
      },
    };
    try {
      dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
    } catch (e) {
      this.#finished = true;
      this.#rejectHead(e as Error);
    }
  }

  /** The response ended (all of its body is in `body`'s buffer). */
  get finished(): boolean {
    return this.#finished && this.#started && !this.body.errored;
  }

  #abortUndici(reason: Error): void {
    // A finished exchange leaves its connection in the pool (keep-alive) instead of killing it.
    if (this.#finished) return;
    this.#abortReason ??= reason;
    this.#controller?.abort(reason);
  }

  /** Stops the exchange wherever it is (connecting, waiting for headers, streaming the body). */
  abort(reason: Error): void {
    this.#abortUndici(reason);
    if (!this.#started) this.#rejectHead(reason);
    if (!this.body.destroyed) this.body.destroy();
  }
}

/** Next chunk of `r` (as much as is buffered), or null at its end. */
function readChunk(r: Readable): Promise<Buffer | null> {
  if (r.errored) return Promise.reject(r.errored);
  if (r.readableEnded) return Promise.resolve(null);
  if (r.destroyed) return Promise.reject(new Error('response body closed'));
  const now = r.read() as Buffer | null;
  if (now !== null) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      r.off('readable', onReadable);
      r.off('end', onEnd);
      r.off('error', onError);
      r.off('close', onClose);
    };
    const onReadable = () => {
      const c = r.read() as Buffer | null;
      if (c !== null) {
        cleanup();
        resolve(c);
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => {
      cleanup();
      if (r.readableEnded) resolve(null);
      else reject(r.errored ?? new Error('response body closed'));
    };
    r.on('readable', onReadable);
    r.on('end', onEnd);
    r.on('error', onError);
    r.on('close', onClose);
  });
}

const zstdDecompress = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;

function decoderFor(coding: string): Transform | null {
  const lenient = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(lenient);
    case 'deflate':
      // "deflate" should be zlib-wrapped; some servers send raw deflate. Decide on the first byte.
      return new DeflateAutodetect();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'zstd':
      return zstdDecompress ? zstdDecompress() : null;
    default:
      return null;
  }
}

/** Inflates zlib-wrapped or raw deflate data, chosen from the first byte. */
class DeflateAutodetect extends Transform {
  #inner: zlib.Inflate | zlib.InflateRaw | null = null;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.#inner) {
      const lenient = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
      this.#inner = (chunk[0]! & 0x0f) === 0x08 ? zlib.createInflate(lenient) : zlib.createInflateRaw(lenient);
      this.#inner.on('data', (d: Buffer) => this.push(d));
      this.#inner.on('error', (e) => this.destroy(e));
    }
    this.#inner.write(chunk, () => cb());
  }

  override _flush(cb: TransformCallback): void {
    if (!this.#inner) return cb();
    this.#inner.once('end', () => cb());
    this.#inner.end();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.#inner?.destroy();
    cb(err);
  }
}

/** The response body as the tenant sees it: content codings removed (Fetch "HTTP-network fetch"). */
function decodedBody(raw: Readable, codings: string[]): Readable {
  if (codings.length === 0) return raw;
  const decoders: Transform[] = [];
  // Codings are listed in the order they were applied: undo them last to first.
  for (let i = codings.length - 1; i >= 0; i--) {
    const d = decoderFor(codings[i]!);
    if (!d) {
      for (const x of decoders) x.destroy();
      return raw; // an unknown coding: hand the bytes over as they are, like browsers do
    }
    decoders.push(d);
  }
  const streams: NodeJS.ReadWriteStream[] = [raw as unknown as NodeJS.ReadWriteStream, ...decoders];
  const last = decoders[decoders.length - 1]!;
  pipeline(streams, () => {});
  return last;
}

// ---------------------------------------------------------------------------------------------
// Streamed request bodies, pulled from the isolate.

class UploadStream extends Readable {
  #ctx: OpContext;
  #id: number;
  #pulling = false;
  #done = false;

  constructor(ctx: OpContext, id: number) {
    super({ highWaterMark: 16 * 1024 });
    this.#ctx = ctx;
    this.#id = id;
  }

  override _read(): void {
    if (this.#pulling || this.#done) return;
    this.#pulling = true;
    this.#ctx.callIsolate('subrequest.pullBody', this.#id).then(
      (result) => {
        this.#pulling = false;
        if (this.destroyed) return;
        const r = (result ?? {}) as { done?: boolean; value?: unknown };
        if (r.done) {
          this.#done = true;
          this.push(null);
          return;
        }
        const v = r.value;
        if (!(v instanceof Uint8Array)) {
          this.destroy(tenantTypeError('fetch failed: request body chunk is not a Uint8Array'));
          return;
        }
        this.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      },
      (err: unknown) => {
        this.#pulling = false;
        this.#done = true;
        const message = err instanceof Error ? err.message : String(err);
        this.destroy(tenantTypeError(`fetch failed: reading the request body failed: ${message}`));
      },
    );
  }

  /** Tells the isolate to cancel the request's stream (it will not be read further). */
  cancelSource(reason: string): void {
    if (this.#done) return;
    this.#done = true;
    if (!this.#ctx.disposed) this.#ctx.callIsolate('subrequest.cancelBody', this.#id, reason).catch(() => {});
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.cancelSource(err?.message ?? 'request cancelled');
    cb(err);
  }
}

// ---------------------------------------------------------------------------------------------
// A subrequest: the redirect loop and the response body the isolate reads.

function errorMessage(e: unknown): string {
  const err = e as { message?: string; code?: string; cause?: unknown; errors?: unknown[] };
  if (err && typeof err === 'object') {
    if (Array.isArray(err.errors) && err.errors.length > 0 && !err.message) return errorMessage(err.errors[0]);
    const code = typeof err.code === 'string' ? err.code : '';
    const msg = err.message || code || 'network error';
    return code && !msg.includes(code) ? `${msg} (${code})` : msg;
  }
  return String(e);
}

class Subrequest {
  readonly ctx: OpContext;
  readonly id: number;
  #hop: Hop | null = null;
  #upload: UploadStream | null = null;
  #body: Readable | null = null;
  #rawBody: Readable | null = null;
  #aborted: Error | null = null;

  constructor(ctx: OpContext, id: number) {
    this.ctx = ctx;
    this.id = id;
  }

  abort(reason: Error): void {
    if (this.#aborted) return;
    this.#aborted = reason;
    this.#hop?.abort(reason);
    this.#body?.destroy();
    this.#upload?.destroy();
  }

  get aborted(): boolean {
    return this.#aborted !== null;
  }

  #checkAborted(): void {
    if (this.#aborted) throw tenantTypeError('fetch failed: the request was aborted');
  }

  #count(): void {
    const state = fetchState(this.ctx);
    const limit = this.ctx.config.subrequestLimit;
    if (state.count >= limit) {
      throw tenantTypeError(
        `Too many subrequests: this request may make at most ${limit} subrequests (each fetch() and each redirect it follows counts). ` +
          'Raise the limit with "limits": { "subrequests": N } in isle.json.',
      );
    }
    state.count++;
  }

  #denied(url: URL, e: EgressDeniedError): Error {
    this.ctx.log.system('warn', `egress denied: fetch ${url.href} → ${formatHostPort(e.host, e.port)}: ${e.reason}`);
    return tenantTypeError(`fetch to ${url.origin} was blocked by the egress policy: ${e.reason}`);
  }

  async run(init: SubrequestInit): Promise<SubrequestHead> {
    const egress = egressFor(this.ctx);
    let url = parseHttpURL(init.url);
    const urlList = [url];
    let method = init.method;
    let headers = sanitizeRequestHeaders(toHeaderList(init.headers));
    let body: Uint8Array | 'stream' | null =
      init.body instanceof ArrayBuffer ? new Uint8Array(init.body) : init.body;
    let redirects = 0;
    for (;;) {
      this.#checkAborted();
      this.#count();
      const port = portOf(url);
      const pre = egress.policy.preflight(url.hostname, port);
      if (pre && !pre.allow) throw this.#denied(url, new EgressDeniedError(url.hostname, port, pre));

      const hop = this.#dispatch(egress, url, method, headers, body, init.cache ?? 'default');
      this.#hop = hop;
      let head: HopHead;
      try {
        head = await hop.head;
      } catch (e) {
        this.#upload?.destroy();
        if (this.#aborted) throw tenantTypeError('fetch failed: the request was aborted');
        if (e instanceof EgressDeniedError) throw this.#denied(url, e);
        if ((e as Error)?.name === 'TypeError') throw e as Error;
        throw tenantTypeError(`fetch failed: ${errorMessage(e)}`);
      }
      this.#checkAborted();
      const flatHeaders: string[] = [];
      for (let i = 0; i + 1 < head.rawHeaders.length; i += 2) {
        const name = head.rawHeaders[i]!.toString('latin1');
        if (STRIPPED_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
        flatHeaders.push(name, head.rawHeaders[i + 1]!.toString('latin1'));
      }

      if (REDIRECT_STATUS.has(head.status) && init.redirect !== 'manual') {
        if (init.redirect === 'error') {
          hop.abort(new Error('redirect refused'));
          throw tenantTypeError(`fetch failed: ${url.href} redirected (status ${head.status}) and the request's redirect mode is "error"`);
        }
        const location = locationOf(head, url);
        if (location !== null) {
          hop.abort(new Error('redirect followed'));
          if (location === 'failure') throw tenantTypeError(`fetch failed: invalid Location header in the ${head.status} response from ${url.href}`);
          if (location.protocol !== 'http:' && location.protocol !== 'https:') {
            throw tenantTypeError(`fetch failed: redirect to a non-HTTP(S) URL (${location.protocol.slice(0, -1)})`);
          }
          if (redirects === MAX_REDIRECTS) throw tenantTypeError(`fetch failed: too many redirects (more than ${MAX_REDIRECTS})`);
          redirects++;
          if (head.status !== 303 && body === 'stream') {
            this.#upload?.cancelSource('redirect');
            throw tenantTypeError(
              `fetch failed: cannot follow the ${head.status} redirect because the request body is a stream that cannot be sent again`,
            );
          }
          if (((head.status === 301 || head.status === 302) && method === 'POST') || (head.status === 303 && method !== 'GET' && method !== 'HEAD')) {
            method = 'GET';
            if (body === 'stream') this.#upload?.cancelSource('redirect');
            body = null;
            headers = removeHeaders(headers, REQUEST_BODY_HEADERS);
          }
          if (location.origin !== url.origin) headers = removeHeaders(headers, CROSS_ORIGIN_STRIPPED);
          url = location;
          urlList.push(location);
          continue;
        }
      }

      const hasBody = method !== 'HEAD' && !NULL_BODY_STATUS.has(head.status);
      const result: SubrequestHead = {
        status: head.status,
        statusText: head.statusText,
        headers: flatHeaders,
        url: urlWithoutFragment(url),
        urlList: urlList.map((u) => u.href),
        redirected: urlList.length > 1,
        hasBody,
        body: null,
      };
      const codings = contentCodings(flatHeaders);
      if (!hasBody) {
        hop.abort(new Error('no body'));
      } else if (hop.finished && codings.length === 0 && hop.body.readableLength <= BODY_HIGH_WATER_MARK) {
        // Already complete (typical for small responses): hand it over with the head.
        const parts: Buffer[] = [];
        for (let c = hop.body.read() as Buffer | null; c !== null; c = hop.body.read() as Buffer | null) parts.push(c);
        result.body = new Uint8Array(Buffer.concat(parts));
        hop.body.destroy();
      } else {
        this.#rawBody = hop.body;
        this.#body = decodedBody(hop.body, codings);
      }
      if (init.integrity) {
        // SRI: the body must be read whole and checked before the response is handed over.
        let bytes: Uint8Array = result.body ?? new Uint8Array(0);
        if (this.#body) {
          try {
            bytes = new Uint8Array(await readWhole(this.#body));
          } catch (e) {
            if ((e as Error).name === 'TypeError') throw e as Error;
            throw tenantTypeError(`fetch failed: ${errorMessage(e)}`);
          }
          this.close();
          if (hasBody) result.body = bytes;
        }
        if (!matchesIntegrity(bytes, init.integrity)) {
          throw tenantTypeError(`fetch failed: the response from ${url.href} does not match the request's integrity metadata`);
        }
      }
      return result;
    }
  }

  #dispatch(egress: Egress, url: URL, method: string, list: HeaderList, body: Uint8Array | 'stream' | null, cache: string): Hop {
    const headers: string[] = [];
    for (const [n, v] of list) {
      // Content-Length is computed for byte bodies; a stream body keeps the tenant's (undici
      // then enforces it), as workerd does.
      if (n.toLowerCase() === 'content-length' && body !== 'stream') continue;
      headers.push(n, v);
    }
    // Fetch "HTTP-network-or-cache fetch": defaults the tenant did not set.
    if (!hasHeader(list, 'accept')) headers.push('accept', '*/*');
    if (cache === 'no-cache' && !hasHeader(list, 'cache-control')) headers.push('cache-control', 'max-age=0');
    if (cache === 'no-store' || cache === 'reload') {
      if (!hasHeader(list, 'pragma')) headers.push('pragma', 'no-cache');
      if (!hasHeader(list, 'cache-control')) headers.push('cache-control', 'no-cache');
    }
    if (!hasHeader(list, 'accept-encoding')) headers.push('accept-encoding', hasHeader(list, 'range') ? 'identity' : 'gzip, deflate, br');
    let payload: Buffer | Readable | null = null;
    if (body instanceof Uint8Array) {
      payload = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      headers.push('content-length', String(body.byteLength));
    } else if (body === 'stream') {
      this.#upload = new UploadStream(this.ctx, this.id);
      payload = this.#upload;
    } else if (method === 'POST' || method === 'PUT') {
      headers.push('content-length', '0');
    }
    return new Hop(egress.dispatcher, {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      body: payload,
    });
  }

  /** Next decoded body chunk (exactly its bytes), or null at the end. */
  async read(): Promise<Uint8Array | null> {
    const body = this.#body;
    if (!body) return null;
    try {
      const chunk = await readChunk(body);
      if (chunk === null) return null;
      // A Buffer may view a shared pool: copy exactly this chunk's bytes.
      return new Uint8Array(chunk);
    } catch (e) {
      if (this.#aborted) throw tenantTypeError('fetch failed: the request was aborted');
      if (body !== this.#rawBody && this.#rawBody && !this.#rawBody.errored) {
        throw tenantTypeError(`fetch failed: could not decode the response body (${errorMessage(e)})`);
      }
      throw tenantTypeError(`fetch failed: the connection was lost while reading the response body (${errorMessage(e)})`);
    }
  }

  close(): void {
    this.#body?.destroy();
    this.#body = null;
  }
}

/** Fetch "location URL": null (no Location), 'failure', or the parsed URL (fragment carried over). */
function locationOf(head: HopHead, current: URL): URL | null | 'failure' {
  const values: Buffer[] = [];
  for (let i = 0; i + 1 < head.rawHeaders.length; i += 2) {
    if (head.rawHeaders[i]!.toString('latin1').toLowerCase() === 'location') values.push(head.rawHeaders[i + 1]!);
  }
  if (values.length === 0) return null;
  for (const v of values) if (!v.equals(values[0]!)) return 'failure';
  const bytes = values[0]!;
  // Servers send UTF-8 in Location more often than not; fall back to Latin-1 when it is not.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = bytes.toString('latin1');
  }
  let location: URL;
  try {
    location = new URL(text, current);
  } catch {
    return 'failure';
  }
  if (!text.includes('#') && current.hash !== '') location.hash = current.hash;
  return location;
}

function subrequest(ctx: OpContext, id: unknown): Subrequest | undefined {
  return typeof id === 'number' ? fetchState(ctx).inflight.get(id) : undefined;
}

export const outboundFetchOps: OpModule = {
  async: {
    async 'subrequest.start'(ctx, id: unknown, rawInit: unknown): Promise<SubrequestHead> {
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw tenantTypeError('fetch failed: invalid request id');
      const state = fetchState(ctx);
      if (state.inflight.has(id)) throw tenantTypeError('fetch failed: duplicate request id');
      const init = validateInit(rawInit);
      const sub = new Subrequest(ctx, id);
      state.inflight.set(id, sub);
      try {
        const head = await sub.run(init);
        if (!head.hasBody || head.body !== null) state.inflight.delete(id);
        return head;
      } catch (e) {
        state.inflight.delete(id);
        sub.abort(e as Error);
        throw e;
      }
    },
    async 'subrequest.read'(ctx, id: unknown): Promise<Uint8Array | null> {
      const sub = subrequest(ctx, id);
      if (!sub) return null;
      try {
        const chunk = await sub.read();
        if (chunk === null) fetchState(ctx).inflight.delete(sub.id);
        return chunk;
      } catch (e) {
        fetchState(ctx).inflight.delete(sub.id);
        sub.close();
        throw e;
      }
    },
  },
  send: {
    /** The tenant aborted (AbortSignal) or cancelled the response body: stop everything. */
    'subrequest.cancel'(ctx, id: unknown) {
      const sub = subrequest(ctx, id);
      if (!sub) return;
      fetchState(ctx).inflight.delete(sub.id);
      sub.abort(new Error('cancelled by the worker'));
    },
  },
};
