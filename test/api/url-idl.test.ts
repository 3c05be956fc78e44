// WebIDL shape of URL and URLSearchParams, errors, and tamper resistance against a tenant that
// patches built-in prototypes before using them.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('URL WebIDL surface', () => {
  it('has WebIDL property attributes, lengths, tags and brand checks', async () => {
    const r = await evalInIsolate(`
      const desc = (o, k) => { const d = Object.getOwnPropertyDescriptor(o, k); return d && [typeof d.get, typeof d.set, typeof d.value, d.enumerable, d.configurable, d.writable]; };
      const throwsType = (f) => { try { f(); return 'no throw'; } catch (e) { return e instanceof TypeError ? 'TypeError' : String(e); } };
      const U = URL.prototype, P = URLSearchParams.prototype;
      const g = Object.getOwnPropertyDescriptor(globalThis, 'URL');
      return {
        global: [g.writable, g.enumerable, g.configurable],
        lengths: [URL.length, URL.parse.length, URL.canParse.length, URLSearchParams.length, P.append.length, P.delete.length,
          P.get.length, P.getAll.length, P.has.length, P.set.length, P.sort.length, P.forEach.length, P.entries.length, U.toJSON.length],
        href: desc(U, 'href'), origin: desc(U, 'origin'), toJSON: desc(U, 'toJSON'), toString: desc(U, 'toString'),
        parse: desc(URL, 'parse'), size: desc(P, 'size'), append: desc(P, 'append'), iter: desc(P, Symbol.iterator),
        tags: [Object.prototype.toString.call(new URL('a:b')), Object.prototype.toString.call(new URLSearchParams()), desc(U, Symbol.toStringTag)],
        protoKeys: Object.keys(U),
        paramKeys: Object.keys(P),
        brand: [throwsType(() => desc(U, 'href') && Object.getOwnPropertyDescriptor(U, 'href').get.call({})),
          throwsType(() => U.toString.call(new URLSearchParams())), throwsType(() => P.get.call(new URL('a:b'), 'x')),
          throwsType(() => Object.getOwnPropertyDescriptor(P, 'size').get.call(null))],
        args: [throwsType(() => new URL()), throwsType(() => URL.canParse()), throwsType(() => new URLSearchParams().append('a')),
          throwsType(() => new URLSearchParams().get()), throwsType(() => URLSearchParams()), throwsType(() => URL('a:b'))],
        invalid: (() => { try { new URL('nope'); } catch (e) { return [e.constructor === TypeError, e.message]; } })(),
        invalidBase: (() => { try { new URL('/x', 'bad base'); } catch (e) { return e.message; } })(),
        symbol: throwsType(() => new URL(Symbol())),
        json: JSON.stringify({ u: new URL('https://a/b?c#d') }),
        str: String(new URL('HTTPS://A/')) + new URL('x:y'),
        statics: [URL.parse('x', 'https://a/b/c').href, URL.parse('x'), URL.canParse('x', 'https://a'), URL.canParse('//x'), URL.parse('https://a') instanceof URL],
        usv: new URL('https://x/\\uD800?\\uDC00#\\uD800').href,
        createObjectURL: typeof URL.createObjectURL,
        subclass: (() => { class X extends URL { get extra() { return this.host; } } return new X('https://sub/').extra; })(),
        searchParamsSame: (() => { const u = new URL('https://a/?x=1'); return u.searchParams === u.searchParams; })(),
      };
    `);
    const acc = (set: boolean) => ['function', set ? 'function' : 'undefined', 'undefined', true, true, undefined];
    const op = ['undefined', 'undefined', 'function', true, true, true];
    expect(r).toEqual({
      global: [true, false, true],
      lengths: [1, 1, 1, 0, 2, 1, 1, 1, 1, 2, 0, 1, 0, 0],
      href: acc(true), origin: acc(false), toJSON: op, toString: op, parse: op, size: acc(false), append: op,
      iter: ['undefined', 'undefined', 'function', false, true, true],
      tags: ['[object URL]', '[object URLSearchParams]', ['undefined', 'undefined', 'string', false, true, false]],
      protoKeys: ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search',
        'searchParams', 'hash', 'toJSON', 'toString'],
      paramKeys: ['size', 'append', 'delete', 'get', 'getAll', 'has', 'set', 'sort', 'forEach', 'entries', 'keys', 'values', 'toString'],
      brand: ['TypeError', 'TypeError', 'TypeError', 'TypeError'],
      args: ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'],
      invalid: [true, "Invalid URL: 'nope'"],
      invalidBase: "Invalid URL: '/x' with base 'bad base'",
      symbol: 'TypeError',
      json: '{"u":"https://a/b?c#d"}',
      str: 'https://a/x:y',
      statics: ['https://a/b/x', null, true, false, true],
      usv: 'https://x/%EF%BF%BD?%EF%BF%BD#%EF%BF%BD',
      createObjectURL: 'undefined',
      subclass: 'sub',
      searchParamsSame: true,
    });
  });
});

