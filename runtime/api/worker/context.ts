// ExecutionContext (`ctx` of module workers; also behind FetchEvent.waitUntil): waitUntil keeps the
// isolate alive after the response until the promises settle (bounded by the host's wall limit).
import {
  ArrayPrototypePush, ObjectDefineProperty, ObjectSetPrototypeOf, PromiseAll, PromisePrototypeThen, PromiseResolve,
  PromiseWithResolvers,
  SymbolToStringTag, TypeError, WeakMap, WeakMapPrototypeGet, WeakMapPrototypeSet,
} from '../intrinsics.ts';
import { reportWorkerError } from './report.ts';

interface ContextState {
  pending: Promise<unknown>[];
  passThrough: boolean;
}

const states = new WeakMap<object, ContextState>();
let constructing = false;

function stateOf(self: unknown): ContextState {
  const s = typeof self === 'object' && self !== null ? WeakMapPrototypeGet(states, self) : undefined;
  if (s === undefined) throw new TypeError('Illegal invocation');
  return s;
}

export class ExecutionContext {
  constructor() {
    if (!constructing) throw new TypeError('Illegal constructor');
    // `pending` has no prototype: pushes never reach index setters tenant code put on Array.prototype.
    WeakMapPrototypeSet(states, this, { pending: ObjectSetPrototypeOf([], null) as Promise<unknown>[], passThrough: false });
  }
  waitUntil(promise: unknown): void {
    const s = stateOf(this);
    // Rejections are logged, not fatal: the response has usually been sent already.
    ArrayPrototypePush(s.pending, PromisePrototypeThen(PromiseResolve(promise), undefined, (e: unknown) => {
      reportWorkerError('waitUntil', e);
    }));
  }
  /**
   * Accepted for compatibility with Cloudflare Workers. Isle has no origin to fall back to, so an
   * exception still produces a 500; the flag is recorded for the log.
   */
  passThroughOnException(): void {
    stateOf(this).passThrough = true;
  }
}
ObjectDefineProperty(ExecutionContext.prototype, SymbolToStringTag, { value: 'ExecutionContext', configurable: true });

export function createExecutionContext(): ExecutionContext {
  constructing = true;
  try {
    return new ExecutionContext();
  } finally {
    constructing = false;
  }
}

/** Resolves once every promise given to waitUntil so far (and any added while waiting) settled. */
export function settleWaitUntil(ctx: ExecutionContext): Promise<void> {
  const s = stateOf(ctx);
  const settled = PromiseWithResolvers<void>();
  // No promise is returned from a reaction (resolving with it would look up its `then`, through
  // Promise.prototype, which tenant code may replace): later rounds settle the same deferred.
  const round = () => {
    const seen = s.pending.length;
    PromisePrototypeThen(PromiseAll(s.pending), () => {
      if (s.pending.length > seen) round();
      else settled.resolve(undefined);
    }, settled.reject);
  };
  round();
  return settled.promise;
}

/** Whether waitUntil was called (the request cannot be forgotten before those promises settle). */
export function hasWaitUntil(ctx: ExecutionContext): boolean {
  return stateOf(ctx).pending.length > 0;
}
