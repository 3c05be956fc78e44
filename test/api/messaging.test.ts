import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('structuredClone', () => {
  it('round-trips primitives, wrappers, dates, regexps, maps, sets and plain data', async () => {
    const r = await evalInIsolate(`
      const c = structuredClone;
      const prims = [undefined, null, true, 0, -0, NaN, Infinity, 2 ** 53 + 2, -9007199254740994000900719925474099400090071992547409940009007199254740994000n, '', '\\uD800', '\\u0000x'];
      const primOk = prims.every((p) => Object.is(c(p), p));
      const wrappers = [c(new Boolean(false)), c(new Number(-0)), c(new String('s')), c(Object(5n))];
      const re = /fo+/gimsuyd; re.lastIndex = 3;
      const rc = c(re);
      const m = new Map([[1, { a: 1 }], ['k', [2]]]); const mc = c(m);
      const s = new Set([1, 'x', s0 = {}]); var s0; const sc = c(s);
      const d = c(new Date(8.64e15));
      return {
        primOk,
        wrappers: wrappers.map((w) => [Object.prototype.toString.call(w), typeof w, Object.is(w.valueOf(), -0) ? '-0' : String(w.valueOf())]),
        re: [rc instanceof RegExp, rc.source, rc.flags, rc.lastIndex, rc !== re, String(c(new RegExp('/\\n')))],
        map: [mc instanceof Map, mc !== m, mc.get(1).a, mc.get(1) !== m.get(1), mc.get('k')[0]],
        set: [sc instanceof Set, sc.size, sc.has('x')],
        date: [d instanceof Date, d.getTime()],
        objectProto: Object.getPrototypeOf(c(Object.prototype)) === Object.prototype,
      };
    `);
    expect(r).toEqual({
      primOk: true,
      wrappers: [['[object Boolean]', 'object', 'false'], ['[object Number]', 'object', '-0'], ['[object String]', 'object', 's'], ['[object BigInt]', 'object', '5']],
      re: [true, 'fo+', 'dgimsuy', 0, true, '/\\/\\n/'],
      map: [true, true, 1, true, 2],
      set: [true, 3, true],
      date: [true, 8.64e15],
      objectProto: true,
    });
  });

  it('keeps cycles and shared references; copies only own enumerable string keys; sparse arrays', async () => {
    const r = await evalInIsolate(`
      const shared = { v: 1 };
      const o = { a: shared, b: shared, [Symbol('s')]: 1 };
      o.self = o;
      Object.defineProperty(o, 'hidden', { value: 1, enumerable: false });
      Object.defineProperty(o, 'ro', { value: 2, enumerable: true, writable: false, configurable: false });
      const arr = [1, , 3]; arr.length = 6; arr.extra = 'x'; arr.push(arr);
      const oc = structuredClone(o);
      const ac = structuredClone(arr);
      const proto = structuredClone(new (class Foo { constructor() { this.x = 1; } get y() { return 2; } })());
      const roDesc = Object.getOwnPropertyDescriptor(oc, 'ro');
      return {
        cycle: oc.self === oc, shared: oc.a === oc.b && oc.a !== shared, keys: Object.keys(oc),
        symbols: Object.getOwnPropertySymbols(oc).length, ro: [roDesc.writable, roDesc.configurable],
        arr: [ac.length, 1 in ac, ac[2], ac.extra, ac[6] === ac, Array.isArray(ac)],
        proto: [Object.getPrototypeOf(proto) === Object.prototype, proto.x, 'y' in proto],
      };
    `);
    expect(r).toEqual({
      cycle: true, shared: true, keys: ['a', 'b', 'self', 'ro'], symbols: 0, ro: [true, true],
      arr: [7, false, 3, 'x', true, true],
      proto: [true, 1, false],
    });
  });

  it('clones ArrayBuffers (incl. resizable), typed arrays sharing a buffer, DataViews', async () => {
    const r = await evalInIsolate(`
      const buf = new ArrayBuffer(8); const u8 = new Uint8Array(buf); u8.set([1, 2, 3, 4, 5, 6, 7, 8]);
      const views = { a: new Uint16Array(buf, 2, 2), b: new DataView(buf, 1, 3), c: u8, f: new Float64Array(1), big: new BigInt64Array([-1n]) };
      const vc = structuredClone(views);
      const rab = new ArrayBuffer(4, { maxByteLength: 16 }); new Uint8Array(rab)[0] = 9;
      const rc = structuredClone(rab);
      const f16 = typeof Float16Array === 'function' ? structuredClone(new Float16Array([1.5]))[0] : 1.5;
      return {
        sameBuffer: vc.a.buffer === vc.b.buffer && vc.b.buffer === vc.c.buffer && vc.c.buffer !== buf,
        a: [vc.a.constructor.name, vc.a.byteOffset, vc.a.length, vc.a[0]],
        b: [vc.b.constructor.name, vc.b.byteOffset, vc.b.byteLength, vc.b.getUint8(0)],
        big: vc.big[0] === -1n,
        rab: [rc.resizable, rc.maxByteLength, rc.byteLength, new Uint8Array(rc)[0]], f16,
      };
    `);
    expect(r).toEqual({
      sameBuffer: true, a: ['Uint16Array', 2, 2, 3 + 4 * 256], b: ['DataView', 1, 3, 2], big: true,
      rab: [true, 16, 4, 9], f16: 1.5,
    });
  });

  it('clones errors (type, message, stack, cause) and DOMExceptions', async () => {
    const r = await evalInIsolate(`
      const e = new RangeError('bad', { cause: { why: 1 } }); e.extra = 1;
      const ec = structuredClone(e);
      const n = structuredClone(new Error());
      const custom = new TypeError('x'); custom.name = 'Weird';
      const agg = structuredClone(new AggregateError([], 'agg'));
      const dom = structuredClone(new DOMException('gone', 'NotFoundError'));
      const withSelfCause = new Error('c'); withSelfCause.cause = withSelfCause;
      const sc = structuredClone(withSelfCause);
      return {
        ec: [ec instanceof RangeError, ec.name, ec.message, ec.cause.why, ec.extra, ec.stack === e.stack, Object.getOwnPropertyDescriptor(ec, 'message').enumerable],
        n: [Object.hasOwn(n, 'message'), n.message],
        weird: structuredClone(custom).constructor.name,
        agg: [agg.constructor.name, agg.message],
        dom: [dom instanceof DOMException, dom.name, dom.message, dom.code],
        selfCause: sc.cause === sc,
      };
    `);
    expect(r).toEqual({
      ec: [true, 'RangeError', 'bad', 1, undefined, true, false],
      n: [false, ''],
      weird: 'Error',
      agg: ['Error', 'agg'],
      dom: [true, 'NotFoundError', 'gone', 8],
      selfCause: true,
    });
  });

  it('throws DataCloneError for functions, symbols, weak collections, promises and platform objects', async () => {
    const r = await evalInIsolate(`
      const name = (v) => { try { structuredClone(v); return 'cloned'; } catch (e) { return e instanceof DOMException ? e.name + ':' + e.code : e.constructor.name; } };
      return [() => {}, Symbol('s'), Object(Symbol()), new WeakMap(), new WeakSet(), new WeakRef({}), new FinalizationRegistry(() => {}),
        Promise.resolve(), new EventTarget(), new Event('x'), new AbortController().signal, globalThis, { nested: [() => {}] },
        new SharedArrayBuffer(1), new (class extends EventTarget {})()].map(name);
    `);
    expect(r).toEqual([
      'DataCloneError:25', 'DataCloneError:25', 'DataCloneError:25', 'DataCloneError:25', 'DataCloneError:25', 'DataCloneError:25',
      'DataCloneError:25', 'DataCloneError:25', 'DataCloneError:25', 'DataCloneError:25', 'DataCloneError:25', 'DataCloneError:25',
      'DataCloneError:25', 'DataCloneError:25', 'DataCloneError:25',
    ]);
  });

  it('propagates getter exceptions; out-of-bounds views and detached buffers are DataCloneErrors', async () => {
    const r = await evalInIsolate(`
      const boom = new Error('getter');
      let got; try { structuredClone({ get x() { throw boom; } }); } catch (e) { got = e === boom; }
      const ab = new ArrayBuffer(16, { maxByteLength: 64 });
      const ta = new Uint8Array(ab, 8), dv = new DataView(ab, 8);
      ab.resize(0);
      const name = (v) => { try { structuredClone(v); return 'cloned'; } catch (e) { return e.name; } };
      const detached = new ArrayBuffer(4); const onDetached = new Uint8Array(detached); detached.transfer();
      return [got, name(ta), name(dv), name(detached), name(onDetached)];
    `);
    expect(r).toEqual([true, 'DataCloneError', 'DataCloneError', 'DataCloneError', 'DataCloneError']);
  });

  it('transfers ArrayBuffers (detaching them) and validates the transfer list', async () => {
    const r = await evalInIsolate(`
      const buf = new Uint8Array([1, 2, 3]).buffer;
      const view = new Uint8Array(buf, 1);
      const out = structuredClone({ buf, view }, { transfer: [buf] });
      const name = (f) => { try { f(); return 'ok'; } catch (e) { return e.name; } };
      const b2 = new ArrayBuffer(2);
      return {
        detached: [buf.byteLength, buf.detached], moved: [out.buf.byteLength, out.view[0], out.view.buffer === out.buf],
        dup: name(() => structuredClone(b2, { transfer: [b2, b2] })),
        detachedAgain: name(() => structuredClone(buf, { transfer: [buf] })),
        nonTransferable: name(() => structuredClone(1, { transfer: [{}] })),
        notObject: name(() => structuredClone(1, { transfer: [1] })),
        notIterable: name(() => structuredClone(1, { transfer: 5 })),
        iterable: structuredClone(b2, { transfer: new Set([b2]) }).byteLength, b2Detached: b2.detached,
        noArgs: name(() => structuredClone()),
      };
    `);
    expect(r).toEqual({
      detached: [0, true], moved: [3, 2, true], dup: 'DataCloneError', detachedAgain: 'DataCloneError', nonTransferable: 'DataCloneError',
      notObject: 'TypeError', notIterable: 'TypeError', iterable: 2, b2Detached: true, noArgs: 'TypeError',
    });
  });
});

