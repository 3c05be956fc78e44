// Contract between the fetch area and the worker dispatcher (runtime/api/worker/).
// The dispatcher uses these to turn the host's request head into a Request and a tenant's
// Response back into parts the host can send. Both run on every request: no validation of
// host-provided values (the host's HTTP parser already did it), no regexps, no eager objects
// (the Request's Headers object and body stream wrappers are created only if the tenant asks).
import { TypeError } from '../intrinsics.ts';
import { bodyStream, bodyUnusable, streamBody } from './body.ts';
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
    body: init.body === null ? null : streamBody(init.body),
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
