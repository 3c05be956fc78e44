// The isolate's clock (High Resolution Time): milliseconds since the time origin, monotonic, with
// 1 ms resolution (runtime/host/ops/performance.ts explains the choice). The host fixes the origin
// (the isolate's creation); readings come from the isolate's own wall clock, so they cost no host call.
import { hostSync, isHostBound } from '../bridge/host.ts';
import { DateNow } from '../intrinsics.ts';

let origin: number | undefined;
let last = 0;

/** The time origin, in milliseconds since the Unix epoch. */
export function timeOrigin(): number {
  if (origin === undefined) {
    // Before boot (snapshot time) there is no isolate yet: nothing is cached.
    if (!isHostBound()) return DateNow();
    origin = hostSync<number>('performance.timeOrigin');
  }
  return origin;
}

/** The current high resolution time relative to the isolate's time origin (never decreases). */
export function now(): number {
  const t = DateNow() - timeOrigin();
  if (t > last) last = t;
  return last;
}
