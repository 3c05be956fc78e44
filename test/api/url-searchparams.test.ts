// URLSearchParams behaviour (constructors, methods, iteration, URL linkage) in a real isolate, plus
// the urlencoded helpers the fetch area imports.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';
import { parseUrlencoded, serializeUrlencoded } from '../../runtime/api/url/urlencoded.ts';

describe('URLSearchParams', () => {
  it('constructs from strings, records, sequences, iterables and other URLSearchParams', async () => {
    const r = await evalInIsolate(`
      const all = (p) => [...p];
      function* gen() { yield ['g', '1']; yield new Set(['h', '2']); }
      const errs = [];
      for (const bad of [[['a']], [['a', 'b', 'c']], [1], [[1, 2], 'ab']]) {
        try { new URLSearchParams(bad); errs.push('no throw'); } catch (e) { errs.push(e.constructor.name); }
      }
      const rec = { b: '2', a: '1' };
      Object.defineProperty(rec, 'hidden', { value: 'x', enumerable: false });
      return {
        none: all(new URLSearchParams()),
        undef: all(new URLSearchParams(undefined)),
        str: all(new URLSearchParams('?a=1&b=2+3&c=%20&&d')),
        q2: all(new URLSearchParams('??a=1')),
        rec: all(new URLSearchParams(rec)),
        surrogateKeys: all(new URLSearchParams({ '\\uD835x': '1', 'xx': '2', '\\uD835\\uDC01': '3' })),
        seq: all(new URLSearchParams([['x', 1], ['y', null]])),
        gen: all(new URLSearchParams(gen())),
        map: all(new URLSearchParams(new Map([['m', 'n']]))),
        copy: all(new URLSearchParams(new URLSearchParams('a=b&c=d'))),
        num: all(new URLSearchParams(12)),
        fn: (() => { const f = () => {}; f.k = 'v'; return all(new URLSearchParams(f)); })(),
        errs,
        symbol: (() => { try { new URLSearchParams({ [Symbol('s')]: 'x' }); return 'no throw'; } catch (e) { return e.constructor.name; } })(),
        notIterable: (() => { try { new URLSearchParams({ [Symbol.iterator]: 5 }); return 'no throw'; } catch (e) { return e.constructor.name; } })(),
        domException: new URLSearchParams(DOMException).toString().slice(0, 40),
        domExceptionProto: (() => { try { new URLSearchParams(DOMException.prototype); return 'no throw'; } catch (e) { return e.constructor.name; } })(),
        customIterator: (() => { const p = new URLSearchParams('x=y'); p[Symbol.iterator] = function* () { yield ['a', 'b']; }; return [...new URLSearchParams(p)]; })(),
        copyIsolated: (() => { const seed = new URLSearchParams('a=b'); const c = new URLSearchParams(seed); seed.append('e', 'f'); c.append('g', 'h'); return [seed.toString(), c.toString()]; })(),
      };
    `);
    expect(r).toEqual({
      none: [], undef: [],
      str: [['a', '1'], ['b', '2 3'], ['c', ' '], ['d', '']],
      q2: [['?a', '1']],
      rec: [['b', '2'], ['a', '1']],
      surrogateKeys: [['\uFFFDx', '1'], ['xx', '2'], ['\uD835\uDC01', '3']],
      seq: [['x', '1'], ['y', 'null']],
      gen: [['g', '1'], ['h', '2']],
      map: [['m', 'n']],
      copy: [['a', 'b'], ['c', 'd']],
      num: [['12', '']],
      fn: [['k', 'v']],
      errs: ['TypeError', 'TypeError', 'TypeError', 'TypeError'],
      symbol: 'TypeError',
      notIterable: 'TypeError',
      domException: 'INDEX_SIZE_ERR=1&DOMSTRING_SIZE_ERR=2&HI',
      domExceptionProto: 'TypeError',
      customIterator: [['a', 'b']],
      copyIsolated: ['a=b&e=f', 'a=b&g=h'],
    });
  });

  it('append, delete/has with value, get, getAll, set, size, toString', async () => {
    const r = await evalInIsolate(`
      const p = new URLSearchParams('a=1&b=2&a=3&c=4');
      const out = {};
      out.get = [p.get('a'), p.get('zz'), p.getAll('a'), p.getAll('zz'), p.size];
      out.has = [p.has('a'), p.has('a', '3'), p.has('a', '9'), p.has('a', undefined), p.has('q')];
      p.append('d', 'x y&z=é');
      out.appended = p.toString();
      p.delete('a', '3');
      out.delValue = p.toString();
      p.delete('a', undefined);
      out.del = p.toString();
      p.append('b', '5');
      p.set('b', '6');
      out.set = p.toString();
      p.set('new', '7');
      out.setNew = p.toString();
      out.size = p.size;
      out.lone = new URLSearchParams([['\\uD800', '\\uDC00x']]).toString();
      out.special = new URLSearchParams({ k: "!'()*-._~ +%&=" }).toString();
      return out;
    `);
    expect(r).toEqual({
      get: ['1', null, ['1', '3'], [], 4],
      has: [true, true, false, true, false],
      appended: 'a=1&b=2&a=3&c=4&d=x+y%26z%3D%C3%A9',
      delValue: 'a=1&b=2&c=4&d=x+y%26z%3D%C3%A9',
      del: 'b=2&c=4&d=x+y%26z%3D%C3%A9',
      set: 'b=6&c=4&d=x+y%26z%3D%C3%A9',
      setNew: 'b=6&c=4&d=x+y%26z%3D%C3%A9&new=7',
      size: 4,
      lone: '%EF%BF%BD=%EF%BF%BDx',
      special: 'k=%21%27%28%29*-._%7E+%2B%25%26%3D',
    });
  });

  it('sort is stable and orders by UTF-16 code units', async () => {
    const r = await evalInIsolate(`
      const cases = ['z=b&a=b&z=a&a=a', '\\uFFFD=x&\\uFFFC&\\uFFFD=a', 'é&e\\uFFFD&e\\u0301', 'z=z&a=a&z=y&a=b&z=x&a=c&z=w&a=d&z=v&a=e&z=u&a=f&z=t&a=g',
        'bbb&bb&aaa&aa=x&aa=y', '\\uD83D\\uDE00=x&\\uFB03=y'];
      return cases.map((c) => { const p = new URLSearchParams(c); p.sort(); return [...p]; });
    `);
    expect(r).toEqual([
      [['a', 'b'], ['a', 'a'], ['z', 'b'], ['z', 'a']],
      [['\uFFFC', ''], ['\uFFFD', 'x'], ['\uFFFD', 'a']],
      [['e\u0301', ''], ['e\uFFFD', ''], ['é', '']],
      [['a', 'a'], ['a', 'b'], ['a', 'c'], ['a', 'd'], ['a', 'e'], ['a', 'f'], ['a', 'g'],
        ['z', 'z'], ['z', 'y'], ['z', 'x'], ['z', 'w'], ['z', 'v'], ['z', 'u'], ['z', 't']],
      [['aa', 'x'], ['aa', 'y'], ['aaa', ''], ['bb', ''], ['bbb', '']],
      [['\uD83D\uDE00', 'x'], ['\uFB03', 'y']],
    ]);
  });

  it('iterates live with a URLSearchParams Iterator; forEach', async () => {
    const r = await evalInIsolate(`
      const p = new URLSearchParams('a=1&b=2');
      const it = p.entries();
      const proto = Object.getPrototypeOf(it);
      const IteratorProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
      const first = it.next();
      p.append('c', '3');
      const rest = [...it];
      const seen = [];
      p.forEach(function (v, k, o) { seen.push([k, v, o === p, this.t]); if (k === 'a') p.delete('b'); }, { t: 1 });
      return {
        first, rest, seen,
        keys: [...p.keys()], values: [...p.values()],
        same: p[Symbol.iterator] === p.entries,
        tag: Object.prototype.toString.call(it), protoTag: proto[Symbol.toStringTag],
        protoChain: Object.getPrototypeOf(proto) === IteratorProto,
        nextEnumerable: Object.getOwnPropertyDescriptor(proto, 'next').enumerable,
        hasCtor: Object.prototype.hasOwnProperty.call(proto, 'constructor'),
        foreignNext: (() => { try { proto.next.call({}); return 'no throw'; } catch (e) { return e.constructor.name; } })(),
        badCallback: (() => { try { p.forEach(1); return 'no throw'; } catch (e) { return e.constructor.name; } })(),
        iterProtoKeys: Object.getOwnPropertyNames(proto),
      };
    `);
    expect(r).toEqual({
      first: { value: ['a', '1'], done: false },
      rest: [['b', '2'], ['c', '3']],
      seen: [['a', '1', true, 1], ['c', '3', true, 1]],
      keys: ['a', 'c'], values: ['1', '3'],
      same: true,
      tag: '[object URLSearchParams Iterator]', protoTag: 'URLSearchParams Iterator',
      protoChain: true, nextEnumerable: true, hasCtor: false,
      foreignNext: 'TypeError', badCallback: 'TypeError',
      iterProtoKeys: ['next'],
    });
  });

  it('is linked both ways with its URL', async () => {
    const r = await evalInIsolate(`
      const u = new URL('https://h/p?a=1&b=2#f');
      const p = u.searchParams;
      const out = { same: u.searchParams === p };
      p.append('c', 'x y');
      out.afterAppend = u.href;
      u.search = '?z=9';
      out.afterSearch = [...p];
      u.href = 'https://h/?q=%20+';
      out.afterHref = [...p];
      p.delete('q');
      out.emptied = [u.href, u.search];
      u.search = '';
      out.cleared = [p.size, u.href];
      p.set('k', 'v');
      out.setAgain = u.href;
      u.search = 'a=b';
      out.searchNoQ = [...p];
      const o = new URL('sc:opaque  #f');
      o.searchParams.append('a', 'b');
      out.opaque = o.href;
      o.searchParams.delete('a');
      out.opaqueDel = [o.href, o.pathname];
      return out;
    `);
    expect(r).toEqual({
      same: true,
      afterAppend: 'https://h/p?a=1&b=2&c=x+y#f',
      afterSearch: [['z', '9']],
      afterHref: [['q', '  ']],
      emptied: ['https://h/', ''],
      cleared: [0, 'https://h/'],
      setAgain: 'https://h/?k=v',
      searchNoQ: [['a', 'b']],
      opaque: 'sc:opaque %20?a=b#f',
      opaqueDel: ['sc:opaque %20#f', 'opaque %20'],
    });
  });
});

