import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('Headers', () => {
  it('has the WebIDL shape and iterator prototype', async () => {
    const r = await evalInIsolate(`
      const h = new Headers([['b', '2'], ['a', '1']]);
      const it = h.entries();
      const itProto = Object.getPrototypeOf(it);
      const iterProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
      const next = Object.getOwnPropertyDescriptor(itProto, 'next');
      return {
        len: Headers.length, tag: Object.prototype.toString.call(h), itTag: Object.prototype.toString.call(it),
        itProtoProto: Object.getPrototypeOf(itProto) === iterProto, nextEnum: next.enumerable, nextWritable: next.writable,
        sameProto: Object.getPrototypeOf(h.keys()) === itProto,
        iterIsEntries: Headers.prototype[Symbol.iterator] === Headers.prototype.entries,
        appendEnum: Object.getOwnPropertyDescriptor(Headers.prototype, 'append').enumerable,
        appendLen: Headers.prototype.append.length, forEachLen: Headers.prototype.forEach.length,
        illegalNext: (() => { try { next.value.call({}); return 'no'; } catch (e) { return e instanceof TypeError; } })(),
        illegal: (() => { try { Headers.prototype.get.call({}, 'a'); return 'no'; } catch (e) { return e instanceof TypeError; } })(),
        noNew: (() => { try { Headers(); return 'no'; } catch (e) { return e instanceof TypeError; } })(),
        keys: [...h.keys()], values: [...h.values()],
      };
    `);
    expect(r).toEqual({
      len: 0, tag: '[object Headers]', itTag: '[object Headers Iterator]', itProtoProto: true, nextEnum: true,
      nextWritable: true, sameProto: true, iterIsEntries: true, appendEnum: true, appendLen: 2, forEachLen: 1,
      illegalNext: true, illegal: true, noNew: true, keys: ['a', 'b'], values: ['1', '2'],
    });
  });

  it('constructs from records, sequences, Headers and iterables; rejects bad input', async () => {
    const r = await evalInIsolate(`
      const fromRecord = [...new Headers({ 'Content-Type': 'text/plain', 'X-A': ' v ' })];
      const fromSeq = [...new Headers([['X-B', '1'], ['x-b', '2']])];
      const src = new Headers([['a', '1'], ['a', '2'], ['set-cookie', 'x'], ['set-cookie', 'y']]);
      const fromHeaders = [...new Headers(src)];
      const fromIterable = [...new Headers({ *[Symbol.iterator]() { yield ['k', 'v']; yield new Set(['z', 'w']); } })];
      const errors = [
        () => new Headers(null), () => new Headers(1), () => new Headers('a'), () => new Headers([['a']]),
        () => new Headers([['a', 'b', 'c']]), () => new Headers([['a b', 'c']]), () => new Headers({ 'a': 'x\\ny' }),
        () => new Headers({ 'é': 'x' }), () => new Headers({ a: 'Ā' }), () => new Headers([['', 'x']]),
        () => new Headers({ [Symbol('s')]: 'x' }), () => new Headers(['ab']),
      ].map((f) => { try { f(); return 'no'; } catch (e) { return e.constructor.name; } });
      const sym = Symbol('s');
      const nonEnum = {};
      Object.defineProperty(nonEnum, 'hidden', { value: 'x', enumerable: false });
      const own = [['a', '1']];
      own[Symbol.iterator] = function* () { yield ['own', 'iterator']; };
      return { fromRecord, fromSeq, fromHeaders, fromIterable, errors, nonEnum: [...new Headers(nonEnum)], empty: [...new Headers(undefined)], own: [...new Headers(own)] };
    `);
    expect(r).toEqual({
      fromRecord: [['content-type', 'text/plain'], ['x-a', 'v']],
      fromSeq: [['x-b', '1, 2']],
      fromHeaders: [['a', '1, 2'], ['set-cookie', 'x'], ['set-cookie', 'y']],
      fromIterable: [['k', 'v'], ['z', 'w']],
      errors: Array(12).fill('TypeError'),
      nonEnum: [], empty: [], own: [['own', 'iterator']],
    });
  });

  it('normalizes values, combines on get, validates names and values', async () => {
    const r = await evalInIsolate(`
      const h = new Headers();
      h.append('X-Test', ' \\t a b \\r\\n');
      h.append('x-test', 'c');
      h.append('Empty', '');
      const out = { get: h.get('X-TEST'), has: h.has('x-Test'), empty: h.get('empty'), missing: h.get('nope') };
      h.set('x-test', 'd');
      out.afterSet = h.get('x-test');
      h.delete('X-Test');
      out.afterDelete = h.has('x-test');
      out.errors = [
        () => h.append('a b', 'x'), () => h.append('a', 'x\\0y'), () => h.append('a', 'x\\ry'), () => h.get('a:b'),
        () => h.has(''), () => h.delete('(x)'), () => h.set('a', 'é\\u0100'), () => h.append('a'),
        () => h.get(),
      ].map((f) => { try { f(); return 'no'; } catch (e) { return e.constructor.name; } });
      out.latin1 = (h.append('x-latin', 'caf\\u00e9'), h.get('x-latin'));
      out.innerSpace = (h.set('x-in', 'a \\t b'), h.get('x-in'));
      out.token = (h.set("!#$%&'*+-.^_\`|~09azAZ", '1'), h.has("!#$%&'*+-.^_\`|~09AZaz"));
      return out;
    `);
    expect(r).toEqual({
      get: 'a b, c', has: true, empty: '', missing: null, afterSet: 'd', afterDelete: false,
      errors: Array(9).fill('TypeError'), latin1: 'café', innerSpace: 'a \t b', token: true,
    });
  });

  it('iterates sorted, lowercased, combined, with set-cookie separate and live updates', async () => {
    const r = await evalInIsolate(`
      const h = new Headers([
        ['xylophone-header', '1'], ['best-header', '2'], ['set-cookie', '3'], ['a-cool-header', '4'],
        ['set-cookie', '5'], ['a-cool-header', '6'], ['best-header', '7'], ['Set-Cookie2', 'a'], ['set-cookie2', 'b'],
      ]);
      const list = [...h];
      const h2 = new Headers([['fizz', 'buzz'], ['X-Header', 'test']]);
      const it = h2[Symbol.iterator]();
      const steps = [it.next().value];
      h2.append('Set-Cookie', 'a=b');
      steps.push(it.next().value);
      h2.append('Accept', 'text/html');
      steps.push(it.next().value, it.next().value);
      h2.append('set-cookie', 'c=d');
      steps.push(it.next().value, it.next().done);
      const seen = [];
      new Headers({ b: '2', a: '1' }).forEach(function (v, k, o) { seen.push([k, v, o instanceof Headers, this.t]); }, { t: 'this' });
      return {
        list, steps, seen, getSetCookie: h.getSetCookie(), setCookieGet: h.get('set-cookie'),
        none: new Headers().getSetCookie(), emptyCookie: new Headers([['set-cookie', '']]).getSetCookie(),
      };
    `);
    expect(r).toEqual({
      list: [['a-cool-header', '4, 6'], ['best-header', '2, 7'], ['set-cookie', '3'], ['set-cookie', '5'], ['set-cookie2', 'a, b'], ['xylophone-header', '1']],
      steps: [['fizz', 'buzz'], ['set-cookie', 'a=b'], ['set-cookie', 'a=b'], ['x-header', 'test'], ['x-header', 'test'], true],
      seen: [['a', '1', true, 'this'], ['b', '2', true, 'this']],
      getSetCookie: ['3', '5'], setCookieGet: '3, 5', none: [], emptyCookie: [''],
    });
  });

  it('enforces guards: immutable throws, request/response keep forbidden names, no-cors filters', async () => {
    const r = await evalInIsolate(`
      const res = Response.redirect('https://example.com/x');
      const immutable = ['append', 'set', 'delete'].map((m) => { try { res.headers[m]('location', 'y'); return 'no'; } catch (e) { return e.constructor.name; } });
      const invalidFirst = (() => { try { res.headers.append('bad name', 'x'); } catch (e) { return e instanceof TypeError; } })();
      const req = new Request('https://example.com/', { headers: { Host: 'other.example', 'Content-Length': '5', Cookie: 'a=b', 'Transfer-Encoding': 'chunked' } });
      const resp = new Response(null, { headers: { 'Set-Cookie': 'a=b', 'Set-Cookie2': 'c' } });
      const nc = new Request('https://example.com/', { mode: 'no-cors', headers: { 'X-Custom': '1', Accept: 'text/html', 'Content-Type': 'application/json', 'Accept-Language': 'en-US', Range: 'bytes=0-1' } });
      nc.headers.append('Content-Type', 'text/plain');
      nc.headers.set('X-Other', 'x');
      const ncKeys = [...nc.headers];
      nc.headers.delete('x-custom');
      return {
        immutable, invalidFirst, req: [...req.headers], resp: [...resp.headers], ncKeys, ncMode: nc.mode,
        noCorsPut: (() => { try { new Request('https://example.com/', { mode: 'no-cors', method: 'PUT' }); return 'no'; } catch (e) { return e.constructor.name; } })(),
      };
    `);
    expect(r).toEqual({
      immutable: ['TypeError', 'TypeError', 'TypeError'], invalidFirst: true,
      req: [['content-length', '5'], ['cookie', 'a=b'], ['host', 'other.example'], ['transfer-encoding', 'chunked']],
      resp: [['set-cookie', 'a=b'], ['set-cookie2', 'c']],
      ncKeys: [['accept', 'text/html'], ['accept-language', 'en-US'], ['content-type', 'text/plain']],
      ncMode: 'no-cors', noCorsPut: 'TypeError',
    });
  });

  it('converts a record key before reading its value (WebIDL record<ByteString, ByteString>)', async () => {
    const r = await evalInIsolate<{ badName: unknown; symbol: unknown }>(`
      const run = (record) => {
        const log = [];
        const proxy = new Proxy(record, {
          ownKeys: (t) => { log.push('ownKeys'); return Reflect.ownKeys(t); },
          getOwnPropertyDescriptor: (t, k) => { log.push('gopd ' + String(k)); return Reflect.getOwnPropertyDescriptor(t, k); },
          get: (t, k, rcv) => { log.push('get ' + String(k)); return Reflect.get(t, k, rcv); },
        });
        let error = 'none';
        try { new Headers(proxy); } catch (e) { error = e.constructor.name; }
        return { log, error };
      };
      return { badName: run({ a: 'b', '\\uFFFF': 'd' }), symbol: run({ a: 'b', [Symbol.toStringTag]: 'y' }) };
    `);
    expect(r.badName).toEqual({ log: ['get Symbol(Symbol.iterator)', 'ownKeys', 'gopd a', 'get a', 'gopd \uffff'], error: 'TypeError' });
    expect(r.symbol).toEqual({ log: ['get Symbol(Symbol.iterator)', 'ownKeys', 'gopd a', 'get a', 'gopd Symbol(Symbol.toStringTag)'], error: 'TypeError' });
  });
});
