// HTML queueMicrotask(): https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#microtask-queuing
// The callback runs as a microtask; an exception it throws is reported (an `error` event at the
// global, then the console), never turned into a rejected promise.
import { ReflectApply, TypeError, enqueueMicrotask } from '../intrinsics.ts';
import { reportException } from '../events/report.ts';
import { requiredArguments } from '../events/idl.ts';

export function queueMicrotask(callback: unknown): void {
  requiredArguments(arguments.length, 1, 'queueMicrotask');
  if (typeof callback !== 'function') {
    throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
  }
  const fn = callback;
  enqueueMicrotask(() => {
    try {
      ReflectApply(fn, undefined, []);
    } catch (e) {
      reportException(e);
    }
  });
}
