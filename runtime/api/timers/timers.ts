// HTML timers: setTimeout / setInterval / clearTimeout / clearInterval, and the runtime's internal
// timers (AbortSignal.timeout, hostSleep) and task queue.
// https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#timers
//
// All of an isolate's timers live here, in a binary heap ordered by (due time, start order), which
// gives HTML's ordering guarantee (a timer started earlier with a shorter or equal timeout runs
// first). The host holds one wake-up per isolate ('timers.arm'); each wake-up runs exactly one timer,
// so every timer callback is its own task with its own microtask checkpoint, as HTML requires.
import { hostSend } from '../bridge/host.ts';
import { registerEntry } from '../bridge/entry.ts';
import {
  ArrayPrototypePop, ArrayPrototypePush, DateNow, Map, MapPrototypeDelete, MapPrototypeGet,
  MapPrototypeGetSize, MapPrototypeSet, ReflectApply, TypeError, globalThisRef, Promise, PromiseWithResolvers,
  enqueueMicrotask,
} from '../intrinsics.ts';
import { reportException } from '../events/report.ts';
import { toLong } from '../events/idl.ts';
import { newList } from '../events/list.ts';

interface Timer {
  /** Tenant-visible id (> 0), or 0 for internal timers. */
  id: number;
  callback: Function;
  args: unknown[];
  /** The timeout as converted and requested, before clamping (reused by setInterval). */
  timeout: number;
  repeat: boolean;
  /** The timer nesting level of the task this timer will run as. */
  nesting: number;
  due: number;
  seq: number;
  /** Cleared or superseded: its heap entry is skipped. */
  dead: boolean;
}

const MAX_TIMEOUT = 2147483647;
const heap = newList<Timer>();
let deadInHeap = 0;
const active = new Map<number, Timer>();
let nextId = 1;
let nextSeq = 1;
/** Nesting level of the timer task currently running, 0 outside timer tasks (and in microtasks). */
let currentNesting = 0;
/** The due time the host was last asked to wake us at (Infinity: not armed). */
let armedAt = Infinity;

function less(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function heapPush(t: Timer): void {
  ArrayPrototypePush(heap, t);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(heap[i]!, heap[parent]!)) break;
    const tmp = heap[i]!;
    heap[i] = heap[parent]!;
    heap[parent] = tmp;
    i = parent;
  }
}

function heapPop(): Timer | undefined {
  if (heap.length === 0) return undefined;
  const top = heap[0]!;
  const last = ArrayPrototypePop(heap)!;
  if (heap.length > 0) {
    heap[0] = last;
    siftDown(0);
  }
  return top;
}

function siftDown(start: number): void {
  let i = start;
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < n && less(heap[l]!, heap[m]!)) m = l;
    if (r < n && less(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    const tmp = heap[i]!;
    heap[i] = heap[m]!;
    heap[m] = tmp;
    i = m;
  }
}

/** Drops cleared timers once they are most of the heap (a set/clear loop must not grow it). */
function compact(): void {
  if (deadInHeap < 64 || deadInHeap * 2 < heap.length) return;
  const live = newList<Timer>();
  for (let i = 0; i < heap.length; i++) if (!heap[i]!.dead) ArrayPrototypePush(live, heap[i]!);
  heap.length = 0;
  for (let i = 0; i < live.length; i++) ArrayPrototypePush(heap, live[i]!);
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  deadInHeap = 0;
}

function peekLive(): Timer | undefined {
  while (heap.length > 0 && heap[0]!.dead) {
    heapPop();
    deadInHeap--;
  }
  return heap[0];
}

let rearmQueued = false;

/**
 * Arms the host after the current task's synchronous code (as a microtask), so a burst of
 * setTimeout/clearTimeout calls costs one host message, not one per call.
 */
function requestRearm(): void {
  if (rearmQueued) return;
  rearmQueued = true;
  enqueueMicrotask(runQueuedRearm);
}

function runQueuedRearm(): void {
  rearmQueued = false;
  rearm();
}

/** Asks the host to wake us when the earliest timer is due (or to stop waking us). */
function rearm(): void {
  const next = peekLive();
  if (next === undefined) {
    if (armedAt !== Infinity) {
      armedAt = Infinity;
      hostSend('timers.disarm');
    }
    return;
  }
  if (next.due === armedAt) return;
  armedAt = next.due;
  hostSend('timers.arm', next.due - DateNow());
}

