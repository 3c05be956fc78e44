import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('Event', () => {
  it('constructs with WebIDL conversions, defaults and dictionary order', async () => {
    const r = await evalInIsolate(`
      const calls = [];
      const e = new Event('x', {
        get composed() { calls.push('composed'); return 1; },
        get cancelable() { calls.push('cancelable'); return 0; },
        get bubbles() { calls.push('bubbles'); return 'yes'; },
        get sweet() { calls.push('sweet'); return 1; },
      });
      const d = new Event('');
      const err = (f) => { try { f(); return 'none'; } catch (x) { return x.constructor.name; } };
      return {
        calls, bubbles: e.bubbles, cancelable: e.cancelable, composed: e.composed,
        defaults: [d.type, d.target, d.srcElement, d.currentTarget, d.eventPhase, d.bubbles, d.cancelable,
          d.defaultPrevented, d.returnValue, d.isTrusted, d.composedPath().length, typeof d.timeStamp],
        noNew: err(() => Event('x')), noArgs: err(() => new Event()), badInit: err(() => new Event('x', 5)),
        nullInit: new Event('x', null).bubbles, symbolType: err(() => new Event(Symbol())),
        consts: [Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE, d.AT_TARGET],
        length: Event.length, tag: Object.prototype.toString.call(d),
        enumerable: Object.getOwnPropertyDescriptor(Event.prototype, 'type').enumerable,
        methodEnumerable: Object.getOwnPropertyDescriptor(Event.prototype, 'preventDefault').enumerable,
        initEventLength: Event.prototype.initEvent.length,
        illegal: err(() => Object.getOwnPropertyDescriptor(Event.prototype, 'type').get.call({})),
      };
    `);
    expect(r).toEqual({
      calls: ['bubbles', 'cancelable', 'composed'], bubbles: true, cancelable: false, composed: true,
      defaults: ['', null, null, null, 0, false, false, false, true, false, 0, 'number'],
      noNew: 'TypeError', noArgs: 'TypeError', badInit: 'TypeError', nullInit: false, symbolType: 'TypeError',
      consts: [0, 1, 2, 3, 2], length: 1, tag: '[object Event]', enumerable: true, methodEnumerable: true,
      initEventLength: 1, illegal: 'TypeError',
    });
  });

  it('isTrusted is an unforgeable own accessor shared by all events', async () => {
    const r = await evalInIsolate(`
      const a = new Event('a'), b = new Event('b');
      const da = Object.getOwnPropertyDescriptor(a, 'isTrusted');
      const db = Object.getOwnPropertyDescriptor(b, 'isTrusted');
      let redefined = 'no';
      try { Object.defineProperty(a, 'isTrusted', { value: true }); } catch (e) { redefined = e.constructor.name; }
      class Sub extends Event {}
      const s = new Sub('s');
      return [typeof da.get, da.get === db.get, da.configurable, da.enumerable, da.set, a.isTrusted, redefined,
        Object.hasOwn(s, 'isTrusted'), s.isTrusted, 'isTrusted' in Event.prototype];
    `);
    expect(r).toEqual(['function', true, false, true, undefined, false, 'TypeError', true, false, false]);
  });

  it('preventDefault, returnValue, cancelBubble and passive listeners', async () => {
    const r = await evalInIsolate(`
      const t = new EventTarget();
      const out = {};
      const e1 = new Event('x', { cancelable: false });
      e1.preventDefault(); out.notCancelable = e1.defaultPrevented;
      const e2 = new Event('x', { cancelable: true });
      e2.returnValue = false; out.returnValueFalse = [e2.defaultPrevented, e2.returnValue];
      e2.returnValue = true; out.returnValueTrueKeeps = e2.defaultPrevented;
      const e3 = new Event('x');
      e3.cancelBubble = false; out.cb0 = e3.cancelBubble; e3.cancelBubble = true; out.cb1 = e3.cancelBubble;
      let seen;
      const passive = (e) => { e.preventDefault(); seen = e.defaultPrevented; };
      t.addEventListener('p', passive, { passive: true });
      out.passiveResult = t.dispatchEvent(new Event('p', { cancelable: true }));
      out.passiveSeen = seen;
      t.removeEventListener('p', passive);
      t.addEventListener('p', (e) => { e.returnValue = false; });
      out.activeResult = t.dispatchEvent(new Event('p', { cancelable: true }));
      return out;
    `);
    expect(r).toEqual({
      notCancelable: false, returnValueFalse: [true, false], returnValueTrueKeeps: true, cb0: false, cb1: true,
      passiveResult: true, passiveSeen: false, activeResult: false,
    });
  });

  it('initEvent resets flags, is ignored while dispatching', async () => {
    const r = await evalInIsolate(`
      const e = new Event('a', { cancelable: true });
      e.preventDefault(); e.stopPropagation();
      e.initEvent('b', true, true);
      const afterInit = [e.type, e.bubbles, e.cancelable, e.defaultPrevented, e.cancelBubble];
      const t = new EventTarget();
      let during;
      t.addEventListener('b', (ev) => { ev.initEvent('c', false, false); during = [ev.type, ev.bubbles]; });
      t.dispatchEvent(e);
      let arity; try { e.initEvent(); } catch (x) { arity = x.constructor.name; }
      return { afterInit, during, arity };
    `);
    expect(r).toEqual({ afterInit: ['b', true, true, false, false], during: ['b', true], arity: 'TypeError' });
  });
});