describe('urlencoded helpers (for fetch)', () => {
  it('parseUrlencoded reads bytes and strings the same way', () => {
    const text = 'a=1&b=%C3%A9+x&&c&=d&e=%zz&%FF=%C2';
    const bytes = new TextEncoder().encode(text);
    const expected = [['a', '1'], ['b', 'é x'], ['c', ''], ['', 'd'], ['e', '%zz'], ['\uFFFD', '\uFFFD']];
    expect(parseUrlencoded(text)).toEqual(expected);
    expect(parseUrlencoded(bytes)).toEqual(expected);
    expect(parseUrlencoded(new TextEncoder().encode('†=€&x=\u{1F600}'))).toEqual([['†', '€'], ['x', '\u{1F600}']]);
    expect(parseUrlencoded(new Uint8Array([0x61, 0x3d, 0xe2, 0x82]))).toEqual([['a', '\uFFFD']]);
  });
  it('serializeUrlencoded uses the form percent-encode set and + for spaces', () => {
    expect(serializeUrlencoded([['a b', 'c&d=e'], ['*-._', "!'()~é\u{1F600}"]]))
      .toBe("a+b=c%26d%3De&*-._=%21%27%28%29%7E%C3%A9%F0%9F%98%80");
    expect(serializeUrlencoded([])).toBe('');
  });
});
