// Garbage from streamed bodies. Chunks the host moves into the isolate live outside V8's heap
// accounting, so a body streamed through with little other allocation would pile up until some
// unrelated GC. The host starts Node with --expose-gc; boot captures `gc` before any tenant code and
// the dispatcher collects as bytes stream: a young-generation collection per 8 MiB (chunks die
// young; it costs a fraction of a full one: a 1 MiB response took 1 ms less isolate CPU with it),
// and a full one per 64 MiB for chunks a slow consumer kept long enough to be promoted.
// V8 installs `gc` as a non-configurable global, so it cannot be deleted: boot overwrites it with
// undefined (documented in docs/conformance.md). Tenants see an inert `gc` property, never the function.
import { ReflectDeleteProperty, ReflectSet, globalThisRef } from '../intrinsics.ts';

const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;
const FULL_COLLECT_EVERY = 8;
let collect: ((options?: { type: 'minor' | 'major' }) => void) | undefined;
let sinceLastCollect = 0;
let collections = 0;
// Null-prototype options: V8 also reads `execution` and `flavor`, which must not come from a
// tenant's Object.prototype.
const MINOR = { __proto__: null, type: 'minor' } as unknown as { type: 'minor' };
const MAJOR = { __proto__: null, type: 'major' } as unknown as { type: 'major' };

/** Called at boot, before tenant code. */
export function captureGarbageCollector(): void {
  const g = globalThisRef as unknown as { gc?: (options?: { type: 'minor' | 'major' }) => void };
  if (typeof g.gc === 'function') collect = g.gc;
  if (!ReflectDeleteProperty(globalThisRef, 'gc')) ReflectSet(globalThisRef, 'gc', undefined);
}

export function noteStreamedBytes(n: number): void {
  sinceLastCollect += n;
  if (sinceLastCollect < COLLECT_EVERY_BYTES || collect === undefined) return;
  sinceLastCollect = 0;
  collect(++collections % FULL_COLLECT_EVERY === 0 ? MAJOR : MINOR);
}
