// Host → isolate calls. The host holds one reference, to `entry`, returned by boot; it calls
// `entry(kind, …args)`. API modules register the kinds they serve (fetch dispatch, body reads, …).
import { Map, MapPrototypeGet, MapPrototypeSet, ReflectApply, TypeError } from '../intrinsics.ts';
import { completeHostCall } from './host.ts';

type EntryHandler = (...args: any[]) => unknown;
const handlers = new Map<string, EntryHandler>();

export function registerEntry(kind: string, handler: EntryHandler): void {
  MapPrototypeSet(handlers, kind, handler);
}

registerEntry('complete', completeHostCall);

export function entry(kind: string, ...args: unknown[]): unknown {
  const handler = MapPrototypeGet(handlers, kind);
  if (handler === undefined) throw new TypeError(`unknown entry ${kind}`);
  return ReflectApply(handler, undefined, args);
}
