// Encoding Standard: TextEncoder, TextDecoder (UTF-8/UTF-16 in the isolate, legacy encodings through
// the host), TextEncoderStream and TextDecoderStream.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

const SINGLE_BYTE = [
  'ibm866', 'iso-8859-2', 'iso-8859-3', 'iso-8859-4', 'iso-8859-5', 'iso-8859-6', 'iso-8859-7', 'iso-8859-8',
  'iso-8859-8-i', 'iso-8859-10', 'iso-8859-13', 'iso-8859-14', 'iso-8859-15', 'iso-8859-16', 'koi8-r', 'koi8-u',
  'macintosh', 'windows-874', 'windows-1250', 'windows-1251', 'windows-1252', 'windows-1253', 'windows-1254',
  'windows-1255', 'windows-1256', 'windows-1257', 'windows-1258', 'x-mac-cyrillic',
];

describe('TextEncoder', () => {
  it('encodes UTF-8, replaces lone surrogates and has the WebIDL shape', async () => {
    const r = await evalInIsolate(`
      const e = new TextEncoder();
      const err = (f) => { try { f(); return 'none'; } catch (x) { return x instanceof TypeError ? 'TypeError' : String(x); } };
      return {
        enc: e.encoding,
        ascii: Array.from(e.encode('abc')),
        mixed: Array.from(e.encode('\\u00e9\\u20ac\\ud83d\\ude00')),
        lone: Array.from(e.encode('a\\ud800b\\udc00')),
        empty: e.encode().length, undef: e.encode(undefined).length, nul: Array.from(e.encode(null)),
        isU8: e.encode('x') instanceof Uint8Array,
        tag: Object.prototype.toString.call(e),
        brand: err(() => TextEncoder.prototype.encode.call({}, 'a')),
        brandGetter: err(() => Object.getOwnPropertyDescriptor(TextEncoder.prototype, 'encoding').get.call({})),
        lengths: [TextEncoder.length, TextEncoder.prototype.encode.length, TextEncoder.prototype.encodeInto.length],
        names: [TextEncoder.name, TextEncoder.prototype.encodeInto.name],
        enumerable: Object.getOwnPropertyDescriptor(TextEncoder.prototype, 'encode').enumerable,
        symbol: err(() => e.encode(Symbol())),
        ctorNoNew: err(() => TextEncoder()),
      };
    `);
    expect(r).toEqual({
      enc: 'utf-8', ascii: [97, 98, 99], mixed: [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80],
      lone: [0x61, 0xef, 0xbf, 0xbd, 0x62, 0xef, 0xbf, 0xbd], empty: 0, undef: 0, nul: [110, 117, 108, 108],
      isU8: true, tag: '[object TextEncoder]', brand: 'TypeError', brandGetter: 'TypeError', lengths: [0, 0, 2],
      names: ['TextEncoder', 'encodeInto'], enumerable: true, symbol: 'TypeError', ctorNoNew: 'TypeError',
    });
  });

  it('encodeInto reports read/written, never splits a character and handles surrogate pairs', async () => {
    const r = await evalInIsolate(`
      const e = new TextEncoder();
      const run = (s, n, offset = 0) => {
        const buf = new Uint8Array(n + offset + 2).fill(0x2a);
        const view = new Uint8Array(buf.buffer, offset, n);
        const res = e.encodeInto(s, view);
        return [res.read, res.written, Object.keys(res).join(), Array.from(buf)];
      };
      const err = (f) => { try { f(); return 'none'; } catch (x) { return x.constructor === TypeError ? 'TypeError' : String(x); } };
      return {
        fits: run('ab', 4),
        pairTooSmall: run('a\\ud83d\\ude00', 4),
        pairFits: run('a\\ud83d\\ude00', 5),
        lone: run('\\ud800x', 4),
        threeByte: run('\\u20ac\\u20ac', 5),
        offset: run('\\u00e9', 2, 1),
        zero: run('abc', 0),
        notU8: err(() => e.encodeInto('a', new Uint16Array(2))),
        dataview: err(() => e.encodeInto('a', new DataView(new ArrayBuffer(2)))),
        missing: err(() => e.encodeInto('a')),
        detached: (() => { const b = new ArrayBuffer(4); const v = new Uint8Array(b); b.transfer(); const res = e.encodeInto('abc', v); return [res.read, res.written]; })(),
      };
    `);
    expect(r).toEqual({
      fits: [2, 2, 'read,written', [97, 98, 42, 42, 42, 42]],
      pairTooSmall: [1, 1, 'read,written', [97, 42, 42, 42, 42, 42]],
      pairFits: [3, 5, 'read,written', [97, 0xf0, 0x9f, 0x98, 0x80, 42, 42]],
      lone: [2, 4, 'read,written', [0xef, 0xbf, 0xbd, 0x78, 42, 42]],
      threeByte: [1, 3, 'read,written', [0xe2, 0x82, 0xac, 42, 42, 42, 42]],
      offset: [1, 2, 'read,written', [42, 0xc3, 0xa9, 42, 42]],
      zero: [0, 0, 'read,written', [42, 42]],
      notU8: 'TypeError', dataview: 'TypeError', missing: 'TypeError', detached: [0, 0],
    });
  });
});

