// URLPattern in a real isolate: pattern strings, matching, constructor strings, baseURL,
// ignoreCase, hasRegExpGroups, errors, WebIDL shape, and tamper resistance at match time.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

const KEYS = ['protocol', 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash'];

describe('URLPattern', () => {
  it('compiles component patterns (canonicalized pattern strings)', async () => {
    const cases: [unknown[], string[] | 'error'][] = [
      [[{ pathname: '/foo/(.*)' }], ['*', '*', '*', '*', '*', '/foo/*', '*', '*']],
      [[{ pathname: '/foo/(.*)?' }], ['*', '*', '*', '*', '*', '/foo/*?', '*', '*']],
      [[{ pathname: '/foo{/bar}' }], ['*', '*', '*', '*', '*', '/foo/bar', '*', '*']],
      [[{ pathname: '/foo/../bar' }], ['*', '*', '*', '*', '*', '/bar', '*', '*']],
      [[{ pathname: '/café' }], ['*', '*', '*', '*', '*', '/caf%C3%A9', '*', '*']],
      [[{ pathname: 'var x = 1;' }], ['*', '*', '*', '*', '*', 'var%20x%20=%201;', '*', '*']],
      [[{ protocol: 'javascript', pathname: 'var x = 1;' }], ['javascript', '*', '*', '*', '*', 'var x = 1;', '*', '*']],
      [[{ pathname: '/foo\\{' }], ['*', '*', '*', '*', '*', '/foo%7B', '*', '*']],
      [[{ hostname: 'café.com' }], ['*', '*', '*', 'xn--caf-dma.com', '*', '*', '*', '*']],
      [[{ hostname: '[\\:\\:AB]' }], ['*', '*', '*', '[\\:\\:ab]', '*', '*', '*', '*']],
      [[{ hostname: '[::AB]' }], 'error'],
      [[{ username: 'café', password: 'a\\:b' }], ['*', 'caf%C3%A9', 'a%3Ab', '*', '*', '*', '*', '*']],
      [[{ password: 'a:b' }], ['*', '*', 'a:b', '*', '*', '*', '*', '*']],
      [[{ protocol: 'http', port: '80' }], ['http', '*', '*', '*', '', '*', '*', '*']],
      [[{ search: '?q=café', hash: '#a b' }], ['*', '*', '*', '*', '*', '*', 'q=caf%C3%A9', 'a%20b']],
      [[{ pathname: ':name.html', baseURL: 'https://example.com' }], ['https', '*', '*', 'example.com', '', '/:name.html', '*', '*']],
      [[{ pathname: 'b', baseURL: 'https://example.com/foo/' }], ['https', '*', '*', 'example.com', '', '/foo/b', '*', '*']],
      [['https://example.com:8080/foo?bar#baz'], ['https', '*', '*', 'example.com', '8080', '/foo', 'bar', 'baz']],
      [['/foo?bar#baz', 'https://example.com:8080'], ['https', '*', '*', 'example.com', '8080', '/foo', 'bar', 'baz']],
      [['http{s}?://{*.}?example.com/:product/:endpoint'], ['http{s}?', '*', '*', '{*.}?example.com', '', '/:product/:endpoint', '*', '*']],
      [['https://example.com#foo'], ['https', '*', '*', 'example.com', '', '/', '', 'foo']],
      [['https://user\\:pass@example.com/x'], ['https', 'user', 'pass', 'example.com', '', '/x', '*', '*']],
      [['https://user:pass@example.com/x'], ['https', 'user:pass', '*', 'example.com', '', '/x', '*', '*']],
      [['https://[\\:\\:1]:8080/x'], ['https', '*', '*', '[\\:\\:1]', '8080', '/x', '*', '*']],
      [['data\\:foo*'], ['data', '*', '*', '', '', 'foo*', '*', '*']],
      [['https://*:*@*:*/*\\?*#*'], ['https', '*', '*', '*', '*', '/*', '*', '*']],
      [['https://*:*@*:*/*?*#*'], ['https', '*', '*', '*', '*', '/*?*', '', '*']],
      [[{ pathname: '/:a\\b' }], ['*', '*', '*', '*', '*', '{/:a}b', '*', '*']],
      [[{ pathname: '/{:a}\\:b' }], ['*', '*', '*', '*', '*', '/{:a}\\:b', '*', '*']],
      [[{ pathname: '/:a\\:b' }], ['*', '*', '*', '*', '*', '/:a\\:b', '*', '*']],
      [[{ pathname: '/(foo)(.*)' }], ['*', '*', '*', '*', '*', '/(foo)(.*)', '*', '*']],
      [[{ pathname: '/:foo(.*)bar' }], ['*', '*', '*', '*', '*', '/:foo(.*)bar', '*', '*']],
      [[{ pathname: '{/:foo}*' }], ['*', '*', '*', '*', '*', '/:foo*', '*', '*']],
      [[{ pathname: '/:café' }], ['*', '*', '*', '*', '*', '/:café', '*', '*']],
      [[{ pathname: '(café)' }], 'error'],
      [[{ pathname: '/(\\m)' }], 'error'],
      [[{ pathname: '([(])' }], 'error'],
      [[{ pathname: '/:a/:a' }], 'error'],
      [[{ pathname: '/{foo' }], 'error'],
      [[{ hostname: 'bad hostname' }], 'error'],
      [[{ hostname: 'bad%hostname' }], 'error'],
      [[{ hostname: 'bad/hostname' }], 'error'],
      [[{ hostname: 'bad\\:hostname' }], 'error'],
      [[{ hostname: '[::xyz]' }], 'error'],
      [[{ port: 'a' }], 'error'],
      [[{ protocol: 'a b' }], 'error'],
      [['/foo'], 'error'],
      [['example.com/foo'], 'error'],
      [[{ pathname: '/x' }, 'https://example.com'], 'error'],
      [['https://example.com', 'not a url'], 'error'],
    ];
    const r = await evalInIsolate<unknown[]>(`
      const keys = ${JSON.stringify(KEYS)};
      return ${JSON.stringify(cases)}.map(([args]) => {
        try { const p = new URLPattern(...args); return keys.map((k) => p[k]); }
        catch (e) { return e instanceof TypeError ? 'error' : 'wrong error ' + e; }
      });
    `);
    expect(r).toEqual(cases.map((c) => c[1]));
  });

  it('test() and exec() match URLs and URLPatternInit inputs', async () => {
    const r = await evalInIsolate<Record<string, unknown>>(`
      const p = new URLPattern({ pathname: '/foo/:bar' });
      const opt = new URLPattern({ pathname: '/foo/:bar?' });
      const star = new URLPattern({ pathname: '/foo/*' });
      const plus = new URLPattern({ pathname: '/foo/:bar+' });
      const group = new URLPattern({ pathname: '/foo{/bar}*' });
      const full = new URLPattern('http{s}?://{*.}?example.com/:product/:endpoint');
      const base = new URLPattern({ pathname: '/foo/bar', baseURL: 'https://example.com?query#hash' });
      const re = new URLPattern('https://example.com/:id(\\\\d+)');
      const ci = new URLPattern('https://example.com/foo/bar', { ignoreCase: true });
      const ci2 = new URLPattern({ pathname: '/FOO' }, { ignoreCase: true });
      const data = new URLPattern({ protocol: 'data', pathname: ':number([0-9]+)' });
      return {
        t: [p.test({ pathname: '/foo/bar' }), p.test({ pathname: '/foo/bar/' }), p.test('https://example.com/foo/x'),
          p.test('/foo/y', 'https://example.com'), p.test('not a url'), p.test(), opt.test({ pathname: '/foo' }),
          plus.test({ pathname: '/foo' }), group.test({ pathname: '/foo/bar/bar' }), group.test({ pathname: '/foo/bar/baz' }),
          base.test({ pathname: '/foo/bar' }), base.test('https://example.com/foo/bar?x#y'), base.test('http://example.com/foo/bar'),
          re.test('https://example.com/123'), re.test('https://example.com/abc'), ci.test('https://example.com/FOO/BAR'),
          ci2.test({ pathname: '/foo' }), new URLPattern({ pathname: '/FOO' }).test({ pathname: '/foo' }),
          data.test('data:8675309'), p.test({ pathname: '/foo/bar', hostname: 'bad host' })],
        exec: p.exec('https://example.com/foo/baz?q'),
        execInit: p.exec({ pathname: '/foo/qux', baseURL: 'https://h/x' }),
        execBase: p.exec('./foo/z', 'https://example.com'),
        opt: opt.exec({ pathname: '/foo' }).pathname,
        optHasUndefined: 'bar' in opt.exec({ pathname: '/foo' }).pathname.groups,
        star: star.exec({ pathname: '/foo/a/b' }).pathname,
        plus: plus.exec({ pathname: '/foo/a/b' }).pathname,
        full: [full.exec('https://sub.example.com/foo/bar').hostname, full.exec('https://sub.example.com/foo/bar').pathname],
        re: re.exec('https://example.com/123').pathname,
        noMatch: p.exec({ pathname: '/nope' }),
        cafe: new URLPattern({ pathname: '/café' }).exec({ pathname: '/café' }).pathname,
        baseURLWithInit: (() => { try { p.exec({ pathname: '/foo/bar' }, 'https://example.com'); return 'no throw'; } catch (e) { return e.constructor.name; } })(),
        regexpGroups: [p.hasRegExpGroups, re.hasRegExpGroups, star.hasRegExpGroups, new URLPattern({ hostname: '(a|b)' }).hasRegExpGroups],
      };
    `);
    const wild = { groups: { 0: '' }, input: '' };
    expect(r.t).toEqual([true, false, true, true, false, false, true, false, true, false,
      false, true, false, true, false, true, true, false, true, false]);
    expect(r.exec).toEqual({
      hash: wild, hostname: { groups: { 0: 'example.com' }, input: 'example.com' }, inputs: ['https://example.com/foo/baz?q'],
      password: wild, pathname: { groups: { bar: 'baz' }, input: '/foo/baz' }, port: wild,
      protocol: { groups: { 0: 'https' }, input: 'https' }, search: { groups: { 0: 'q' }, input: 'q' }, username: wild,
    });
    expect(Object.keys(r.exec as object)).toEqual(['hash', 'hostname', 'inputs', 'password', 'pathname', 'port', 'protocol', 'search', 'username']);
    expect((r.execInit as any).inputs).toEqual([{ baseURL: 'https://h/x', pathname: '/foo/qux' }]);
    expect((r.execInit as any).hostname).toEqual({ groups: { 0: 'h' }, input: 'h' });
    expect((r.execBase as any).inputs).toEqual(['./foo/z', 'https://example.com']);
    expect((r.execBase as any).pathname).toEqual({ groups: { bar: 'z' }, input: '/foo/z' });
    expect(r.opt).toEqual({ groups: {}, input: '/foo' });
    expect(r.optHasUndefined).toBe(true);
    expect(r.star).toEqual({ groups: { 0: 'a/b' }, input: '/foo/a/b' });
    expect(r.plus).toEqual({ groups: { bar: 'a/b' }, input: '/foo/a/b' });
    expect(r.full).toEqual([{ groups: { 0: 'sub' }, input: 'sub.example.com' },
      { groups: { product: 'foo', endpoint: 'bar' }, input: '/foo/bar' }]);
    expect(r.re).toEqual({ groups: { id: '123' }, input: '/123' });
    expect(r.noMatch).toBe(null);
    expect(r.cafe).toEqual({ groups: {}, input: '/caf%C3%A9' });
    expect(r.baseURLWithInit).toBe('TypeError');
    expect(r.regexpGroups).toEqual([false, true, false, true]);
  });

  it('has the WebIDL shape and survives prototype tampering at match time', async () => {
    const r = await evalInIsolate<Record<string, unknown>>(`
      const P = URLPattern.prototype;
      const shape = {
        length: URLPattern.length, testLength: P.test.length, execLength: P.exec.length,
        keys: Object.keys(P), tag: Object.prototype.toString.call(new URLPattern()),
        brand: (() => { try { P.test.call({}, 'https://x/'); return 'no throw'; } catch (e) { return e.constructor.name; } })(),
        getterBrand: (() => { try { Object.getOwnPropertyDescriptor(P, 'pathname').get.call(new URL('https://x')); return 'no throw'; } catch (e) { return e.constructor.name; } })(),
      };
      const pattern = new URLPattern('https://:sub.example.com/users/:id(\\\\d+){/*}?');
      let hits = '';
      const breaker = (obj, key) => { obj[key] = function () { hits += String(key) + ';'; throw new Error('tampered'); }; };
      breaker(RegExp.prototype, 'exec'); breaker(RegExp.prototype, 'test'); breaker(Array.prototype, 'push');
      breaker(Array.prototype, 'map'); breaker(String.prototype, 'slice'); breaker(String.prototype, 'toLowerCase');
      breaker(String.prototype, 'charCodeAt'); breaker(String.prototype, 'indexOf'); breaker(Object, 'defineProperty');
      breaker(Array.prototype, Symbol.iterator);
      const m = pattern.exec('https://api.example.com/users/42/extra');
      const built = new URLPattern({ pathname: '/a/:b', hostname: '{:x.}?example.com' });
      const out = {
        m: [m.hostname.groups.sub, m.pathname.groups.id, m.pathname.groups['0']],
        miss: pattern.test('https://api.example.com/users/abc'),
        built: [built.pathname, built.hostname, built.test('https://www.example.com/a/1')],
      };
      return { shape, out, hits };
    `);
    expect(r.shape).toEqual({
      length: 0, testLength: 0, execLength: 0,
      keys: ['test', 'exec', 'protocol', 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash', 'hasRegExpGroups'],
      tag: '[object URLPattern]', brand: 'TypeError', getterBrand: 'TypeError',
    });
    expect(r.hits).toBe('');
    expect(r.out).toEqual({ m: ['api', '42', 'extra'], miss: false, built: ['/a/:b', '{:x.}?example.com', true] });
  });
});
