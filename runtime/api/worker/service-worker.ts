// Service-worker syntax: `addEventListener('fetch', (event) => event.respondWith(…))` and
// `addEventListener('scheduled', …)`, dispatched on the global EventTarget.
import {
  ObjectDefineProperty, Promise, PromiseResolve, SymbolToStringTag, TypeError, WeakMap, WeakMapPrototypeGet,
  WeakMapPrototypeSet, globalThisRef, type Deferred, PromiseWithResolvers,
} from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import type { ExecutionContext } from './context.ts';
import type { ScheduledInit } from './dispatch.ts';
import { web } from './web.ts';
// Events the runtime fires are trusted (event.isTrusted), as in workerd.
import { dispatchTrustedEvent } from '../events/event-target.ts';

interface FetchEventState {
  request: object;
  ctx: ExecutionContext;
  responded: boolean;
  response: Deferred<unknown>;
}

const fetchStates = new WeakMap<object, FetchEventState>();

function fetchState(self: unknown): FetchEventState {
  const s = typeof self === 'object' && self !== null ? WeakMapPrototypeGet(fetchStates, self) : undefined;
  if (s === undefined) throw new TypeError('Illegal invocation');
  return s;
}

let FetchEventClass: (new (request: object, ctx: ExecutionContext) => object) | undefined;
let ScheduledEventClass: (new (init: ScheduledInit, ctx: ExecutionContext) => object) | undefined;

function defineEventClasses(): void {
  const EventBase = web().Event;
  if (EventBase === undefined || FetchEventClass !== undefined) return;
  class FetchEvent extends EventBase {
    constructor(request: object, ctx: ExecutionContext) {
      super('fetch');
      WeakMapPrototypeSet(fetchStates, this, { request, ctx, responded: false, response: PromiseWithResolvers() });
    }
    get request(): object {
      return fetchState(this).request;
    }
    respondWith(response: unknown): void {
      const s = fetchState(this);
      if (s.responded) throw new DOMException('respondWith() was already called for this event.', 'InvalidStateError');
      s.responded = true;
      s.response.resolve(response);
    }
    waitUntil(promise: unknown): void {
      fetchState(this).ctx.waitUntil(promise);
    }
    passThroughOnException(): void {
      fetchState(this).ctx.passThroughOnException();
    }
  }
  ObjectDefineProperty(FetchEvent.prototype, SymbolToStringTag, { value: 'FetchEvent', configurable: true });
  FetchEventClass = FetchEvent;

  class ScheduledEvent extends EventBase {
    readonly scheduledTime: number;
    readonly cron: string;
    #ctx: ExecutionContext;
    constructor(init: ScheduledInit, ctx: ExecutionContext) {
      super('scheduled');
      this.scheduledTime = init.scheduledTime;
      this.cron = init.cron;
      this.#ctx = ctx;
    }
    waitUntil(promise: unknown): void {
      this.#ctx.waitUntil(promise);
    }
    noRetry(): void {}
  }
  ScheduledEventClass = ScheduledEvent;
}

/** Defines FetchEvent/ScheduledEvent on the prelude's Event class (not exposed as globals). */
export function prepareServiceWorkerEvents(): void {
  defineEventClasses();
}

/**
 * Whether the script registered a listener for `type` on the global. Uses the events area's
 * listener query when present; otherwise assumes yes and lets dispatch report a missing respondWith.
 */
export function hasServiceWorkerHandler(type: 'fetch' | 'scheduled'): boolean {
  const count = web().listenerCount;
  return count === undefined ? true : count(globalThisRef, type) > 0;
}

export function dispatchServiceWorkerFetch(request: object, ctx: ExecutionContext): Promise<unknown> {
  if (FetchEventClass === undefined) {
    return new Promise((_, reject) => reject(new TypeError('service-worker syntax needs EventTarget support')));
  }
  const event = new FetchEventClass(request, ctx);
  dispatchTrustedEvent(globalThisRef, event);
  const s = fetchState(event);
  if (!s.responded) {
    return new Promise((_, reject) =>
      reject(new TypeError('No fetch listener called event.respondWith(): the worker produced no response.')));
  }
  return s.response.promise;
}

export function dispatchServiceWorkerScheduled(init: ScheduledInit, ctx: ExecutionContext): Promise<unknown> {
  if (ScheduledEventClass === undefined) {
    return new Promise((_, reject) => reject(new TypeError('service-worker syntax needs EventTarget support')));
  }
  dispatchTrustedEvent(globalThisRef, new ScheduledEventClass(init, ctx));
  return PromiseResolve(undefined);
}
