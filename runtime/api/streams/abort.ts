// What the Streams area needs from AbortSignal (DOM Standard): brand check, "aborted", "abort
// reason", "add/remove an abort algorithm" (run before 'abort' listeners, unaffected by tenants),
// and a signal the runtime can "signal abort" on (WritableStreamDefaultController.signal).
import {
  abortReason, addAbortAlgorithm as addAlgorithm, createAbortSignal, isAbortSignal as isSignal, isAborted,
  removeAbortAlgorithm, signalAbort,
} from '../abort/index.ts';

/** Is `v` an AbortSignal (brand check)? */
export function isAbortSignal(v: unknown): boolean {
  return isSignal(v);
}

export function signalAborted(s: object): boolean {
  return isAborted(s);
}

export function signalReason(s: object): unknown {
  return abortReason(s);
}

/** Adds an abort algorithm; returns the function that removes it. */
export function addAbortAlgorithm(s: object, algorithm: () => void): () => void {
  const handle = addAlgorithm(s, algorithm);
  return () => removeAbortAlgorithm(s, handle);
}

export interface InternalAbortController {
  signal: object;
  abort(reason: unknown): void;
}

/** The [[abortController]] of a WritableStreamDefaultController. */
export function createAbortController(): InternalAbortController {
  const signal = createAbortSignal();
  return {
    signal,
    abort(reason: unknown) {
      signalAbort(signal, reason);
    },
  };
}
