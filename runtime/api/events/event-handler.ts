// HTML event handler IDL attributes (`onabort`, `onmessage`, `onerror`, …).
// https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-attributes
import { Map, MapPrototypeGet, MapPrototypeSet, ObjectDefineProperty, ReflectApply, TypeError, globalThisRef } from '../intrinsics.ts';
import { setCanceledFlag, type EventState } from './event.ts';
import { errorEventFields } from './error-event.ts';
import { addListener, newListener, removeListener, targetState, type TargetState } from './event-target.ts';
import { nameFunction } from './idl.ts';

interface Handler {
  value: object | null;
  listener: ReturnType<typeof newListener> | null;
}

function stateFor(self: unknown): { target: object; s: TargetState } {
  const target = (self === undefined || self === null ? globalThisRef : self) as object;
  const s = targetState(target);
  if (s === undefined) throw new TypeError('Illegal invocation');
  return { target, s };
}

function handlerOf(s: TargetState, type: string): Handler | undefined {
  return s.handlers === null ? undefined : MapPrototypeGet(s.handlers, type);
}

/** The HTML "event handler processing algorithm". */
function processEvent(handler: Handler, event: object, es: EventState, currentTarget: object): void {
  const callback = handler.value;
  // [LegacyTreatNonObjectAsNull]: a non-callable object is never called.
  if (typeof callback !== 'function') return;
  const errorFields = es.type === 'error' && currentTarget === globalThisRef ? errorEventFields(event) : undefined;
  if (errorFields !== undefined) {
    // Special error event handling: onerror(message, source, lineno, colno, error); true cancels.
    const result = ReflectApply(callback, currentTarget, [
      errorFields.message, errorFields.filename, errorFields.lineno, errorFields.colno, errorFields.error,
    ]);
    if (result === true) setCanceledFlag(es);
    return;
  }
  const result = ReflectApply(callback, currentTarget, [event]);
  if (result === false) setCanceledFlag(es);
}

/** Sets an event handler's value (null deactivates it, keeping listener order as HTML does). */
export function setEventHandler(target: object, s: TargetState, type: string, value: unknown): void {
  const v = typeof value === 'object' || typeof value === 'function' ? (value as object | null) : null;
  if (s.handlers === null) s.handlers = new Map();
  let handler = MapPrototypeGet(s.handlers, type);
  if (handler === undefined) {
    handler = { value: null, listener: null };
    MapPrototypeSet(s.handlers, type, handler);
  }
  if (v === null) {
    handler.value = null;
    if (handler.listener !== null) {
      removeListener(target, s, handler.listener);
      handler.listener = null;
    }
    return;
  }
  handler.value = v;
  if (handler.listener === null) {
    const h = handler;
    const listener = newListener(type, null, false);
    listener.internal = (event, es, currentTarget) => processEvent(h, event, es, currentTarget);
    handler.listener = listener;
    addListener(target, s, listener);
  }
}

export function getEventHandler(s: TargetState, type: string): object | null {
  const h = handlerOf(s, type);
  return h === undefined ? null : h.value;
}

/**
 * Defines the `on<type>` attribute on `holder` (an interface prototype, or the global object itself).
 * `onSet` runs after a non-null value is set (MessagePort's onmessage starts the port).
 */
export function defineEventHandler(holder: object, type: string, onSet?: (target: object) => void): void {
  const name = `on${type}`;
  const get = nameFunction(function (this: unknown): object | null {
    return getEventHandler(stateFor(this).s, type);
  }, `get ${name}`);
  const set = nameFunction(function (this: unknown, value: unknown): void {
    const { target, s } = stateFor(this);
    setEventHandler(target, s, type, value);
    if (onSet !== undefined && (typeof value === 'object' || typeof value === 'function') && value !== null) onSet(target);
  }, `set ${name}`);
  ObjectDefineProperty(holder, name, { get, set, enumerable: true, configurable: true });
}
