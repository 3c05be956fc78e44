// DOM Standard: AbortSignal. https://dom.spec.whatwg.org/#interface-AbortSignal
import {
  ArrayPrototypePush, Set, SetPrototypeAdd, SetPrototypeHas, TypeError, WeakRefPrototypeDeref, SetPrototypeClear,
} from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import { Event } from '../events/event.ts';
import { EventTarget, dispatchTrustedEvent, targetState } from '../events/event-target.ts';
import { defineEventHandler } from '../events/event-handler.ts';
import { finishInterface, illegalConstructor, requiredArguments, toSequence, toUnsignedLongLongEnforceRange } from '../events/idl.ts';
import { reportException } from '../events/report.ts';
import { setInternalTimer } from '../timers/timers.ts';
import {
  abortState, clearRetained, linkDependent, newAbortState, registerAbortState, takeAbortAlgorithms, updateRetention,
  type AbortState,
} from './state.ts';
import { newList } from '../events/list.ts';

const INTERNAL = Symbol('AbortSignal');

export class AbortSignal extends EventTarget {
  constructor(key: unknown = undefined) {
    if (key !== INTERNAL) illegalConstructor();
    super();
    const s = newAbortState();
    registerAbortState(this, s);
    const signal = this;
    targetState(this)!.hook = (type, delta) => {
      if (type !== 'abort') return;
      s.abortListeners += delta;
      updateRetention(signal, s);
    };
  }

  static abort(reason: unknown = undefined): AbortSignal {
    const signal = createAbortSignal();
    const s = abortState(signal)!;
    s.aborted = true;
    s.reason = reason === undefined ? defaultReason() : reason;
    return signal;
  }

  static timeout(milliseconds: unknown): AbortSignal {
    requiredArguments(arguments.length, 1, 'AbortSignal.timeout');
    const ms = toUnsignedLongLongEnforceRange(milliseconds, "Failed to execute 'timeout' on 'AbortSignal': milliseconds");
    const signal = createAbortSignal();
    setInternalTimer(ms, () => {
      signalAbort(signal, new DOMException('The operation timed out.', 'TimeoutError'));
    });
    return signal;
  }

  static any(signals: unknown): AbortSignal {
    requiredArguments(arguments.length, 1, 'AbortSignal.any');
    const list = toSequence(signals, "Failed to execute 'any' on 'AbortSignal': signals", (v) => {
      if (abortState(v) === undefined) {
        throw new TypeError("Failed to execute 'any' on 'AbortSignal': Failed to convert value to 'AbortSignal'.");
      }
      return v as AbortSignal;
    });
    return createDependentAbortSignal(list);
  }

  get aborted(): boolean {
    return stateOf(this).aborted;
  }

  get reason(): unknown {
    return stateOf(this).reason;
  }

  throwIfAborted(): void {
    const s = stateOf(this);
    if (s.aborted) throw s.reason;
  }
}

defineEventHandler(AbortSignal.prototype, 'abort');
finishInterface(AbortSignal, 'AbortSignal', { constructor: 0, '.timeout': 1, '.any': 1, '.abort': 0 });

function stateOf(self: unknown): AbortState {
  const s = abortState(self);
  if (s === undefined) throw new TypeError('Illegal invocation');
  return s;
}

function defaultReason(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** A new, not yet aborted AbortSignal. */
export function createAbortSignal(): AbortSignal {
  return new AbortSignal(INTERNAL);
}

/** DOM "create a dependent abort signal" (AbortSignal.any, Request signals). */
export function createDependentAbortSignal(signals: readonly object[]): AbortSignal {
  const result = createAbortSignal();
  const rs = abortState(result)!;
  for (let i = 0; i < signals.length; i++) {
    const s = abortState(signals[i])!;
    if (s.aborted) {
      rs.aborted = true;
      rs.reason = s.reason;
      return result;
    }
  }
  rs.dependent = true;
  const seen = new Set<object>();
  for (let i = 0; i < signals.length; i++) {
    const signal = signals[i]!;
    const s = abortState(signal)!;
    if (!s.dependent) {
      if (!SetPrototypeHas(seen, signal)) {
        SetPrototypeAdd(seen, signal);
        linkDependent(signal, result);
      }
      continue;
    }
    for (let j = 0; j < s.sources.length; j++) {
      const source = WeakRefPrototypeDeref(s.sources[j]!);
      if (source === undefined || SetPrototypeHas(seen, source)) continue;
      SetPrototypeAdd(seen, source);
      linkDependent(source, result);
    }
  }
  return result;
}

/** DOM "signal abort". */
export function signalAbort(signal: object, reason: unknown = undefined): void {
  const s = abortState(signal);
  if (s === undefined) throw new TypeError('signalAbort: not an AbortSignal');
  if (s.aborted) return;
  s.aborted = true;
  s.reason = reason === undefined ? defaultReason() : reason;
  const dependentsToAbort = newList<object>();
  for (let i = 0; i < s.dependents.length; i++) {
    const dependent = WeakRefPrototypeDeref(s.dependents[i]!);
    if (dependent === undefined) continue;
    const ds = abortState(dependent)!;
    if (ds.aborted) continue;
    ds.aborted = true;
    ds.reason = s.reason;
    ArrayPrototypePush(dependentsToAbort, dependent);
  }
  s.dependents = newList();
  runAbortSteps(signal, s);
  for (let i = 0; i < dependentsToAbort.length; i++) {
    const dependent = dependentsToAbort[i]!;
    runAbortSteps(dependent, abortState(dependent)!);
  }
  // Nothing can abort through this signal any more: let its retained dependents go.
  clearRetained(s);
}

function runAbortSteps(signal: object, s: AbortState): void {
  const algorithms = takeAbortAlgorithms(s);
  for (let i = 0; i < algorithms.length; i++) {
    try {
      algorithms[i]!();
    } catch (e) {
      reportException(e);
    }
  }
  updateRetention(signal, s);
  dispatchTrustedEvent(signal, new Event('abort'));
}

void SetPrototypeClear;
