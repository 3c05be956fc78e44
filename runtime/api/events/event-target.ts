// DOM Standard: EventTarget and the dispatch algorithm. https://dom.spec.whatwg.org/#interface-eventtarget
//
// Listener lists live in a WeakMap keyed by the target, so any object can be made a target
// (`initEventTarget`), including the global object, which a class constructor cannot create.
// Isle has no node tree: an event's path is its target alone (capture listeners run first, then
// the others, both with eventPhase AT_TARGET), exactly what the spec gives for a parentless target.
import {
  ArrayPrototypePush, ArrayPrototypeSlice, ArrayPrototypeSplice, Map, MapPrototypeGet, MapPrototypeSet,
  ReflectApply, ReflectGet, TypeError, WeakMap, WeakMapPrototypeGet, WeakMapPrototypeSet, globalThisRef,
} from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import { addAbortAlgorithm, isAbortSignal, isAborted, removeAbortAlgorithm } from '../abort/state.ts';
import { AT_TARGET, NONE, emptyPath, eventState, type EventState } from './event.ts';
import { dictMember, finishInterface, requiredArguments, toDOMString } from './idl.ts';
import { reportException } from './report.ts';
import { listOf, newList } from './list.ts';

export interface Listener {
  type: string;
  /** The tenant's callback (function or object with handleEvent); null for internal listeners. */
  callback: object | null;
  /** Runtime-internal listener (event handler attributes): called as internal(event, currentTarget). */
  internal: ((event: object, s: EventState, currentTarget: object) => void) | null;
  capture: boolean;
  passive: boolean;
  once: boolean;
  signal: object | null;
  removed: boolean;
  abortHandle: unknown;
}

export interface TargetState {
  listeners: Map<string, Listener[]>;
  /** Event handler attributes (onabort, onmessage, …) by event type. */
  handlers: Map<string, { value: object | null; listener: Listener | null }> | null;
  /** Told when listeners of a type are added (+1) or removed (-1); AbortSignal uses it for GC rules. */
  hook: ((type: string, delta: number) => void) | null;
}

const targets = new WeakMap<object, TargetState>();
// The global object's state is kept apart: V8 re-initializes the global proxy when a context is
// made from the startup snapshot, which resets its identity hash, so a WeakMap entry keyed by it at
// snapshot time cannot be found afterwards (identity comparison still holds).
let globalState: TargetState | undefined;

/** Makes `obj` an EventTarget (its listener list starts empty). */
export function initEventTarget(obj: object): TargetState {
  const s: TargetState = { listeners: new Map(), handlers: null, hook: null };
  if (obj === globalThisRef) globalState = s;
  else WeakMapPrototypeSet(targets, obj, s);
  return s;
}

export function targetState(obj: unknown): TargetState | undefined {
  if (obj === globalThisRef) return globalState;
  return typeof obj === 'object' && obj !== null ? WeakMapPrototypeGet(targets, obj) : undefined;
}

export function isEventTarget(v: unknown): boolean {
  return targetState(v) !== undefined;
}

/** WebIDL: a null or undefined `this` means the global object (EventTarget methods called bare). */
function thisTarget(self: unknown): { target: object; s: TargetState } {
  const target = (self === undefined || self === null ? globalThisRef : self) as object;
  const s = targetState(target);
  if (s === undefined) throw new TypeError('Illegal invocation');
  return { target, s };
}

function toCallback(v: unknown, what: string): object | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' && typeof v !== 'function') {
    throw new TypeError(`Failed to execute '${what}' on 'EventTarget': parameter 2 is not of type 'EventListener'.`);
  }
  return v as object;
}

function findListener(list: Listener[], callback: object, capture: boolean): number {
  for (let i = 0; i < list.length; i++) {
    const l = list[i]!;
    if (l.callback === callback && l.capture === capture) return i;
  }
  return -1;
}

/** DOM "add an event listener". */
export function addListener(target: object, s: TargetState, listener: Listener): void {
  if (listener.signal !== null && isAborted(listener.signal)) return;
  if (listener.callback === null && listener.internal === null) return;
  let list = MapPrototypeGet(s.listeners, listener.type);
  if (list === undefined) {
    list = newList<Listener>();
    MapPrototypeSet(s.listeners, listener.type, list);
  } else if (listener.callback !== null && findListener(list, listener.callback, listener.capture) !== -1) {
    return;
  }
  ArrayPrototypePush(list, listener);
  if (s.hook !== null) s.hook(listener.type, 1);
  if (listener.signal !== null) {
    const signal = listener.signal;
    listener.abortHandle = addAbortAlgorithm(signal, () => {
      listener.abortHandle = undefined;
      removeListener(target, s, listener);
    });
  }
}

/** DOM "remove an event listener". */
export function removeListener(target: object, s: TargetState, listener: Listener): void {
  if (listener.removed) return;
  listener.removed = true;
  const list = MapPrototypeGet(s.listeners, listener.type);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      if (list[i] === listener) {
        ArrayPrototypeSplice(list, i, 1);
        break;
      }
    }
  }
  // Not in the spec, which keeps the abort step around: dropping it keeps a long-lived signal from
  // accumulating steps for listeners that are gone. The step would find nothing to remove anyway.
  if (listener.signal !== null && listener.abortHandle !== undefined) {
    removeAbortAlgorithm(listener.signal, listener.abortHandle);
    listener.abortHandle = undefined;
  }
  if (s.hook !== null) s.hook(listener.type, -1);
  void target;
}

export function newListener(type: string, callback: object | null, capture: boolean): Listener {
  return {
    type, callback, internal: null, capture, passive: false, once: false, signal: null, removed: false, abortHandle: undefined,
  };
}

