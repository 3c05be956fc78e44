// node:http ↔ WorkerEngine: turns an IncomingMessage into an EngineRequest and a ServerResponse
// into a ResponseSink, with backpressure both ways and client disconnects propagated.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { constants as zlibConstants, createBrotliCompress, createDeflate, createGzip, type Gzip } from 'node:zlib';
import { respondInParts, type EngineRequest, type ResponseSink } from './engine.ts';

/** Connection-level headers a worker's response may not set (Node manages framing itself). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export interface RequestView {
  /** Scheme and host the worker sees in request.url (e.g. from X-Forwarded-* behind a trusted proxy). */
  origin: string;
  /** Extra headers to add (e.g. cf-connecting-ip style client address). */
  extraHeaders?: string[];
  /** Headers to remove before the worker sees them. */
  dropHeaders?: Set<string>;
}

export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

function hasBody(req: IncomingMessage): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') {
    return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  }
  return req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined
    ? req.headers['content-length'] !== '0'
    : false;
}

async function* limited(req: IncomingMessage, maxBytes: number): AsyncIterable<Uint8Array> {
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new BodyTooLarge(`request body exceeds ${maxBytes} bytes`);
    yield chunk;
  }
}

export function toEngineRequest(req: IncomingMessage, res: ServerResponse, view: RequestView, maxBodyBytes: number): EngineRequest {
  const controller = new AbortController();
  // 'close' on the response before it finished means the client went away.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const raw = req.rawHeaders;
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (view.dropHeaders?.has(name.toLowerCase())) continue;
    headers.push(name, raw[i + 1]!);
  }
  if (view.extraHeaders) headers.push(...view.extraHeaders);
  const body = hasBody(req) ? limited(req, maxBodyBytes) : null;
  return {
    method: req.method ?? 'GET',
    url: view.origin + (req.url ?? '/'),
    headers,
    body,
    bodyOwned: true,
    signal: controller.signal,
  };
}

function releaseBytes(chunk: Uint8Array): void {
  const buffer = chunk.buffer as ArrayBuffer & { transfer?: (n: number) => ArrayBuffer; detached?: boolean };
  if (chunk.byteOffset !== 0 || chunk.byteLength !== buffer.byteLength || buffer.detached) return;
  try {
    buffer.transfer?.(0);
  } catch {}
}

/**
 * A worker's body is always plain bytes (fetch() decodes what it receives). When its headers say
 * `Content-Encoding: gzip | deflate | br`, the body is encoded on the way out, as workerd does, so
 * `return fetch(request)` and hand-set encodings reach the client as labelled. Each chunk is
 * flushed, so streamed responses (server-sent events) keep streaming.
 */
function encoderFor(headers: string[]): Gzip | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.toLowerCase() !== 'content-encoding') continue;
    switch (headers[i + 1]!.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return createGzip();
      case 'deflate':
        return createDeflate();
      case 'br':
        return createBrotliCompress({ params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } }) as unknown as Gzip;
      default:
        return undefined;
    }
  }
  return undefined;
}

function waitForDrain(res: ServerResponse | Gzip, closed: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      res.off('drain', done);
      if (closed()) reject(new Error('client disconnected'));
      else resolve();
    };
    res.on('drain', done);
    res.once('close', onClose);
  });
}

export function sinkFor(res: ServerResponse): ResponseSink {
  let encoder: Gzip | undefined;
  let corked = false;
  let draining: Promise<void> | undefined;
  const uncork = () => {
    if (!corked) return;
    corked = false;
    res.uncork();
  };
  const sink: ResponseSink = {
    respond(status, statusText, headers, body) {
      if (!NULL_BODY_STATUS.has(status) && encoderFor(headers)) {
        // Encoded on the way out: the streaming path owns that.
        return respondInParts(sink, status, statusText, headers, body);
      }
      const out: string[] = [];
      let hasLength = false;
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i]!.toLowerCase();
        if (HOP_BY_HOP.has(name)) continue;
        if (name === 'content-length') hasLength = true;
        out.push(headers[i]!, headers[i + 1]!);
      }
      // A body known whole is framed by its length (as workerd does), not chunked; HEAD and
      // null-body statuses keep whatever the worker said.
      if (body && !hasLength) out.push('content-length', String(body.byteLength));
      res.writeHead(status, statusText || STATUS_CODES[status] || '', out);
      if (body && body.byteLength > 0) res.end(body);
      else res.end();
    },
    head(status, statusText, headers) {
      encoder = NULL_BODY_STATUS.has(status) ? undefined : encoderFor(headers);
      const out: string[] = [];
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i]!.toLowerCase();
        if (HOP_BY_HOP.has(name) || (encoder && name === 'content-length')) continue;
        out.push(headers[i]!, headers[i + 1]!);
      }
      res.writeHead(status, statusText || STATUS_CODES[status] || '', out);
      if (encoder) {
        encoder.pipe(res);
        encoder.on('error', () => res.destroy());
      }
    },
    write(chunk) {
      if (res.destroyed) return Promise.reject(new Error('client disconnected'));
      if (encoder) {
        const more = encoder.write(chunk);
        encoder.flush(zlibConstants.Z_SYNC_FLUSH);
        return more ? Promise.resolve() : waitForDrain(encoder, () => res.destroyed);
      }
      // Chunks written in the same tick leave in one writev.
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(uncork);
      }
      // The chunk is the engine's own copy out of the isolate: free its memory as soon as the
      // socket has it, instead of waiting for a GC (keeps a long streamed body's footprint flat).
      const flushed = () => releaseBytes(chunk);
      if (res.write(chunk, flushed)) return Promise.resolve();
      // One wait for the writes of a batch that all met a full buffer, not a listener pair each.
      draining ??= waitForDrain(res, () => res.destroyed).finally(() => (draining = undefined));
      return draining;
    },
    end() {
      // Balanced before end(): ending a response corked from this side can lose its last chunk.
      uncork();
      if (encoder) encoder.end();
      else if (!res.writableEnded) res.end();
    },
    abort() {
      encoder?.destroy();
      res.destroy();
    },
  };
  return sink;
}
