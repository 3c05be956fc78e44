import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('Body mixin', () => {
  it('extracts every BodyInit type with the right Content-Type', async () => {
    const r = await evalInIsolate(`
      const view = new Uint8Array([1, 2, 3, 4]);
      const cases = {
        string: 'héllo',
        buffer: view.buffer,
        view: new Uint8Array(view.buffer, 1, 2),
        dataview: new DataView(view.buffer, 2),
        blob: new Blob(['blob'], { type: 'Text/X-Custom' }),
        untypedBlob: new Blob(['b']),
        params: new URLSearchParams('a=1&b=x y'),
        number: 42,
        object: { toString() { return 'obj'; } },
        stream: new ReadableStream({ start(c) { c.enqueue(new Uint8Array([115])); c.close(); } }),
      };
      const out = {};
      for (const [k, v] of Object.entries(cases)) {
        const res = new Response(v);
        out[k] = [res.headers.get('content-type'), [...new Uint8Array(await res.arrayBuffer())]];
      }
      const copied = new Uint8Array([9]);
      const res = new Response(copied);
      copied[0] = 8;
      out.copiedAtConstruction = [...await res.bytes()];
      return out;
    `);
    const enc = (s: string) => [...new TextEncoder().encode(s)];
    expect(r).toEqual({
      string: ['text/plain;charset=UTF-8', enc('héllo')],
      buffer: [null, [1, 2, 3, 4]],
      view: [null, [2, 3]],
      dataview: [null, [3, 4]],
      blob: ['text/x-custom', enc('blob')],
      untypedBlob: [null, enc('b')],
      params: ['application/x-www-form-urlencoded;charset=UTF-8', enc('a=1&b=x+y')],
      number: ['text/plain;charset=UTF-8', enc('42')],
      object: ['text/plain;charset=UTF-8', enc('obj')],
      stream: [null, [115]],
      copiedAtConstruction: [9],
    });
  });

  it('consumes as text, json, arrayBuffer, bytes, blob; errors on reuse', async () => {
    const r = await evalInIsolate(`
      const out = {};
      out.text = await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0xff])).text();
      out.json = await new Response('{"a":[1,"\\u00e9"]}').json();
      out.jsonBOM = await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x31])).json();
      out.badJson = await new Response('{').json().then(() => 'no', (e) => e.constructor.name);
      const ab = await new Response('ab').arrayBuffer();
      out.ab = [ab instanceof ArrayBuffer, ab.byteLength];
      const bytes = await new Response('ab').bytes();
      out.bytes = [bytes instanceof Uint8Array, bytes.length, bytes.buffer.byteLength];
      const blob = await new Response('blob', { headers: { 'Content-Type': 'TEXT/PLAIN; Charset="utf-8"' } }).blob();
      out.blob = [blob instanceof Blob, blob.type, await blob.text()];
      out.blobNoType = (await new Response(new Uint8Array([1])).blob()).type;
      out.blobBadType = (await new Response('x', { headers: { 'Content-Type': 'nonsense' } }).blob()).type;
      out.blobMulti = (await new Response('x', { headers: [['Content-Type', 'text/html;charset=gbk'], ['Content-Type', 'text/html']] }).blob()).type;
      const used = new Response('once');
      out.used = [used.bodyUsed, await used.text(), used.bodyUsed];
      out.reuse = await used.text().then(() => 'no', (e) => e.constructor.name);
      out.reuseOthers = await Promise.all(['arrayBuffer', 'blob', 'bytes', 'formData', 'json'].map((m) => used[m]().then(() => 'no', (e) => e.constructor.name)));
      out.usedBody = [used.body instanceof ReadableStream, used.body.locked, used.body === used.body];
      const empty = new Response();
      out.empty = [await empty.text(), empty.bodyUsed, await empty.text(), (await empty.arrayBuffer()).byteLength];
      const locked = new Response('x');
      const reader = locked.body.getReader();
      out.locked = [locked.bodyUsed, await locked.text().then(() => 'no', (e) => e.constructor.name)];
      await reader.read();
      out.lockedRead = locked.bodyUsed;
      const req = new Request('https://x/', { method: 'POST', body: 'rq' });
      out.req = [await req.text(), req.bodyUsed, await req.text().then(() => 'no', (e) => e.constructor.name)];
      out.illegal = await Response.prototype.text.call({}).then(() => 'no', (e) => e.constructor.name);
      return out;
    `);
    expect(r).toEqual({
      text: 'h\uFFFD', json: { a: [1, 'é'] }, jsonBOM: 1, badJson: 'SyntaxError', ab: [true, 2], bytes: [true, 2, 2],
      blob: [true, 'text/plain;charset=utf-8', 'blob'], blobNoType: '', blobBadType: '', blobMulti: 'text/html;charset=gbk',
      used: [false, 'once', true], reuse: 'TypeError', reuseOthers: ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'],
      usedBody: [true, true, true], empty: ['', false, '', 0], locked: [false, 'TypeError'], lockedRead: true,
      req: ['rq', true, 'TypeError'], illegal: 'TypeError',
    });
  });

  it('exposes body as a stream (byte stream when possible) and tracks disturbance', async () => {
    const r = await evalInIsolate(`
      const res = new Response('stream me');
      const body = res.body;
      const out = { same: body === res.body, used: res.bodyUsed };
      const byob = body.getReader({ mode: 'byob' });
      const { value } = await byob.read(new Uint8Array(6));
      out.byob = new TextDecoder().decode(value);
      out.usedAfterRead = res.bodyUsed;
      byob.releaseLock();
      out.rest = await res.text().then(() => 'no', (e) => e.constructor.name);
      const err = new Response(new ReadableStream({ start(c) { c.error(new RangeError('boom')); } }));
      out.errored = await err.text().then(() => 'no', (e) => e.constructor.name + ':' + e.message);
      const nonBytes = new Response(new ReadableStream({ start(c) { c.enqueue('str'); c.close(); } }));
      out.nonBytes = await nonBytes.text().then(() => 'no', (e) => e.constructor.name);
      const chunks = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([0xe2, 0x82])); c.enqueue(new Uint8Array([0xac])); c.close(); } }));
      out.splitUtf8 = await chunks.text();
      return out;
    `);
    expect(r).toEqual({
      same: true, used: false, byob: 'stream', usedAfterRead: true, rest: 'TypeError', errored: 'RangeError:boom',
      nonBytes: 'TypeError', splitUtf8: '€',
    });
  });

  it('parses urlencoded and multipart bodies with formData(); rejects others', async () => {
    const r = await evalInIsolate(`
      const out = {};
      const fd = await new Response('a=1&b=%C3%A9&a=x+y&c', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }).formData();
      out.urlencoded = [...fd];
      const fromParams = await new Request('https://x/', { method: 'POST', body: new URLSearchParams({ k: 'v w' }) }).formData();
      out.params = [...fromParams];
      out.wrongType = await new Response('a=1', { headers: { 'Content-Type': 'text/plain' } }).formData().then(() => 'no', (e) => e.constructor.name);
      out.noType = await new Response(new Uint8Array([97])).formData().then(() => 'no', (e) => e.constructor.name);
      const mp = '--b\\r\\nContent-Disposition: form-data; name="f"; filename="a.txt"\\r\\nContent-Type: text/x\\r\\n\\r\\nfile\\r\\n--b\\r\\nContent-Disposition: form-data; name="s"\\r\\n\\r\\nstr\\r\\n--b--\\r\\n';
      const parsed = await new Response(mp, { headers: { 'Content-Type': 'multipart/form-data; boundary=b' } }).formData();
      const f = parsed.get('f');
      out.multipart = [f instanceof File, f.name, f.type, await f.text(), f.lastModified, parsed.get('s')];
      out.noBoundary = await new Response(mp, { headers: { 'Content-Type': 'multipart/form-data' } }).formData().then(() => 'no', (e) => e.constructor.name);
      out.bad = await new Response('garbage', { headers: { 'Content-Type': 'multipart/form-data; boundary=b' } }).formData().then(() => 'no', (e) => e.constructor.name);
      return out;
    `);
    expect(r).toEqual({
      urlencoded: [['a', '1'], ['b', 'é'], ['a', 'x y'], ['c', '']], params: [['k', 'v w']], wrongType: 'TypeError',
      noType: 'TypeError', multipart: [true, 'a.txt', 'text/x', 'file', 0, 'str'], noBoundary: 'TypeError', bad: 'TypeError',
    });
  });
});