function schedule(t: Timer): void {
  // HTML: timeout < 0 → 0; nested more than 5 levels deep → at least 4 ms.
  let timeout = t.timeout < 0 ? 0 : t.timeout;
  const nesting = currentNesting;
  if (nesting > 5 && timeout < 4) timeout = 4;
  t.nesting = nesting + 1;
  t.due = DateNow() + timeout;
  t.seq = nextSeq++;
  t.dead = false;
  heapPush(t);
  if (t.due < armedAt) requestRearm();
}

function kill(t: Timer): void {
  if (t.dead) return;
  t.dead = true;
  deadInHeap++;
  compact();
}

/** Host → isolate: a wake-up. Runs at most one due timer (one task), then re-arms. */
function fire(): void {
  armedAt = Infinity;
  const t = peekLive();
  if (t === undefined || t.due > DateNow()) {
    rearm();
    return;
  }
  heapPop();
  t.dead = true;
  run(t);
  rearm();
}

function run(t: Timer): void {
  if (t.id !== 0 && MapPrototypeGet(active, t.id) !== t) return;
  currentNesting = t.nesting;
  try {
    ReflectApply(t.callback, globalThisRef, t.args);
  } catch (e) {
    reportException(e);
  }
  try {
    if (t.id === 0) return;
    if (MapPrototypeGet(active, t.id) !== t) return;
    if (t.repeat) schedule(t);
    else MapPrototypeDelete(active, t.id);
  } finally {
    currentNesting = 0;
  }
}

registerEntry('timers.fire', () => {
  try {
    fire();
  } catch (e) {
    reportException(e);
  }
});

function timerInit(name: string, handler: unknown, timeout: unknown, args: unknown[], repeat: boolean): number {
  if (typeof handler !== 'function') {
    // TimerHandler is (DOMString or Function); Isle, like Cloudflare Workers, does not compile code
    // from strings, so only functions are accepted.
    throw new TypeError(
      `Failed to execute '${name}': the handler must be a function (code strings are not supported: code generation from strings is disallowed).`,
    );
  }
  const ms = toLong(timeout);
  const id = nextId++;
  const t: Timer = { id, callback: handler, args, timeout: ms, repeat, nesting: 0, due: 0, seq: 0, dead: true };
  MapPrototypeSet(active, id, t);
  schedule(t);
  return id;
}

export function setTimeout(handler: unknown, timeout: unknown = 0, ...args: unknown[]): number {
  return timerInit('setTimeout', handler, timeout, args, false);
}

export function setInterval(handler: unknown, timeout: unknown = 0, ...args: unknown[]): number {
  return timerInit('setInterval', handler, timeout, args, true);
}

function clear(id: unknown): void {
  const n = toLong(id);
  const t = MapPrototypeGet(active, n);
  if (t === undefined) return;
  MapPrototypeDelete(active, n);
  kill(t);
  if (heap.length > 0 && heap[0] === t) requestRearm();
}

export function clearTimeout(id: unknown = 0): void {
  clear(id);
}

export function clearInterval(id: unknown = 0): void {
  clear(id);
}

/** An internal timer: `fn` runs once after `ms` (any non-negative number) as its own task. */
export interface InternalTimer { readonly _t: Timer }

export function setInternalTimer(ms: number, fn: () => void): InternalTimer {
  const saved = currentNesting;
  currentNesting = 0;
  const t: Timer = { id: 0, callback: fn, args: [], timeout: ms, repeat: false, nesting: 0, due: 0, seq: 0, dead: true };
  schedule(t);
  currentNesting = saved;
  return { _t: t };
}

export function clearInternalTimer(handle: InternalTimer): void {
  kill(handle._t);
  requestRearm();
}

/** Resolves after `ms` milliseconds (a runtime-internal timer, not visible to clearTimeout). */
export function hostSleep(ms: number): Promise<void> {
  const d = PromiseWithResolvers<void>();
  setInternalTimer(ms, () => d.resolve(undefined));
  return d.promise;
}

/** Number of tenant timers still scheduled (setTimeout not yet run, setInterval not cleared). */
export function pendingTimerCount(): number {
  return MapPrototypeGetSize(active);
}

// Tasks: run `fn` soon as a task of its own (after the current task and its microtasks).
let tasks = newList<(() => void) | undefined>();
let taskHead = 0;

export function queueTask(fn: () => void): void {
  ArrayPrototypePush(tasks, fn);
  hostSend('timers.task');
}

registerEntry('timers.task', () => {
  if (taskHead >= tasks.length) return;
  const fn = tasks[taskHead]!;
  tasks[taskHead++] = undefined;
  if (taskHead === tasks.length) {
    tasks = newList();
    taskHead = 0;
  }
  try {
    fn();
  } catch (e) {
    reportException(e);
  }
});

void MAX_TIMEOUT;
void Promise;
