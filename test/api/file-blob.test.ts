import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('Blob', () => {
  it('has the WebIDL shape', async () => {
    const r = await evalInIsolate(`
      const d = Object.getOwnPropertyDescriptor(globalThis, 'Blob');
      const p = Blob.prototype;
      const size = Object.getOwnPropertyDescriptor(p, 'size');
      return {
        len: Blob.length, enumerable: d.enumerable, writable: d.writable,
        tag: Object.prototype.toString.call(new Blob()), str: String(new Blob()),
        sizeEnum: size.enumerable, sizeGet: typeof size.get, sliceEnum: Object.getOwnPropertyDescriptor(p, 'slice').enumerable,
        noNew: (() => { try { Blob(); return 'no'; } catch (e) { return e instanceof TypeError; } })(),
        illegal: (() => { try { size.get.call({}); return 'no'; } catch (e) { return e instanceof TypeError; } })(),
        textIllegal: await p.text.call({}).then(() => 'no', (e) => e instanceof TypeError),
      };
    `);
    expect(r).toEqual({
      len: 0, enumerable: false, writable: true, tag: '[object Blob]', str: '[object Blob]', sizeEnum: true,
      sizeGet: 'function', sliceEnum: true, noNew: true, illegal: true, textIllegal: true,
    });
  });

  it('converts parts: strings (UTF-8, lone surrogates), buffers, views, blobs', async () => {
    const r = await evalInIsolate(`
      const view = new Uint8Array([0, 255, 0, 4]);
      const b1 = new Blob([view, view]);
      const view1 = new Uint16Array(view.buffer, 2);
      const b2 = new Blob([view1, view.buffer, view1]);
      const mixed = new Blob([new Uint8Array([0]).buffer, new Blob(['fo']), 'foo']);
      const typed = new Blob([
        new Uint8Array([0x50, 0x41, 0x53, 0x53]), new Int8Array([0x50, 0x41, 0x53, 0x53]),
        new Uint16Array([0x4150, 0x5353]), new Uint32Array([0x53534150]), new Float64Array([2510297372767036725005267563121821874921913208671273727396467555337665343087229079989707079680]),
        new BigInt64Array([BigInt('0x5353415053534150')]), new DataView(new Uint8Array([0x21]).buffer),
      ]);
      const odd = new Blob([null, undefined, true, false, 0, 1, new String('so'), [], ['x', 'y'], {}, { toString() { return 'A'; } }]);
      const lone = new Blob(['\\uD800a']);
      return {
        b1: b1.size, b2: [...new Uint8Array(await b2.arrayBuffer())], mixed: await mixed.text(),
        typed: await typed.text(), odd: await odd.text(), lone: [...await lone.bytes()],
        emoji: new Blob(['😀']).size,
        iter: await new Blob({ *[Symbol.iterator]() { yield 'ab'; yield 'cde'; } }).text(),
        strObj: await new Blob(new String('xyz')).text(),
        u8seq: await new Blob(new Uint8Array([1, 2, 3])).text(),
        detached: (() => { const ab = new ArrayBuffer(4); const v = new Uint8Array(ab); structuredClone(ab, { transfer: [ab] }); return new Blob([ab, v, 'x']).size; })(),
      };
    `);
    expect(r).toEqual({
      b1: 8, b2: [0, 4, 0, 255, 0, 4, 0, 4], mixed: '\0fofoo', typed: 'PASSPASSPASSPASSPASSPASSPASSPASS!',
      odd: 'nullundefinedtruefalse01sox,y[object Object]A', lone: [0xef, 0xbf, 0xbd, 0x61], emoji: 4,
      iter: 'abcde', strObj: 'xyz', u8seq: '123', detached: 1,
    });
  });

  it('throws TypeError for non-sequences and invalid bags; propagates conversion errors in order', async () => {
    const r = await evalInIsolate(`
      const bad = [null, true, 0, 'FAIL', new Date(), /x/, {}, { 0: 'FAIL', length: 1 }];
      const results = bad.map((a) => { try { new Blob(a); return 'no'; } catch (e) { return e.constructor.name; } });
      const bags = [123, true, 'abc'].map((a) => { try { new Blob([], a); return 'no'; } catch (e) { return e.constructor.name; } });
      const okBags = [null, undefined, {}, /re/, function () {}].map((a) => new Blob(['x'], a).size);
      const received = [];
      const err = { name: 'test' };
      const obj = {
        get [Symbol.iterator]() { received.push('iter'); return Array.prototype[Symbol.iterator]; },
        get length() { received.push('length'); return 3; },
        get 0() { received.push('0'); return { toString() { received.push('0 toString'); return 'a'; } }; },
        get 1() { received.push('1'); throw err; },
      };
      let thrown;
      try { new Blob(obj); } catch (e) { thrown = e === err; }
      const accessed = [];
      new Blob([], { get type() { accessed.push('type'); }, get endings() { accessed.push('endings'); } });
      let badEndings;
      try { new Blob([], { endings: 'bogus' }); } catch (e) { badEndings = e instanceof TypeError; }
      let leftToRight = 'ok';
      try { new Blob([{ toString() { throw err; } }], { get type() { leftToRight = 'type read'; } }); } catch (e) {}
      return { results, bags, okBags, received, thrown, accessed, badEndings, leftToRight };
    `);
    expect(r).toEqual({
      results: Array(8).fill('TypeError'), bags: ['TypeError', 'TypeError', 'TypeError'], okBags: [1, 1, 1, 1, 1],
      received: ['iter', 'length', '0', '0 toString', 'length', '1'], thrown: true, accessed: ['endings', 'type'],
      badEndings: true, leftToRight: 'ok',
    });
  });

  it('reflects array changes during conversion (pop)', async () => {
    const r = await evalInIsolate(`
      const arr = [{ toString() { arr.pop(); return 'PASS'; } }, { toString() { return 'FAIL'; } }];
      return await new Blob(arr).text();
    `);
    expect(r).toBe('PASS');
  });

  it('normalizes type and endings', async () => {
    const r = await evalInIsolate(`
      const types = ['', 'a', 'A', 'TEXT/HTML', 'text/plain;charset=UTF-8', '\\u00E5', ' image/gif ', '\\timage/gif\\t', 'image/gif;\\u007f', '\\u0130mage/gif', 'image/gif\\u0000']
        .map((t) => new Blob([], { type: t }).type);
      const native = await new Blob(['a\\r\\nb\\rc\\nd\\n\\re'], { endings: 'native' }).text();
      const transparent = await new Blob(['a\\r\\nb\\rc'], { endings: 'transparent' }).text();
      return { types, native, transparent };
    `);
    expect(r).toEqual({
      types: ['', 'a', 'a', 'text/html', 'text/plain;charset=utf-8', '', ' image/gif ', '', '', '', ''],
      native: 'a\nb\nc\nd\n\ne', transparent: 'a\r\nb\rc',
    });
  });

  it('slices with negative indexes, clamping and content type, without sharing mutations', async () => {
    const r = await evalInIsolate(`
      const src = new Uint8Array([1, 2, 3]);
      const b = new Blob(['abc', src, new Blob(['def'])]);
      src[0] = 99; // the Blob took a copy
      const s = (...a) => b.slice(...a);
      const out = {};
      out.all = await s().text();
      out.neg = await s(-4).text();
      out.mid = await s(2, 8).text();
      out.negEnd = await s(1, -2).text();
      out.empty = s(5, 2).size;
      out.big = await s(-100, 100).text();
      out.clamp = s(1.7, Infinity).size;
      out.type = s(0, 1, 'TEXT/Plain').type;
      out.badType = s(0, 1, 'a\\u00e9').type;
      out.srcType = new Blob(['x'], { type: 'a/b' }).slice().type;
      out.nested = await s(2, 9).slice(1, -1).text();
      const file = new File(['hello'], 'h.txt', { type: 'text/plain' });
      const fs = file.slice(1);
      out.fileSlice = [fs instanceof File, fs instanceof Blob, fs.type, await fs.text()];
      out.bytes = [...new Uint8Array(await s(3, 6).arrayBuffer())];
      return out;
    `);
    expect(r).toEqual({
      all: 'abc\x01\x02\x03def', neg: '\x03def', mid: 'c\x01\x02\x03de', negEnd: 'bc\x01\x02\x03d', empty: 0,
      big: 'abc\x01\x02\x03def', clamp: 7, type: 'text/plain', badType: '', srcType: '', nested: '\x01\x02\x03de',
      fileSlice: [false, true, '', 'ello'], bytes: [1, 2, 3],
    });
  });

  it('reads with text (BOM stripped, invalid → U+FFFD), arrayBuffer/bytes copies, stream()', async () => {
    const r = await evalInIsolate(`
      const b = new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff])]);
      const ab1 = await b.arrayBuffer();
      new Uint8Array(ab1)[0] = 0;
      const ab2 = await b.arrayBuffer();
      const u8 = await b.bytes();
      const chunks = [];
      const reader = new Blob(['str', 'eam']).stream().getReader();
      for (;;) { const { done, value } = await reader.read(); if (done) break; chunks.push(...value); }
      const byob = new Blob(['xyz']).stream().getReader({ mode: 'byob' });
      const r1 = await byob.read(new Uint8Array(2));
      return {
        text: await b.text(), ab: new Uint8Array(ab2)[0], u8: u8 instanceof Uint8Array && u8.length,
        distinct: ab1 !== ab2, stream: String.fromCharCode(...chunks), byob: [...r1.value],
        emptyText: await new Blob().text(),
      };
    `);
    expect(r).toEqual({ text: 'a\uFFFD', ab: 0xef, u8: 5, distinct: true, stream: 'stream', byob: [0x78, 0x79], emptyText: '' });
  });
});

