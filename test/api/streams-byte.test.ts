// Readable byte streams: ReadableByteStreamController, BYOB readers and requests, byte-stream tee.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('readable byte streams', () => {
  it('default reader gets enqueued chunks (buffers transferred) and BYOB reads fill views from the queue', async () => {
    const r = await evalInIsolate(`
      let c;
      const rs = new ReadableStream({ type: 'bytes', start(ctrl) { c = ctrl; } });
      const chunk = new Uint8Array([1, 2, 3, 4, 5]);
      c.enqueue(chunk);
      const detached = chunk.byteLength === 0 && chunk.buffer.detached;
      const desired = c.desiredSize;
      const reader = rs.getReader({ mode: 'byob' });
      const first = await reader.read(new Uint8Array(3));
      const second = await reader.read(new Uint16Array(4));
      c.enqueue(new Uint8Array([6, 7, 8]));
      const third = await reader.read(new DataView(new ArrayBuffer(8)), { min: 1 });
      c.close();
      const done = await reader.read(new Uint8Array(2));
      return {
        detached, desired, first: [first.value.constructor.name, Array.from(first.value), first.done],
        second: [second.value.constructor.name, second.value.length, second.value.byteOffset, Array.from(new Uint8Array(second.value.buffer, 0, 2))],
        third: [third.value.constructor.name, third.value.byteLength, third.value.getUint8(0), third.value.getUint8(1)],
        done: [done.done, done.value.constructor.name, done.value.byteLength, done.value.buffer.byteLength],
      };
    `);
    expect(r).toEqual({
      detached: true, desired: -5,
      first: ['Uint8Array', [1, 2, 3], false],
      // 2 bytes left: one Uint16 element; nothing is left over.
      second: ['Uint16Array', 1, 0, [4, 5]],
      third: ['DataView', 3, 6, 7],
      done: [true, 'Uint8Array', 0, 2],
    });
  });

  it('byobRequest: respond, respondWithNewView, min, and autoAllocateChunkSize for default readers', async () => {
    const r = await evalInIsolate(`
      const log = [];
      const rs = new ReadableStream({
        type: 'bytes',
        pull(c) {
          const req = c.byobRequest;
          log.push([req.constructor.name, req.view.constructor.name, req.view.byteOffset, req.view.byteLength]);
          req.view[0] = log.length;
          req.respond(1);
          log.push(req.view === null ? 'invalidated' : 'still');
        },
      });
      const reader = rs.getReader({ mode: 'byob' });
      const a = await reader.read(new Uint8Array(4), { min: 2 });
      const auto = new ReadableStream({
        type: 'bytes', autoAllocateChunkSize: 16,
        pull(c) { const v = c.byobRequest.view; v[0] = 42; c.byobRequest.respondWithNewView(new Uint8Array(v.buffer, v.byteOffset, 2)); },
      });
      const d = await auto.getReader().read();
      const noAuto = new ReadableStream({ type: 'bytes', pull(c) { log.push('byobRequest:' + c.byobRequest); c.enqueue(new Uint8Array([9])); } });
      const e = await noAuto.getReader().read();
      const err = (f) => { try { f(); return 'none'; } catch (x) { return x.constructor.name; } };
      let checks;
      const checker = new ReadableStream({
        type: 'bytes',
        pull(c) {
          const req = c.byobRequest;
          checks = [
            err(() => req.respond(100)),
            err(() => req.respondWithNewView(new Uint8Array(1))),
            err(() => req.respondWithNewView(new Uint8Array(req.view.buffer, 1, 1))),
            err(() => req.respond(0)),
            err(() => c.enqueue(new Uint8Array(0))),
            err(() => c.enqueue({})),
          ];
          req.respond(2);
          checks.push(err(() => req.respond(1)));
        },
      });
      const f = await checker.getReader({ mode: 'byob' }).read(new Uint8Array(4));
      return { log, a: [Array.from(a.value), a.value.byteLength], d: [d.value.constructor.name, Array.from(d.value), d.value.buffer.byteLength], e: Array.from(e.value), checks, f: f.value.byteLength };
    `);
    expect(r).toEqual({
      log: [['ReadableStreamBYOBRequest', 'Uint8Array', 0, 4], 'invalidated', ['ReadableStreamBYOBRequest', 'Uint8Array', 1, 3], 'invalidated', 'byobRequest:null'],
      a: [[1, 3], 2], d: ['Uint8Array', [42, 0], 16], e: [9],
      checks: ['RangeError', 'RangeError', 'RangeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'], f: 2,
    });
  });

  it('BYOB read argument validation rejects with the right errors', async () => {
    const r = await evalInIsolate(`
      const rs = new ReadableStream({ type: 'bytes' });
      const reader = rs.getReader({ mode: 'byob' });
      const rej = (p) => p.then(() => 'resolved', (e) => e.constructor.name);
      const detachedView = (() => { const b = new ArrayBuffer(4); const v = new Uint8Array(b); b.transfer(); return v; })();
      return [
        await rej(reader.read()), await rej(reader.read(new Uint8Array(0))), await rej(reader.read(new Uint8Array(new ArrayBuffer(0)))),
        await rej(reader.read(detachedView)), await rej(reader.read(new Uint8Array(2), { min: 0 })),
        await rej(reader.read(new Uint16Array(2), { min: 3 })), await rej(reader.read(new DataView(new ArrayBuffer(2)), { min: 3 })),
        await rej(reader.read({})), await rej(reader.read(new ArrayBuffer(2))),
        await rej(ReadableStreamBYOBReader.prototype.read.call({}, new Uint8Array(1))),
      ];
    `);
    expect(r).toEqual(['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'RangeError', 'RangeError', 'TypeError', 'TypeError', 'TypeError']);
  });

  it('releasing a BYOB reader with a pending read keeps the filled bytes for the next reader', async () => {
    const r = await evalInIsolate(`
      let c;
      const rs = new ReadableStream({ type: 'bytes', start(ctrl) { c = ctrl; } });
      const byob = rs.getReader({ mode: 'byob' });
      const pending = byob.read(new Uint8Array(4)).catch((e) => e.constructor.name);
      await Promise.resolve();
      c.byobRequest.view[0] = 5;
      c.byobRequest.view[1] = 6;
      byob.releaseLock();
      const pendingResult = await pending;
      c.byobRequest.respond(2);
      const next = await rs.getReader().read();
      return { pendingResult, next: Array.from(next.value) };
    `);
    expect(r).toEqual({ pendingResult: 'TypeError', next: [5, 6] });
  });

  it('cancel and error on byte streams settle pending BYOB reads', async () => {
    const r = await evalInIsolate(`
      const rs = new ReadableStream({ type: 'bytes' });
      const reader = rs.getReader({ mode: 'byob' });
      const p = reader.read(new Uint8Array(3));
      await reader.cancel('c');
      const canceled = await p;
      let c;
      const rs2 = new ReadableStream({ type: 'bytes', start(ctrl) { c = ctrl; } });
      const r2 = rs2.getReader({ mode: 'byob' });
      const p2 = r2.read(new Uint8Array(3)).catch((e) => e.message);
      c.error(new Error('bad'));
      let closeErr;
      const rs3 = new ReadableStream({ type: 'bytes', start(ctrl) { c = ctrl; } });
      const r3 = rs3.getReader({ mode: 'byob' });
      const p3 = r3.read(new Uint16Array(2)).catch((e) => e.constructor.name);
      await Promise.resolve();
      c.byobRequest.respondWithNewView(new Uint8Array(c.byobRequest.view.buffer, 0, 1));
      try { c.close(); } catch (e) { closeErr = e.constructor.name; }
      return { canceled: [canceled.done, canceled.value && canceled.value.byteLength], errored: await p2, closeErr, p3: await p3 };
    `);
    expect(r).toEqual({ canceled: [true, undefined], errored: 'bad', closeErr: 'TypeError', p3: 'TypeError' });
  });

  it('tees byte streams: independent copies, BYOB reads on a branch', async () => {
    const r = await evalInIsolate(`
      let n = 0;
      const rs = new ReadableStream({ type: 'bytes', pull(c) { if (n === 2) { c.close(); return; } c.enqueue(new Uint8Array([++n, n * 10])); } });
      const [a, b] = rs.tee();
      const ra = a.getReader({ mode: 'byob' });
      const x = await ra.read(new Uint8Array(1));
      const y = await ra.read(new Uint8Array(8));
      const readAll = async (s) => { const out = []; for await (const v of s) out.push(...v); return out; };
      const bAll = await readAll(b);
      const rest = await ra.read(new Uint8Array(8));
      const z = await ra.read(new Uint8Array(8));
      return { x: Array.from(x.value), y: Array.from(y.value), rest: Array.from(rest.value), z: z.done, bAll, kinds: [a.getReader === b.getReader] };
    `);
    expect(r).toEqual({ x: [1], y: [10], rest: [2, 20], z: true, bAll: [1, 10, 2, 20], kinds: [true] });
  });
});
