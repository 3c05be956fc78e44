// Host side of error reporting for isolates: logging uncaught exceptions (with source-mapped
// stacks), and turning isolated-vm's end-of-task unhandled rejections into `unhandledrejection`
// events inside the isolate (see runtime/api/events/promise-rejections.ts for the why).
import type { OpContext, OpModule } from './types.ts';

export type RejectionDescriptor =
  | { kind: 'error'; name: string; message: string; stack: string }
  | { kind: 'value'; value: unknown }
  | { kind: 'object' };

const NON_ERROR = 'An object was thrown from supplied code within isolated-vm';
const STATE = Symbol('events');
/** Forwarded rejections per isolate at most (a listener that rejects again would loop forever). */
const MAX_FORWARDS = 1000;

/** Describes what isolated-vm threw for a task's unhandled rejection, without host stack frames. */
export function describeRejection(e: unknown): RejectionDescriptor {
  if (e instanceof Error) {
    if (e.message.startsWith(NON_ERROR)) return { kind: 'object' };
    const stack = typeof e.stack === 'string' ? e.stack : `${e.name}: ${e.message}`;
    const cut = stack.indexOf('\n    at (<isolated-vm boundary>)');
    return { kind: 'error', name: e.name, message: e.message, stack: cut === -1 ? stack : stack.slice(0, cut) };
  }
  if (typeof e === 'bigint') return { kind: 'value', value: e };
  if (typeof e === 'object' && e !== null) return { kind: 'object' };
  return { kind: 'value', value: e };
}

/**
 * Call with the error of a host → isolate call whose isolate function cannot fail by itself (it
 * catches and reports everything): such a failure is isolated-vm reporting a promise that was
 * rejected during that task and is still unhandled. Fires `unhandledrejection` in the isolate.
 */
export function forwardTaskRejection(ctx: OpContext, e: unknown): void {
  // An isolate that ended (its request finished) can no longer run listeners: log it here instead.
  if (ctx.disposed) return logRejection(ctx, e);
  const state = ctx.state(STATE, () => ({ forwards: 0 }));
  if (state.forwards >= MAX_FORWARDS) return;
  state.forwards++;
  ctx.callIsolate('events.unhandledRejection', describeRejection(e)).catch((again: unknown) =>
    ctx.disposed ? logRejection(ctx, e) : forwardTaskRejection(ctx, again));
}

function logRejection(ctx: OpContext, e: unknown): void {
  const d = describeRejection(e);
  const text = d.kind === 'error' ? d.stack : d.kind === 'value' ? String(d.value) : '[object]';
  ctx.log.tenant('error', `Uncaught (in promise) ${ctx.mapStack(withoutRuntimeFrames(text))}`);
}

/** Drops the runtime's own stack frames (the prelude's), which say nothing to the tenant. */
function withoutRuntimeFrames(text: string): string {
  return text.split('\n').filter((line) => !(/^\s+at /.test(line) && line.includes('isle:prelude'))).join('\n');
}

export const eventsOps: OpModule = {
  send: {
    /** An exception or rejection nobody handled, already formatted ("Uncaught Error: …"). */
    'events.uncaught'(ctx, text: unknown) {
      ctx.log.tenant('error', ctx.mapStack(withoutRuntimeFrames(String(text))));
    },
  },
};
