// ReadableStream (default controller), readers, tee, ReadableStream.from and async iteration.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('ReadableStream: interface shape', () => {
  it('exposes real classes with WebIDL names, lengths, tags, enumerable members and brand checks', async () => {
    const r = await evalInIsolate(`
      const names = ['ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest',
        'ReadableStreamDefaultController', 'ReadableByteStreamController', 'WritableStream', 'WritableStreamDefaultWriter',
        'WritableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController', 'ByteLengthQueuingStrategy', 'CountQueuingStrategy'];
      const shape = {};
      for (const n of names) {
        const C = globalThis[n];
        const d = Object.getOwnPropertyDescriptor(globalThis, n);
        shape[n] = [C.name, C.length, C.prototype[Symbol.toStringTag], d.writable, d.enumerable, d.configurable];
      }
      const err = (f) => { try { f(); return 'none'; } catch (e) { return e.constructor === TypeError ? 'TypeError' : e.constructor === RangeError ? 'RangeError' : String(e); } };
      const rej = async (p) => { try { await p; return 'resolved'; } catch (e) { return e.constructor === TypeError ? 'TypeError' : String(e); } };
      const proto = ReadableStream.prototype;
      return {
        shape,
        methodLengths: [proto.cancel.length, proto.getReader.length, proto.pipeThrough.length, proto.pipeTo.length, proto.tee.length, proto.values.length, ReadableStream.from.length,
          ReadableStreamBYOBReader.prototype.read.length, ReadableByteStreamController.prototype.enqueue.length, ReadableStreamBYOBRequest.prototype.respond.length],
        enumerable: ['cancel', 'getReader', 'locked', 'tee', 'values'].map((k) => Object.getOwnPropertyDescriptor(proto, k).enumerable),
        asyncIterSame: proto[Symbol.asyncIterator] === proto.values,
        asyncIterEnumerable: Object.getOwnPropertyDescriptor(proto, Symbol.asyncIterator).enumerable,
        fromEnumerable: Object.getOwnPropertyDescriptor(ReadableStream, 'from').enumerable,
        illegal: ['ReadableStreamDefaultController', 'ReadableByteStreamController', 'ReadableStreamBYOBRequest', 'WritableStreamDefaultController', 'TransformStreamDefaultController'].map((n) => err(() => new globalThis[n]())),
        lockedBrand: err(() => Object.getOwnPropertyDescriptor(proto, 'locked').get.call({})),
        cancelBrand: await rej(proto.cancel.call({})),
        pipeToBrand: await rej(proto.pipeTo.call({}, new WritableStream())),
        readBrand: await rej(ReadableStreamDefaultReader.prototype.read.call({})),
        closedBrand: await rej(Object.getOwnPropertyDescriptor(ReadableStreamDefaultReader.prototype, 'closed').get.call({})),
        noNew: err(() => ReadableStream()),
        badSource: err(() => new ReadableStream(5)), nullSource: err(() => new ReadableStream(null)),
        badType: err(() => new ReadableStream({ type: 'nope' })), badStart: err(() => new ReadableStream({ start: 5 })),
        badHWM: err(() => new ReadableStream({}, { highWaterMark: -1 })), nanHWM: err(() => new ReadableStream({}, { highWaterMark: NaN })),
        badSize: err(() => new ReadableStream({}, { size: 5 })),
        byteSize: err(() => new ReadableStream({ type: 'bytes' }, { size() { return 1; } })),
        zeroAutoAllocate: err(() => new ReadableStream({ type: 'bytes', autoAllocateChunkSize: 0 })),
        badMode: err(() => new ReadableStream().getReader({ mode: 'nope' })),
        byobOnDefault: err(() => new ReadableStream().getReader({ mode: 'byob' })),
        subclass: (() => { class My extends ReadableStream { extra() { return 1; } } const m = new My(); return [m.extra(), m.locked, m instanceof ReadableStream]; })(),
        iterProto: (() => { const it = new ReadableStream().values(); const p = Object.getPrototypeOf(it); return [p[Symbol.toStringTag], Object.getPrototypeOf(p) === Object.getPrototypeOf(Object.getPrototypeOf(Object.getPrototypeOf((async function* () {})()))), p.next.length, p.return.length, typeof p[Symbol.asyncIterator]]; })(),
      };
    `);
    const shapes = r as { shape: Record<string, unknown[]> };
    for (const [name, s] of Object.entries(shapes.shape)) {
      const expectedLength = ['ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'WritableStreamDefaultWriter', 'ByteLengthQueuingStrategy', 'CountQueuingStrategy'].includes(name) ? 1 : 0;
      expect(s).toEqual([name, expectedLength, name, true, false, true]);
    }
    expect({ ...(r as object), shape: undefined }).toEqual({
      shape: undefined,
      methodLengths: [0, 0, 1, 1, 0, 0, 1, 1, 1, 1],
      enumerable: [true, true, true, true, true], asyncIterSame: true, asyncIterEnumerable: false, fromEnumerable: true,
      illegal: ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'],
      lockedBrand: 'TypeError', cancelBrand: 'TypeError', pipeToBrand: 'TypeError', readBrand: 'TypeError', closedBrand: 'TypeError',
      noNew: 'TypeError', badSource: 'TypeError', nullSource: 'TypeError', badType: 'TypeError', badStart: 'TypeError',
      badHWM: 'RangeError', nanHWM: 'RangeError', badSize: 'TypeError', byteSize: 'RangeError', zeroAutoAllocate: 'TypeError',
      badMode: 'TypeError', byobOnDefault: 'TypeError', subclass: [1, false, true],
      iterProto: ['ReadableStream AsyncIterator', true, 0, 1, 'function'],
    });
  });
});

