// The global object is an EventTarget (as a worker's global scope is):
//   globalThis → ServiceWorkerGlobalScope prototype (not exposed) → EventTarget.prototype → Object.prototype
// so `globalThis instanceof EventTarget`, `addEventListener(…)` called bare, and the `onerror`,
// `onunhandledrejection`, `onrejectionhandled` handler attributes (own properties of the global,
// as WebIDL places members of a [Global] interface) all behave as in browsers' workers.
import {
  ObjectCreate, ObjectDefineProperty, ObjectSetPrototypeOf, SymbolToStringTag, globalThisRef,
} from '../intrinsics.ts';
import { EventTarget, initEventTarget } from './event-target.ts';
import { defineEventHandler } from './event-handler.ts';
import { illegalConstructor } from './idl.ts';

/** The global's class string (Cloudflare Workers' global is a ServiceWorkerGlobalScope too). */
export const GLOBAL_SCOPE_NAME = 'ServiceWorkerGlobalScope';

export function installGlobalScope(): void {
  const proto = ObjectCreate(EventTarget.prototype) as object;
  const ctor = function ServiceWorkerGlobalScope(): never {
    return illegalConstructor();
  };
  ObjectDefineProperty(ctor, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
  ObjectDefineProperty(proto, 'constructor', { value: ctor, writable: true, enumerable: false, configurable: true });
  ObjectDefineProperty(proto, SymbolToStringTag, { value: GLOBAL_SCOPE_NAME, writable: false, enumerable: false, configurable: true });
  ObjectSetPrototypeOf(globalThisRef, proto);
  initEventTarget(globalThisRef);
  defineEventHandler(globalThisRef, 'error');
  defineEventHandler(globalThisRef, 'unhandledrejection');
  defineEventHandler(globalThisRef, 'rejectionhandled');
}
