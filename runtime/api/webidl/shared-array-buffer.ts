// SharedArrayBuffer brand check for [AllowShared] buffer sources.
//
// V8 adds `SharedArrayBuffer` (and `WebAssembly`) to a context only after the startup snapshot is
// deserialized, so the prelude cannot capture it at load time: ../boot.ts calls
// captureSharedArrayBuffer() once per isolate, before any tenant code runs.
import { ObjectGetOwnPropertyDescriptor, globalThisRef, uncurryThis } from '../intrinsics.ts';

let getByteLength: ((sab: unknown) => number) | undefined;

/** Captures `SharedArrayBuffer.prototype.byteLength`'s getter (per isolate, before tenant code). */
export function captureSharedArrayBuffer(): void {
  const ctor = (globalThisRef as { SharedArrayBuffer?: { prototype: object } }).SharedArrayBuffer;
  const getter = ctor === undefined ? undefined : ObjectGetOwnPropertyDescriptor(ctor.prototype, 'byteLength')?.get;
  getByteLength = getter === undefined ? undefined : uncurryThis(getter as (this: unknown) => number);
}

/** Is `v` a real SharedArrayBuffer (the getter's brand check, not `instanceof`)? */
export function isSharedArrayBuffer(v: unknown): boolean {
  if (getByteLength === undefined || typeof v !== 'object' || v === null) return false;
  try {
    getByteLength(v);
    return true;
  } catch {
    return false;
  }
}
