// CPU-time enforcement: one shared timer samples the CPU time of every running isolate (a tight
// loop in tenant code never yields, so it cannot police itself). isolated-vm runs isolates on their
// own threads, so this timer keeps firing while tenant code spins.
import type { Isolate } from './ivm.ts';

interface Watch {
  isolate: Isolate;
  startNs: bigint;
  limitNs: bigint;
  onExceeded: () => void;
}

const TICK_MS = 5;
const watches = new Set<Watch>();
let timer: NodeJS.Timeout | undefined;

function tick(): void {
  for (const w of watches) {
    if (w.isolate.isDisposed) {
      watches.delete(w);
      continue;
    }
    let cpu: bigint;
    try {
      cpu = w.isolate.cpuTime;
    } catch {
      watches.delete(w);
      continue;
    }
    if (cpu - w.startNs > w.limitNs) {
      watches.delete(w);
      w.onExceeded();
    }
  }
  if (watches.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** Calls `onExceeded` once the isolate used more than `limitMs` of CPU since `startNs`. Returns a stop function. */
export function watchCpu(isolate: Isolate, startNs: bigint, limitMs: number, onExceeded: () => void): () => void {
  const w: Watch = { isolate, startNs, limitNs: BigInt(Math.round(limitMs * 1e6)), onExceeded };
  watches.add(w);
  timer ??= setInterval(tick, TICK_MS);
  timer.unref();
  return () => {
    watches.delete(w);
  };
}
