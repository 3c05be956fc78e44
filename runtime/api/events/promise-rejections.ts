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
  markPromiseHandled, String, Error, ReflectApply, StringPrototypeEndsWith, StringPrototypeSlice,
} from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';
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
    let name = typeof d.name === 'string' ? d.name : 'Error';
    const message = typeof d.message === 'string' ? d.message : '';
    // isolated-vm names only the built-in error types; the stack's first line keeps the real name
    // ("AbortError: …" for a DOMException, "MyError: …" for a subclass).
    if (typeof d.stack === 'string') {
      const head = `: ${message}`;
      const nl = stringIndexOf(d.stack, '\n');
      const first = nl === -1 ? d.stack : StringPrototypeSlice(d.stack, 0, nl);
      if (StringPrototypeEndsWith(first, head) && first.length > head.length) name = StringPrototypeSlice(first, 0, first.length - head.length);
    }
    let e: Error;
    if (ObjectHasOwn(ErrorConstructors, name)) e = new ErrorConstructors[name as keyof typeof ErrorConstructors](message);
    else if (isDOMExceptionName(name)) e = new DOMException(message, name);
    else {
      e = new Error(message);
      if (name !== 'Error') ObjectDefineProperty(e, 'name', { value: name, writable: true, enumerable: false, configurable: true });
    }
    if (typeof d.stack === 'string') {
      ObjectDefineProperty(e, 'stack', { value: d.stack, writable: true, enumerable: false, configurable: true });
    }
    return e;
  }
  return {};
}

const StringPrototypeIndexOfImpl = String.prototype.indexOf;
function stringIndexOf(s: string, search: string): number {
  return ReflectApply(StringPrototypeIndexOfImpl, s, [search]) as number;
}

/** Names DOMExceptions are created with by the platform (WebIDL's error names table). */
function isDOMExceptionName(name: string): boolean {
  return ObjectHasOwn(domExceptionNames, name);
}
const domExceptionNames = {
  __proto__: null, IndexSizeError: 1, HierarchyRequestError: 1, WrongDocumentError: 1, InvalidCharacterError: 1,
  NoModificationAllowedError: 1, NotFoundError: 1, NotSupportedError: 1, InUseAttributeError: 1, InvalidStateError: 1,
  SyntaxError: 1, InvalidModificationError: 1, NamespaceError: 1, InvalidAccessError: 1, TypeMismatchError: 1,
  SecurityError: 1, NetworkError: 1, AbortError: 1, URLMismatchError: 1, QuotaExceededError: 1, TimeoutError: 1,
  InvalidNodeTypeError: 1, DataCloneError: 1, EncodingError: 1, NotReadableError: 1, UnknownError: 1, ConstraintError: 1,
  DataError: 1, TransactionInactiveError: 1, ReadOnlyError: 1, VersionError: 1, OperationError: 1, NotAllowedError: 1,
  OptOutError: 1,
};

registerEntry('events.unhandledRejection', (d: RejectionDescriptor) => {
  const reason = reasonFrom(d);
  const promise = PromiseReject(reason);
  markPromiseHandled(promise);
  notifyUnhandledRejection(promise, reason);
});

