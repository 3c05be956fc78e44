// Tenant code replaces built-ins the runtime might use; streams and encoders must keep working.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

const TAMPER = `
  const saved = {
    then: Promise.prototype.then, push: Array.prototype.push, shift: Array.prototype.shift,
    iter: Array.prototype[Symbol.iterator], defineProperty: Object.defineProperty, apply: Function.prototype.apply,
    call: Function.prototype.call, bind: Function.prototype.bind, fromCharCode: String.fromCharCode, P: Promise,
  };
  const trap = (name) => function () { throw new Error('tenant trap: ' + name); };
  Array.prototype.push = trap('push');
  Array.prototype.shift = trap('shift');
  Array.prototype.unshift = trap('unshift');
  Array.prototype.slice = trap('slice');
  Array.prototype.map = trap('map');
  Array.prototype.concat = trap('concat');
  Object.getPrototypeOf([][Symbol.iterator]()).next = trap('array iterator next');
  Array.prototype[Symbol.iterator] = trap('array iterator');
  Function.prototype.call = trap('call');
  Function.prototype.apply = trap('apply');
  Function.prototype.bind = trap('bind');
  Promise.prototype.then = trap('then');
  Promise.prototype.catch = trap('catch');
  Promise.prototype.finally = trap('finally');
  Promise.resolve = trap('Promise.resolve');
  Promise.reject = trap('Promise.reject');
  Promise.all = trap('Promise.all');
  globalThis.Promise = trap('Promise');
  Object.defineProperty = trap('defineProperty');
  Object.getPrototypeOf = trap('getPrototypeOf');
  Reflect.apply = trap('Reflect.apply');
  Reflect.construct = trap('Reflect.construct');
  String.fromCharCode = trap('fromCharCode');
  String.prototype.charCodeAt = trap('charCodeAt');
  String.prototype.slice = trap('slice');
  String.prototype.indexOf = trap('indexOf');
  String.prototype.toLowerCase = trap('toLowerCase');
  Map.prototype.get = trap('Map.get'); Map.prototype.set = trap('Map.set');
  WeakMap.prototype.get = trap('WeakMap.get');
  Uint8Array.prototype.set = trap('set');
  Uint8Array.prototype.subarray = trap('subarray');
  Object.defineProperty === undefined;
  const TA = Reflect.getPrototypeOf(Uint8Array.prototype);
  Reflect.defineProperty(TA, 'length', { get() { return 0; }, configurable: true });
  Reflect.defineProperty(TA, 'byteLength', { get() { return 0; }, configurable: true });
  Reflect.defineProperty(TA, 'buffer', { get() { return new ArrayBuffer(0); }, configurable: true });
  ArrayBuffer.prototype.slice = trap('ArrayBuffer.slice');
  ArrayBuffer.prototype.transfer = trap('transfer');
  Symbol.asyncIterator;
  Object.prototype.then = undefined; delete Object.prototype.then;
  Error.captureStackTrace = trap('captureStackTrace');
  EventTarget.prototype.addEventListener = trap('addEventListener');
  AbortSignal.prototype.throwIfAborted = trap('throwIfAborted');
  Reflect.defineProperty(AbortSignal.prototype, 'aborted', { get() { return false; }, configurable: true });
`;

