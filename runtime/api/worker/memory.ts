// Garbage from streamed bodies. Chunks the host moves into the isolate live outside V8's heap
// accounting, so a body streamed through with little other allocation would pile up until some
// unrelated GC. The host starts Node with --expose-gc; boot takes `gc` off the global (tenants never
// see it) and the dispatcher collects once per 8 MiB streamed, a ~1 ms pause on a small heap.
import { ReflectDeleteProperty, globalThisRef } from '../intrinsics.ts';

const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;
let collect: (() => void) | undefined;
let sinceLastCollect = 0;

/** Called at boot, before tenant code. */
export function captureGarbageCollector(): void {
  const g = globalThisRef as unknown as { gc?: () => void };
  if (typeof g.gc === 'function') collect = g.gc;
  ReflectDeleteProperty(globalThisRef, 'gc');
}

export function noteStreamedBytes(n: number): void {
  sinceLastCollect += n;
  if (sinceLastCollect < COLLECT_EVERY_BYTES || collect === undefined) return;
  sinceLastCollect = 0;
  collect();
}
