// What the outbound fetch() (fetch.ts) needs from the Fetch classes: a Request's parts, and a
// Response built from a network response's parts.
import { ObjectHasOwn, TypedArrayPrototypeSlice, TypeError } from '../intrinsics.ts';
import { bodyStream, streamBody, type BodyState } from './body.ts';
import { headerListFromTrustedFlat, type HeadersState } from './headers.ts';
import {
  isRequest, requestSignal, requestState, type ReferrerPolicy, type Request, type RequestCache,
  type RequestCredentials, type RequestMode, type RequestPriority, type RequestRedirect,
} from './request.ts';
import { createResponse, type Response, type ResponseType } from './response.ts';
import type { AbortSignal } from '../abort/index.ts';
import type { ReadableStream } from '../streams/index.ts';

export { isRequest, requestState, createRequest, normalizeMethod, setAPIBaseURL, getAPIBaseURL } from './request.ts';
export { isResponse, responseState, createResponse, isNullBodyStatus } from './response.ts';
export { extractMIMEType, parseMIMEType, serializeMIMEType, mimeEssence } from './mime.ts';

export interface RequestParts {
  method: string;
  url: string;
  /** Flat [name, value, …], names lowercased, in list order (repeated names kept). */
  headers: string[];
  /**
   * Bytes when the body's bytes are known (string, BufferSource, Blob, FormData,
   * URLSearchParams), the body's stream otherwise, null when there is no body.
   */
  body: ReadableStream | Uint8Array | null;
  /** Body length in bytes when known. */
  bodyLength: number | null;
  redirect: RequestRedirect;
  signal: AbortSignal;
  mode: RequestMode;
  credentials: RequestCredentials;
  cache: RequestCache;
  integrity: string;
  keepalive: boolean;
  priority: RequestPriority;
  /** "client", "no-referrer" or a serialized URL. */
  referrer: string;
  referrerPolicy: ReferrerPolicy;
}

/**
 * The parts of a Request about to be sent. Takes the body: afterwards the Request's body is used
 * (disturbed), as after the spec's fetch reads it. The caller must have checked the body is
 * usable (fetch() constructs a new Request first, which does). Bytes returned are the caller's.
 */
export function requestParts(request: Request): RequestParts {
  if (!isRequest(request)) throw new TypeError('requestParts: not a Request');
  const s = requestState(request);
  const list = s.headers.list;
  const headers: string[] = [];
  for (let i = 0; i < list.length; i++) headers[i] = list[i]!;
  let body: ReadableStream | Uint8Array | null = null;
  let bodyLength: number | null = null;
  const b = s.body;
  if (b !== null) {
    bodyLength = b.length;
    if (b.stream === null && b.source !== null && !b.used) {
      body = b.owned ? b.source : copyBytes(b.source);
      b.source = null;
      b.used = true;
    } else {
      body = bodyStream(b);
    }
  }
  return {
    method: s.method, url: s.url, headers, body, bodyLength, redirect: s.redirect, signal: requestSignal(s),
    mode: s.mode, credentials: s.credentials, cache: s.cache, integrity: s.integrity, keepalive: s.keepalive,
    priority: s.priority, referrer: s.referrer, referrerPolicy: s.referrerPolicy,
  };
}

function copyBytes(b: Uint8Array): Uint8Array {
  return TypedArrayPrototypeSlice(b, 0);
}

export interface ResponseParts {
  status: number;
  statusText: string;
  /** Flat [name, value, …] as received (names in any case; values valid header values). */
  headers: readonly string[];
  body: ReadableStream | null;
  /** The response's URL (serialized), when there is one. */
  url?: string | null;
  /** Every URL the request went through, oldest first (redirects); defaults to [url]. */
  urlList?: readonly string[];
  redirected?: boolean;
  type?: ResponseType;
  /** Body length when known (Content-Length), for information. */
  bodyLength?: number | null;
}

/** A network Response (immutable headers) from parts; status is not range-checked (101, 0, …). */
export function createResponseFromParts(parts: ResponseParts): Response {
  // Optional members are read only when present as own properties (never from Object.prototype).
  const opt = (key: string): unknown => (ObjectHasOwn(parts, key) ? (parts as unknown as Record<string, unknown>)[key] : undefined);
  const headers: HeadersState = { list: headerListFromTrustedFlat(parts.headers), guard: 'immutable', sorted: null };
  let urlList: string[] = [];
  const list = opt('urlList') as readonly string[] | undefined;
  const url = opt('url') as string | null | undefined;
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) urlList[i] = list[i]!;
  } else if (url !== undefined && url !== null && url !== '') {
    urlList = [url];
  }
  const bodyLength = opt('bodyLength') as number | null | undefined;
  const body: BodyState | null = parts.body === null ? null : streamBody(parts.body, bodyLength ?? null);
  return createResponse({
    type: (opt('type') as ResponseType | undefined) ?? 'basic',
    status: parts.status,
    statusText: parts.statusText,
    headers,
    headersObject: null,
    body,
    urlList,
    redirected: (opt('redirected') as boolean | undefined) ?? false,
  });
}