describe('ReadableStream: default controller', () => {
  it('reads, closes, errors, and reports desiredSize and backpressure through pull', async () => {
    const r = await evalInIsolate(`
      const log = [];
      let controller;
      const rs = new ReadableStream({
        start(c) { controller = c; log.push('start:' + c.desiredSize); },
        pull(c) { log.push('pull:' + c.desiredSize); },
      }, { highWaterMark: 2, size(chunk) { return chunk.length; } });
      await Promise.resolve(); await Promise.resolve();
      controller.enqueue('ab');
      log.push('after enqueue:' + controller.desiredSize);
      controller.enqueue('c');
      log.push('negative:' + controller.desiredSize);
      const reader = rs.getReader();
      log.push('locked:' + rs.locked);
      const a = await reader.read();
      log.push('read:' + JSON.stringify(a) + ':' + controller.desiredSize);
      const b = await reader.read();
      log.push('read:' + JSON.stringify(b) + ':' + controller.desiredSize);
      await Promise.resolve();
      controller.close();
      let closeAgain; try { controller.close(); } catch (e) { closeAgain = e.constructor.name; }
      let enqueueClosed; try { controller.enqueue('x'); } catch (e) { enqueueClosed = e.constructor.name; }
      const c = await reader.read();
      await reader.closed;
      log.push('final:' + JSON.stringify(c) + ':' + controller.desiredSize);

      const err = new Error('boom');
      let ec;
      const rs2 = new ReadableStream({ start(c) { ec = c; c.enqueue(1); } });
      ec.error(err);
      const r2 = rs2.getReader();
      const readErr = await r2.read().catch((e) => e === err);
      const closedErr = await r2.closed.catch((e) => e === err);
      return { log, closeAgain, enqueueClosed, readErr, closedErr, desiredErrored: ec.desiredSize };
    `);
    expect(r).toEqual({
      // Reading from the queue calls pull synchronously when desiredSize becomes positive.
      log: ['start:2', 'pull:2', 'after enqueue:0', 'negative:-1', 'locked:true', 'pull:1', 'read:{"value":"ab","done":false}:1',
        'pull:2', 'read:{"value":"c","done":false}:2', 'final:{"done":true}:0'],
      closeAgain: 'TypeError', enqueueClosed: 'TypeError', readErr: true, closedErr: true, desiredErrored: null,
    });
  });

  it('start/pull rejections and size errors error the stream; cancel runs the cancel hook once', async () => {
    const r = await evalInIsolate(`
      const reason = {};
      const s1 = new ReadableStream({ start() { return Promise.reject(reason); } });
      const e1 = await s1.getReader().closed.catch((e) => e === reason);
      const s2 = new ReadableStream({ pull() { throw reason; } });
      const e2 = await s2.getReader().read().catch((e) => e === reason);
      let sc;
      const s3 = new ReadableStream({ start(c) { sc = c; } }, { size() { throw reason; } });
      let thrown; try { sc.enqueue(1); } catch (e) { thrown = e === reason; }
      const e3 = await s3.getReader().closed.catch((e) => e === reason);
      const calls = [];
      const s4 = new ReadableStream({ start(c) { c.enqueue('queued'); }, cancel(why) { calls.push(why); return 'ignored'; } });
      const cancelResult = await s4.cancel('why');
      const r4 = s4.getReader();
      const afterCancel = await r4.read();
      r4.releaseLock();
      const cancelAgain = await s4.cancel('again');
      let startThrows; try { new ReadableStream({ start() { throw reason; } }); } catch (e) { startThrows = e === reason; }
      const locked = new ReadableStream(); locked.getReader();
      const lockedCancel = await locked.cancel().catch((e) => e.constructor.name);
      let secondReader; try { locked.getReader(); } catch (e) { secondReader = e.constructor.name; }
      const released = new ReadableStream({ start(c) { c.enqueue(1); } });
      const rr = released.getReader();
      const pendingClosed = rr.closed.catch((e) => e.constructor.name);
      rr.releaseLock();
      const releasedRead = await rr.read().catch((e) => e.constructor.name);
      const again = await released.getReader().read();
      const pendingRead = new ReadableStream().getReader();
      const pr = pendingRead.read().catch((e) => e.constructor.name);
      pendingRead.releaseLock();
      return { e1, e2, thrown, e3, calls, cancelResult, afterCancel, cancelAgain, startThrows, lockedCancel, secondReader,
        closedAfterRelease: await pendingClosed, releasedRead, again, pendingReadRelease: await pr };
    `);
    expect(r).toEqual({
      e1: true, e2: true, thrown: true, e3: true, calls: ['why'], cancelResult: undefined, afterCancel: { done: true },
      cancelAgain: undefined, startThrows: true, lockedCancel: 'TypeError', secondReader: 'TypeError',
      closedAfterRelease: 'TypeError', releasedRead: 'TypeError', again: { value: 1, done: false }, pendingReadRelease: 'TypeError',
    });
  });
});

