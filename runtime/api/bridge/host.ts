// The isolate's side of the one private channel to the host.
//
// The host hands three functions to `bootHost` (see ../boot.ts) once per isolate, before tenant code
// runs. They live only in this module's closure: tenant code can never reach them. Every value
// crossing is a copy (strings, numbers, plain objects, ArrayBuffers); nothing host-side is
// referenced from here.
//
// - `hostSync(op, …args)` blocks until the host answers (for cheap, synchronous needs: entropy,
//   clocks, encodings);
// - `hostAsync(op, …args)` starts a host operation and returns a promise settled when the host calls
//   back `complete(id, ok, value)` through the entry point;
// - `hostSend(op, …args)` fires and forgets (logs, cancellations).
import {
  Error, ErrorConstructors, MapPrototypeDelete, MapPrototypeGet, MapPrototypeSet, Map, ObjectHasOwn,
  ObjectSetPrototypeOf, PromiseWithResolvers, ReflectApply, TypeError, type Deferred,
} from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';

type SyncCallback = (op: string, ...args: unknown[]) => unknown;
type AsyncCallback = (op: string, id: number, ...args: unknown[]) => void;
type SendCallback = (op: string, ...args: unknown[]) => void;

let syncCallback: SyncCallback | undefined;
let asyncCallback: AsyncCallback | undefined;
let sendCallback: SendCallback | undefined;
let nextId = 1;
const pending = new Map<number, Deferred<unknown>>();

/** Called once by boot. Throws if called again, so nothing can rebind the channel. */
export function bindHost(sync: SyncCallback, async: AsyncCallback, send: SendCallback): void {
  if (syncCallback !== undefined) throw new Error('host already bound');
  syncCallback = sync;
  asyncCallback = async;
  sendCallback = send;
}

export function isHostBound(): boolean {
  return syncCallback !== undefined;
}

function notBound(op: string): never {
  throw new TypeError(`${op} is not available while the runtime is being prepared`);
}

/** Shape in which the host reports a failure; turned into an error of this realm. */
export interface HostError { name: string; message: string }

export function errorFromHost(e: unknown): Error {
  const { name, message } = (e ?? {}) as Partial<HostError>;
  const text = typeof message === 'string' ? message : 'host operation failed';
  if (typeof name === 'string' && ObjectHasOwn(ErrorConstructors, name)) {
    return new ErrorConstructors[name as keyof typeof ErrorConstructors](text);
  }
  return new DOMException(text, typeof name === 'string' ? name : 'OperationError');
}

/** `[...head, ...args]` without spread (spread calls the tenant-patchable array iterator). */
function withArgs(head: unknown[], args: unknown[]): unknown[] {
  // No prototype: index stores must not reach setters a tenant defined on Array/Object.prototype.
  ObjectSetPrototypeOf(head, null);
  const n = head.length;
  for (let i = 0; i < args.length; i++) head[n + i] = args[i];
  return head;
}

export function hostSync<T = unknown>(op: string, ...args: unknown[]): T {
  if (syncCallback === undefined) notBound(op);
  const result = ReflectApply(syncCallback, undefined, withArgs([op], args)) as { ok: boolean; value: unknown } | undefined;
  // Host answers `{ ok, value }` so that host-side failures become this realm's errors.
  if (result === undefined || result === null) return undefined as T;
  if (!result.ok) throw errorFromHost(result.value);
  return result.value as T;
}

export function hostAsync<T = unknown>(op: string, ...args: unknown[]): Promise<T> {
  if (asyncCallback === undefined) notBound(op);
  const id = nextId++;
  const deferred = PromiseWithResolvers<unknown>();
  MapPrototypeSet(pending, id, deferred);
  ReflectApply(asyncCallback, undefined, withArgs([op, id], args));
  return deferred.promise as Promise<T>;
}

export function hostSend(op: string, ...args: unknown[]): void {
  if (sendCallback === undefined) return;
  ReflectApply(sendCallback, undefined, withArgs([op], args));
}

/**
 * Host → isolate: settle the promise of an earlier `hostAsync`. `kind` 'bytes': the host moved an
 * ArrayBuffer in (no copy); it is delivered as a Uint8Array.
 */
export function completeHostCall(id: number, ok: boolean, value: unknown, kind?: string): void {
  const deferred = MapPrototypeGet(pending, id);
  if (deferred === undefined) return;
  MapPrototypeDelete(pending, id);
  if (ok) deferred.resolve(kind === 'bytes' ? new Uint8Array(value as ArrayBuffer) : value);
  else deferred.reject(errorFromHost(value));
}
