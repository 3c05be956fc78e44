// Tenant code replacing built-ins must not break or observe events, abort, messaging, timers.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

const TAMPER = `
  const trap = (name) => function () { throw new Error('tampered ' + name + ' was called'); };
  const AP = Array.prototype;
  for (const k of ['push', 'pop', 'shift', 'unshift', 'splice', 'slice', 'indexOf', 'includes', 'map', 'filter', 'forEach', 'sort', 'concat', 'join']) AP[k] = trap('Array.prototype.' + k);
  Promise.prototype.then = trap('Promise.prototype.then');
  Promise.prototype.catch = trap('Promise.prototype.catch');
  Function.prototype.call = trap('Function.prototype.call');
  Function.prototype.apply = trap('Function.prototype.apply');
  Function.prototype.bind = trap('Function.prototype.bind');
  WeakMap.prototype.get = trap('WeakMap.prototype.get'); WeakMap.prototype.set = trap('WeakMap.prototype.set'); WeakMap.prototype.has = trap('WeakMap.prototype.has');
  Map.prototype.get = trap('Map.prototype.get'); Map.prototype.set = trap('Map.prototype.set'); Map.prototype.has = trap('Map.prototype.has'); Map.prototype.delete = trap('Map.prototype.delete');
  Map.prototype.forEach = trap('Map.prototype.forEach');
  Set.prototype.add = trap('Set.prototype.add'); Set.prototype.has = trap('Set.prototype.has'); Set.prototype.forEach = trap('Set.prototype.forEach');
  Reflect.apply = trap('Reflect.apply'); Reflect.get = trap('Reflect.get');
  Object.keys = trap('Object.keys'); Object.freeze = trap('Object.freeze'); Object.getPrototypeOf = trap('Object.getPrototypeOf');
  JSON.stringify = trap('JSON.stringify');
  String.prototype.indexOf = trap('String.prototype.indexOf'); String.prototype.slice = trap('String.prototype.slice');
  RegExp.prototype.exec = trap('RegExp.prototype.exec');
  Error.captureStackTrace = trap('Error.captureStackTrace');
  // Internal field names (dictionary members such as 'signal' are read through the prototype chain by spec).
  const keys = ['type', 'listeners', 'handlers', 'hook', 'reason', 'aborted', 'queue', 'entangled', 'owner', 'due', 'dead', 'id', 'items', 't', 'a', 'b', 'c', '0', '1', 'length'];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    Object.defineProperty(Object.prototype, k, { get() { throw new Error('tampered getter ' + k); }, set() { throw new Error('tampered setter ' + k); }, configurable: true });
  }
  Object.defineProperty = trap('Object.defineProperty');
  AP[Symbol.iterator] = trap('Array.prototype[Symbol.iterator]');
`;

describe('tamper resistance', () => {
  it('events, abort, structuredClone, timers and messaging keep working', async () => {
    const r = await evalInIsolate<Record<string, any>>(`
      const results = {};
      const record = (k, f) => { try { results[k] = f(); } catch (e) { results[k] = 'THREW ' + (e && e.message); } };
      let log = '';
      const t = new EventTarget();
      const c = new AbortController();
      const o = { a: [1, 2, { b: new Map([[1, new Set([2])]]) }], d: new Date(3), e: new TypeError('m') };
      o.self = o;
      ${TAMPER}
      record('dispatch', () => {
        const f = (e) => { log += e.type + ':' + e.eventPhase + ','; };
        t.addEventListener('x', f, { capture: false });
        t.addEventListener('x', { handleEvent() { log += 'obj,'; } });
        t.addEventListener('x', () => { log += 'once,'; }, { once: true });
        t.addEventListener('x', () => { log += 'signal'; }, { signal: c.signal });
        const ok = t.dispatchEvent(new CustomEvent('x', { detail: 1, cancelable: true }));
        t.removeEventListener('x', f);
        return ok;
      });
      record('abort', () => {
        let fired = 0;
        c.signal.onabort = () => { fired++; };
        // WebIDL sequences use the argument's own @@iterator (patched for arrays here), so pass another iterable.
        const any = AbortSignal.any({ [Symbol.iterator]() { let done = false; return { next: () => done ? { done: true } : (done = true, { value: c.signal, done: false }) }; } });
        c.abort('r');
        t.dispatchEvent(new Event('x'));
        return [fired, any.aborted, any.reason, c.signal.reason];
      });
      record('clone', () => {
        const x = structuredClone(o, {});
        return [x.self === x, x.a[2].b instanceof Map && x.a[2].b.size === 1 && x.a[2].b !== o.a[2].b, x.d.getTime(), x.e.message, x.e instanceof TypeError];
      });
      record('errors', () => {
        let seen;
        addEventListener('error', (e) => { seen = e.error.message; e.preventDefault(); });
        reportError(new Error('reported'));
        return seen;
      });
      record('log', () => log);
      const timerResult = await new Promise((resolve) => {
        let order = '';
        // HTML orders only timers started earlier with a timeout ≤ this one's: a wide gap keeps this
        // ordering meaningful even when a loaded machine stalls between the two calls.
        setTimeout((a) => { order += a + ','; }, 25, 'second');
        setTimeout((a) => { order += a + ','; }, 0, 'first');
        queueMicrotask(() => { order += 'micro,'; });
        const ch = new MessageChannel();
        ch.port2.onmessage = (e) => { order += 'msg:' + e.data.v + ','; };
        ch.port1.postMessage({ v: 1 });
        setTimeout(() => resolve(order), 50);
      });
      results.timers = timerResult;
      const to = AbortSignal.timeout(1);
      results.timeout = await new Promise((resolve) => { to.onabort = () => resolve(to.reason.name); });
      results.perf = typeof performance.now();
      return results;
    `);
    expect(r).toEqual({
      dispatch: true,
      abort: [1, true, 'r', 'r'],
      clone: [true, true, 3, 'm', true],
      errors: 'reported',
      log: 'x:2,obj,once,signalobj,',
      timers: expect.stringMatching(/^micro,/),
      timeout: 'TimeoutError',
      perf: 'number',
    });
    const timers = String(r.timers).split(',');
    expect(timers.sort()).toEqual(['', 'first', 'micro', 'msg:1', 'second']);
    expect(String(r.timers).indexOf('first')).toBeLessThan(String(r.timers).indexOf('second'));
  });
});