describe('ReadableStream: tee', () => {
  it('tees chunks to both branches and cancels the source only when both branches cancel (composite reason)', async () => {
    const r = await evalInIsolate(`
      let cancelReason;
      const rs = new ReadableStream({ start(c) { c.enqueue('a'); c.enqueue('b'); c.close(); }, cancel(why) { cancelReason = why; } });
      const [b1, b2] = rs.tee();
      const read = async (s) => { const out = []; for await (const x of s) out.push(x); return out; };
      const both = await Promise.all([read(b1), read(b2)]);
      const src = new ReadableStream({ pull(c) { c.enqueue('x'); }, cancel(why) { cancelReason = why; } });
      const [c1, c2] = src.tee();
      // A branch's cancel() settles only once both branches are cancelled.
      const p1 = c1.cancel('r1');
      let p1Settled = false;
      p1.then(() => { p1Settled = true; });
      await new Promise((r) => setTimeout(r, 5));
      const afterOne = [cancelReason, p1Settled];
      const c2reader = c2.getReader();
      const c2read = await c2reader.read();
      await c2reader.cancel('r2');
      await p1;
      const err = new Error('e');
      let ctrl;
      const erroring = new ReadableStream({ start(c) { ctrl = c; } });
      const [e1, e2] = erroring.tee();
      ctrl.error(err);
      const errs = await Promise.all([e1.getReader().closed.catch((e) => e === err), e2.getReader().closed.catch((e) => e === err)]);
      return { both, afterOne, composite: cancelReason, c2read, errs, locked: rs.locked };
    `);
    expect(r).toEqual({
      both: [['a', 'b'], ['a', 'b']], afterOne: [undefined, false], composite: ['r1', 'r2'], c2read: { value: 'x', done: false },
      errs: [true, true], locked: true,
    });
  });
});

