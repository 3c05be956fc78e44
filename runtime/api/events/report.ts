// HTML "report an exception" and `reportError()`: fire a trusted, cancelable ErrorEvent named
// 'error' at the global; if nothing canceled it, log it as the console would ("Uncaught …").
// Every place the runtime calls tenant code on its own (timers, microtasks, event listeners,
// message ports) reports exceptions here instead of throwing them.
import { hostSend } from '../bridge/host.ts';
import {
  ErrorPrototypeToString, FunctionPrototypeCall, NumberParseInt, ObjectGetOwnPropertyDescriptor, ObjectPrototypeToString,
  RegExpPrototypeExec, String, StringPrototypeSlice, globalThisRef, Error, ReflectApply, ObjectGetPrototypeOf,
  ErrorConstructors, ErrorCaptureStackTrace, ObjectDefineProperty, ReflectDeleteProperty,
} from '../intrinsics.ts';
import { describeDOMException, domExceptionSlots, isDOMException } from '../webidl/dom-exception.ts';
import { createErrorEvent } from './error-event.ts';
import { dispatchTrustedEvent, targetState } from './event-target.ts';

// V8's own `stack` accessor, shared by every error object; reading it runs no tenant code.
const nativeStackGetter = ObjectGetOwnPropertyDescriptor(new Error(), 'stack')?.get;

/** The error's stack text without running tenant code (undefined when there is none). */
export function safeStack(e: unknown): string | undefined {
  if ((typeof e !== 'object' && typeof e !== 'function') || e === null) return undefined;
  try {
    const d = ObjectGetOwnPropertyDescriptor(e, 'stack');
    if (d === undefined) return undefined;
    if ('value' in d) return typeof d.value === 'string' ? d.value : undefined;
    if (d.get !== undefined && d.get === nativeStackGetter) {
      // V8 formats the stack on first read, heading it with Get(e, 'name') and Get(e, 'message'):
      // for a DOMException those are prototype getters tenant code may replace, so for that first
      // read the slots' values are put on the exception itself, and removed right after.
      const dom = domExceptionSlots(e);
      if (dom !== undefined && ObjectGetOwnPropertyDescriptor(e, 'name') === undefined && ObjectGetOwnPropertyDescriptor(e, 'message') === undefined) {
        ObjectDefineProperty(e, 'name', { __proto__: null, value: dom.name, configurable: true } as PropertyDescriptor);
        ObjectDefineProperty(e, 'message', { __proto__: null, value: dom.message, configurable: true } as PropertyDescriptor);
        try {
          const v = FunctionPrototypeCall(d.get, e);
          return typeof v === 'string' ? v : undefined;
        } finally {
          ReflectDeleteProperty(e, 'name');
          ReflectDeleteProperty(e, 'message');
        }
      }
      const v = FunctionPrototypeCall(d.get, e);
      return typeof v === 'string' ? v : undefined;
    }
  } catch {}
  return undefined;
}

function isErrorLike(e: unknown): boolean {
  if (isDOMException(e)) return true;
  // An object with V8's error stack accessor (or an own data stack) came from an Error constructor.
  return safeStack(e) !== undefined;
}

/** A short, safe description of a thrown value: "Error: boom", "42", "[object Object]". */
export function describeValue(e: unknown): string {
  try {
    if (typeof e === 'string') return e;
    if (typeof e === 'symbol') return ObjectPrototypeToString(e);
    if (typeof e !== 'object' && typeof e !== 'function') return String(e);
    if (e === null) return 'null';
    // A DOMException's name and message are prototype getters tenant code may replace: its slots.
    const dom = describeDOMException(e);
    if (dom !== undefined) return dom;
    if (isErrorLike(e)) return ErrorPrototypeToString(e);
    return ObjectPrototypeToString(e);
  } catch {
    return 'exception';
  }
}

export interface ErrorInfo {
  message: string;
  filename: string;
  lineno: number;
  colno: number;
}

// "    at fn (file:12:5)" or "    at file:12:5"
const framePattern = /^\s+at (?:.*?\()?(.+?):(\d+):(\d+)\)?$/;

/**
 * HTML "extract error information" (implementation-defined parts: message, location). The location
 * is the first frame of `where`'s stack (the reportError() call site), else of the error's own stack.
 */
export function extractErrorInfo(e: unknown, where?: object): ErrorInfo {
  const info: ErrorInfo = { message: `Uncaught ${describeValue(e)}`, filename: '', lineno: 0, colno: 0 };
  const stack = where !== undefined ? safeStack(where) : safeStack(e);
  if (stack !== undefined) {
    let start = 0;
    // The first frame line is the first line starting with "    at ".
    for (let i = 0; i < 64; i++) {
      const nl = stringIndexOf(stack, '\n', start);
      if (nl === -1) break;
      const end = stringIndexOf(stack, '\n', nl + 1);
      const line = StringPrototypeSlice(stack, nl + 1, end === -1 ? stack.length : end);
      const m = RegExpPrototypeExec(framePattern, line);
      if (m !== null) {
        info.filename = m[1]!;
        info.lineno = NumberParseInt(m[2]!, 10);
        info.colno = NumberParseInt(m[3]!, 10);
        break;
      }
      start = nl + 1;
    }
  }
  return info;
}

const StringPrototypeIndexOfImpl = String.prototype.indexOf;
function stringIndexOf(s: string, search: string, from: number): number {
  return ReflectApply(StringPrototypeIndexOfImpl, s, [search, from]) as number;
}

/** Console text for an exception nobody handled. */
export function uncaughtText(prefix: string, e: unknown): string {
  const stack = safeStack(e);
  if (stack !== undefined && !isDOMException(e)) return `${prefix} ${stack}`;
  if (isDOMException(e)) {
    const head = describeValue(e);
    // A DOMException's stack starts with "Error" (V8 formats it before `name` is known).
    const nl = stack === undefined ? -1 : stringIndexOf(stack, '\n', 0);
    return nl === -1 ? `${prefix} ${head}` : `${prefix} ${head}${StringPrototypeSlice(stack!, nl)}`;
  }
  return `${prefix} ${describeValue(e)}`;
}

/** Logs to the tenant's console at error level; the host maps stack positions to sources. */
export function logUncaught(text: string): void {
  hostSend('events.uncaught', text);
}

let reporting = false;

/** HTML "report an exception" at the global. `where` locates the report (see extractErrorInfo). */
export function reportException(e: unknown, where?: object): void {
  let notHandled = true;
  try {
    if (!reporting && targetState(globalThisRef) !== undefined) {
      reporting = true;
      try {
        const info = extractErrorInfo(e, where);
        const event = createErrorEvent({ message: info.message, filename: info.filename, lineno: info.lineno, colno: info.colno, error: e });
        notHandled = dispatchTrustedEvent(globalThisRef, event);
      } finally {
        reporting = false;
      }
    }
  } catch {
    // The report itself failed (e.g. out of stack): still log the original exception.
  }
  if (notHandled) {
    try {
      logUncaught(uncaughtText('Uncaught', e));
    } catch {}
  }
}

/** `reportError(e)` (HTML, WindowOrWorkerGlobalScope). */
export function reportError(e: unknown): void {
  if (arguments.length < 1) {
    throw new ErrorConstructors.TypeError("Failed to execute 'reportError': 1 argument required, but only 0 present.");
  }
  // The script that called reportError() is where the report comes from (as in browsers).
  const where = {};
  if (ErrorCaptureStackTrace !== undefined) ErrorCaptureStackTrace(where, reportError);
  reportException(e, where);
}

void ObjectGetPrototypeOf;
