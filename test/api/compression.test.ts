// CompressionStream / DecompressionStream in real isolates (host zlib / brotli through ops).
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openCompressionStreams } from '../../runtime/host/ops/compression.ts';
import { createTestSession, evalInIsolate } from '../support/isolate.ts';

const FORMATS = ['gzip', 'deflate', 'deflate-raw', 'brotli'] as const;

// Helpers defined in every isolate body.
const PRELUDE = `
  async function collect(readable) {
    const reader = readable.getReader();
    const chunks = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new Error('not a Uint8Array chunk');
      chunks.push(value);
      total += value.byteLength;
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) { out.set(c, o); o += c.byteLength; }
    return { out, sizes: chunks.map((c) => c.byteLength) };
  }
  async function run(stream, chunks) {
    const writer = stream.writable.getWriter();
    const writing = (async () => { for (const c of chunks) await writer.write(c); await writer.close(); })();
    writing.catch(() => {});
    const r = await collect(stream.readable);
    await writing;
    return r.out;
  }
  function split(bytes, size) {
    const parts = [];
    for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
    return parts;
  }
  function sample(n) {
    const words = ['alpha ', 'beta ', 'gamma ', '{"id":', '12345,', 'true}\\n', 'delta '];
    const out = new Uint8Array(n);
    let seed = 7, o = 0;
    while (o < n) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const w = words[seed % words.length];
      for (let i = 0; i < w.length && o < n; i++) out[o++] = w.charCodeAt(i);
    }
    return out;
  }
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
`;

function decompressNode(format: string, bytes: Uint8Array): Buffer {
  switch (format) {
    case 'gzip': return zlib.gunzipSync(bytes);
    case 'deflate': return zlib.inflateSync(bytes);
    case 'deflate-raw': return zlib.inflateRawSync(bytes);
    default: return zlib.brotliDecompressSync(bytes);
  }
}
function compressNode(format: string, bytes: Uint8Array): Buffer {
  switch (format) {
    case 'gzip': return zlib.gzipSync(bytes);
    case 'deflate': return zlib.deflateSync(bytes);
    case 'deflate-raw': return zlib.deflateRawSync(bytes);
    default: return zlib.brotliCompressSync(bytes);
  }
}

describe('interfaces', () => {
  it('have the WebIDL shape, brand checks and format validation', async () => {
    const r = await evalInIsolate(`
      const cs = new CompressionStream('gzip');
      const ds = new DecompressionStream('deflate-raw');
      const err = (f) => { try { f(); return 'ok'; } catch (e) { return e.constructor.name; } };
      const d = Object.getOwnPropertyDescriptor(CompressionStream.prototype, 'readable');
      return {
        kinds: [cs.readable instanceof ReadableStream, cs.writable instanceof WritableStream, ds.readable instanceof ReadableStream],
        same: cs.readable === cs.readable,
        tags: [String(cs), String(ds)],
        attr: [typeof d.get, d.enumerable, d.configurable, 'set' in d && d.set === undefined],
        brand: err(() => d.get.call({})),
        brand2: err(() => Object.getOwnPropertyDescriptor(DecompressionStream.prototype, 'writable').get.call(cs)),
        badFormat: err(() => new CompressionStream('zip')),
        caseSensitive: err(() => new DecompressionStream('GZIP')),
        missing: err(() => new DecompressionStream()),
        symbol: err(() => new CompressionStream(Symbol())),
        call: err(() => CompressionStream('gzip')),
        toStringConverts: err(() => new CompressionStream({ toString: () => 'deflate' })),
        lengths: [CompressionStream.length, DecompressionStream.length],
        global: Object.getOwnPropertyDescriptor(globalThis, 'CompressionStream').enumerable,
      };
    `);
    expect(r).toEqual({
      kinds: [true, true, true], same: true, tags: ['[object CompressionStream]', '[object DecompressionStream]'],
      attr: ['function', true, true, true], brand: 'TypeError', brand2: 'TypeError', badFormat: 'TypeError',
      caseSensitive: 'TypeError', missing: 'TypeError', symbol: 'TypeError', call: 'TypeError', toStringConverts: 'ok',
      lengths: [1, 1], global: false,
    });
  });
});

