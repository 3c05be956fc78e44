// What the Streams area needs from AbortSignal / AbortController (DOM Standard): brand check,
// "aborted", "abort reason", "add/remove an abort algorithm", and a controller to "signal abort"
// (WritableStreamDefaultController.signal).
//
// The abort area's classes are captured from the global when streams install (after the abort area
// installed, before any tenant code), so later changes to AbortSignal.prototype or
// EventTarget.prototype cannot reach them.
import {
  ObjectGetOwnPropertyDescriptor, ReflectApply, ReflectConstruct, TypeError, globalThisRef, uncurryThis,
} from '../intrinsics.ts';

interface Captured {
  getAborted: (s: unknown) => boolean;
  getReason: (s: unknown) => unknown;
  addEventListener: (target: unknown, type: string, fn: () => void, options?: unknown) => void;
  removeEventListener: (target: unknown, type: string, fn: () => void) => void;
  AbortController: new () => object;
  getSignal: (c: unknown) => object;
  abort: (c: unknown, reason: unknown) => void;
}

let captured: Captured | undefined;

/** Called from the streams install(): captures the abort area's classes. */
export function captureAbort(): void {
  const g = globalThisRef as unknown as Record<string, { prototype: object } | undefined>;
  const AbortSignal = g.AbortSignal;
  const AbortController = g.AbortController;
  const EventTarget = g.EventTarget;
  if (AbortSignal === undefined || AbortController === undefined || EventTarget === undefined) return;
  const getter = (proto: object, name: string) => uncurryThis(ObjectGetOwnPropertyDescriptor(proto, name)!.get! as (this: unknown) => any);
  const et = EventTarget.prototype as Record<string, Function>;
  const ac = AbortController.prototype as Record<string, Function>;
  captured = {
    getAborted: getter(AbortSignal.prototype, 'aborted'),
    getReason: getter(AbortSignal.prototype, 'reason'),
    addEventListener: uncurryThis(et.addEventListener as (this: unknown, ...a: unknown[]) => void),
    removeEventListener: uncurryThis(et.removeEventListener as (this: unknown, ...a: unknown[]) => void),
    AbortController: AbortController as unknown as new () => object,
    getSignal: getter(AbortController.prototype, 'signal'),
    abort: uncurryThis(ac.abort as (this: unknown, reason: unknown) => void),
  };
}

/** Is `v` an AbortSignal (brand check)? */
export function isAbortSignal(v: unknown): boolean {
  if (captured === undefined || typeof v !== 'object' || v === null) return false;
  try {
    captured.getAborted(v);
    return true;
  } catch {
    return false;
  }
}

export function signalAborted(s: object): boolean {
  return captured!.getAborted(s);
}

export function signalReason(s: object): unknown {
  return captured!.getReason(s);
}

/** Adds an abort algorithm; returns the function that removes it. */
export function addAbortAlgorithm(s: object, algorithm: () => void): () => void {
  const c = captured!;
  const listener = () => algorithm();
  c.addEventListener(s, 'abort', listener, { once: true });
  return () => c.removeEventListener(s, 'abort', listener);
}

export interface InternalAbortController {
  signal: object | undefined;
  abort(reason: unknown): void;
}

/** An AbortController owned by the runtime (undefined signal when the abort area is missing). */
export function createAbortController(): InternalAbortController {
  const c = captured;
  if (c === undefined) return { signal: undefined, abort() {} };
  const controller = ReflectConstruct(c.AbortController, []);
  return {
    signal: c.getSignal(controller),
    abort(reason: unknown) {
      c.abort(controller, reason);
    },
  };
}

void ReflectApply;
void TypeError;
