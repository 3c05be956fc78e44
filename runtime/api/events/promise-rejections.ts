// Unhandled promise rejections → `unhandledrejection` events on the global.
//
// V8 tells the embedder about rejections through its PromiseRejectCallback, which isolated-vm keeps
// to itself: after every task that enters the isolate it runs the microtask checkpoint and, if a
// promise rejected in that task is still unhandled, fails the host's call with that rejection's
// reason (a copy). That is exactly HTML's condition for "notify about rejected promises", so the
// host forwards such failures here (runtime/host/ops/events.ts `forwardTaskRejection`), in a new
// task, as the spec does. What cannot be recovered across that boundary:
// - the promise itself: `event.promise` is a stand-in (an already handled promise rejected with the
//   reason), so `rejectionhandled` is never fired;
// - the reason's identity: Errors arrive as a copy of their type, message and stack; primitives as
//   themselves; other objects as an empty object;
// - more than one rejection per task: isolated-vm reports the first one only.
import { registerEntry } from '../bridge/entry.ts';
import {
  ArrayPrototypePush, ArrayPrototypeSlice, ErrorConstructors, ObjectDefineProperty, ObjectHasOwn, PromiseReject, globalThisRef,
  markPromiseHandled, String, Error,
} from '../intrinsics.ts';
import { PromiseRejectionEvent } from './promise-rejection-event.ts';
import { dispatchTrustedEvent, targetState } from './event-target.ts';
import { logUncaught, uncaughtText } from './report.ts';
import { newList } from './list.ts';

/** What the host sends for a rejection it caught at the end of a task. */
export type RejectionDescriptor =
  | { kind: 'error'; name: string; message: string; stack: string }
  | { kind: 'value'; value: unknown }
  | { kind: 'object' };

const MAX_RECORDED = 64;
let recorded = newList<unknown>();
let dropped = 0;

const internalInit = { __proto__: null, promise: null as unknown, reason: undefined as unknown, cancelable: true };

/**
 * HTML "notify about rejected promises" for one promise: fires a cancelable `unhandledrejection`
 * at the global; if it was not canceled, logs "Uncaught (in promise) …" and records the reason for
 * `takeUnhandledRejections`. Runtime code that knows of a rejection nobody can handle may call this.
 */
export function notifyUnhandledRejection(promise: Promise<unknown>, reason: unknown): void {
  let notHandled = true;
  try {
    if (targetState(globalThisRef) !== undefined) {
      internalInit.promise = promise;
      internalInit.reason = reason;
      const event = new PromiseRejectionEvent('unhandledrejection', internalInit);
      internalInit.promise = null;
      internalInit.reason = undefined;
      notHandled = dispatchTrustedEvent(globalThisRef, event);
    }
  } catch {}
  if (!notHandled) return;
  if (recorded.length < MAX_RECORDED) ArrayPrototypePush(recorded, reason);
  else dropped++;
  try {
    logUncaught(uncaughtText('Uncaught (in promise)', reason));
  } catch {}
}

/**
 * The reasons of unhandled rejections reported (and not canceled by a listener) since the last
 * call, oldest first; `dropped` counts those beyond the first 64. For the worker dispatcher, which
 * may want to attribute them to a request; each one has already been logged.
 */
export function takeUnhandledRejections(): { reasons: unknown[]; dropped: number } {
  const out = { reasons: ArrayPrototypeSlice(recorded), dropped };
  recorded = newList();
  dropped = 0;
  return out;
}

function reasonFrom(d: RejectionDescriptor): unknown {
  if (d === null || typeof d !== 'object') return undefined;
  if (d.kind === 'value') return d.value;
  if (d.kind === 'error') {
    const name = typeof d.name === 'string' ? d.name : 'Error';
    const Ctor = ObjectHasOwn(ErrorConstructors, name) ? ErrorConstructors[name as keyof typeof ErrorConstructors] : Error;
    const e = new Ctor(typeof d.message === 'string' ? d.message : '');
    if (typeof d.stack === 'string') {
      ObjectDefineProperty(e, 'stack', { value: d.stack, writable: true, enumerable: false, configurable: true });
    }
    return e;
  }
  return {};
}

registerEntry('events.unhandledRejection', (d: RejectionDescriptor) => {
  const reason = reasonFrom(d);
  const promise = PromiseReject(reason);
  markPromiseHandled(promise);
  notifyUnhandledRejection(promise, reason);
});

void String;
