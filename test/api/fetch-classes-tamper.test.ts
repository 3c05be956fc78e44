import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

// A tenant that replaces built-ins must not be able to break or observe the Fetch/File classes.
describe('Fetch and File classes under a tampered realm', () => {
  it('keep working after prototypes, JSON and iterators are replaced', async () => {
    const r = await evalInIsolate(`
      const calls = [];
      const record = (name) => { calls[calls.length] = name; };
      const boom = (name) => function () { record(name); throw new Error('tampered ' + name); };
      const apply = Reflect.apply;
      const c99 = new Uint8Array([99]);
      Array.prototype.push = boom('push');
      Array.prototype.sort = boom('sort');
      Array.prototype.map = boom('map');
      Array.prototype.splice = boom('splice');
      Array.prototype.join = boom('join');
      String.prototype.toLowerCase = boom('toLowerCase');
      String.prototype.toUpperCase = boom('toUpperCase');
      String.prototype.trim = boom('trim');
      String.prototype.split = boom('split');
      String.prototype.indexOf = boom('indexOf');
      String.prototype.slice = boom('slice');
      String.prototype.charCodeAt = boom('charCodeAt');
      String.prototype.toWellFormed = boom('toWellFormed');
      const origThen = Promise.prototype.then;
      Promise.prototype.then = function (a, b) { record('then'); return apply(origThen, this, [a, b]); };
      JSON.parse = boom('JSON.parse');
      JSON.stringify = boom('JSON.stringify');
      Map.prototype.get = boom('Map.get');
      Map.prototype.set = boom('Map.set');
      Map.prototype.has = boom('Map.has');
      Map.prototype[Symbol.iterator] = boom('Map@@iterator');
      Map.prototype.forEach = boom('Map.forEach');
      WeakMap.prototype.get = boom('WeakMap.get');
      WeakMap.prototype.set = boom('WeakMap.set');
      Uint8Array.prototype.set = boom('Uint8Array.set');
      Uint8Array.prototype.subarray = boom('Uint8Array.subarray');
      Uint8Array.prototype.slice = boom('Uint8Array.slice');
      Object.getPrototypeOf(Uint8Array.prototype).set = boom('TypedArray.set');
      Object.getPrototypeOf(Uint8Array.prototype).slice = boom('TypedArray.slice');
      Object.getPrototypeOf(Uint8Array.prototype).subarray = boom('TypedArray.subarray');
      Object.getPrototypeOf([][Symbol.iterator]()).next = boom('ArrayIterator.next');
      Array.prototype[Symbol.iterator] = boom('Array@@iterator');
      Set.prototype[Symbol.iterator] = boom('Set@@iterator');
      globalThis.Array = boom('Array');
      globalThis.Uint8Array = boom('Uint8Array ctor');
      globalThis.Symbol = boom('Symbol');
      Object.defineProperty = boom('defineProperty');
      Reflect.apply = boom('Reflect.apply');
      Function.prototype.call = boom('call');
      Function.prototype.apply = boom('apply');
      Function.prototype.bind = boom('bind');

      const out = {};
      const h = new Headers([['X-B', ' 2 '], ['X-A', '1'], ['Set-Cookie', 'a=b']]);
      h.append('x-a', '3');
      h.set('X-C', 'c');
      h.delete('x-c');
      const entries = h.entries();
      const e1 = entries.next().value, e2 = entries.next().value, e3 = entries.next().value;
      out.headers = [h.get('X-A'), h.has('x-b'), e1[0] + '=' + e1[1], e2[0] + '=' + e2[1], e3[0] + '=' + e3[1], h.getSetCookie()[0]];

      const fd = new FormData();
      fd.append('Name', 'v\\nx');
      fd.append('file', new Blob(['filebody'], { type: 'Text/Plain' }), 'f.txt');
      fd.set('other', 'o');
      out.fdGet = [fd.get('Name'), fd.getAll('file').length, fd.has('other')];

      const res = new Response(fd, { status: 201, headers: { 'X-Res': 'r' } });
      const parsed = await res.formData();
      out.roundTrip = [parsed.get('Name'), parsed.get('file').name, parsed.get('file').type, await parsed.get('file').text(), parsed.get('other')];

      const req = new Request('https://Example.COM/p?q', { method: 'post', body: 'héllo', headers: { 'X-Q': '1' } });
      out.req = [req.method, req.url, req.headers.get('content-type'), await req.text()];
      const clone = new Request('https://e.com/', { method: 'PUT', body: 'cl' }).clone();
      out.clone = await clone.text();

      const json = Response.json({ k: [1, 'two'] });
      out.json = [await json.text(), json.headers.get('content-type')];
      const viaJson = await new Response('{"x":1}').json();
      out.viaJson = viaJson.x;

      const blob = new Blob(['ab', c99, new Blob(['d'])], { type: 'X/Y' });
      const sliced = blob.slice(1, -1, 'A/B');
      out.blob = [blob.size, blob.type, await blob.text(), await sliced.text(), sliced.type, (await blob.bytes()).length];
      const file = new File(['f'], 'name.txt', { type: 'T/T', lastModified: 5 });
      out.file = [file.name, file.type, file.lastModified];

      const urlenc = await new Response('a=1&b=2', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData();
      out.urlenc = [urlenc.get('a'), urlenc.get('b')];
      const streamed = new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('st')); c.close(); } }));
      const tee = streamed.clone();
      out.streamed = [await streamed.text(), await tee.text()];
      out.redirect = Response.redirect('https://a.example/x', 307).headers.get('location');
      out.errors = [
        (() => { try { new Headers({ 'bad name': 'x' }); } catch (e) { return e instanceof TypeError; } })(),
        (() => { try { new Request('/relative'); } catch (e) { return e instanceof TypeError; } })(),
        (() => { try { new Response(null, { status: 99 }); } catch (e) { return e instanceof RangeError; } })(),
      ];
      const tampered = [];
      for (let i = 0; i < calls.length; i++) if (calls[i] !== 'then') tampered[tampered.length] = calls[i];
      out.tamperedCalled = tampered;
      return out;
    `);
    expect(r).toEqual({
      headers: ['1, 3', true, 'set-cookie=a=b', 'x-a=1, 3', 'x-b=2', 'a=b'],
      fdGet: ['v\nx', 1, true],
      roundTrip: ['v\r\nx', 'f.txt', 'text/plain', 'filebody', 'o'],
      req: ['POST', 'https://example.com/p?q', 'text/plain;charset=UTF-8', 'héllo'],
      clone: 'cl',
      json: ['{"k":[1,"two"]}', 'application/json'],
      viaJson: 1,
      blob: [4, 'x/y', 'abcd', 'bc', 'a/b', 4],
      file: ['name.txt', 't/t', 5],
      urlenc: ['1', '2'],
      streamed: ['st', 'st'],
      redirect: 'https://a.example/x',
      errors: [true, true, true],
      tamperedCalled: [],
    });
  });

  it('ignore Object.prototype pollution in dictionaries they default and in their own intermediates', async () => {
    const r = await evalInIsolate(`
      const thenCalls = [];
      for (const k of ['method', 'body', 'headers', 'mode', 'cache', 'redirect', 'signal', 'window', 'referrer', 'status', 'statusText', 'type', 'endings', 'lastModified', 'urlList', 'url']) {
        Object.defineProperty(Object.prototype, k, { get() { throw new Error('read ' + k); }, configurable: true });
      }
      Object.defineProperty(Object.prototype, 'then', { get() { thenCalls.push('then'); return undefined; }, configurable: true });
      const req = new Request('https://example.com/');
      const res = new Response('text body');
      const out = {
        method: req.method, mode: req.mode, redirect: req.redirect, status: res.status,
        text: await res.text(), reqClone: req.clone().method,
        blob: new Blob(['b']).size, file: new File(['f'], 'n').name,
        json: await Response.json(5).json(),
      };
      for (const k of ['method', 'body', 'headers', 'mode', 'cache', 'redirect', 'signal', 'window', 'referrer', 'status', 'statusText', 'type', 'endings', 'lastModified', 'urlList', 'url', 'then']) delete Object.prototype[k];
      out.thenCalls = thenCalls.length;
      return out;
    `);
    expect(r).toEqual({
      method: 'GET', mode: 'cors', redirect: 'follow', status: 200, text: 'text body', reqClone: 'GET', blob: 1, file: 'n',
      json: 5, thenCalls: 0,
    });
  });
});
