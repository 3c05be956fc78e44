// WritableStream, writers, controller signal; TransformStream incl. the cancel hook; pipeTo/pipeThrough.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('WritableStream', () => {
  it('writes in order, applies backpressure (desiredSize, ready) and closes', async () => {
    const r = await evalInIsolate(`
      const log = [];
      const resolvers = [];
      const ws = new WritableStream({
        start() { log.push('start'); },
        write(chunk) { log.push('write:' + chunk); return new Promise((r) => resolvers.push(r)); },
        close() { log.push('close'); },
      }, new CountQueuingStrategy({ highWaterMark: 2 }));
      const w = ws.getWriter();
      log.push('desired:' + w.desiredSize);
      const p1 = w.write('a'); const p2 = w.write('b');
      log.push('desired:' + w.desiredSize);
      let readyResolved = false;
      w.ready.then(() => { readyResolved = true; });
      await new Promise((r) => setTimeout(r, 1));
      log.push('ready:' + readyResolved);
      resolvers.shift()();
      await p1;
      log.push('desired:' + w.desiredSize);
      resolvers.shift()();
      await p2;
      await w.close();
      log.push('closed:' + w.desiredSize);
      const closedWrite = await w.write('late').catch((e) => e.constructor.name);
      return { log, closedWrite, locked: ws.locked };
    `);
    expect(r).toEqual({
      // Writes start once start() has settled (a microtask later).
      log: ['start', 'desired:2', 'desired:0', 'write:a', 'ready:false', 'write:b', 'desired:1', 'close', 'closed:0'],
      closedWrite: 'TypeError', locked: true,
    });
  });

  it('abort signals the controller signal, rejects pending writes and calls the sink abort', async () => {
    const r = await evalInIsolate(`
      const log = [];
      let signal;
      const ws = new WritableStream({
        start(c) { signal = c.signal; signal.addEventListener('abort', () => log.push('abort event:' + signal.reason)); },
        // The in-flight write settles when the controller's signal aborts (the sink's job).
        write(chunk, c) { log.push('write'); return new Promise((_, reject) => c.signal.addEventListener('abort', () => reject(c.signal.reason))); },
        abort(reason) { log.push('sink abort:' + reason); },
      });
      const w = ws.getWriter();
      const p1 = w.write(1).catch((e) => 'p1:' + e);
      const p2 = w.write(2).catch((e) => 'p2:' + e);
      await Promise.resolve();
      const ab = w.abort('why');
      log.push('aborted:' + signal.aborted);
      const closed = w.closed.catch((e) => 'closed:' + e);
      const p2r = await p2;
      await ab;
      return { log, isSignal: signal instanceof AbortSignal, p1r: await p1, p2r, closed: await closed, signalTag: Object.prototype.toString.call(signal) };
    `);
    expect(r).toEqual({
      log: ['write', 'abort event:why', 'aborted:true', 'sink abort:why'], isSignal: true, p1r: 'p1:why', p2r: 'p2:why', closed: 'closed:why',
      signalTag: '[object AbortSignal]',
    });
  });

  it('errors from the sink, controller.error and size propagate; releaseLock rejects promises', async () => {
    const r = await evalInIsolate(`
      const e = new Error('sink');
      const ws = new WritableStream({ write() { throw e; } });
      const w = ws.getWriter();
      const wr = await w.write('x').catch((x) => x === e);
      const cl = await w.closed.catch((x) => x === e);
      const ds = w.desiredSize;
      let ctrl;
      const ws2 = new WritableStream({ start(c) { ctrl = c; } });
      const w2 = ws2.getWriter();
      ctrl.error('bad');
      const w2closed = await w2.closed.catch((x) => x);
      const ws3 = new WritableStream({}, { size() { throw 'size'; } });
      const w3 = ws3.getWriter();
      const sizeErr = await w3.write('x').catch((x) => x);
      const ws4 = new WritableStream();
      const w4 = ws4.getWriter();
      w4.releaseLock();
      const relClosed = await w4.closed.catch((x) => x.constructor.name);
      const relWrite = await w4.write(1).catch((x) => x.constructor.name);
      let relDesired; try { w4.desiredSize; } catch (x) { relDesired = x.constructor.name; }
      const err = (f) => { try { f(); return 'none'; } catch (x) { return x.constructor.name; } };
      return {
        wr, cl, ds, w2closed, sizeErr, relClosed, relWrite, relDesired,
        badSink: err(() => new WritableStream({ type: 'bytes' })), badWrite: err(() => new WritableStream({ write: 1 })),
        lockedClose: await ws2.close().catch((x) => x.constructor.name),
        closeTwice: await (async () => { const s = new WritableStream(); const p = s.close(); return [await s.close().catch((x) => x.constructor.name), await p]; })(),
      };
    `);
    expect(r).toEqual({
      wr: true, cl: true, ds: null, w2closed: 'bad', sizeErr: 'size', relClosed: 'TypeError', relWrite: 'TypeError',
      relDesired: 'TypeError', badSink: 'RangeError', badWrite: 'TypeError', lockedClose: 'TypeError', closeTwice: ['TypeError', undefined],
    });
  });
});

