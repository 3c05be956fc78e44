// The global fetch() (https://fetch.spec.whatwg.org/#fetch-method) for the tenant's outbound
// requests (subrequests).
//
// In the isolate: Request construction (the Fetch classes), data: URLs (no network), scheme
// checks, the AbortSignal wiring, the Response built for the tenant. In the host
// (runtime/host/ops/outbound-fetch.ts): the network exchange through the egress policy, redirects
// (each hop checked by the policy and counted against the subrequest limit), content decoding.
//
// Bodies cross with backpressure in both directions: the host pulls a streamed request body one
// chunk at a time through the `subrequest.pullBody` entry, and the response body's stream asks the
// host for the next chunk (`subrequest.read`) only when the tenant reads.
import {
  Map, MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, PromisePrototypeThen, PromiseReject, PromiseResolve,
  PromiseWithResolvers, TypeError, TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset, TypedArrayPrototypeGetSymbolToStringTag, TypedArrayPrototypeSet,
  ArrayBufferPrototypeGetByteLength, Uint8Array, isArrayBuffer,
} from '../intrinsics.ts';
import { hostAsync, hostSend } from '../bridge/host.ts';
import { registerEntry } from '../bridge/entry.ts';
import { abortReason, addAbortAlgorithm, isAborted, removeAbortAlgorithm } from '../abort/index.ts';
import {
  cancelReadableStream, createPullStream, getInternalReader, isReadableStream, readableStreamFromBytes,
  type InternalReader, type PullStreamController, type ReadableStream,
} from '../streams/index.ts';
import { parseURL } from '../url/index.ts';
import { Request } from './request.ts';
import type { Response } from './response.ts';
import { createResponseFromParts, requestParts } from './internal.ts';
import { processDataURL } from './data-url.ts';


/** A streamed request body the host is pulling, by subrequest id. */
interface Upload {
  reader: InternalReader | null;
  stream: ReadableStream<Uint8Array>;
  done: boolean;
}

const uploads = new Map<number, Upload>();
let nextId = 1;

function isUint8Array(v: unknown): v is Uint8Array {
  return TypedArrayPrototypeGetSymbolToStringTag(v) === 'Uint8Array';
}

/**
 * Exactly the view's bytes, as a plain Uint8Array over a buffer of their own (what crosses to the
 * host is a copy anyway). Copies with %TypedArray%.prototype.set: no species lookup on tenant objects.
 */
function ownBytes(v: Uint8Array): Uint8Array {
  const buffer = TypedArrayPrototypeGetBuffer(v);
  const offset = TypedArrayPrototypeGetByteOffset(v);
  const length = TypedArrayPrototypeGetByteLength(v);
  if (isArrayBuffer(buffer) && offset === 0 && length === ArrayBufferPrototypeGetByteLength(buffer)) return new Uint8Array(buffer, 0, length);
  const copy = new Uint8Array(length);
  TypedArrayPrototypeSet(copy, new Uint8Array(buffer, offset, length));
  return copy;
}

function finishUpload(id: number, cancelReason?: unknown): void {
  const u = MapPrototypeGet(uploads, id);
  if (u === undefined) return;
  MapPrototypeDelete(uploads, id);
  if (u.done || cancelReason === undefined) return;
  u.done = true;
  const p = u.reader !== null ? u.reader.cancel(cancelReason) : cancelStream(u.stream, cancelReason);
  PromisePrototypeThen(p, undefined, () => {});
}

function cancelStream(s: ReadableStream<Uint8Array>, reason: unknown): Promise<unknown> {
  try {
    return cancelReadableStream(s, reason);
  } catch (e) {
    return PromiseReject(e);
  }
}

// Host → isolate: the next chunk of a streamed request body.
registerEntry('subrequest.pullBody', (id: number): Promise<{ done: boolean; value?: Uint8Array }> => {
  const u = MapPrototypeGet(uploads, id);
  if (u === undefined || u.done) return PromiseResolve({ done: true });
  if (u.reader === null) u.reader = getInternalReader(u.stream);
  return PromisePrototypeThen(u.reader.read(), (result) => {
    if (result.done) {
      u.done = true;
      MapPrototypeDelete(uploads, id);
      return { done: true };
    }
    const value = result.value;
    if (!isUint8Array(value)) {
      const error = new TypeError('fetch: request body chunks must be Uint8Array');
      finishUpload(id, error);
      throw error;
    }
    return { done: false, value: ownBytes(value) };
  });
});

// Host → isolate: the request body will not be read further (redirect, error, cancellation).
registerEntry('subrequest.cancelBody', (id: number, reason: unknown) => {
  finishUpload(id, new TypeError(typeof reason === 'string' ? `fetch: request body not sent (${reason})` : 'fetch: request body not sent'));
});

interface SubrequestHead {
  status: number;
  statusText: string;
  headers: string[];
  url: string;
  urlList: string[];
  redirected: boolean;
  hasBody: boolean;
  /** The whole body when it came with the head, else null. */
  body: Uint8Array | null;
}

/**
 * The response body stream. Each pull asks the host for one chunk, so the host reads the upstream
 * only as fast as the tenant reads; a body that arrived whole with the head (`complete`) is served
 * from here. The stream keeps one chunk ready (high-water mark 1 byte), so its first pull happens
 * at once and `error` (abort) can error it right away, as the spec's "abort the fetch() call" does.
 */