describe('round trips', () => {
  it.each(FORMATS)('%s: small, empty, multi-chunk (with empty chunks) and 1 MB inputs', async (format) => {
    const r = await evalInIsolate<boolean[]>(`${PRELUDE}
      const fmt = ${JSON.stringify(format)};
      const trip = async (chunks) => {
        let n = 0;
        for (const c of chunks) n += c.length;
        const all = new Uint8Array(n);
        n = 0;
        for (const c of chunks) { all.set(c, n); n += c.length; }
        const compressed = await run(new CompressionStream(fmt), chunks);
        const back = await run(new DecompressionStream(fmt), split(compressed, 997));
        return equal(back, all);
      };
      const big = sample(1 << 20);
      const enc = new TextEncoder();
      return [
        await trip([enc.encode('Hello, world')]),
        await trip([]),
        await trip([enc.encode(''), enc.encode('Hello'), new Uint8Array(0), enc.encode('Hello')]),
        await trip(split(big, 65536)),
        await trip([big]),
      ];
    `, { timeoutMs: 20_000 });
    expect(r).toEqual([true, true, true, true, true]);
  });

  it.each(FORMATS)('%s: output decodes with Node zlib; Node zlib output decodes in the isolate', async (format) => {
    const input = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(500));
    const fromNode = compressNode(format, input).toString('base64');
    const r = await evalInIsolate<{ compressed: number[]; decoded: string }>(`${PRELUDE}
      const input = new TextEncoder().encode(${JSON.stringify(input.toString())});
      const compressed = await run(new CompressionStream(${JSON.stringify(format)}), [input]);
      const nodeBytes = b64(${JSON.stringify(fromNode)});
      // Every split point of the first bytes, then byte by byte.
      const decoded = await run(new DecompressionStream(${JSON.stringify(format)}), [nodeBytes.subarray(0, 1), ...split(nodeBytes.subarray(1), 3)]);
      return { compressed: Array.from(compressed), decoded: new TextDecoder().decode(decoded) };
    `);
    expect(decompressNode(format, new Uint8Array(r.compressed)).equals(input)).toBe(true);
    expect(r.decoded).toBe(input.toString());
  });

  it('accepts every BufferSource and copies the chunk when written', async () => {
    const r = await evalInIsolate(`${PRELUDE}
      const bytes = new TextEncoder().encode('abcdefgh');
      const views = [bytes.slice().buffer, new DataView(bytes.slice().buffer), new Int16Array(bytes.slice().buffer),
        new Float64Array(bytes.slice().buffer), new Uint8ClampedArray(bytes.slice().buffer), bytes.slice().subarray(2, 6)];
      const results = [];
      for (const v of views) {
        const out = await run(new DecompressionStream('gzip'), [await run(new CompressionStream('gzip'), [v])]);
        results.push(new TextDecoder().decode(out));
      }
      // The bytes are copied when the chunk is transformed; a chunk detached before that is empty (WebIDL).
      const cs = new CompressionStream('deflate');
      const w = cs.writable.getWriter();
      const kept = new TextEncoder().encode('kept');
      const detached = new TextEncoder().encode('detached');
      const p1 = w.write(kept);
      const p2 = w.write(detached);
      structuredClone(detached.buffer, { transfer: [detached.buffer] });
      w.close();
      const out = await collect(cs.readable);
      await Promise.all([p1, p2]);
      results.push(new TextDecoder().decode(await run(new DecompressionStream('deflate'), [out.out])));
      return results;
    `);
    expect(r).toEqual(['abcdefgh', 'abcdefgh', 'abcdefgh', 'abcdefgh', 'abcdefgh', 'cdef', 'kept']);
  });
});

