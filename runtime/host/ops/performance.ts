// High Resolution Time for isolates: the host only fixes each isolate's time origin; the isolate
// reads the clock itself (runtime/api/performance/clock.ts).
//
// Precision (decided here, documented for tenants): performance.now() has 1 ms resolution and is
// monotonic; timeOrigin is a whole millisecond since the Unix epoch. Reasons:
// - a synchronous host call costs ~60 µs (the isolate runs on its own thread), so a finer host clock
//   would cost far more than the resolution it offers, and Event.timeStamp reads the clock for every
//   event;
// - the isolate's own Date.now() already exposes 1 ms, so a 1 ms performance.now() adds no new timing
//   channel, while denying the sub-millisecond resolution that cache-timing (Spectre-class) attacks
//   need. Tenants get no threads or SharedArrayBuffer clocks either.
// Unlike Cloudflare, time is not frozen during execution: each request runs in its own isolate, and a
// frozen clock breaks code that measures its own work.
import type { OpContext, OpModule } from './types.ts';

const STATE = Symbol('performance');

interface ClockState {
  /** Date.now() at the isolate's time origin (wall clock: the isolate's Date.now() is the same clock). */
  originEpochMs: number;
}

function clock(ctx: OpContext): ClockState {
  return ctx.state(STATE, () => ({ originEpochMs: Date.now() }));
}

/**
 * Fixes the isolate's time origin to now. The session should call this when the isolate is created;
 * without it the origin is the isolate's first clock reading.
 */
export function markTimeOrigin(ctx: OpContext): void {
  clock(ctx);
}

export const performanceOps: OpModule = {
  sync: {
    /** The time origin as whole milliseconds since the Unix epoch. */
    'performance.timeOrigin'(ctx) {
      return clock(ctx).originEpochMs;
    },
  },
};
