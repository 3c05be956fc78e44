// Contract between the fetch area and the worker dispatcher (runtime/api/worker/).
// The dispatcher uses these to turn the host's request head into a Request and a tenant's
// Response back into parts the host can send. Both run on every request: no validation of
// host-provided values (the host's HTTP parser already did it), no regexps, no eager objects
// (the Request's Headers object and body stream wrappers are created only if the tenant asks).
import { TypeError, TypedArrayPrototypeGetByteLength } from '../intrinsics.ts';
import { bodyStream, bodyUnusable, bytesBody, streamBody } from './body.ts';
import { headerListFromTrustedFlat } from './headers.ts';
import { createRequest, type Request } from './request.ts';
import { isResponse, responseState } from './response.ts';
import type { AbortSignal } from '../abort/index.ts';
import type { ReadableStream } from '../streams/index.ts';

export interface IncomingRequestInit {
  method: string;
  /** The absolute, serialized request URL (the host built it; it is not re-parsed). */
  url: string;
  /** Flat list: name, value, name, value… in arrival order (repeated names kept). */
  headers: string[];
  body: ReadableStream | null;
  /** The whole body, when the host read it up front (small bodies): no stream unless the tenant asks. */
  bodyBytes?: Uint8Array | null;
  signal: AbortSignal;
}

export interface ResponseParts {
  status: number;
  statusText: string;
  /** Flat list: name, value, … ; each Set-Cookie its own pair. */
  headers: string[];
  body: ReadableStream | null;
}

/**
 * Builds the Request handed to the tenant: guard "immutable" headers, the given signal as is,
 * method as sent (the host uppercases nothing: HTTP methods are case-sensitive), default modes.
 */
export function createIncomingRequest(init: IncomingRequestInit): Request {
  return createRequest({
    method: init.method,
    url: init.url,
    headers: { list: headerListFromTrustedFlat(init.headers), guard: 'immutable', sorted: null },
    headersObject: null,
    body: init.bodyBytes ? bytesBody(init.bodyBytes, true) : init.body === null ? null : streamBody(init.body),
    signal: init.signal,
    signalParent: null,
    referrer: 'client',
    referrerPolicy: '',
    mode: 'cors',
    credentials: 'same-origin',
    cache: 'default',
    redirect: 'follow',
    integrity: '',
    keepalive: false,
    priority: 'auto',
    reloadNavigation: false,
    historyNavigation: false,
  });
}

/**
 * Brand-checks `value` as a Response and returns its parts; throws TypeError otherwise. The
 * body is the Response's own stream (created now if the body was given as bytes). Header names
 * are lowercase.
 */
export function readResponseParts(value: unknown): ResponseParts {
  if (!isResponse(value)) throw new TypeError('The handler did not return a Response');
  const s = responseState(value);
  if (bodyUnusable(s.body)) throw new TypeError('The Response body has already been used or is locked');
  const list = s.headers.list;
  const headers: string[] = [];
  for (let i = 0; i < list.length; i++) headers[i] = list[i]!;
  return {
    status: s.status,
    statusText: s.statusText,
    headers,
    body: s.body === null ? null : bodyStream(s.body),
  };
}

/**
 * Like readResponseParts, but a body whose bytes are known up front (string, BufferSource, Blob…)
 * of at most `maxBytes` comes back as `bytes` (the body is consumed; no stream is ever created),
 * so the host sends the whole response from one call.
 */
export function readResponsePartsInline(value: unknown, maxBytes: number): ResponseParts & { bytes?: Uint8Array } {
  if (!isResponse(value)) throw new TypeError('The handler did not return a Response');
  const s = responseState(value);
  const body = s.body;
  if (body !== null && body.stream === null && !body.used && body.source !== null && TypedArrayPrototypeGetByteLength(body.source) <= maxBytes) {
    const list = s.headers.list;
    const headers: string[] = [];
    for (let i = 0; i < list.length; i++) headers[i] = list[i]!;
    const bytes = body.source;
    body.used = true;
    body.source = null;
    body.owned = false;
    return { status: s.status, statusText: s.statusText, headers, body: null, bytes };
  }
  return readResponseParts(value);
}
