// Host → tenant: the 'load', 'fetch', 'body.*', 'abort', 'waitUntil' and 'scheduled' entries.
//
// One isolate serves one request in `request` isolation, or many concurrent requests in `tenant`
// isolation, so per-request state is keyed by the host's request key.
import { hostAsync, hostSend } from '../bridge/host.ts';
import { registerEntry } from '../bridge/entry.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import { createIncomingRequest, readResponsePartsInline } from '../fetch/host-bridge.ts';
import {
  ArrayPrototypePush, Map, MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, ObjectPrototypeToString, Promise,
  PromisePrototypeThen, PromiseResolve, PromiseWithResolvers, ReflectApply, ReflectGet, TypeError, TypedArrayPrototypeGetSymbolToStringTag,
  TypedArrayPrototypeGetByteLength,
} from '../intrinsics.ts';
import { bootConfig } from './config.ts';
import { createExecutionContext, hasWaitUntil, settleWaitUntil, type ExecutionContext } from './context.ts';
import { describeThrown, invalidResponseError, type ErrorInfo } from './errors.ts';
import { web } from './web.ts';
import { noteStreamedBytes } from './memory.ts';
import { sealCodeGeneration } from '../wasm/policy.ts';
import { dispatchServiceWorkerFetch, dispatchServiceWorkerScheduled, hasServiceWorkerHandler } from './service-worker.ts';

export interface RequestHead {
  key: number;
  method: string;
  url: string;
  headers: string[];
  /** Host-side id of the request body source, 0 when there is no body. */
  bodyId: number;
  /** The whole request body, when the host read it up front (small bodies; bodyId is then 0). */
  body?: Uint8Array;
}

/** Response bodies known up front up to this size travel inline in the 'fetch' result. */
const INLINE_BODY_MAX = 64 * 1024;

export type FetchOutcome =
  | {
    ok: true; status: number; statusText: string; headers: string[]; bodyId: number;
    /** The whole body (bodyId is then 0). */
    body?: Uint8Array;
    /** Nothing is left to do for this request (no body to read, no waitUntil): the host skips 'finish'. */
    finished?: boolean;
  }
  | { ok: false; error: ErrorInfo };

interface RequestState {
  controller: object;
  ctx: ExecutionContext;
  reader: object | undefined;
  /** A read started for the previous batch that had not settled in time; the next batch starts with it. */
  pending: Promise<Uint8Array | null> | undefined;
}

let exportsObject: Record<string, unknown> | undefined;
const requests = new Map<number, RequestState>();

function moduleHandler(name: 'fetch' | 'scheduled'): Function | undefined {
  const def = exportsObject && ReflectGet(exportsObject, 'default');
  if (typeof def !== 'object' && typeof def !== 'function') return undefined;
  if (def === null) return undefined;
  const fn = ReflectGet(def, name);
  return typeof fn === 'function' ? fn : undefined;
}

/** The bundle's exports arrive once per isolate, right after its top level ran. */
function load(exports: unknown): { ok: true; format: string } | { ok: false; error: ErrorInfo } {
  // The top level has finished: the startup phase, when bundled wasm modules compile, is over.
  sealCodeGeneration();
  exportsObject = typeof exports === 'object' && exports !== null ? (exports as Record<string, unknown>) : {};
  if (moduleHandler('fetch') || moduleHandler('scheduled')) return { ok: true, format: 'modules' };
  if (hasServiceWorkerHandler('fetch') || hasServiceWorkerHandler('scheduled')) return { ok: true, format: 'service-worker' };
  return {
    ok: false,
    error: describeThrown(new TypeError(
      'The worker has no handler: export default { fetch(request, env, ctx) { … } } or call addEventListener("fetch", …).',
    )),
  };
}

function requestBody(bodyId: number): object | null {
  if (bodyId === 0) return null;
  const w = web();
  return new w.ReadableStream({
    type: 'bytes',
    pull(controller: object) {
      return PromisePrototypeThen(hostAsync<Uint8Array | null>('body.read', bodyId), (chunk) => {
        if (chunk === null) {
          w.byteControllerClose(controller);
          const req = w.byobRequest(controller);
          if (req) w.byobRequestRespond(req, 0);
        } else {
          noteStreamedBytes(TypedArrayPrototypeGetByteLength(chunk));
          w.byteControllerEnqueue(controller, chunk);
        }
      });
    },
    cancel() {
      hostSend('body.cancel', bodyId);
    },
  }, { highWaterMark: 0 });
}

