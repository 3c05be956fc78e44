// Describing a thrown value for the host (which logs it and, in dev, shows it), safely: tenant
// errors may have throwing getters, patched prototypes or be non-Error values.
import { ReflectGet, String, TypeError, ObjectPrototypeToString } from '../intrinsics.ts';
import { describeValue, safeStack } from '../events/report.ts';
import { domExceptionSlots } from '../webidl/dom-exception.ts';

export interface ErrorInfo {
  name: string;
  message: string;
  stack: string;
}

function safeString(read: () => unknown, fallback: string): string {
  try {
    const v = read();
    return typeof v === 'string' ? v : v === undefined ? fallback : String(v);
  } catch {
    return fallback;
  }
}

export function describeThrown(e: unknown): ErrorInfo {
  // A DOMException's name and message are prototype getters tenant code may replace: its slots, and
  // a stack whose header was formatted from them.
  const dom = domExceptionSlots(e);
  if (dom !== undefined) {
    return { name: dom.name, message: dom.message, stack: safeStack(e) ?? describeValue(e) };
  }
  if (typeof e === 'object' && e !== null) {
    const name = safeString(() => ReflectGet(e, 'name'), 'Error');
    const message = safeString(() => ReflectGet(e, 'message'), '');
    const stack = safeString(() => ReflectGet(e, 'stack'), `${name}: ${message}`);
    return { name, message, stack };
  }
  const text = safeString(() => (typeof e === 'symbol' ? ObjectPrototypeToString(e) : e), 'unknown');
  return { name: 'Uncaught', message: text, stack: `Uncaught ${text}` };
}

export function invalidResponseError(what: string): TypeError {
  return new TypeError(`The worker's fetch handler must return a Response (or a Promise of one); it returned ${what}.`);
}
