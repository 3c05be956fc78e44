// Same realm: every error and every object the runtime hands to tenant code is created in the
// isolate's own realm, so `instanceof` and prototype checks against the tenant's globals hold —
// including values that started on the host (crypto results, ICU decodes, egress failures).
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

interface Check { what: string; ok: boolean; detail: string }

describe('same realm', () => {
  it('errors from every area are this realm\'s TypeError / RangeError / SyntaxError / DOMException', async () => {
    const checks = await evalInIsolate<Check[]>(`
      const out = [];
      const proto = (C) => C.prototype;
      // [what, expected constructor, thunk] — the thunk throws or returns a promise that rejects.
      const cases = [
        ['fetch: bad URL', TypeError, () => fetch('http://exa mple.com/')],
        ['fetch: egress denied (host)', TypeError, () => fetch('https://example.com/')],
        ['fetch: GET with body', TypeError, () => fetch('data:,x', { method: 'GET', body: 'x' })],
        ['fetch: aborted', DOMException, () => fetch('data:,x', { signal: AbortSignal.abort() })],
        ['URL: invalid', TypeError, () => new URL('nope')],
        ['URLSearchParams: bad pair', TypeError, () => new URLSearchParams([['a']])],
        ['URLPattern: bad pattern', TypeError, () => new URLPattern({ pathname: '(' })],
        ['Headers: invalid name', TypeError, () => new Headers({ 'a b': '1' })],
        ['Request: relative URL', TypeError, () => new Request('/x')],
        ['Response: status out of range', RangeError, () => new Response(null, { status: 600 })],
        ['Response.json: cyclic', TypeError, () => { const o = {}; o.o = o; return Response.json(o); }],
        ['body: used twice', TypeError, () => { const r = new Response('x'); r.text(); return r.text(); }],
        ['body: bad JSON', SyntaxError, () => new Response('{').json()],
        ['body: bad formData', TypeError, () => new Response('x').formData()],
        ['streams: locked', TypeError, () => { const s = new ReadableStream(); s.getReader(); s.getReader(); }],
        ['streams: bad strategy', RangeError, () => new ReadableStream({}, { highWaterMark: -1 })],
        ['streams: cancel locked', TypeError, () => { const s = new ReadableStream(); s.getReader(); return s.cancel(); }],
        ['streams: BYOB on default stream', TypeError, () => new ReadableStream().getReader({ mode: 'byob' })],
        ['streams: write after close', TypeError, () => { const w = new WritableStream().getWriter(); w.close(); return w.write('x'); }],
        ['encoding: bad label', RangeError, () => new TextDecoder('nope')],
        ['encoding: fatal', TypeError, () => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff]))],
        ['encoding: fatal legacy (host ICU)', TypeError, () => new TextDecoder('shift_jis', { fatal: true }).decode(new Uint8Array([0x82]))],
        ['atob: invalid', DOMException, () => atob('*')],
        ['btoa: non-latin1', DOMException, () => btoa('\\u20ac')],
        ['structuredClone: function', DOMException, () => structuredClone(() => {})],
        ['crypto: getRandomValues float', DOMException, () => crypto.getRandomValues(new Float32Array(1))],
        ['crypto: getRandomValues too big', DOMException, () => crypto.getRandomValues(new Uint8Array(70000))],
        ['crypto: digest unknown algorithm', DOMException, () => crypto.subtle.digest('NOPE', new Uint8Array(1))],
        ['crypto: digest bad data', TypeError, () => crypto.subtle.digest('SHA-256', 'text')],
        ['crypto: importKey bad JWK (host)', DOMException, () => crypto.subtle.importKey('jwk', { kty: 'oct', k: '!!' }, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])],
        ['crypto: decrypt tampered (host)', DOMException, async () => {
          const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']);
          return crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, key, new Uint8Array(32));
        }],
        ['compression: bad format', TypeError, () => new CompressionStream('zip')],
        ['compression: corrupt input (host)', TypeError, async () => {
          const ds = new DecompressionStream('gzip');
          const w = ds.writable.getWriter();
          w.write(new Uint8Array([1, 2, 3, 4])).catch(() => {});
          w.close().catch(() => {});
          return new Response(ds.readable).arrayBuffer();
        }],
        ['events: bad listener options', TypeError, () => new EventTarget().dispatchEvent({})],
        ['events: redispatch', DOMException, () => { const t = new EventTarget(); const e = new Event('x'); let err; t.addEventListener('x', () => { try { t.dispatchEvent(e); } catch (x) { err = x; } }); t.dispatchEvent(e); throw err; }],
        ['abort: throwIfAborted', DOMException, () => AbortSignal.abort().throwIfAborted()],
        ['abort: timeout reason', DOMException, () => new Promise((_, reject) => { const s = AbortSignal.timeout(1); s.onabort = () => reject(s.reason); })],
        ['Blob: bad endings', TypeError, () => new Blob([], { endings: 'nope' })],
        ['FormData: bad append', TypeError, () => new FormData().append('a')],
        ['timers/microtask: bad callback', TypeError, () => queueMicrotask(1)],
        ['messaging: detached port clone', DOMException, () => { const { port1 } = new MessageChannel(); structuredClone(port1); }],
        ['performance: unknown mark', DOMException, () => performance.measure('m', 'no-such-mark')],
        ['DOMException: constructor with symbol', TypeError, () => new DOMException(Symbol())],
        ['WebAssembly: invalid module', WebAssembly.CompileError, () => new WebAssembly.Module(new Uint8Array([1, 2, 3, 4]))],
        ['eval disallowed', EvalError, () => eval('1')],
        ['new Function disallowed', EvalError, () => new Function('return 1')],
      ];
      for (const [what, C, thunk] of cases) {
        let e;
        let threw = false;
        try {
          const r = thunk();
          if (r && typeof r.then === 'function') await r; else { out.push({ what, ok: false, detail: 'no error' }); continue; }
          out.push({ what, ok: false, detail: 'resolved' });
          continue;
        } catch (x) {
          e = x;
          threw = true;
        }
        const ok = threw && e instanceof C && Object.getPrototypeOf(e) === proto(C) && e instanceof Error && e.constructor === C;
        out.push({ what, ok, detail: ok ? '' : String(e && e.name) + ': ' + String(e && e.message) + ' proto=' + (e && Object.getPrototypeOf(e) && Object.getPrototypeOf(e).constructor && Object.getPrototypeOf(e).constructor.name) });
      }
      return out;
    `, { timeoutMs: 20_000 });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.length).toBeGreaterThan(40);
  });

  it('DOMException is an Error of this realm', async () => {
    expect(await evalInIsolate(`
      const e = new DOMException('m', 'AbortError');
      return [e instanceof Error, Object.getPrototypeOf(DOMException.prototype) === Error.prototype,
        Object.prototype.toString.call(e), typeof e.stack, e.stack.split('\\n')[0], Error.prototype.toString.call(e)];
    `)).toEqual([true, true, '[object DOMException]', 'string', 'AbortError: m', 'AbortError: m']);
  });

  it('objects handed out (promises, buffers, arrays, plain objects, iterator results) are this realm\'s', async () => {
    const checks = await evalInIsolate<Check[]>(`
      const out = [];
      const check = (what, cond) => out.push({ what, ok: !!cond, detail: '' });
      const isPlain = (o) => o !== null && typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype;
      const isArr = (a) => Array.isArray(a) && Object.getPrototypeOf(a) === Array.prototype;
      const isPromise = (p) => p instanceof Promise && Object.getPrototypeOf(p) === Promise.prototype;

      const res = Response.json({ a: [1, { b: 2 }] });
      check('Response.json().json() promise', isPromise(res.clone().json()));
      const json = await res.clone().json();
      check('json(): plain object', isPlain(json));
      check('json(): nested array', isArr(json.a) && isPlain(json.a[1]));
      const ab = await res.clone().arrayBuffer();
      check('arrayBuffer(): ArrayBuffer', ab instanceof ArrayBuffer && Object.getPrototypeOf(ab) === ArrayBuffer.prototype);
      check('bytes(): Uint8Array', (await res.clone().bytes()) instanceof Uint8Array);
      check('blob(): Blob', (await res.clone().blob()) instanceof Blob);
      check('body: ReadableStream', res.clone().body instanceof ReadableStream);
      const read = await new Response('abc').body.getReader().read();
      check('read(): plain result, Uint8Array chunk', isPlain(read) && read.value instanceof Uint8Array);
      check('headers entries: arrays', isArr(new Headers({ a: '1' }).entries().next().value));
      check('getSetCookie(): array', isArr(new Headers({ 'set-cookie': 'a=1' }).getSetCookie()));
      check('URLSearchParams entries: arrays', isArr(new URLSearchParams('a=1').entries().next().value));
      check('FormData entries: arrays', isArr((() => { const f = new FormData(); f.append('a', '1'); return f.entries().next().value; })()));
      check('URLPattern exec: plain objects', isPlain(new URLPattern({ pathname: '/:id' }).exec('https://e/1').pathname.groups));
      check('TextEncoder: Uint8Array', new TextEncoder().encode('x') instanceof Uint8Array);
      check('encodeInto: plain object', isPlain(new TextEncoder().encodeInto('x', new Uint8Array(2))));
      check('legacy decode (host ICU): string', typeof new TextDecoder('gbk').decode(new Uint8Array([0xc4, 0xe3])) === 'string');
      const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(1));
      check('digest (host): ArrayBuffer', digest instanceof ArrayBuffer);
      const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
      check('generateKey (host): CryptoKey', key instanceof CryptoKey);
      check('CryptoKey.algorithm: plain object', isPlain(key.algorithm) && isPlain(key.algorithm.hash));
      check('CryptoKey.usages: array', isArr(key.usages));
      const jwk = await crypto.subtle.exportKey('jwk', key);
      check('exportKey jwk (host): plain object with array', isPlain(jwk) && isArr(jwk.key_ops));
      const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
      check('generateKey pair: plain object', isPlain(pair) && pair.privateKey instanceof CryptoKey);
      check('getRandomValues: same object', (() => { const u = new Uint8Array(4); return crypto.getRandomValues(u) === u; })());
      const clone = structuredClone({ d: new Date(0), m: new Map([[1, [2]]]), e: new TypeError('t') });
      check('structuredClone: plain, Date, Map, Array, TypeError', isPlain(clone) && clone.d instanceof Date && clone.m instanceof Map && isArr(clone.m.get(1)) && Object.getPrototypeOf(clone.e) === TypeError.prototype);
      check('performance.getEntries: array', isArr(performance.getEntries()));
      check('performance.toJSON: plain', isPlain(performance.toJSON()));
      const dataRes = await fetch('data:application/json,{"x":[1]}');
      check('fetch(data:): Response', dataRes instanceof Response);
      check('fetch(data:).json(): plain', isPlain(await dataRes.json()));
      const compressed = await new Response(new Blob(['hi']).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
      check('compression (host): ArrayBuffer', compressed instanceof ArrayBuffer);
      const it = new ReadableStream({ start(c) { c.enqueue(1); c.close(); } })[Symbol.asyncIterator]();
      check('stream async iterator result: plain', isPlain(await it.next()));
      check('AbortSignal.any: AbortSignal', AbortSignal.any([]) instanceof AbortSignal);
      check('event.composedPath(): array', isArr(new Event('x').composedPath()));
      return out;
    `, { timeoutMs: 20_000 });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });
});