describe('TextDecoder', () => {
  it('resolves labels, exposes attributes and rejects unknown labels and replacement with RangeError', async () => {
    const r = await evalInIsolate(`
      const enc = (l) => { try { return new TextDecoder(l).encoding; } catch (e) { return e.constructor === RangeError ? 'RangeError' : String(e); } };
      const d = new TextDecoder('UTF-16', { fatal: 1, ignoreBOM: 'yes' });
      const err = (f) => { try { f(); return 'none'; } catch (x) { return x.constructor === TypeError ? 'TypeError' : x.constructor === RangeError ? 'RangeError' : String(x); } };
      return {
        labels: [enc(), enc(' \\t\\nUtF8 \\f'), enc('latin1'), enc('ASCII'), enc('sjis'), enc('gb2312'), enc('unicodefffe'),
          enc('x-user-defined'), enc('ucs-2'), enc('iso-2022-kr'), enc('replacement'), enc('nope'), enc('utf\\u212a-8'), enc('koi8-ru')],
        attrs: [d.encoding, d.fatal, d.ignoreBOM],
        defaults: (() => { const x = new TextDecoder(); return [x.fatal, x.ignoreBOM]; })(),
        badOptions: err(() => new TextDecoder('utf-8', 5)),
        nullOptions: new TextDecoder('utf-8', null).fatal,
        badInput: err(() => new TextDecoder().decode('abc')),
        nullInput: err(() => new TextDecoder().decode(null)),
        brand: err(() => TextDecoder.prototype.decode.call({})),
        tag: Object.prototype.toString.call(d), length: [TextDecoder.length, TextDecoder.prototype.decode.length],
      };
    `);
    expect(r).toEqual({
      labels: ['utf-8', 'utf-8', 'windows-1252', 'windows-1252', 'shift_jis', 'gbk', 'utf-16be', 'x-user-defined',
        'utf-16le', 'RangeError', 'RangeError', 'RangeError', 'RangeError', 'koi8-u'],
      attrs: ['utf-16le', true, true], defaults: [false, false], badOptions: 'TypeError', nullOptions: false,
      badInput: 'TypeError', nullInput: 'TypeError', brand: 'TypeError', tag: '[object TextDecoder]', length: [0, 0],
    });
  });

  it('decodes UTF-8 with BOM handling, replacement per maximal subpart, and fatal TypeError', async () => {
    const r = await evalInIsolate(`
      const d = (bytes, opts) => new TextDecoder('utf-8', opts).decode(new Uint8Array(bytes));
      const cps = (s) => Array.from(s, (c) => c.codePointAt(0).toString(16));
      const fatal = (bytes) => { try { d(bytes, { fatal: true }); return 'none'; } catch (e) { return e.constructor === TypeError ? 'TypeError' : String(e); } };
      return {
        bom: d([0xef, 0xbb, 0xbf, 0x61]), keepBom: cps(d([0xef, 0xbb, 0xbf, 0x61], { ignoreBOM: true })),
        doubleBom: cps(d([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf])),
        invalid: cps(d([0x61, 0xf0, 0x90, 0x80, 0x62, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xff])),
        truncated: cps(d([0xe2, 0x82])),
        overlong: cps(d([0xe0, 0x80, 0xaf])),
        fatalBad: fatal([0x61, 0xff]), fatalTrunc: fatal([0xe2, 0x82]), fatalOk: (() => d([0xe2, 0x82, 0xac], { fatal: true }))(),
        sources: [new TextDecoder().decode(new Uint8Array([104, 105]).buffer), new TextDecoder().decode(new DataView(new Uint8Array([0, 104, 105, 0]).buffer, 1, 2)),
          new TextDecoder().decode(new Uint16Array([0x6968])), new TextDecoder().decode(), new TextDecoder().decode(undefined)],
        big: (() => { const s = 'h\\u00e9\\u20ac\\ud83d\\ude00'.repeat(20000); return new TextDecoder().decode(new TextEncoder().encode(s)) === s; })(),
      };
    `);
    expect(r).toEqual({
      bom: 'a', keepBom: ['feff', '61'], doubleBom: ['feff'],
      invalid: ['61', 'fffd', '62', 'fffd', 'fffd', 'fffd', 'fffd', 'fffd', 'fffd', 'fffd', 'fffd', 'fffd', 'fffd'],
      truncated: ['fffd'], overlong: ['fffd', 'fffd', 'fffd'],
      fatalBad: 'TypeError', fatalTrunc: 'TypeError', fatalOk: '\u20ac',
      sources: ['hi', 'hi', 'hi', '', ''], big: true,
    });
  });

  it('streams UTF-8 with sequences split at every position, and strips a BOM split across calls', async () => {
    const r = await evalInIsolate(`
      const text = 'a\\u00e9\\u20ac\\ud83d\\ude00z';
      const bytes = new TextEncoder().encode(text);
      const results = [];
      for (let i = 0; i <= bytes.length; i++) {
        for (let j = i; j <= bytes.length; j++) {
          const d = new TextDecoder();
          const out = d.decode(bytes.subarray(0, i), { stream: true }) + d.decode(bytes.subarray(i, j), { stream: true }) + d.decode(bytes.subarray(j));
          if (out !== text) results.push([i, j, out]);
        }
      }
      const d = new TextDecoder();
      const bom = d.decode(new Uint8Array([0xef]), { stream: true }) + d.decode(new Uint8Array([0xbb]), { stream: true }) + d.decode(new Uint8Array([0xbf, 0x41]), { stream: true }) + d.decode();
      const again = d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x42]));
      const partialEnd = new TextDecoder();
      const pe = partialEnd.decode(new Uint8Array([0xf0, 0x9f]), { stream: true }) + '|' + partialEnd.decode();
      const reuse = partialEnd.decode(new Uint8Array([0x41]));
      return { failures: results, bom, again, pe, reuse };
    `);
    expect(r).toEqual({ failures: [], bom: 'A', again: 'B', pe: '|\ufffd', reuse: 'A' });
  });

  it('decodes UTF-16LE/BE with BOMs, split code units, lone surrogates and odd lengths', async () => {
    const r = await evalInIsolate(`
      const cps = (s) => Array.from(s, (c) => c.codePointAt(0).toString(16));
      const le = (bytes, opts) => cps(new TextDecoder('utf-16le', opts).decode(new Uint8Array(bytes)));
      const be = (bytes) => cps(new TextDecoder('utf-16be').decode(new Uint8Array(bytes)));
      const d = new TextDecoder('utf-16le');
      const split = [0xff, 0xfe, 0x3d, 0xd8, 0x00, 0xde, 0x41, 0x00].map((b) => d.decode(new Uint8Array([b]), { stream: true })).join('') + d.decode();
      let fatal; try { new TextDecoder('utf-16be', { fatal: true }).decode(new Uint8Array([0xd8, 0x00])); fatal = 'none'; } catch (e) { fatal = e.constructor.name; }
      return {
        le: le([0xff, 0xfe, 0x41, 0x00, 0x3d, 0xd8, 0x00, 0xde]), leKeep: le([0xff, 0xfe, 0x41, 0x00], { ignoreBOM: true }),
        be: be([0xfe, 0xff, 0x00, 0x41, 0xd8, 0x3d, 0xde, 0x00]),
        lone: le([0x00, 0xd8, 0x41, 0x00, 0x00, 0xdc]), odd: le([0x41, 0x00, 0x42]),
        leadAtEnd: le([0x3d, 0xd8]), split: cps(split), fatal,
      };
    `);
    expect(r).toEqual({
      le: ['41', '1f600'], leKeep: ['feff', '41'], be: ['41', '1f600'],
      lone: ['fffd', '41', 'fffd'], odd: ['41', 'fffd'], leadAtEnd: ['fffd'], split: ['1f600', '41'], fatal: 'TypeError',
    });
  });

  it('decodes every single-byte legacy encoding exactly like the host ICU tables', async () => {
    const expected: Record<string, string> = {};
    const all = new Uint8Array(256).map((_, i) => i);
    for (const name of SINGLE_BYTE) expected[name] = new TextDecoder(name).decode(all);
    const r = await evalInIsolate<Record<string, string>>(`
      const names = ${JSON.stringify(SINGLE_BYTE)};
      const all = new Uint8Array(256).map((_, i) => i);
      const out = {};
      for (const n of names) out[n] = new TextDecoder(n).decode(all);
      return out;
    `);
    expect(r).toEqual(expected);
  });

  it('decodes legacy single-byte specifics: windows-1252 aliases, fatal unmapped bytes, x-user-defined', async () => {
    const r = await evalInIsolate(`
      const cps = (s) => Array.from(s, (c) => c.codePointAt(0).toString(16));
      const fatal = (label, bytes) => { try { return new TextDecoder(label, { fatal: true }).decode(new Uint8Array(bytes)); } catch (e) { return e.constructor === TypeError ? 'TypeError' : String(e); } };
      return {
        cp1252: cps(new TextDecoder('windows-1252').decode(new Uint8Array([0x80, 0x81, 0x9f, 0xe9]))),
        latin1: cps(new TextDecoder('iso-8859-1').decode(new Uint8Array([0x80, 0xa4]))),
        noBomStrip: cps(new TextDecoder('windows-1252').decode(new Uint8Array([0xef, 0xbb, 0xbf]))),
        greekFatal: fatal('iso-8859-7', [0x41, 0xae]), greekOk: fatal('iso-8859-7', [0xc1]),
        userDefined: cps(new TextDecoder('x-user-defined').decode(new Uint8Array([0x41, 0x80, 0xff]))),
      };
    `);
    expect(r).toEqual({
      cp1252: ['20ac', '81', '178', 'e9'], latin1: ['20ac', 'a4'], noBomStrip: ['ef', 'bb', 'bf'],
      greekFatal: 'TypeError', greekOk: '\u0391', userDefined: ['41', 'f780', 'f7ff'],
    });
  });

  it('decodes multi-byte legacy encodings through the host, streaming and fatal', async () => {
    const r = await evalInIsolate(`
      const dec = (label, bytes, opts) => new TextDecoder(label, opts).decode(new Uint8Array(bytes));
      const sj = new TextDecoder('shift_jis');
      const sjs = sj.decode(new Uint8Array([0x82]), { stream: true }) + '|' + sj.decode(new Uint8Array([0xa0, 0x82]), { stream: true }) + '|' + sj.decode(new Uint8Array([0xa2]));
      const iso = new TextDecoder('iso-2022-jp');
      const isoStream = iso.decode(new Uint8Array([0x1b, 0x24]), { stream: true }) + iso.decode(new Uint8Array([0x42, 0x30]), { stream: true }) + iso.decode(new Uint8Array([0x21, 0x1b, 0x28, 0x42, 0x41]));
      let fatal; try { dec('shift_jis', [0x82], { fatal: true }); fatal = 'none'; } catch (e) { fatal = e.constructor === TypeError ? 'TypeError' : String(e); }
      let fatalStream; const fs = new TextDecoder('euc-kr', { fatal: true });
      try { fs.decode(new Uint8Array([0xb0]), { stream: true }); fs.decode(new Uint8Array([0x20])); fatalStream = 'none'; } catch (e) { fatalStream = e.constructor === TypeError ? 'TypeError' : String(e); }
      const afterError = fs.decode(new Uint8Array([0xb0, 0xa1]));
      return {
        sjis: dec('shift_jis', [0x82, 0xa0, 0x41, 0xb1]), sjs,
        eucjp: dec('euc-jp', [0xa4, 0xa2, 0x8e, 0xb1]),
        iso2022jp: dec('iso-2022-jp', [0x1b, 0x24, 0x42, 0x30, 0x21, 0x1b, 0x28, 0x42, 0x41]), isoStream,
        gb18030: dec('gb18030', [0xd6, 0xd0, 0x81, 0x30, 0x81, 0x30, 0x95, 0x32, 0x82, 0x36]),
        gbk: dec('gbk', [0xd6, 0xd0, 0x80]),
        big5: dec('big5', [0xa4, 0xa4, 0x41]),
        euckr: dec('euc-kr', [0xb0, 0xa1]),
        fatal, fatalStream, afterError,
        invalidSjis: dec('shift_jis', [0x82, 0x20]),
      };
    `);
    expect(r).toEqual({
      sjis: 'あAｱ', sjs: '|あ|い', eucjp: 'あｱ', iso2022jp: '亜A', isoStream: '亜A',
      gb18030: '中\u0080\u{20000}', gbk: '中€', big5: '中A', euckr: '가',
      fatal: 'TypeError', fatalStream: 'TypeError', afterError: '가', invalidSjis: '\ufffd ',
    });
  });

  it('decodes Big5 with the standard error handling: unmapped pairs, lone 0x80/0xFF, truncated leads, fatal', async () => {
    const r = await evalInIsolate(`
      const cps = (s) => Array.from(s, (c) => c.codePointAt(0).toString(16));
      const dec = (bytes, opts) => cps(new TextDecoder('big5', opts).decode(new Uint8Array(bytes)));
      const s = new TextDecoder('big5');
      const streamed = [s.decode(new Uint8Array([0x81]), { stream: true }), s.decode(new Uint8Array([0x40]), { stream: true }), s.decode(new Uint8Array([0xa4]), { stream: true }), s.decode()].map(cps);
      let fatal; try { new TextDecoder('big5', { fatal: true }).decode(new Uint8Array([0x81, 0x40])); fatal = 'none'; } catch (e) { fatal = e.constructor === TypeError ? 'TypeError' : String(e); }
      return {
        unmappedAscii: dec([0x81, 0x40]), unmapped: dec([0x81, 0x81]), lone: dec([0x80, 0x41, 0xff]),
        truncated: dec([0x41, 0xa4]), twoCodePoints: dec([0x88, 0x62, 0x88, 0x64]), mapped: dec([0xa4, 0x40, 0xa4, 0xa4]),
        streamed, fatal,
      };
    `);
    expect(r).toEqual({
      unmappedAscii: ['fffd', '40'], unmapped: ['fffd'], lone: ['fffd', '41', 'fffd'], truncated: ['41', 'fffd'],
      twoCodePoints: ['ca', '304', 'ca', '30c'], mapped: ['4e00', '4e2d'],
      streamed: [[], ['fffd', '40'], [], ['fffd']], fatal: 'TypeError',
    });
  });

  it('decodes a SharedArrayBuffer itself ([AllowShared] BufferSource), growable or not, and views over one', async () => {
    const r = await evalInIsolate(`
      const fill = (sab) => { new Uint8Array(sab).set([0xe2, 0x82, 0xac, 0x41]); return sab; };
      const sab = fill(new SharedArrayBuffer(4));
      const growable = fill(new SharedArrayBuffer(4, { maxByteLength: 8 }));
      const d = new TextDecoder();
      const streamed = d.decode(new Uint8Array(sab, 0, 2), { stream: true }) + d.decode(new Uint8Array(sab, 2));
      let lookalike; try { new TextDecoder().decode({ byteLength: 1 }); lookalike = 'none'; } catch (e) { lookalike = e.constructor === TypeError ? 'TypeError' : String(e); }
      return { sab: d.decode(sab), growable: d.decode(growable), view: d.decode(new DataView(sab, 3)), streamed, lookalike };
    `);
    expect(r).toEqual({ sab: '€A', growable: '€A', view: 'A', streamed: '€A', lookalike: 'TypeError' });
  });
});

