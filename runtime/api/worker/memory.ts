// Garbage from streamed bodies. Chunks the host moves into the isolate live outside V8's heap
// accounting, so a body streamed through with little other allocation would pile up until some
// unrelated GC. The host starts Node with --expose-gc; boot captures `gc` before any tenant code and
// the dispatcher collects once per 8 MiB streamed, a ~1 ms pause on a small heap.
// V8 installs `gc` as a non-configurable global, so it cannot be deleted: boot overwrites it with
// undefined (documented in docs/conformance.md). Tenants see an inert `gc` property, never the function.
import { ReflectDeleteProperty, ReflectSet, globalThisRef } from '../intrinsics.ts';

const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;
let collect: (() => void) | undefined;
let sinceLastCollect = 0;

/** Called at boot, before tenant code. */
export function captureGarbageCollector(): void {
  const g = globalThisRef as unknown as { gc?: () => void };
  if (typeof g.gc === 'function') collect = g.gc;
  if (!ReflectDeleteProperty(globalThisRef, 'gc')) ReflectSet(globalThisRef, 'gc', undefined);
}

export function noteStreamedBytes(n: number): void {
  sinceLastCollect += n;
  if (sinceLastCollect < COLLECT_EVERY_BYTES || collect === undefined) return;
  sinceLastCollect = 0;
  collect();
}