function callFetchHandler(request: object, ctx: ExecutionContext): Promise<unknown> {
  const handler = moduleHandler('fetch');
  if (handler) return PromiseResolve(ReflectApply(handler, ReflectGet(exportsObject!, 'default'), [request, bootConfig().env, ctx]));
  return dispatchServiceWorkerFetch(request, ctx);
}

function isUint8Array(v: unknown): v is Uint8Array {
  return TypedArrayPrototypeGetSymbolToStringTag(v) === 'Uint8Array';
}

function dispatchFetch(head: RequestHead): Promise<FetchOutcome> {
  const w = web();
  const controller = new w.AbortController();
  const ctx = createExecutionContext();
  const state: RequestState = { controller, ctx, reader: undefined, pending: undefined };
  MapPrototypeSet(requests, head.key, state);
  let result: Promise<unknown>;
  try {
    const request = createIncomingRequest({
      method: head.method,
      url: head.url,
      headers: head.headers,
      body: requestBody(head.bodyId) as never,
      bodyBytes: head.body ?? null,
      signal: w.controllerSignal(controller) as never,
    });
    result = callFetchHandler(request as object, ctx);
  } catch (e) {
    result = new Promise((_, reject) => reject(e));
  }
  return PromisePrototypeThen(
    result,
    (response): FetchOutcome => {
      let parts;
      try {
        parts = readResponsePartsInline(response, INLINE_BODY_MAX);
      } catch {
        const what = response === undefined ? 'undefined' : response === null ? 'null' : ObjectPrototypeToString(response);
        return { ok: false, error: describeThrown(invalidResponseError(what)) };
      }
      if (parts.body !== null) state.reader = w.getReader(parts.body as object);
      else if (!hasWaitUntil(ctx)) {
        MapPrototypeDelete(requests, head.key);
        return {
          ok: true, status: parts.status, statusText: parts.statusText, headers: parts.headers, bodyId: 0, finished: true,
          ...(parts.bytes !== undefined && { body: parts.bytes }),
        };
      }
      return {
        ok: true,
        status: parts.status,
        statusText: parts.statusText,
        headers: parts.headers,
        bodyId: parts.body === null ? 0 : head.key,
        ...(parts.bytes !== undefined && { body: parts.bytes }),
      };
    },
    (e): FetchOutcome => ({ ok: false, error: describeThrown(e) }),
  );
}

/** Response body bytes handed to the host per call, at most: chunks already produced only. */
const READ_BATCH_BYTES = 1024 * 1024;
/**
 * Microtask turns a further chunk may take to arrive and still join the batch: enough for a
 * source that enqueues from pull() synchronously, never a wait for I/O or timers.
 */
const READ_BATCH_TURNS = 8;

/** One chunk off the response body: a Uint8Array, or null at the end (the reader is then dropped). */
function readChunk(state: RequestState): Promise<Uint8Array | null> {
  const reader = state.reader;
  if (reader === undefined) return PromiseResolve(null);
  return PromisePrototypeThen(web().readerRead(reader), (r) => {
    if (r.done) {
      if (state.reader === reader) state.reader = undefined;
      return null;
    }
    if (!isUint8Array(r.value)) {
      throw new TypeError('The response body stream must produce Uint8Array chunks.');
    }
    // Streamed bytes are counted so that a long body's garbage is collected as it goes (memory.ts).
    noteStreamedBytes(TypedArrayPrototypeGetByteLength(r.value));
    return r.value;
  });
}

function microtaskTurns(n: number): Promise<void> {
  let p = PromiseResolve<void>(undefined);
  for (let i = 0; i < n; i++) p = PromisePrototypeThen(p, () => undefined);
  return p;
}

/**
 * Adds the chunks that are ready (within READ_BATCH_TURNS) to `batch`, then calls `done` with it; a
 * read that is not ready (or failed) is kept for the next call. Callbacks, not returned promises:
 * a promise returned from a then-callback would be adopted through the tenant-visible
 * Promise.prototype.then.
 */
