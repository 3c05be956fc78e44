// Host → isolate calls. The host holds one reference, to `entry`, returned by boot; it calls
// `entry(kind, …args)`. API modules register the kinds they serve (fetch dispatch, body reads, …).
import {
  Map, MapPrototypeGet, MapPrototypeSet, ObjectDefineProperty, Promise, PromisePrototypeThen, ReflectApply, SymbolSpecies,
  TypeError,
} from '../intrinsics.ts';
import { completeHostCall, hostSend } from './host.ts';
import { describeThrown } from '../worker/errors.ts';

type EntryHandler = (...args: any[]) => unknown;
const handlers = new Map<string, EntryHandler>();

export function registerEntry(kind: string, handler: EntryHandler): void {
  MapPrototypeSet(handlers, kind, handler);
}

registerEntry('complete', completeHostCall);

/**
 * isolated-vm chains the (pending) promise a host call returns with the native `then` and `catch`,
 * which look up `constructor` and @@species on it, and `then` on the promise derived from it.
 * Through Promise.prototype those lookups would reach whatever tenant code put there. So the
 * returned promise gets an own `constructor`: this subclass (never exposed to tenants), which
 * answers the rest itself (its own @@species, and the original `then` on its prototype).
 */
class HostPromise<T> extends Promise<T> {}
ObjectDefineProperty(HostPromise, SymbolSpecies, { value: HostPromise, writable: false, enumerable: false, configurable: false });
ObjectDefineProperty(HostPromise.prototype, 'then', { value: Promise.prototype.then, writable: false, enumerable: false, configurable: false });
ObjectDefineProperty(HostPromise.prototype, 'constructor', { value: HostPromise, writable: false, enumerable: false, configurable: false });

/**
 * Every host call arrives as `entry('__call', callId, kind, …args)` and answers with the send op
 * '__result' once the handler's result settles: see IsolateSession.callIsolate for why the result
 * does not travel back as the call's own promise.
 */
function call(callId: number, kind: string, ...args: unknown[]): Promise<void> | undefined {
  let result: unknown;
  try {
    const handler = MapPrototypeGet(handlers, kind);
    if (handler === undefined) throw new TypeError(`unknown entry ${kind}`);
    result = ReflectApply(handler, undefined, args);
  } catch (e) {
    hostSend('__result', callId, false, describeThrown(e));
    return undefined;
  }
  const ok = (v: unknown) => hostSend('__result', callId, true, v);
  const fail = (e: unknown) => hostSend('__result', callId, false, describeThrown(e));
  // A brand check that cannot be faked: `then` on a non-promise throws. Results are never adopted
  // through a `then` lookup, so a tenant's Object.prototype.then cannot intercept them. The call
  // itself returns a promise of nothing that settles with the result: isolated-vm watches the tasks
  // of promise-returning calls for unhandled rejections (and limits), which the host turns into events.
  try {
    const done = PromisePrototypeThen(result as Promise<unknown>, ok, fail) as Promise<void>;
    ObjectDefineProperty(done, 'constructor', { value: HostPromise, writable: false, enumerable: false, configurable: false });
    return done;
  } catch {
    ok(result);
    return undefined;
  }
}


export function entry(kind: string, ...args: unknown[]): unknown {
  if (kind === '__call') return ReflectApply(call, undefined, args);
  const handler = MapPrototypeGet(handlers, kind);
  if (handler === undefined) throw new TypeError(`unknown entry ${kind}`);
  return ReflectApply(handler, undefined, args);
}