describe('TransformStream', () => {
  it('transforms, flushes, terminates and reports desiredSize', async () => {
    const r = await evalInIsolate(`
      const log = [];
      const ts = new TransformStream({
        start(c) { log.push('start:' + c.desiredSize); },
        transform(chunk, c) { c.enqueue(chunk * 2); c.enqueue(chunk * 3); },
        flush(c) { c.enqueue('end'); log.push('flush'); },
      });
      const w = ts.writable.getWriter();
      w.write(1); w.write(2); w.close();
      const out = []; for await (const x of ts.readable) out.push(x);
      const term = new TransformStream({ transform(chunk, c) { c.enqueue(chunk); c.terminate(); } });
      const tw = term.writable.getWriter();
      const tr = term.readable.getReader();
      const wp = tw.write('only');
      const first = await tr.read();
      const second = await tr.read();
      const afterTerminate = await tw.write('more').catch((e) => e.constructor.name);
      const identity = new TransformStream();
      const iw = identity.writable.getWriter(); iw.write('same'); iw.close();
      const ir = await identity.readable.getReader().read();
      const err = (f) => { try { f(); return 'none'; } catch (x) { return x.constructor.name; } };
      return { log, out, first, second, afterTerminate, ir, badType: err(() => new TransformStream({ readableType: 'bytes' })), wpDone: await wp.then(() => 'ok', (e) => e.constructor.name) };
    `);
    expect(r).toEqual({
      log: ['start:0', 'flush'], out: [2, 3, 4, 6, 'end'], first: { value: 'only', done: false }, second: { done: true },
      afterTerminate: 'TypeError', ir: { value: 'same', done: false }, badType: 'RangeError', wpDone: 'ok',
    });
  });

  it('calls the transformer cancel hook when the readable is cancelled or the writable aborted', async () => {
    const r = await evalInIsolate(`
      const log = [];
      const ts = new TransformStream({ cancel(reason) { log.push('cancel:' + reason); } });
      await ts.readable.cancel('r1');
      const w = ts.writable.getWriter();
      const writeAfter = await w.write('x').catch((e) => 'write:' + e);
      const ts2 = new TransformStream({ cancel(reason) { log.push('cancel2:' + reason); } });
      await ts2.writable.abort('a2');
      const readAfter = await ts2.readable.getReader().read().catch((e) => 'read:' + e);
      const ts3 = new TransformStream({ cancel() { throw new Error('hook failed'); } });
      const cancelErr = await ts3.readable.cancel('x').catch((e) => e.message);
      const ts4 = new TransformStream({ flush() { log.push('flush4'); }, cancel() { log.push('never'); } });
      await ts4.writable.close();
      return { log, writeAfter, readAfter, cancelErr };
    `);
    expect(r).toEqual({ log: ['cancel:r1', 'cancel2:a2', 'flush4'], writeAfter: 'write:r1', readAfter: 'read:a2', cancelErr: 'hook failed' });
  });
});