describe('EventTarget', () => {
  it('dispatches capture listeners first, at target, with this = currentTarget and handleEvent objects', async () => {
    const r = await evalInIsolate(`
      const t = new EventTarget();
      const log = [];
      t.addEventListener('x', function (e) { log.push(['bubble', this === t, e.eventPhase, e.currentTarget === t, e.target === t, e.composedPath().length]); });
      t.addEventListener('x', () => log.push('capture1'), true);
      t.addEventListener('x', { handleEvent(e) { log.push(['object', this !== t]); } });
      t.addEventListener('x', () => log.push('capture2'), { capture: true });
      const e = new Event('x');
      const ret = t.dispatchEvent(e);
      return { log, ret, after: [e.eventPhase, e.currentTarget, e.target === t, e.composedPath().length] };
    `);
    expect(r).toEqual({
      log: ['capture1', 'capture2', ['bubble', true, 2, true, true, 1], ['object', true]],
      ret: true, after: [0, null, true, 0],
    });
  });

  it('dedupes (type, callback, capture), removes by capture, handles once and signal', async () => {
    const r = await evalInIsolate(`
      const t = new EventTarget();
      let n = 0; const f = () => n++;
      t.addEventListener('x', f); t.addEventListener('x', f); t.addEventListener('x', f, { passive: true });
      t.addEventListener('x', f, true);
      t.dispatchEvent(new Event('x'));
      const both = n;
      t.removeEventListener('x', f, { capture: true });
      n = 0; t.dispatchEvent(new Event('x'));
      const afterRemoveCapture = n;
      t.removeEventListener('x', f);
      n = 0; t.dispatchEvent(new Event('x'));
      const none = n;
      let o = 0; t.addEventListener('o', () => o++, { once: true });
      t.dispatchEvent(new Event('o')); t.dispatchEvent(new Event('o'));
      const ac = new AbortController(); let s = 0;
      t.addEventListener('s', () => s++, { signal: ac.signal });
      t.dispatchEvent(new Event('s')); ac.abort(); t.dispatchEvent(new Event('s'));
      t.addEventListener('s', () => s++, { signal: ac.signal }); t.dispatchEvent(new Event('s'));
      const errs = [];
      for (const bad of [{ signal: null }, { signal: {} }]) {
        try { t.addEventListener('x', f, bad); errs.push('none'); } catch (e) { errs.push(e.constructor.name); }
      }
      try { t.addEventListener('x', 5); } catch (e) { errs.push(e.constructor.name); }
      try { t.addEventListener('x'); } catch (e) { errs.push(e.constructor.name); }
      t.addEventListener('x', null); t.addEventListener('x', undefined);
      return { both, afterRemoveCapture, none, o, s, errs };
    `);
    expect(r).toEqual({ both: 2, afterRemoveCapture: 1, none: 0, o: 1, s: 1, errs: ['TypeError', 'TypeError', 'TypeError', 'TypeError'] });
  });

  it('stopImmediatePropagation and stopPropagation during the capture pass', async () => {
    const r = await evalInIsolate(`
      const t = new EventTarget(); const log = [];
      t.addEventListener('x', (e) => { log.push(1); e.stopImmediatePropagation(); });
      t.addEventListener('x', () => log.push(2));
      t.dispatchEvent(new Event('x'));
      t.addEventListener('y', (e) => { log.push('c'); e.stopPropagation(); }, true);
      t.addEventListener('y', () => log.push('b'));
      const e = new Event('y');
      t.dispatchEvent(e);
      t.dispatchEvent(e);
      return [log, e.cancelBubble];
    `);
    expect(r).toEqual([[1, 'c', 'c'], false]);
  });

  it('listener exceptions are reported, not thrown; re-dispatch is an InvalidStateError', async () => {
    const r = await evalInIsolate(`
      const t = new EventTarget(); const log = [];
      const errors = [];
      addEventListener('error', (e) => { errors.push([e.error.message, e.isTrusted, e.cancelable]); e.preventDefault(); });
      t.addEventListener('x', () => { log.push(1); throw new Error('first'); });
      t.addEventListener('x', { handleEvent: 5 });
      t.addEventListener('x', (e) => {
        log.push(2);
        try { t.dispatchEvent(e); } catch (x) { log.push(x.name, x.code, x instanceof DOMException); }
      });
      const ret = t.dispatchEvent(new Event('x'));
      let nonEvent; try { t.dispatchEvent({}); } catch (x) { nonEvent = x.constructor.name; }
      return { log, ret, errors, nonEvent };
    `);
    expect(r).toEqual({
      log: [1, 2, 'InvalidStateError', 11, true], ret: true,
      errors: [['first', true, true], ["The listener's handleEvent property is not callable.", true, true]],
      nonEvent: 'TypeError',
    });
  });

  it('can be subclassed; EventTarget methods brand-check', async () => {
    const r = await evalInIsolate(`
      class Emitter extends EventTarget { fire(t, d) { return this.dispatchEvent(new CustomEvent(t, { detail: d })); } }
      const em = new Emitter(); let got;
      em.addEventListener('hi', (e) => { got = e.detail; });
      em.fire('hi', 42);
      let brand; try { EventTarget.prototype.addEventListener.call({}, 'x', () => {}); } catch (e) { brand = e.constructor.name; }
      return [got, brand, EventTarget.prototype.addEventListener.length, EventTarget.prototype.dispatchEvent.length];
    `);
    expect(r).toEqual([42, 'TypeError', 2, 1]);
  });
});