describe('MessageChannel / MessagePort / MessageEvent', () => {
  it('delivers clones as message tasks, in order, once started', async () => {
    const r = await evalInIsolate(`
      const { port1, port2 } = new MessageChannel();
      const log = [];
      const data = { n: 1 };
      port1.postMessage(data);
      port1.postMessage('second');
      port1.postMessage(3);
      data.n = 2;
      await new Promise((r) => setTimeout(r, 5));
      log.push('nothing before start');
      const done = new Promise((resolve) => {
        port2.addEventListener('message', (e) => {
          log.push([typeof e.data === 'object' ? e.data.n : e.data, e.constructor.name, e.isTrusted, e.origin, e.lastEventId, e.source, e.ports.length, Object.isFrozen(e.ports)]);
          queueMicrotask(() => log.push('micro'));
          if (e.data === 3) resolve();
        });
      });
      port2.start();
      log.push('sync after start');
      await done;
      return log;
    `);
    expect(r).toEqual([
      'nothing before start', 'sync after start',
      [1, 'MessageEvent', true, '', '', null, 0, true], 'micro',
      ['second', 'MessageEvent', true, '', '', null, 0, true], 'micro',
      [3, 'MessageEvent', true, '', '', null, 0, true], 'micro',
    ]);
  });

  it('onmessage starts the port; close() stops delivery and fires close at the other side', async () => {
    const r = await evalInIsolate(`
      const ch = new MessageChannel();
      const got = await new Promise((resolve) => { ch.port2.onmessage = (e) => resolve(e.data); ch.port1.postMessage('hi'); });
      const log = [];
      ch.port2.onmessage = (e) => log.push(e.data);
      ch.port1.onclose = () => log.push('port1 close');
      ch.port2.close();
      ch.port1.postMessage('dropped');
      ch.port2.postMessage('also dropped');
      await new Promise((r) => setTimeout(r, 5));
      // In-flight messages are still delivered after either side closes, even from onmessage.
      const c2 = new MessageChannel();
      const inflight = [];
      const done = new Promise((resolve) => {
        c2.port1.onmessage = (e) => { inflight.push(e.data); c2.port1.close(); if (e.data === 'DONE') resolve(); };
      });
      c2.port2.postMessage('TEST');
      c2.port2.postMessage('DONE');
      c2.port2.close();
      await done;
      // A closed port can still be transferred; the received port is disentangled.
      const c3 = new MessageChannel(), c4 = new MessageChannel();
      c3.port1.onmessage = () => inflight.push('unreachable');
      c3.port2.close();
      const moved = await new Promise((resolve) => { c4.port1.onmessage = (e) => resolve(e.ports[0]); c4.port2.postMessage('p', [c3.port2]); });
      moved.postMessage('lost');
      await new Promise((r) => setTimeout(r, 5));
      return { got, log, inflight, movedIsPort: moved instanceof MessagePort };
    `);
    expect(r).toEqual({ got: 'hi', log: ['port1 close'], inflight: ['TEST', 'DONE'], movedIsPort: true });
  });

  it('transfers ports: the old object is neutered, the new one receives', async () => {
    const r = await evalInIsolate(`
      const a = new MessageChannel(), b = new MessageChannel();
      const received = new Promise((resolve) => { a.port2.onmessage = (e) => resolve(e); });
      a.port1.postMessage({ port: b.port1 }, [b.port1]);
      const e = await received;
      const moved = e.ports[0];
      const viaMoved = new Promise((resolve) => { b.port2.onmessage = (ev) => resolve(ev.data); });
      moved.postMessage('through the moved port');
      const back = new Promise((resolve) => { moved.onmessage = (ev) => resolve(ev.data); });
      b.port2.postMessage('back');
      const name = (f) => { try { f(); return 'ok'; } catch (x) { return x.name; } };
      return {
        same: e.data.port === moved, isPort: moved instanceof MessagePort, notOld: moved !== b.port1,
        data: await viaMoved, back: await back,
        again: name(() => a.port1.postMessage(null, [b.port1])),
        self: name(() => a.port1.postMessage(null, [a.port1])),
        cloneWithoutTransfer: name(() => structuredClone(a.port1)),
      };
    `);
    expect(r).toMatchObject({
      same: true, isPort: true, notOld: true, data: 'through the moved port', back: 'back',
      again: 'DataCloneError', self: 'DataCloneError', cloneWithoutTransfer: 'DataCloneError',
    });
  });

  it('MessageEvent constructor and initMessageEvent', async () => {
    const r = await evalInIsolate(`
      const { port1 } = new MessageChannel();
      const e = new MessageEvent('message', { data: { a: 1 }, origin: 'o', lastEventId: 'l', source: port1, ports: [port1] });
      const d = new MessageEvent('m');
      d.initMessageEvent('n', true, true, 'data', 'org', 'id', null, [port1]);
      const err = (f) => { try { f(); return 'ok'; } catch (x) { return x.constructor.name; } };
      return {
        e: [e.data.a, e.origin, e.lastEventId, e.source === port1, e.ports[0] === port1, Object.isFrozen(e.ports), e.ports === e.ports],
        d: [d.type, d.bubbles, d.data, d.origin, d.lastEventId, d.source, d.ports.length],
        defaults: [new MessageEvent('x').data, new MessageEvent('x').ports.length],
        badSource: err(() => new MessageEvent('x', { source: {} })), badPorts: err(() => new MessageEvent('x', { ports: [1] })),
        structuredPort: err(() => new MessagePort()),
      };
    `);
    expect(r).toEqual({
      e: [1, 'o', 'l', true, true, true, true],
      d: ['n', true, 'data', 'org', 'id', null, 1],
      defaults: [null, 0], badSource: 'TypeError', badPorts: 'TypeError', structuredPort: 'TypeError',
    });
  });
});
