import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('AbortController / AbortSignal', () => {
  it('abort() fires a trusted abort event synchronously once, with the reason', async () => {
    const r = await evalInIsolate(`
      const c = new AbortController(); const s = c.signal; const log = [];
      s.addEventListener('abort', (e) => log.push([e.type, e.isTrusted, e.bubbles, e.cancelable, e.target === s, s.aborted]));
      s.onabort = () => log.push('handler');
      const before = [s.aborted, s.reason];
      c.abort('why'); c.abort('again');
      let thrown; try { s.throwIfAborted(); } catch (e) { thrown = e; }
      const d = new AbortController(); d.abort();
      const u = new AbortController(); u.abort(undefined);
      return { before, log, reason: s.reason, thrown, same: c.signal === s,
        defaultReason: [d.signal.reason instanceof DOMException, d.signal.reason.name, d.signal.reason.code, u.signal.reason.name],
        notThrown: (() => { new AbortController().signal.throwIfAborted(); return 'ok'; })() };
    `);
    expect(r).toEqual({
      before: [false, undefined], log: [['abort', true, false, false, true, true], 'handler'], reason: 'why', thrown: 'why', same: true,
      defaultReason: [true, 'AbortError', 20, 'AbortError'], notThrown: 'ok',
    });
  });

  it('AbortSignal is not constructible; statics and brand checks', async () => {
    const r = await evalInIsolate(`
      const err = (f) => { try { f(); return 'none'; } catch (e) { return e.constructor.name; } };
      const a = AbortSignal.abort(); const b = AbortSignal.abort(0);
      return {
        ctor: err(() => new AbortSignal()), a: [a.aborted, a.reason.name], b: b.reason,
        brand: err(() => Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted').get.call({})),
        protoBrand: err(() => Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted').get.call(Object.create(AbortSignal.prototype))),
        ctrlBrand: err(() => AbortController.prototype.abort.call({})),
        isET: a instanceof EventTarget, tag: Object.prototype.toString.call(a),
        staticsEnumerable: Object.getOwnPropertyDescriptor(AbortSignal, 'timeout').enumerable,
        lengths: [AbortSignal.timeout.length, AbortSignal.any.length, AbortSignal.abort.length],
        timeoutErrors: [err(() => AbortSignal.timeout(-1)), err(() => AbortSignal.timeout(NaN)), err(() => AbortSignal.timeout(2 ** 53)), err(() => AbortSignal.timeout())],
        anyErrors: [err(() => AbortSignal.any([{}])), err(() => AbortSignal.any(5)), err(() => AbortSignal.any())],
      };
    `);
    expect(r).toEqual({
      ctor: 'TypeError', a: [true, 'AbortError'], b: 0, brand: 'TypeError', protoBrand: 'TypeError', ctrlBrand: 'TypeError',
      isET: true, tag: '[object AbortSignal]', staticsEnumerable: true, lengths: [1, 1, 0],
      timeoutErrors: ['TypeError', 'TypeError', 'TypeError', 'TypeError'],
      anyErrors: ['TypeError', 'TypeError', 'TypeError'],
    });
  });

  it('AbortSignal.timeout aborts with a TimeoutError, in order', async () => {
    const r = await evalInIsolate(`
      const order = [];
      const signals = [3, 1, 2].map((n) => { const s = AbortSignal.timeout(n * 3); s.onabort = () => order.push(n); return s; });
      const s0 = AbortSignal.timeout(0);
      const early = s0.aborted;
      await new Promise((r) => signals[0].addEventListener('abort', r));
      return { order, early, reason: [signals[0].reason.name, signals[0].reason.message, signals[0].reason.code, signals[0].reason instanceof DOMException], s0: s0.aborted };
    `);
    expect(r).toEqual({ order: [1, 2, 3], early: false, reason: ['TimeoutError', 'The operation timed out.', 23, true], s0: true });
  });

  it('AbortSignal.any follows its sources, flattens dependents and fires in order', async () => {
    const r = await evalInIsolate(`
      const a = new AbortController(), b = new AbortController();
      const any = AbortSignal.any([a.signal, b.signal, a.signal]);
      const nested = AbortSignal.any([any]);
      const log = [];
      a.signal.addEventListener('abort', () => log.push('a'));
      any.addEventListener('abort', () => log.push('any:' + any.reason));
      nested.addEventListener('abort', () => log.push('nested:' + nested.reason));
      const before = [any.aborted, any.reason, nested.aborted];
      b.abort('B');
      a.abort('A');
      const pre = AbortSignal.any([new AbortController().signal, AbortSignal.abort('first'), AbortSignal.abort('second')]);
      const empty = AbortSignal.any([]);
      const it = AbortSignal.any(new Set([AbortSignal.abort('from set')]));
      const t = AbortSignal.any([AbortSignal.timeout(2)]);
      await new Promise((r) => t.onabort = r);
      return { before, log, pre: [pre.aborted, pre.reason], empty: empty.aborted, it: it.reason, t: t.reason.name, distinct: any !== a.signal };
    `);
    expect(r).toEqual({
      before: [false, undefined, false], log: ['any:B', 'nested:B', 'a'], pre: [true, 'first'], empty: false, it: 'from set', t: 'TimeoutError', distinct: true,
    });
  });

  it('a dependent signal with listeners stays alive through GC while its source can abort', async () => {
    const r = await evalInIsolate(`
      const c = new AbortController();
      let fired = 0;
      (() => { AbortSignal.any([c.signal]).addEventListener('abort', () => fired++); })();
      // Many dependents without listeners must not accumulate on the source.
      for (let i = 0; i < 5000; i++) AbortSignal.any([c.signal]);
      // Churn the heap so V8 may collect whatever is unreachable.
      for (let round = 0; round < 3; round++) {
        await new Promise((r) => setTimeout(r, 1));
        for (let i = 0; i < 100; i++) new Array(100000).fill(i);
      }
      await new Promise((r) => setTimeout(r, 1));
      c.abort();
      return fired;
    `);
    expect(r).toBe(1);
  });

  it('removing a listener drops its abort step; aborting removes signal-bound listeners', async () => {
    const r = await evalInIsolate(`
      const c = new AbortController(); const t = new EventTarget(); let n = 0;
      const f = () => n++;
      t.addEventListener('x', f, { signal: c.signal });
      t.removeEventListener('x', f);
      t.addEventListener('x', f);
      c.abort();
      t.dispatchEvent(new Event('x'));
      return n;
    `);
    expect(r).toBe(1);
  });
});