describe('CustomEvent, ErrorEvent, PromiseRejectionEvent', () => {
  it('carry their init members with defaults', async () => {
    const r = await evalInIsolate(`
      const c = new CustomEvent('c');
      const c2 = new CustomEvent('c', { detail: { a: 1 }, cancelable: true });
      c.initCustomEvent('d', true, false, 7);
      const e = new ErrorEvent('error', { message: 'm', filename: 'f.js', lineno: 3, colno: -1, error: 9, bubbles: true });
      const e0 = new ErrorEvent('error');
      const p = Promise.resolve();
      const pr = new PromiseRejectionEvent('unhandledrejection', { promise: p, reason: 'r' });
      const errs = [];
      for (const f of [() => new PromiseRejectionEvent('x'), () => new PromiseRejectionEvent('x', {}), () => new PromiseRejectionEvent('x', { promise: 1 })]) {
        try { f(); errs.push('none'); } catch (x) { errs.push(x.constructor.name); }
      }
      return {
        c: [c.detail, c.type, c.bubbles, c2.detail.a, c2.cancelable],
        e: [e.message, e.filename, e.lineno, e.colno, e.error, e.bubbles],
        e0: [e0.message, e0.filename, e0.lineno, e0.colno, e0.error],
        pr: [pr.promise === p, pr.reason, pr.cancelable], errs,
        protos: [Object.getPrototypeOf(CustomEvent.prototype) === Event.prototype, Object.getPrototypeOf(ErrorEvent) === Event,
          PromiseRejectionEvent.length, ErrorEvent.length, CustomEvent.length],
      };
    `);
    expect(r).toEqual({
      c: [7, 'd', true, 1, true],
      e: ['m', 'f.js', 3, 4294967295, 9, true],
      e0: ['', '', 0, 0, undefined],
      pr: [true, 'r', false], errs: ['TypeError', 'TypeError', 'TypeError'],
      protos: [true, true, 2, 1, 1],
    });
  });
});