describe('invalid input errors the stream with TypeError', () => {
  it('wrong chunk types', async () => {
    const r = await evalInIsolate(`${PRELUDE}
      const bad = [undefined, null, 3.14, {}, [65], 'text', new SharedArrayBuffer(4), new Uint8Array(new SharedArrayBuffer(4))];
      const results = [];
      for (const value of bad) {
        for (const Ctor of [CompressionStream, DecompressionStream]) {
          const s = new Ctor('gzip');
          const writer = s.writable.getWriter();
          const reader = s.readable.getReader();
          const names = await Promise.all([
            writer.write(value).then(() => 'ok', (e) => e.constructor.name),
            reader.read().then(() => 'ok', (e) => e.constructor.name),
            writer.close().then(() => 'ok', (e) => e.constructor.name),
            reader.closed.then(() => 'ok', (e) => e.constructor.name),
          ]);
          results.push(names.join());
        }
      }
      return results;
    `);
    expect(r).toEqual(Array(16).fill('TypeError,TypeError,TypeError,TypeError'));
  });

  it('corrupt, truncated, trailing, second member, empty, dictionary', async () => {
    const gz = zlib.gzipSync(Buffer.from('expected output'));
    const df = zlib.deflateSync(Buffer.from('expected output'));
    const raw = zlib.deflateRawSync(Buffer.from('expected output'));
    const br = zlib.brotliCompressSync(Buffer.from('expected output'));
    const cases: [string, string, Buffer][] = [
      ['gzip', 'corrupt header', Buffer.concat([Buffer.from([0x1f, 0x8c]), gz.subarray(2)])],
      ['gzip', 'corrupt crc', Buffer.concat([gz.subarray(0, -8), Buffer.alloc(4), gz.subarray(-4)])],
      ['gzip', 'truncated', gz.subarray(0, -1)],
      ['gzip', 'second member', Buffer.concat([gz, gz])],
      ['gzip', 'trailing zero', Buffer.concat([gz, Buffer.from([0])])],
      ['gzip', 'empty', Buffer.alloc(0)],
      ['deflate', 'bad adler', Buffer.concat([df.subarray(0, -4), Buffer.from([255, 255, 255, 255])])],
      ['deflate', 'truncated', df.subarray(0, df.length - 3)],
      ['deflate', 'trailing', Buffer.concat([df, Buffer.from([1, 2])])],
      ['deflate', 'dictionary', Buffer.from([0x78, 0xbb, 0x74, 0xee, 0x09, 0x59, 0x2b, 0xc1, 0x2e, 0x0c, 0x00, 0x74, 0xee, 0x09, 0x59])],
      ['deflate-raw', 'truncated', raw.subarray(0, -1)],
      ['deflate-raw', 'trailing', Buffer.concat([raw, Buffer.from([0])])],
      ['deflate-raw', 'garbage', Buffer.from([0xff, 0xff, 0xff, 0xff])],
      ['brotli', 'truncated', br.subarray(0, -1)],
      ['brotli', 'garbage', Buffer.from('not brotli at all')],
    ];
    const r = await evalInIsolate<string[]>(`${PRELUDE}
      const cases = ${JSON.stringify(cases.map(([f, n, b]) => [f, n, b.toString('base64')]))};
      const out = [];
      for (const [format, name, data] of cases) {
        const ds = new DecompressionStream(format);
        const writer = ds.writable.getWriter();
        const reader = ds.readable.getReader();
        const bytes = b64(data);
        if (bytes.length) writer.write(bytes).catch(() => {});
        const closing = writer.close().then(() => 'closed', (e) => e.constructor.name);
        let result;
        try {
          for (;;) { const { done } = await reader.read(); if (done) { result = 'success'; break; } }
        } catch (e) { result = e.constructor.name; }
        out.push(format + ' ' + name + ': ' + result + '/' + await closing);
      }
      return out;
    `);
    expect(r).toEqual(cases.map(([f, n]) => `${f} ${n}: TypeError/TypeError`));
  });

  it('output before trailing junk is still delivered, then the stream errors (WPT extra-input)', async () => {
    const gz = zlib.gzipSync(Buffer.from('expected output'));
    const r = await evalInIsolate(`${PRELUDE}
      const ds = new DecompressionStream('gzip');
      const reader = ds.readable.getReader();
      const writer = ds.writable.getWriter();
      writer.write(new Uint8Array([...b64(${JSON.stringify(gz.toString('base64'))}), 0])).catch(() => {});
      const { value } = await reader.read();
      const second = await reader.read().then(() => 'resolved', (e) => e.constructor.name + ': ' + e.message);
      return [new TextDecoder().decode(value), second];
    `);
    expect(r).toEqual(['expected output', 'TypeError: Junk found after the end of the compressed data.']);
  });
});

