// Host side of isolate timers and tasks. The isolate keeps its own timer heap
// (runtime/api/timers/timers.ts) and asks for one wake-up at a time, so the host holds O(1) per
// isolate however many timers a tenant creates; every wake-up and task is its own host → isolate
// call, hence its own task with a microtask checkpoint. Everything is cancelled on dispose.
// This module also carries the events area's host ops (error logging), see ./events.ts.
import { eventsOps, forwardTaskRejection } from './events.ts';
import type { OpContext, OpModule } from './types.ts';

const STATE = Symbol('timers');
/** Node's setTimeout limit; longer waits re-arm (the isolate checks due times itself). */
const MAX_DELAY = 2_147_483_647;

interface TimerState {
  wake: NodeJS.Timeout | NodeJS.Immediate | undefined;
  immediate: boolean;
  tasks: Set<NodeJS.Immediate>;
}

function timers(ctx: OpContext): TimerState {
  return ctx.state(STATE, () => {
    const s: TimerState = { wake: undefined, immediate: false, tasks: new Set() };
    ctx.onDispose(() => {
      disarm(s);
      for (const t of s.tasks) clearImmediate(t);
      s.tasks.clear();
    });
    return s;
  });
}

function disarm(s: TimerState): void {
  if (s.wake === undefined) return;
  if (s.immediate) clearImmediate(s.wake as NodeJS.Immediate);
  else clearTimeout(s.wake as NodeJS.Timeout);
  s.wake = undefined;
}

/** Calls an isolate entry that never fails by itself; a failure is an unhandled rejection. */
function enter(ctx: OpContext, kind: string): void {
  if (ctx.disposed) return;
  ctx.callIsolate(kind).catch((e: unknown) => forwardTaskRejection(ctx, e));
}

export const timersOps: OpModule = {
  send: {
    /** Wake the isolate ('timers.fire') after `delay` ms, replacing any earlier wake-up. */
    'timers.arm'(ctx, delay: unknown) {
      if (ctx.disposed) return;
      const s = timers(ctx);
      disarm(s);
      const ms = typeof delay === 'number' && delay > 0 ? Math.min(Math.ceil(delay), MAX_DELAY) : 0;
      const fire = () => {
        s.wake = undefined;
        enter(ctx, 'timers.fire');
      };
      if (ms === 0) {
        s.immediate = true;
        s.wake = setImmediate(fire);
      } else {
        s.immediate = false;
        s.wake = setTimeout(fire, ms);
      }
    },
    'timers.disarm'(ctx) {
      disarm(timers(ctx));
    },
    /** Run one queued isolate task ('timers.task') soon. */
    'timers.task'(ctx) {
      if (ctx.disposed) return;
      const s = timers(ctx);
      const handle = setImmediate(() => {
        s.tasks.delete(handle);
        enter(ctx, 'timers.task');
      });
      s.tasks.add(handle);
    },
    ...eventsOps.send,
  },
};