describe('tamper-proofing', () => {
  it('streams keep working after tenants replace Promise, Array, Function, Object, typed array and iterator built-ins', async () => {
    const r = await evalInIsolate(`
      ${TAMPER}
      // Tenant code from here on can only use what it saved (and syntax that does not go through the patched methods).
      const u8 = (...xs) => { const a = new Uint8Array(xs.length); for (let i = 0; i < xs.length; i++) a[i] = xs[i]; return a; };
      const results = {};
      const rs = new ReadableStream({ start(c) { c.enqueue('a'); c.enqueue('b'); c.close(); } });
      const reader = rs.getReader();
      const chunks = [];
      let step = 0;
      await new saved.P((resolve) => resolve());
      for (;;) {
        const res = await reader.read();
        if (res.done) break;
        chunks[chunks.length] = res.value;
      }
      results.read = chunks.join();
      const ts = new TransformStream({ transform(c, ctl) { ctl.enqueue(c + '!'); } });
      const writer = ts.writable.getWriter();
      writer.write('x');
      writer.close();
      const tr = ts.readable.getReader();
      results.transform = (await tr.read()).value;
      const written = [];
      const ws = new WritableStream({ write(c) { written[written.length] = c; } });
      const bs = new ReadableStream({ type: 'bytes', start(c) { c.enqueue(u8(1, 2, 3)); c.close(); } });
      const branches = bs.tee(); const t1 = branches[0]; const t2 = branches[1];
      await t2.pipeTo(ws);
      results.piped = written.length + ':' + written[0][0] + written[0][2];
      const byob = t1.getReader({ mode: 'byob' });
      const view = await byob.read(new Uint8Array(2));
      results.byob = view.value[0] + ',' + view.value[1];
      const ac = new AbortController();
      const never = new ReadableStream({ pull() { return new saved.P(() => {}); } });
      const piping = never.pipeTo(new WritableStream(), { signal: ac.signal });
      ac.abort('stop');
      try { await piping; results.abort = 'resolved'; } catch (e) { results.abort = String(e); }
      const from = ReadableStream.from({ [Symbol.asyncIterator]() { let i = 0; return { next() { return { value: i, done: i++ > 1 }; } }; } });
      const got = [];
      for await (const x of from) got[got.length] = x;
      results.from = got.join();
      let ctlSignal;
      const sigWs = new WritableStream({ start(c) { ctlSignal = c.signal; } });
      await sigWs.abort('x');
      results.signal = ctlSignal.reason;
      Promise.prototype.then = saved.then; // the harness needs it to collect the result
      return results;
    `);
    expect(r).toEqual({ read: 'a,b', transform: 'x!', piped: '1:13', byob: '1,2', abort: 'stop', from: '0,1', signal: 'x' });
  });

  it('encoders, decoders (incl. legacy via host) and base64 keep working after tampering', async () => {
    const r = await evalInIsolate(`
      ${TAMPER}
      const u8 = (...xs) => { const a = new Uint8Array(xs.length); for (let i = 0; i < xs.length; i++) a[i] = xs[i]; return a; };
      const enc = new TextEncoder().encode('h\\u00e9\\ud83d\\ude00');
      const dec = new TextDecoder().decode(enc);
      const into = new TextEncoder().encodeInto('abc', new Uint8Array(2));
      const legacy = new TextDecoder('windows-1252').decode(u8(0x80, 0x41));
      const sjis = new TextDecoder('shift_jis').decode(u8(0x82, 0xa0));
      const u16 = new TextDecoder('utf-16le').decode(u8(0x41, 0, 0x3d, 0xd8, 0, 0xde));
      const b = btoa('hello') + '|' + atob('aGVsbG8=');
      let bad; try { atob('!'); } catch (e) { bad = e.name; }
      const es = new TextEncoderStream();
      const w = es.writable.getWriter(); w.write('z'); w.close();
      const er = await es.readable.getReader().read();
      Promise.prototype.then = saved.then; // the harness needs it to collect the result
      return { encLen: enc.byteLength === 0 ? 'tampered getter' : 'real', dec, into: into.read + '/' + into.written, legacy, sjis, u16, b, bad, er: er.value[0] };
    `);
    expect(r).toEqual({
      encLen: 'tampered getter', dec: 'hé😀', into: '2/2', legacy: '€A', sjis: 'あ', u16: 'A😀', b: 'hello'.length === 5 ? 'aGVsbG8=|hello' : '', bad: 'InvalidCharacterError', er: 122,
    });
  });

  it('runtime-created streams never read tenant getters on Object.prototype', async () => {
    const r = await evalInIsolate(`
      const rs = new ReadableStream({ start(c) { c.enqueue('a'); c.close(); } });
      const touched = [];
      const props = ['highWaterMark', 'size', 'start', 'type', 'mode', 'pull', 'cancel', 'flush', 'transform', 'write', 'close', 'abort', 'then', 'signal', 'preventCancel', 'min', 'autoAllocateChunkSize'];
      for (const p of props) Object.defineProperty(Object.prototype, p, { get() { touched.push(p); return undefined; }, configurable: true });
      const [b1, b2] = rs.tee();
      const out = [];
      for await (const x of b1) out.push(x);
      const es = new TextEncoderStream();
      const w = es.writable.getWriter(); w.write('x'); w.close();
      const encoded = await es.readable.getReader().read();
      const ts = new TextDecoderStream();
      const piped = ReadableStream.from(['a']).pipeThrough(new TransformStream());
      const piped2 = await piped.getReader().read();
      for (const p of props) delete Object.prototype[p];
      // 'then' is looked up by the spec on read results ({ value, done } objects) and 'highWaterMark',
      // 'size' on the TransformStream() strategies the tenant passed (none: defaults) are WebIDL reads.
      return { out, encoded: encoded.value[0], piped2: piped2.value, touched: [...new Set(touched)].filter((p) => p !== 'then').sort() };
    `);
    // new TransformStream() converts its (undefined) transformer and strategies: no member reads.
    expect(r).toEqual({ out: ['a'], encoded: 120, piped2: 'a', touched: [] });
  });

  it('internal records are not reachable: no own properties or symbols on stream objects', async () => {
    const r = await evalInIsolate(`
      const objs = [new ReadableStream(), new ReadableStream().getReader(), new WritableStream(), new WritableStream().getWriter(),
        new TransformStream(), new TextEncoder(), new TextDecoder(), new TextEncoderStream(), new TextDecoderStream(), new CountQueuingStrategy({ highWaterMark: 1 })];
      let ctl; new ReadableStream({ start(c) { ctl = c; } }); objs.push(ctl);
      return objs.map((o) => Reflect.ownKeys(o).length);
    `);
    expect(r).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