describe('streaming', () => {
  it('applies backpressure: nothing is consumed until the readable side is read', async () => {
    const r = await evalInIsolate(`${PRELUDE}
      const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
      const cs = new CompressionStream('gzip');
      const writer = cs.writable.getWriter();
      const settled = [];
      for (let i = 0; i < 3; i++) writer.write(sample(1000)).then(() => settled.push(i));
      await tick();
      const before = settled.length;
      const reader = cs.readable.getReader();
      writer.close();
      while (!(await reader.read()).done);
      return [before, settled.length, writer.desiredSize];
    `);
    expect(r).toEqual([0, 3, 1]);
  });

  it('a decompression bomb arrives in bounded chunks', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(24 << 20));
    const r = await evalInIsolate(`${PRELUDE}
      const ds = new DecompressionStream('gzip');
      const writer = ds.writable.getWriter();
      writer.write(b64(${JSON.stringify(bomb.toString('base64'))}));
      writer.close();
      const reader = ds.readable.getReader();
      let total = 0, max = 0, count = 0, nonZero = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength; count++;
        if (value.byteLength > max) max = value.byteLength;
        for (let i = 0; i < value.length; i += 4096) nonZero |= value[i];
      }
      return { total, max, multiple: count > 1, nonZero };
    `, { timeoutMs: 30_000 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(r).toEqual({ total: 24 << 20, max: 1 << 20, multiple: true, nonZero: 0 });
  });

  it('pipeThrough, cancel and abort release host state (no leak past the per-isolate cap)', async () => {
    const r = await evalInIsolate(`${PRELUDE}
      const text = new TextEncoder().encode('piped '.repeat(100));
      const piped = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate')).pipeThrough(new DecompressionStream('deflate'));
      const same = new TextDecoder().decode(await new Response(piped).arrayBuffer()) === 'piped '.repeat(100);
      // 3 × 70 streams that started host work and were then cancelled, aborted or finished:
      // more than the 64 that may be open at once, so each must have released its host stream.
      for (let i = 0; i < 70; i++) {
        const cs = new CompressionStream('gzip');
        const w = cs.writable.getWriter();
        const reader = cs.readable.getReader();
        const p = w.write(sample(100)).catch(() => {});
        await reader.read();
        await reader.cancel('done');
        await p;
      }
      for (let i = 0; i < 70; i++) {
        const ds = new DecompressionStream('deflate');
        const w = ds.writable.getWriter();
        ds.readable.getReader().read().catch(() => {});
        await w.write(new Uint8Array([0x78, 0x9c])).catch(() => {});
        await w.abort(new Error('stop')).catch(() => {});
      }
      for (let i = 0; i < 70; i++) await run(new CompressionStream('deflate-raw'), [sample(10)]);
      return [same, 'ok'];
    `, { timeoutMs: 30_000 });
    expect(r).toEqual([true, 'ok']);
  });

  it('host streams are held only while needed and dropped with the isolate', async () => {
    const session = await createTestSession();
    try {
      await session.context.eval(`
        globalThis.streams = [];
        for (let i = 0; i < 10; i++) {
          const cs = new CompressionStream('gzip');
          const w = cs.writable.getWriter();
          const reader = cs.readable.getReader();
          reader.read();
          w.write(new Uint8Array(1000));
          streams.push({ w, reader });
        }
      `);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const whileOpen = openCompressionStreams(session);
      // Finish half of them, cancel two: their host state goes at once.
      await session.context.eval(`
        (async () => {
          for (let i = 0; i < 5; i++) {
            const { w, reader } = streams[i];
            w.close();
            while (!(await reader.read()).done);
          }
          await streams[5].reader.cancel();
          await streams[6].w.abort().catch(() => {});
        })()
      `, { promise: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const afterSome = openCompressionStreams(session);
      session.dispose();
      expect([whileOpen, afterSome, openCompressionStreams(session)]).toEqual([10, 3, 0]);
    } finally {
      session.dispose();
    }
  });
});
