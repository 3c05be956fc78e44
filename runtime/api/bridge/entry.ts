// Host → isolate calls. The host holds one reference, to `entry`, returned by boot; it calls
// `entry(kind, …args)`. API modules register the kinds they serve (fetch dispatch, body reads, …).
import { Map, MapPrototypeGet, MapPrototypeSet, PromisePrototypeThen, ReflectApply, String, TypeError, makeSpeciesFree } from '../intrinsics.ts';
import { completeHostCall, hostSend } from './host.ts';

type EntryHandler = (...args: any[]) => unknown;
const handlers = new Map<string, EntryHandler>();

export function registerEntry(kind: string, handler: EntryHandler): void {
  MapPrototypeSet(handlers, kind, handler);
}

registerEntry('complete', completeHostCall);

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
    hostSend('__result', callId, false, describeForHost(e));
    return undefined;
  }
  const ok = (v: unknown) => hostSend('__result', callId, true, v);
  const fail = (e: unknown) => hostSend('__result', callId, false, describeForHost(e));
  // A brand check that cannot be faked: `then` on a non-promise throws. Results are never adopted
  // through a `then` lookup, so a tenant's Object.prototype.then cannot intercept them. The call
  // itself returns a promise of nothing that settles with the result: isolated-vm watches the tasks
  // of promise-returning calls for unhandled rejections, which the host turns into events.
  // isolated-vm chains the returned promise with the native `then` (species lookup through
  // Promise.prototype.constructor, tenant-replaceable): it gets an own `constructor: undefined`.
  try {
    return makeSpeciesFree(PromisePrototypeThen(result as Promise<unknown>, ok, fail) as Promise<void>);
  } catch {
    ok(result);
    return undefined;
  }
}

function describeForHost(e: unknown): { name: string; message: string; stack: string } {
  try {
    const err = e as { name?: unknown; message?: unknown; stack?: unknown };
    return { name: String(err?.name ?? 'Error'), message: String(err?.message ?? e), stack: String(err?.stack ?? '') };
  } catch {
    return { name: 'Error', message: 'unprintable error', stack: '' };
  }
}

export function entry(kind: string, ...args: unknown[]): unknown {
  if (kind === '__call') return ReflectApply(call, undefined, args);
  const handler = MapPrototypeGet(handlers, kind);
  if (handler === undefined) throw new TypeError(`unknown entry ${kind}`);
  return ReflectApply(handler, undefined, args);
}