describe('ReadableStream.from', () => {
  it('reads async generators, sync iterables (awaiting promises), strings; rejects non-iterables', async () => {
    const r = await evalInIsolate(`
      const read = async (s) => { const out = []; for await (const x of s) out.push(x); return out; };
      async function* gen() { yield 1; yield 2; }
      const err = (f) => { try { f(); return 'none'; } catch (e) { return e.constructor.name; } };
      const rejected = ReadableStream.from([Promise.reject(new Error('x'))]);
      return {
        asyncGen: await read(ReadableStream.from(gen())),
        array: await read(ReadableStream.from([1, Promise.resolve(2), 3])),
        string: await read(ReadableStream.from('ab')),
        isStream: ReadableStream.from([]) instanceof ReadableStream,
        notIterable: err(() => ReadableStream.from(5)), nullArg: err(() => ReadableStream.from(null)), none: err(() => ReadableStream.from()),
        badIterator: err(() => ReadableStream.from({ [Symbol.asyncIterator]() { return 5; } })),
        rejectedValue: await read(rejected).catch((e) => e.message),
        nonObjectResult: await read(ReadableStream.from({ [Symbol.asyncIterator]() { return { next() { return 5; } }; } })).catch((e) => e.constructor.name),
      };
    `);
    expect(r).toEqual({
      asyncGen: [1, 2], array: [1, 2, 3], string: ['a', 'b'], isStream: true, notIterable: 'TypeError', nullArg: 'TypeError',
      none: 'TypeError', badIterator: 'TypeError', rejectedValue: 'x', nonObjectResult: 'TypeError',
    });
  });

  it('pulls lazily (highWaterMark 0) and calls return(reason) on cancel', async () => {
    const r = await evalInIsolate(`
      const log = [];
      const iterable = {
        [Symbol.asyncIterator]() {
          let i = 0;
          return {
            next(...args) { log.push('next:' + args.length); return Promise.resolve({ value: i++, done: false }); },
            return(reason) { log.push('return:' + reason); return Promise.resolve({ done: true }); },
          };
        },
      };
      const rs = ReadableStream.from(iterable);
      await new Promise((r) => setTimeout(r, 5));
      log.push('created');
      const reader = rs.getReader();
      log.push(JSON.stringify(await reader.read()));
      await reader.cancel('bye');
      const badReturn = ReadableStream.from({ [Symbol.asyncIterator]() { return { next() { return { done: false, value: 1 }; }, return() { return 5; } }; } });
      const badReturnResult = await badReturn.cancel().catch((e) => e.constructor.name);
      const syncLog = [];
      const syncIterable = { [Symbol.iterator]() { return { next() { return { value: 1, done: false }; }, return(v) { syncLog.push('return:' + v); return {}; } }; } };
      await ReadableStream.from(syncIterable).cancel('r');
      return { log, badReturnResult, syncLog };
    `);
    expect(r).toEqual({
      log: ['created', 'next:0', '{"value":0,"done":false}', 'return:bye'], badReturnResult: 'TypeError', syncLog: ['return:r'],
    });
  });
});

describe('ReadableStream async iteration', () => {
  it('iterates, cancels on break unless preventCancel, and releases the lock at the end', async () => {
    const r = await evalInIsolate(`
      const make = (log) => new ReadableStream({ pull(c) { c.enqueue(log.n = (log.n || 0) + 1); }, cancel(why) { log.cancel = String(why); } });
      const l1 = {};
      const s1 = make(l1);
      for await (const x of s1) { if (x === 2) break; }
      const l2 = {};
      const s2 = make(l2);
      for await (const x of s2.values({ preventCancel: true })) { if (x === 2) break; }
      const afterPrevent = [s2.locked, (await s2.getReader().read()).value];
      const s3 = new ReadableStream({ start(c) { c.enqueue('a'); c.close(); } });
      const it = s3[Symbol.asyncIterator]();
      const results = [await it.next(), await it.next(), await it.next()];
      const returned = await it.return('v');
      const err = new Error('x');
      const s4 = new ReadableStream({ start(c) { c.error(err); } });
      const it4 = s4.values();
      const e4 = await it4.next().catch((e) => e === err);
      const after4 = await it4.next();
      const s5 = new ReadableStream({ start(c) { c.enqueue(1); } });
      const it5 = s5.values();
      const concurrent = await Promise.all([it5.next(), it5.return('r'), it5.next()]);
      let lockedErr; const s6 = new ReadableStream(); s6.getReader(); try { s6.values(); } catch (e) { lockedErr = e.constructor.name; }
      return { cancel1: l1.cancel, locked1: s1.locked, cancel2: l2.cancel, afterPrevent, results, returned, e4, after4, concurrent, lockedErr, s3locked: s3.locked };
    `);
    expect(r).toEqual({
      cancel1: 'undefined', locked1: false, cancel2: undefined, afterPrevent: [false, 3],
      results: [{ value: 'a', done: false }, { done: true }, { done: true }], returned: { value: 'v', done: true },
      e4: true, after4: { done: true }, concurrent: [{ value: 1, done: false }, { value: 'r', done: true }, { done: true }],
      lockedErr: 'TypeError', s3locked: false,
    });
  });
});