describe('pipeTo / pipeThrough', () => {
  it('pipes with backpressure, propagates close, errors both ways, and honours prevent* options', async () => {
    const r = await evalInIsolate(`
      const src = (chunks, err) => new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(x); if (err) c.error(err); else c.close(); } });
      const sink = (log, opts = {}) => new WritableStream({ write(c) { log.push(c); }, close() { log.push('close'); }, abort(r) { log.push('abort:' + r); }, ...opts });
      const l1 = []; await src([1, 2]).pipeTo(sink(l1));
      const l2 = []; const s2 = sink(l2); await src([1]).pipeTo(s2, { preventClose: true });
      const stillOpen = s2.locked === false && (await s2.getWriter().write(9), l2.slice());
      const l3 = []; const e3 = await src([1], 'srcErr').pipeTo(sink(l3)).catch((e) => e);
      const l4 = []; const e4 = await src([1], 'srcErr').pipeTo(sink(l4), { preventAbort: true }).catch((e) => e);
      const cancels = [];
      const cancellable = () => new ReadableStream({ pull(c) { c.enqueue('x'); }, cancel(r) { cancels.push(String(r)); } });
      const e5 = await cancellable().pipeTo(new WritableStream({ write() { throw 'sinkErr'; } })).catch((e) => e);
      const closedDest = new WritableStream(); await closedDest.close();
      const e6 = await cancellable().pipeTo(closedDest).catch((e) => e.constructor.name);
      const lockedSrc = new ReadableStream(); lockedSrc.getReader();
      const e7 = await lockedSrc.pipeTo(new WritableStream()).catch((e) => e.constructor.name);
      const e8 = await new ReadableStream().pipeTo({}).catch((e) => e.constructor.name);
      return { l1, stillOpen, l3, e3, l4, e4, e5, cancels, e6, e7, e8 };
    `);
    expect(r).toEqual({
      // Erroring a readable stream drops its queue, so chunk 1 never reaches the sink.
      l1: [1, 2, 'close'], stillOpen: [1, 9], l3: ['abort:srcErr'], e3: 'srcErr', l4: [], e4: 'srcErr',
      e5: 'sinkErr', cancels: ['sinkErr', 'TypeError: The destination writable stream closed before all data could be piped to it.'],
      e6: 'TypeError', e7: 'TypeError', e8: 'TypeError',
    });
  });

  it('aborts a pipe with an AbortSignal (abort and cancel with the reason; already-aborted signals)', async () => {
    const r = await evalInIsolate(`
      const log = [];
      const rs = new ReadableStream({ pull(c) { return new Promise((r) => setTimeout(() => { c.enqueue('x'); r(); }, 1)); }, cancel(r) { log.push('cancel:' + r); } });
      const ws = new WritableStream({ write(c) { log.push('write'); }, abort(r) { log.push('abort:' + r); } });
      const ac = new AbortController();
      const p = rs.pipeTo(ws, { signal: ac.signal });
      await new Promise((r) => setTimeout(r, 10));
      ac.abort('stop');
      const result = await p.catch((e) => 'rejected:' + e);
      const unlocked = [rs.locked, ws.locked];
      const pre = new AbortController(); pre.abort();
      const l2 = [];
      const p2 = await new ReadableStream({ cancel() { l2.push('cancel'); } }).pipeTo(new WritableStream({ abort() { l2.push('abort'); } }), { signal: pre.signal, preventCancel: true }).catch((e) => e.name);
      const badSignal = await new ReadableStream().pipeTo(new WritableStream(), { signal: {} }).catch((e) => e.constructor.name);
      return { hasWrite: log.includes('write'), tail: log.filter((x) => x !== 'write'), result, unlocked, p2, l2, badSignal };
    `);
    expect(r).toEqual({
      hasWrite: true, tail: ['abort:stop', 'cancel:stop'], result: 'rejected:stop', unlocked: [false, false],
      p2: 'AbortError', l2: ['abort'], badSignal: 'TypeError',
    });
  });

  it('pipeThrough returns the readable side and validates its arguments', async () => {
    const r = await evalInIsolate(`
      const upper = new TransformStream({ transform(c, ctl) { ctl.enqueue(c.toUpperCase()); } });
      const out = [];
      for await (const x of ReadableStream.from(['a', 'b']).pipeThrough(upper)) out.push(x);
      const err = (f) => { try { f(); return 'none'; } catch (x) { return x.constructor.name; } };
      const locked = new TransformStream(); locked.writable.getWriter();
      return {
        out, same: (() => { const t = new TransformStream(); return new ReadableStream().pipeThrough(t) === t.readable; })(),
        noReadable: err(() => new ReadableStream().pipeThrough({ writable: new WritableStream() })),
        badWritable: err(() => new ReadableStream().pipeThrough({ readable: new ReadableStream(), writable: {} })),
        lockedWritable: err(() => new ReadableStream().pipeThrough(locked)),
        badSignal: err(() => new ReadableStream().pipeThrough(new TransformStream(), { signal: 1 })),
      };
    `);
    expect(r).toEqual({ out: ['A', 'B'], same: true, noReadable: 'TypeError', badWritable: 'TypeError', lockedWritable: 'TypeError', badSignal: 'TypeError' });
  });
});

describe('queuing strategies', () => {
  it('ByteLengthQueuingStrategy and CountQueuingStrategy', async () => {
    const r = await evalInIsolate(`
      const b = new ByteLengthQueuingStrategy({ highWaterMark: '16' });
      const c = new CountQueuingStrategy({ highWaterMark: 3 });
      const err = (f) => { try { f(); return 'none'; } catch (x) { return x.constructor.name; } };
      return {
        b: [b.highWaterMark, b.size({ byteLength: 7 }), b.size === new ByteLengthQueuingStrategy({ highWaterMark: 1 }).size, b.size.name, b.size.length],
        c: [c.highWaterMark, c.size(), c.size.name, c.size.length],
        missing: err(() => new CountQueuingStrategy({})), noArg: err(() => new CountQueuingStrategy()),
        notCtor: err(() => new b.size()), brand: err(() => Object.getOwnPropertyDescriptor(CountQueuingStrategy.prototype, 'highWaterMark').get.call(b)),
        inStream: (() => { let ctl; new ReadableStream({ start(x) { ctl = x; } }, b); ctl.enqueue(new Uint8Array(10)); return ctl.desiredSize; })(),
      };
    `);
    expect(r).toEqual({
      b: [16, 7, true, 'size', 1], c: [3, 1, 'size', 0], missing: 'TypeError', noArg: 'TypeError', notCtor: 'TypeError', brand: 'TypeError', inStream: 6,
    });
  });
});