function fillBatch(state: RequestState, batch: Uint8Array[], bytes: number, done: (batch: Uint8Array[]) => void): void {
  if (bytes >= READ_BATCH_BYTES || state.reader === undefined) return done(batch);
  const next = readChunk(state);
  let settled = false;
  let failed = false;
  let value: Uint8Array | null = null;
  PromisePrototypeThen(next, (v) => {
    settled = true;
    value = v;
  }, () => {
    settled = true;
    failed = true;
  });
  PromisePrototypeThen(microtaskTurns(READ_BATCH_TURNS), () => {
    const chunk = value as Uint8Array | null;
    // Not there yet, the end, or an error: the next call starts from it (an error fails that call).
    if (!settled || failed || chunk === null) {
      state.pending = next;
      return done(batch);
    }
    ArrayPrototypePush(batch, chunk);
    fillBatch(state, batch, bytes + TypedArrayPrototypeGetByteLength(chunk), done);
  });
}

/**
 * The next chunks of the response body, at least one, or null at the end: one host call carries
 * what the body has ready (up to READ_BATCH_BYTES), so a body produced in quick succession does
 * not cost a round trip per chunk, while a slow stream (server-sent events) still goes chunk by chunk.
 */
function readBody(key: number): Promise<Uint8Array[] | null> {
  const state = MapPrototypeGet(requests, key);
  if (state === undefined) return PromiseResolve(null);
  const first = state.pending ?? readChunk(state);
  state.pending = undefined;
  const result = PromiseWithResolvers<Uint8Array[] | null>();
  PromisePrototypeThen(first, (chunk) => {
    if (chunk === null) result.resolve(null);
    else fillBatch(state, [chunk], TypedArrayPrototypeGetByteLength(chunk), result.resolve);
  }, result.reject);
  return result.promise;
}

function cancelBody(key: number, reason: string): void {
  const state = MapPrototypeGet(requests, key);
  if (state?.reader === undefined) return;
  const reader = state.reader;
  state.reader = undefined;
  state.pending = undefined;
  PromisePrototypeThen(web().readerCancel(reader, new DOMException(reason, 'AbortError')), undefined, () => {});
}

/** The client went away: request.signal aborts (the tenant may still run waitUntil work). */
function abortRequest(key: number, reason: string): void {
  const state = MapPrototypeGet(requests, key);
  if (state === undefined) return;
  web().abort(state.controller, new DOMException(reason, 'AbortError'));
  cancelBody(key, reason);
}

/** Resolves when the request's waitUntil promises settled; then forgets the request. */
function finish(key: number): Promise<void> {
  const state = MapPrototypeGet(requests, key);
  if (state === undefined) return PromiseResolve(undefined);
  return PromisePrototypeThen(settleWaitUntil(state.ctx), () => {
    MapPrototypeDelete(requests, key);
  });
}

export interface ScheduledInit {
  scheduledTime: number;
  cron: string;
}

function dispatchScheduled(init: ScheduledInit): Promise<{ ok: true } | { ok: false; error: ErrorInfo }> {
  const ctx = createExecutionContext();
  let result: Promise<unknown>;
  try {
    const handler = moduleHandler('scheduled');
    if (handler) {
      const controller = createScheduledController(init);
      result = PromiseResolve(ReflectApply(handler, ReflectGet(exportsObject!, 'default'), [controller, bootConfig().env, ctx]));
    } else if (hasServiceWorkerHandler('scheduled')) {
      result = dispatchServiceWorkerScheduled(init, ctx);
    } else {
      throw new TypeError('The worker has no scheduled handler: export default { scheduled(controller, env, ctx) { … } }.');
    }
  } catch (e) {
    result = new Promise((_, reject) => reject(e));
  }
  return PromisePrototypeThen(
    PromisePrototypeThen(result, () => settleWaitUntil(ctx)),
    () => ({ ok: true as const }),
    (e) => ({ ok: false as const, error: describeThrown(e) }),
  );
}

function createScheduledController(init: ScheduledInit): object {
  let noRetry = false;
  return {
    scheduledTime: init.scheduledTime,
    cron: init.cron,
    noRetry() {
      noRetry = true;
      void noRetry;
    },
  };
}

export function installDispatch(): void {
  registerEntry('load', load);
  registerEntry('fetch', dispatchFetch);
  registerEntry('body.read', readBody);
  registerEntry('body.cancel', cancelBody);
  registerEntry('abort', abortRequest);
  registerEntry('finish', finish);
  registerEntry('scheduled', dispatchScheduled);
}