describe('File', () => {
  it('constructs with name, lastModified, type and required arguments', async () => {
    const r = await evalInIsolate(`
      const before = Date.now();
      const f = new File(['bits', new Blob(['bits'])], 'dummy/foo', { type: 'TEXT/PLAIN' });
      const after = Date.now();
      const errors = [() => new File(), () => new File([]), () => new File('hello', 'x'), () => new File(null, 'x'), () => new File(['x'], 'n', 123)]
        .map((fn) => { try { fn(); return 'no'; } catch (e) { return e.constructor.name; } });
      const accessed = [];
      new File([], 'x', { get type() { accessed.push('type'); }, get lastModified() { accessed.push('lastModified'); }, get endings() { accessed.push('endings'); } });
      return {
        name: f.name, size: f.size, type: f.type, isBlob: f instanceof Blob, proto: Object.getPrototypeOf(File) === Blob,
        tag: Object.prototype.toString.call(f), len: File.length,
        lmNow: f.lastModified >= before && f.lastModified <= after,
        lm: new File([], 'x', { lastModified: 42 }).lastModified,
        lmDate: new File([], 'x', { lastModified: new Date(1000) }).lastModified,
        lmNeg: new File([], 'x', { lastModified: -1.9 }).lastModified,
        nullName: new File([], null).name, numName: new File([], 1).name,
        lone: new File([], '\\uD800').name, errors, accessed,
        misuse: new File(['bits'], 'dummy', { name: 'foo' }).name,
      };
    `);
    expect(r).toEqual({
      name: 'dummy/foo', size: 8, type: 'text/plain', isBlob: true, proto: true, tag: '[object File]', len: 2,
      lmNow: true, lm: 42, lmDate: 1000, lmNeg: -1, nullName: 'null', numName: '1', lone: '\uFFFD',
      errors: ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'],
      accessed: ['endings', 'lastModified', 'type'], misuse: 'dummy',
    });
  });

  it('is serializable with structuredClone', async () => {
    const r = await evalInIsolate(`
      const f = new File(['file body'], 'a.txt', { type: 'text/plain', lastModified: 7 });
      const b = new Blob(['blob', new Uint8Array([33])], { type: 'x/y' });
      const [fc, bc] = structuredClone([f, b]);
      const nested = structuredClone({ list: [b.slice(1, 3)] });
      return {
        file: [fc instanceof File, fc !== f, fc.name, fc.type, fc.lastModified, await fc.text()],
        blob: [bc instanceof Blob, bc instanceof File, bc.type, bc.size, await bc.text()],
        nested: await nested.list[0].text(),
      };
    `);
    expect(r).toEqual({
      file: [true, true, 'a.txt', 'text/plain', 7, 'file body'], blob: [true, false, 'x/y', 5, 'blob!'], nested: 'lo',
    });
  });
});
