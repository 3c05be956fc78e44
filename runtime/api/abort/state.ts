// AbortSignal's internal state (DOM Standard §3.1), kept apart from the class so that EventTarget
// (which accepts a `signal` option) can use it without importing AbortSignal itself.
import {
  ArrayPrototypePush, Map, MapPrototypeDelete, MapPrototypeForEach, MapPrototypeGetSize, MapPrototypeSet,
  SetPrototypeAdd, SetPrototypeDelete, Set, SetPrototypeClear, WeakMap, WeakMapPrototypeGet, WeakMapPrototypeSet,
  WeakRef, WeakRefPrototypeDeref, TypeError,
} from '../intrinsics.ts';
import { newList } from '../events/list.ts';

export interface AbortState {
  aborted: boolean;
  reason: unknown;
  /** Abort algorithms in insertion order, by handle. */
  algorithms: Map<number, () => void>;
  dependent: boolean;
  /** Weak, as in the spec: a collected source can no longer abort anything. */
  sources: WeakRef<object>[];
  /** Weak, as in the spec: dependents nobody can observe may be collected. */
  dependents: WeakRef<object>[];
  /**
   * Dependents that must stay alive while this source can still abort them, because they have
   * abort listeners or abort algorithms (DOM "Garbage collection" for AbortSignal).
   */
  retained: Set<object>;
  /** Number of 'abort' listeners (including the onabort handler). */
  abortListeners: number;
  /** Whether the sources currently retain this (dependent) signal. */
  isRetained: boolean;
  /** Live dependents count when `dependents` was last pruned. */
  prunedAt: number;
}

const states = new WeakMap<object, AbortState>();
let nextHandle = 1;

export function newAbortState(): AbortState {
  return {
    aborted: false, reason: undefined, algorithms: new Map(), dependent: false, sources: newList(), dependents: newList(),
    retained: new Set(), abortListeners: 0, isRetained: false, prunedAt: 0,
  };
}

export function registerAbortState(signal: object, s: AbortState): void {
  WeakMapPrototypeSet(states, signal, s);
}

export function abortState(v: unknown): AbortState | undefined {
  return typeof v === 'object' && v !== null ? WeakMapPrototypeGet(states, v) : undefined;
}

export function isAbortSignal(v: unknown): boolean {
  return abortState(v) !== undefined;
}

function stateOf(signal: object): AbortState {
  const s = abortState(signal);
  if (s === undefined) throw new TypeError('not an AbortSignal');
  return s;
}

export function isAborted(signal: object): boolean {
  return stateOf(signal).aborted;
}

export function abortReason(signal: object): unknown {
  return stateOf(signal).reason;
}

/**
 * DOM "add an abort algorithm": runs `fn` when the signal aborts (nothing if it already has).
 * Returns a handle for removeAbortAlgorithm.
 */
export function addAbortAlgorithm(signal: object, fn: () => void): number {
  const s = stateOf(signal);
  if (s.aborted) return 0;
  const handle = nextHandle++;
  MapPrototypeSet(s.algorithms, handle, fn);
  updateRetention(signal, s);
  return handle;
}

export function removeAbortAlgorithm(signal: object, handle: unknown): void {
  const s = abortState(signal);
  if (s === undefined || typeof handle !== 'number') return;
  MapPrototypeDelete(s.algorithms, handle);
  updateRetention(signal, s);
}

/** Takes (and empties) the abort algorithms, in order. */
export function takeAbortAlgorithms(s: AbortState): (() => void)[] {
  const out = newList<() => void>();
  MapPrototypeForEach(s.algorithms, (fn) => {
    ArrayPrototypePush(out, fn);
  });
  s.algorithms = new Map();
  return out;
}

/** Keeps a dependent signal alive through its sources while anything could observe its abort. */
export function updateRetention(signal: object, s: AbortState): void {
  if (!s.dependent) return;
  const wanted = !s.aborted && (s.abortListeners > 0 || MapPrototypeGetSize(s.algorithms) > 0);
  if (wanted === s.isRetained) return;
  s.isRetained = wanted;
  for (let i = 0; i < s.sources.length; i++) {
    const source = WeakRefPrototypeDeref(s.sources[i]!);
    const ss = source === undefined ? undefined : abortState(source);
    if (ss === undefined) continue;
    if (wanted) SetPrototypeAdd(ss.retained, signal);
    else SetPrototypeDelete(ss.retained, signal);
  }
}

/** Records `dependent` as depending on `source` (both directions, weakly). */
export function linkDependent(source: object, dependent: object): void {
  const ss = stateOf(source);
  const ds = stateOf(dependent);
  ArrayPrototypePush(ds.sources, new WeakRef(source));
  ArrayPrototypePush(ss.dependents, new WeakRef(dependent));
  // Prune collected dependents once the list doubled since the last pruning: amortized O(1).
  if (ss.dependents.length > 2 * ss.prunedAt + 8) {
    const live = newList<WeakRef<object>>();
    for (let i = 0; i < ss.dependents.length; i++) {
      if (WeakRefPrototypeDeref(ss.dependents[i]!) !== undefined) ArrayPrototypePush(live, ss.dependents[i]!);
    }
    ss.dependents = live;
    ss.prunedAt = live.length;
  }
}

export function clearRetained(s: AbortState): void {
  SetPrototypeClear(s.retained);
}