/** Number of listeners for `type` on `target` (the worker dispatcher asks about 'fetch'). */
export function listenerCount(target: object, type: string): number {
  const s = targetState(target);
  if (s === undefined) return 0;
  const list = MapPrototypeGet(s.listeners, type);
  return list === undefined ? 0 : list.length;
}

export class EventTarget {
  constructor() {
    initEventTarget(this);
  }

  addEventListener(type: unknown, callback: unknown, options: unknown = undefined): void {
    const { target, s } = thisTarget(this);
    requiredArguments(arguments.length, 2, 'addEventListener');
    const typeString = toDOMString(type);
    const cb = toCallback(callback, 'addEventListener');
    const listener = newListener(typeString, cb, false);
    if (options === undefined || options === null || (typeof options !== 'object' && typeof options !== 'function')) {
      listener.capture = !!options;
    } else {
      const dict = options as object;
      listener.capture = !!ReflectGet(dict, 'capture');
      listener.once = !!ReflectGet(dict, 'once');
      const passive = ReflectGet(dict, 'passive');
      listener.passive = passive === undefined ? false : !!passive;
      const signal = ReflectGet(dict, 'signal');
      if (signal !== undefined) {
        if (!isAbortSignal(signal)) {
          throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': member signal is not of type AbortSignal.");
        }
        listener.signal = signal as object;
      }
    }
    addListener(target, s, listener);
  }

  removeEventListener(type: unknown, callback: unknown, options: unknown = undefined): void {
    const { target, s } = thisTarget(this);
    requiredArguments(arguments.length, 2, 'removeEventListener');
    const typeString = toDOMString(type);
    const cb = toCallback(callback, 'removeEventListener');
    let capture: boolean;
    if (options === undefined || options === null || (typeof options !== 'object' && typeof options !== 'function')) {
      capture = !!options;
    } else {
      capture = !!dictMember(options as object, 'capture');
    }
    if (cb === null) return;
    const list = MapPrototypeGet(s.listeners, typeString);
    if (list === undefined) return;
    const i = findListener(list, cb, capture);
    if (i !== -1) removeListener(target, s, list[i]!);
  }

  dispatchEvent(event: unknown): boolean {
    const { target } = thisTarget(this);
    requiredArguments(arguments.length, 1, 'dispatchEvent');
    const es = eventState(event);
    if (es === undefined) {
      throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    }
    if (es.dispatching || !es.initialized) {
      throw new DOMException("Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.", 'InvalidStateError');
    }
    es.isTrusted = false;
    return dispatch(target, event as object, es);
  }
}

finishInterface(EventTarget, 'EventTarget', { addEventListener: 2, removeEventListener: 2, dispatchEvent: 1 });

/** DOM "dispatch" for a target without parent. Returns false if the event was canceled. */
export function dispatch(target: object, event: object, es: EventState): boolean {
  es.dispatching = true;
  es.target = target;
  es.path = listOf(target);
  try {
    // Capture pass, then bubble pass, both at the target.
    invoke(target, event, es, true);
    invoke(target, event, es, false);
  } finally {
    es.eventPhase = NONE;
    es.currentTarget = null;
    es.path = emptyPath();
    es.dispatching = false;
    es.stopPropagation = false;
    es.stopImmediatePropagation = false;
  }
  return !es.canceled;
}

/** Dispatches an event the runtime created (isTrusted true). Returns false if it was canceled. */
export function dispatchTrustedEvent(target: object, event: object): boolean {
  const es = eventState(event);
  if (es === undefined) throw new TypeError('dispatchTrustedEvent: not an Event');
  es.isTrusted = true;
  return dispatch(target, event, es);
}

function invoke(target: object, event: object, es: EventState, capturing: boolean): void {
  if (es.stopPropagation) return;
  es.eventPhase = AT_TARGET;
  es.currentTarget = target;
  const s = targetState(target);
  if (s === undefined) return;
  const list = MapPrototypeGet(s.listeners, es.type);
  if (list === undefined || list.length === 0) return;
  // A clone: listeners added during this pass are not run by it; removed ones are skipped.
  const listeners = ArrayPrototypeSlice(list);
  for (let i = 0; i < listeners.length; i++) {
    const listener = listeners[i]!;
    if (listener.removed) continue;
    if (listener.capture !== capturing) continue;
    if (listener.once) removeListener(target, s, listener);
    if (listener.passive) es.inPassiveListener = true;
    try {
      if (listener.internal !== null) {
        listener.internal(event, es, target);
      } else {
        callUserListener(listener.callback!, event, target);
      }
    } catch (e) {
      reportException(e);
    }
    es.inPassiveListener = false;
    if (es.stopImmediatePropagation) return;
  }
}

/** WebIDL "call a user object's operation" for EventListener.handleEvent. */
function callUserListener(callback: object, event: object, currentTarget: object): void {
  if (typeof callback === 'function') {
    ReflectApply(callback, currentTarget, [event]);
    return;
  }
  const handleEvent = ReflectGet(callback, 'handleEvent');
  if (typeof handleEvent !== 'function') {
    throw new TypeError("The listener's handleEvent property is not callable.");
  }
  ReflectApply(handleEvent, callback, [event]);
}

/** Installs a runtime-internal listener (never visible to removeEventListener). */
export function addInternalListener(
  target: object, type: string, fn: (event: object, s: EventState, currentTarget: object) => void,
): Listener {
  const s = targetState(target);
  if (s === undefined) throw new TypeError('addInternalListener: not an EventTarget');
  const listener = newListener(type, null, false);
  listener.internal = fn;
  addListener(target, s, listener);
  return listener;
}