describe('URL tamper resistance', () => {
  it('keeps working after a tenant patches built-in prototypes', async () => {
    const r = await evalInIsolate<{ hits: string; out: unknown }>(`
      let hits = '';
      const breaker = (obj, key) => { obj[key] = function () { hits += String(key) + ';'; throw new Error('tampered ' + String(key)); }; };
      // Things the runtime must never call or consult.
      Object.defineProperty(Array.prototype, 'constructor', { get() { hits += 'constructor;'; return undefined; }, configurable: true });
      breaker(Array.prototype, 'push'); breaker(Array.prototype, 'pop'); breaker(Array.prototype, 'slice');
      breaker(Array.prototype, 'splice'); breaker(Array.prototype, 'sort'); breaker(Array.prototype, 'join');
      breaker(Array.prototype, 'map'); breaker(Array.prototype, 'indexOf');
      for (const k of ['slice', 'replace', 'toLowerCase', 'toUpperCase', 'indexOf', 'charCodeAt', 'split', 'startsWith',
        'codePointAt', 'toWellFormed', 'substring', 'includes', 'lastIndexOf']) breaker(String.prototype, k);
      breaker(RegExp.prototype, 'exec'); breaker(RegExp.prototype, 'test');
      RegExp.prototype[Symbol.replace] = () => { hits.push('replace'); return 'x'; };
      breaker(Map.prototype, 'get'); breaker(Map.prototype, 'set');
      breaker(Number.prototype, 'toString'); breaker(Object, 'defineProperty'); breaker(Object, 'assign');
      breaker(JSON, 'parse'); breaker(JSON, 'stringify'); breaker(Reflect, 'apply'); breaker(Function.prototype, 'call');
      breaker(Function.prototype, 'apply'); breaker(Function.prototype, 'bind');
      const ArrayIteratorProto = Object.getPrototypeOf([][Symbol.iterator]());
      const origNext = ArrayIteratorProto.next;
      breaker(ArrayIteratorProto, 'next');
      breaker(Array.prototype, Symbol.iterator);
      const out = {};
      const u = new URL('HTTPS://Us:Pw@EXAMPLE.com:443/a/./b/../c?x=1 2&y=é#frag ment', undefined);
      out.href = u.href;
      out.parts = [u.origin, u.protocol, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.username, u.password];
      out.idn = new URL('https://Bücher.example/').host;
      out.ipv6 = new URL('http://[0:0:0:0:0:0:13.1.68.3]/').host;
      out.ipv4 = new URL('http://0x7f.1/').host;
      out.file = new URL('file:///C|/x/../y').href;
      out.rel = new URL('../q?z#w', 'http://h/a/b/c').href;
      u.pathname = '/p q'; u.search = '?s=1'; u.hash = 'h'; u.port = '8080'; u.hostname = 'Other.test'; u.protocol = 'http';
      out.set = u.href;
      const p = u.searchParams;
      p.append('b', '2'); p.append('a', '3'); p.sort(); p.set('s', '9'); p.delete('a', '3');
      out.params = u.href;
      const q = new URLSearchParams('z=1&y=2&z=3');
      const keys = []; q.forEach((v, k) => { keys[keys.length] = k + '=' + v; });
      const it = q.entries(); const first = it.next().value;
      out.iter = [keys.length, keys[0], keys[1], keys[2], first[0], first[1], q.get('z'), q.getAll('z').length, q.has('y', '2'), q.size];
      out.record = new URLSearchParams({ k: 'v w' }).toString();
      out.copy = new URLSearchParams(q).toString();
      out.canParse = [URL.canParse('x:y'), URL.parse('nope')];
      ArrayIteratorProto.next = origNext; // restore so the test can read results normally
      return { out, hits };
    `);
    expect(r.hits).toBe('');
    expect(r.out).toEqual({
      href: 'https://Us:Pw@example.com/a/c?x=1%202&y=%C3%A9#frag%20ment',
      parts: ['https://example.com', 'https:', 'example.com', 'example.com', '', '/a/c', '?x=1%202&y=%C3%A9', '#frag%20ment', 'Us', 'Pw'],
      idn: 'xn--bcher-kva.example',
      ipv6: '[::d01:4403]',
      ipv4: '127.0.0.1',
      file: 'file:///C:/y',
      rel: 'http://h/a/q?z#w',
      set: 'http://Us:Pw@other.test:8080/p%20q?s=1#h',
      params: 'http://Us:Pw@other.test:8080/p%20q?b=2&s=9#h',
      iter: [3, 'z=1', 'y=2', 'z=3', 'z', '1', '1', 2, true, 3],
      record: 'k=v+w',
      copy: 'z=1&y=2&z=3',
      canParse: [true, null],
    });
  });
});