describe('TextEncoderStream / TextDecoderStream', () => {
  it('encode and decode through streams, keeping surrogate pairs and UTF-8 sequences split across chunks', async () => {
    const r = await evalInIsolate(`
      const collect = async (readable) => { const out = []; const reader = readable.getReader(); for (;;) { const { value, done } = await reader.read(); if (done) return out; out.push(value); } };
      const es = new TextEncoderStream();
      const w = es.writable.getWriter();
      w.write('a\\ud83d'); w.write('\\ude00b'); w.write(''); w.write('\\ud800'); w.close();
      const encoded = (await collect(es.readable)).map((u) => [u.constructor.name, Array.from(u)]);
      const ds = new TextDecoderStream('utf-8');
      const dw = ds.writable.getWriter();
      dw.write(new Uint8Array([0xef, 0xbb])); dw.write(new Uint8Array([0xbf, 0xe2])); dw.write(new Uint8Array([0x82, 0xac]).buffer); dw.write(new Uint8Array([0xf0])); dw.close();
      const decoded = await collect(ds.readable);
      const fatalStream = new TextDecoderStream('utf-8', { fatal: true });
      const fw = fatalStream.writable.getWriter();
      const writeResult = fw.write(new Uint8Array([0xff])).then(() => 'ok', (e) => e.constructor.name);
      const readResult = fatalStream.readable.getReader().read().then(() => 'ok', (e) => e.constructor.name);
      const notBytes = new TextDecoderStream();
      const nbw = notBytes.writable.getWriter();
      // The write waits for backpressure to lift (readable HWM 0): a read lets the transform run.
      const nbWrite = nbw.write('string').then(() => 'ok', (e) => e.constructor.name);
      notBytes.readable.getReader().read().catch(() => {});
      const nbResult = await nbWrite;
      const piped = await collect(new Blobless().readable.pipeThrough(new TextEncoderStream()).pipeThrough(new TextDecoderStream('utf-16le' === 'x' ? 'x' : 'utf-8')));
      function Blobless() { this.readable = new ReadableStream({ start(c) { c.enqueue('h\\u00e9'); c.enqueue('llo'); c.close(); } }); }
      const err = (f) => { try { f(); return 'none'; } catch (e) { return e.constructor.name; } };
      const sjis = new TextDecoderStream('shift_jis');
      const sw = sjis.writable.getWriter(); sw.write(new Uint8Array([0x82])); sw.write(new Uint8Array([0xa0])); sw.close();
      return {
        encoded, decoded, write: await writeResult, read: await readResult, nbResult, piped, sjis: await collect(sjis.readable),
        attrs: [es.encoding, ds.encoding, ds.fatal, ds.ignoreBOM, new TextDecoderStream('latin1', { ignoreBOM: true }).ignoreBOM],
        types: [es.readable instanceof ReadableStream, es.writable instanceof WritableStream, Object.prototype.toString.call(es), Object.prototype.toString.call(ds)],
        brand: err(() => Object.getOwnPropertyDescriptor(TextEncoderStream.prototype, 'readable').get.call({})),
        brand2: err(() => Object.getOwnPropertyDescriptor(TextDecoderStream.prototype, 'encoding').get.call(es)),
        badLabel: err(() => new TextDecoderStream('nope')),
        sameObjects: es.readable === es.readable,
      };
    `);
    expect(r).toEqual({
      encoded: [['Uint8Array', [0x61]], ['Uint8Array', [0xf0, 0x9f, 0x98, 0x80, 0x62]], ['Uint8Array', [0xef, 0xbf, 0xbd]]],
      decoded: ['\u20ac', '\ufffd'], write: 'TypeError', read: 'TypeError', nbResult: 'TypeError', piped: ['hé', 'llo'],
      sjis: ['あ'],
      attrs: ['utf-8', 'utf-8', false, false, true],
      types: [true, true, '[object TextEncoderStream]', '[object TextDecoderStream]'],
      brand: 'TypeError', brand2: 'TypeError', badLabel: 'RangeError', sameObjects: true,
    });
  });
});