describe('the global scope', () => {
  it('is an EventTarget with onerror / onunhandledrejection / onrejectionhandled', async () => {
    const r = await evalInIsolate(`
      let n = 0;
      addEventListener('ping', () => n++);
      globalThis.dispatchEvent(new Event('ping'));
      dispatchEvent(new Event('ping'));
      removeEventListener('ping', () => {});
      const own = ['onerror', 'onunhandledrejection', 'onrejectionhandled'].map((k) => {
        const d = Object.getOwnPropertyDescriptor(globalThis, k);
        return d && typeof d.get === 'function' && d.enumerable && d.configurable;
      });
      return {
        n, instance: globalThis instanceof EventTarget, own,
        inherited: Object.hasOwn(globalThis, 'addEventListener'),
        tag: Object.prototype.toString.call(globalThis), onerror: onerror,
      };
    `);
    expect(r).toEqual({ n: 2, instance: true, own: [true, true, true], inherited: false, tag: '[object ServiceWorkerGlobalScope]', onerror: null });
  });

  it('event handler attributes keep their listener position and treat non-objects as null', async () => {
    const r = await evalInIsolate(`
      const ac = new AbortController(); const s = ac.signal; const log = [];
      s.addEventListener('abort', () => log.push('a'));
      s.onabort = () => log.push('h1');
      s.addEventListener('abort', () => log.push('b'));
      s.onabort = () => log.push('h2');
      const kept = s.onabort;
      s.onabort = 5;
      const afterNumber = s.onabort;
      s.onabort = { handleEvent() { log.push('never'); } };
      const obj = typeof s.onabort;
      s.onabort = function () { log.push(this === s ? 'h3-this' : 'h3-wrong'); return false; };
      ac.abort();
      return { log, kept: typeof kept, afterNumber, obj, prevented: false };
    `);
    expect(r).toEqual({ log: ['a', 'b', 'h3-this'], kept: 'function', afterNumber: null, obj: 'object', prevented: false });
  });

  it('a false return value from a handler cancels; onerror gets five arguments and true cancels', async () => {
    const r = await evalInIsolate(`
      const t = new EventTarget();
      const out = {};
      const ac = new AbortController();
      // onabort returning false cancels a cancelable event dispatched by tenant code.
      ac.signal.onabort = () => false;
      out.handlerFalse = ac.signal.dispatchEvent(new Event('abort', { cancelable: true }));
      onerror = (message, filename, lineno, colno, error) => { out.args = [message, filename, lineno, colno, error && error.message]; return true; };
      out.errorCanceled = !dispatchEvent(new ErrorEvent('error', { cancelable: true, message: 'm', filename: 'f', lineno: 1, colno: 2, error: new Error('e') }));
      onerror = null;
      return out;
    `);
    expect(r).toEqual({ handlerFalse: false, args: ['m', 'f', 1, 2, 'e'], errorCanceled: true });
  });
});