function responseBodyStream(
  id: number, complete: Uint8Array | undefined, onEnd: () => void,
): { stream: ReadableStream<Uint8Array>; error(e: unknown): void } {
  let controller: PullStreamController | null = null;
  let finished = false;
  let pending: Uint8Array | null = complete ?? null;
  let abortedWith: { reason: unknown } | null = null;
  const finish = () => {
    if (finished) return;
    finished = true;
    onEnd();
  };
  const stream = createPullStream(
    (c: PullStreamController) => {
      controller = c;
      if (abortedWith !== null) return PromiseReject(abortedWith.reason);
      if (complete !== undefined) {
        const chunk = pending;
        pending = null;
        if (chunk === null) finish();
        return PromiseResolve(chunk);
      }
      return PromisePrototypeThen(hostAsync<Uint8Array | null>('subrequest.read', id), (chunk) => {
        if (abortedWith !== null) throw abortedWith.reason;
        if (chunk === null) finish();
        return chunk;
      }, (e: unknown) => {
        if (abortedWith !== null) throw abortedWith.reason;
        finish();
        throw e;
      });
    },
    () => {
      if (finished) return;
      finish();
      if (complete === undefined) hostSend('subrequest.cancel', id);
    },
    { highWaterMark: 1 },
  );
  return {
    stream,
    error(e: unknown) {
      if (finished) return;
      finish();
      if (complete === undefined) hostSend('subrequest.cancel', id);
      abortedWith = { reason: e };
      if (controller !== null) controller.error(e);
    },
  };
}

function networkError(message: string): TypeError {
  return new TypeError(`fetch failed: ${message}`);
}

/** fetch(input, init): Promise<Response>. */
export function fetch(input: unknown, init: unknown = undefined): Promise<Response> {
  if (arguments.length < 1) return PromiseReject(new TypeError("Failed to execute 'fetch': 1 argument required, but only 0 present."));
  let request: Request;
  try {
    request = new Request(input, init);
  } catch (e) {
    return PromiseReject(e);
  }
  const parts = requestParts(request);
  const signal = parts.signal as unknown as object;
  const body = parts.body;
  // Aborted already: reject with the reason (and cancel a streamed body).
  if (isAborted(signal)) {
    const reason = abortReason(signal);
    if (body !== null && isReadableStream(body)) PromisePrototypeThen(cancelStream(body, reason), undefined, () => {});
    return PromiseReject(reason);
  }
  const url = parseURL(parts.url);
  if (url === null) return PromiseReject(networkError('invalid URL'));
  switch (url.scheme) {
    case 'http':
    case 'https':
      return httpFetch(parts, signal, body);
    case 'data': {
      const data = processDataURL(url);
      if (data === null) return PromiseReject(networkError('invalid data: URL'));
      return PromiseResolve(createResponseFromParts({
        status: 200,
        statusText: 'OK',
        headers: ['content-type', data.mimeType],
        body: readableStreamFromBytes(data.body),
        urlList: [parts.url],
        bodyLength: TypedArrayPrototypeGetByteLength(data.body),
      }));
    }
    case 'about':
    case 'blob':
    case 'file':
    default:
      return PromiseReject(networkError(`URL scheme "${url.scheme}" is not supported`));
  }
}

function httpFetch(parts: ReturnType<typeof requestParts>, signal: object, body: ReturnType<typeof requestParts>['body']): Promise<Response> {
  const id = nextId++;
  const { promise, resolve, reject } = PromiseWithResolvers<Response>();
  let settled = false;
  let responseBody: ReturnType<typeof responseBodyStream> | null = null;
  let abortHandle: unknown = 0;
  const done = () => {
    if (abortHandle !== 0) removeAbortAlgorithm(signal, abortHandle);
    abortHandle = 0;
  };

  let wireBody: Uint8Array | 'stream' | null = null;
  if (body !== null) {
    if (isUint8Array(body)) {
      wireBody = ownBytes(body);
    } else {
      wireBody = 'stream';
      MapPrototypeSet(uploads, id, { reader: null, stream: body as ReadableStream<Uint8Array>, done: false });
    }
  }

  // "Abort the fetch() call": reject with the signal's reason, cancel the request body, error the
  // response body, and stop the host's exchange.
  abortHandle = addAbortAlgorithm(signal, () => {
    const reason = abortReason(signal);
    abortHandle = 0;
    hostSend('subrequest.cancel', id);
    finishUpload(id, reason);
    if (!settled) {
      settled = true;
      reject(reason);
    }
    responseBody?.error(reason);
  });

  PromisePrototypeThen(
    hostAsync<SubrequestHead>('subrequest.start', id, {
      method: parts.method, url: parts.url, headers: parts.headers, redirect: parts.redirect, body: wireBody,
      integrity: parts.integrity, cache: parts.cache,
    }),
    (head) => {
      if (settled) return;
      settled = true;
      if (!head.hasBody) {
        done();
      } else if (head.body !== null && TypedArrayPrototypeGetByteLength(head.body) === 0) {
        // Empty and complete: a closed stream, which a later abort leaves alone.
        done();
      } else {
        responseBody = responseBodyStream(id, head.body === null ? undefined : head.body, done);
      }
      resolve(createResponseFromParts({
        status: head.status,
        statusText: head.statusText,
        headers: head.headers,
        body: responseBody !== null ? responseBody.stream : head.hasBody ? readableStreamFromBytes(new Uint8Array(0)) : null,
        urlList: head.urlList,
        redirected: head.redirected,
      }));
    },
    (error: unknown) => {
      finishUpload(id, error);
      if (settled) return;
      settled = true;
      done();
      reject(error);
    },
  );
  return promise;
}
