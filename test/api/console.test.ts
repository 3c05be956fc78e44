// console: the namespace, in-isolate formatting and its robustness against tenant tampering.
import { describe, expect, it } from 'vitest';
import { evalInIsolate, evalInIsolateWithLogs } from '../support/isolate.ts';

/** Runs `body` and returns the console output as [level, message] pairs. */
async function output(body: string): Promise<[string, string][]> {
  const { logs } = await evalInIsolateWithLogs(body);
  return logs.filter((l) => l.kind === 'tenant').map((l) => [l.level, l.message]);
}
async function messages(body: string): Promise<string[]> {
  return (await output(body)).map(([, m]) => m);
}

describe('console namespace', () => {
  it('is a WebIDL namespace replacing V8’s console', async () => {
    const r = await evalInIsolate(`
      const d = Object.getOwnPropertyDescriptor(globalThis, 'console');
      const proto = Object.getPrototypeOf(console);
      const names = ['assert', 'clear', 'debug', 'error', 'info', 'log', 'table', 'trace', 'warn', 'dir', 'dirxml',
        'count', 'countReset', 'group', 'groupCollapsed', 'groupEnd', 'time', 'timeLog', 'timeEnd'];
      return {
        desc: [d.writable, d.enumerable, d.configurable, d.value === console],
        noInterface: 'Console' in globalThis,
        tag: String(console),
        protoEmpty: Object.getOwnPropertyNames(proto).length === 0 && Object.getPrototypeOf(proto) === Object.prototype,
        methods: names.every((n) => {
          const md = Object.getOwnPropertyDescriptor(console, n);
          return typeof md.value === 'function' && md.enumerable && md.writable && md.configurable && md.value.length === 0 && md.value.name === n;
        }),
        notConstructors: (() => { try { new console.log(); return false; } catch (e) { return e instanceof TypeError; } })(),
        v8Extras: ['profile', 'profileEnd', 'timeStamp', 'context'].filter((n) => n in console),
        keys: Object.keys(console).length,
      };
    `);
    expect(r).toEqual({
      desc: [true, false, true, true], noInterface: false, tag: '[object console]', protoEmpty: true, methods: true,
      notConstructors: true, v8Extras: [], keys: 19,
    });
  });

  it('levels reach the host; methods work detached', async () => {
    expect(await output(`
      const { log, info, warn, error, debug } = console;
      log('l'); info('i'); warn('w'); error('e'); debug('d'); console.dirxml('x', 1); console.log();
    `)).toEqual([['log', 'l'], ['info', 'i'], ['warn', 'w'], ['error', 'e'], ['debug', 'd'], ['log', 'x 1']]);
  });
});

describe('formatting', () => {
  it('primitives, objects, nesting and depth', async () => {
    expect(await messages(`
      console.log('str', 1, -0, 10n, true, null, undefined, Symbol('s'));
      console.log({ a: 1, 'b-c': 'it\\'s', [Symbol('k')]: [1, 2], n: { m: { o: { p: 1 } } }, e: {}, arr: [] });
      console.log(['a', "b'c", 'd"e\\'f', 'x\\ny'], [[[[1]]]]);
      console.dir({ a: { b: { c: { d: 1 } } } }, { depth: 0 });
      console.dir({ a: { b: { c: { d: {} } } } }, { depth: null });
    `)).toEqual([
      "str 1 -0 10n true null undefined Symbol(s)",
      "{\n  a: 1,\n  'b-c': \"it's\",\n  n: { m: { o: [Object] } },\n  e: {},\n  arr: [],\n  [Symbol(k)]: [ 1, 2 ]\n}",
      `[ 'a', "b'c", \`d"e'f\`, 'x\\ny' ] [ [ [ [Array] ] ] ]`,
      '{ a: [Object] }',
      '{\n  a: { b: { c: { d: {} } } }\n}',
    ]);
  });

  it('built-in types', async () => {
    expect(await messages(`
      console.log(new Map([['a', 1], [{ k: 1 }, [2]]]), new Set([1, 'x']), new Map(), new WeakMap());
      console.log(new Uint8Array([1, 2, 3]), new Float64Array(2), new BigInt64Array(1), new ArrayBuffer(3));
      console.log(new DataView(new ArrayBuffer(2)));
      console.log(new Date(0), new Date(NaN), /a+b/gi, new Number(3), new String('ab'), Object(1n));
      console.log(function f() {}, () => {}, async function g() {}, function* h() {}, class A {}, class B extends Array {});
      console.log([1, , 3], new Array(3), Array.from({ length: 102 }, (_, i) => i % 10).length);
    `)).toEqual([
      "Map(2) { 'a' => 1, { k: 1 } => [ 2 ] } Set(2) { 1, 'x' } Map(0) {} WeakMap { <items unknown> }",
      'Uint8Array(3) [ 1, 2, 3 ] Float64Array(2) [ 0, 0 ] BigInt64Array(1) [ 0n ] ArrayBuffer { [Uint8Contents]: <00 00 00>, byteLength: 3 }',
      'DataView {\n  byteLength: 2,\n  byteOffset: 0,\n  buffer: ArrayBuffer { [Uint8Contents]: <00 00>, byteLength: 2 }\n}',
      "1970-01-01T00:00:00.000Z Invalid Date /a+b/gi [Number: 3] [String: 'ab'] [BigInt: 1n]",
      '[Function: f] [Function (anonymous)] [AsyncFunction: g] [GeneratorFunction: h] [class A] [class B extends Array]',
      '[ 1, <1 empty item>, 3 ] [ <3 empty items> ] 102',
    ]);
  });

  it('class instances, null prototypes, getters (never invoked), cycles', async () => {
    expect(await messages(`
      class Point { constructor() { this.x = 1; } get len() { throw new Error('ran'); } }
      const o = { get g() { throw new Error('ran'); }, set s(v) {}, get gs() { return 1; }, set gs(v) {} };
      const cyc = { name: 'c' }; cyc.self = cyc; cyc.list = [cyc];
      const n = Object.create(null); n.k = 1;
      console.log(new Point(), o, cyc, n, Object.create(null));
      console.log(Object.assign(Object.create(Point.prototype), { y: 2 }), { [Symbol.toStringTag]: 'Tagged', v: 1 });
    `)).toEqual([
      "Point { x: 1 } { g: [Getter], s: [Setter], gs: [Getter/Setter] } { name: 'c', self: [Circular], list: [ [Circular] ] } [Object: null prototype] { k: 1 } [Object: null prototype] {}",
      "Point { y: 2 } Object [Tagged] { v: 1, [Symbol(Symbol.toStringTag)]: 'Tagged' }",
    ]);
  });

  it('long arrays, strings and big collections are truncated', async () => {
    const [arr, str, set] = await messages(`
      console.log(Array.from({ length: 150 }, (_, i) => i));
      console.log(['x'.repeat(10_050)]);
      console.log(new Set(Array.from({ length: 120 }, (_, i) => i)));
    `);
    expect(arr).toMatch(/^\[\n\s+0,\s+1,\s+2,/);
    expect(arr).toContain('99');
    expect(arr).not.toContain('100');
    expect(arr).toMatch(/\.\.\. 50 more items\n\]$/);
    expect(str).toContain("... 50 more characters");
    expect(str.length).toBeLessThan(10_100);
    expect(set).toContain('... 20 more items');
  });

  it('errors: stack, extra properties, cause, AggregateError, nested indentation', async () => {
    const [plain, withCause, agg, nested, dom] = await messages(`
      function thrower() { return new TypeError('outer', { cause: new Error('inner') }); }
      console.log(new RangeError('plain'));
      const e = thrower(); e.code = 'E_CODE';
      console.log(e);
      console.log(new AggregateError([new Error('one')], 'many'));
      console.log({ err: new Error('deep') });
      console.log(new DOMException('boom', 'AbortError'));
    `);
    expect(plain).toMatch(/^RangeError: plain\n {4}at /);
    expect(withCause).toMatch(/^TypeError: outer\n {4}at thrower \(test\.js:\d+:\d+\)\n[^]*\{\n  code: 'E_CODE',\n  \[cause\]: Error: inner\n {6}at thrower [^]*\n\}$/);
    expect(agg).toMatch(/^AggregateError: many\n[^]*\[errors\]: \[\n {4}Error: one\n {8}at /);
    expect(nested).toMatch(/^\{\n  err: Error: deep\n {6}at /);
    expect(dom).toMatch(/^AbortError: boom\n {4}at /);
  });

  it('format specifiers (one pass, spec conversions)', async () => {
    expect(await messages(`
      console.log('%s is %d (%i) %f', 'Bob', 42.9, '7.5x', '1.5', 'rest', 2);
      console.log('%o | %O | %c| %% | %x', { a: [1] }, { b: { c: { d: { e: 1 } } } }, 'color: red');
      console.log('%s %s %s %s', 10n, Symbol('q'), -0, { toString() { return 'custom'; } });
      console.log('%s', { plain: 1 }, '%s', '%d');
      console.log('100%', 'literal');
      console.log('%s', '%d', 5);
    `)).toEqual([
      'Bob is 42 (7) 1.5 rest 2',
      "{ a: [ 1 ] } | { b: { c: { d: [Object] } } } | | % | %x",
      '10n Symbol(q) -0 custom',
      '{ plain: 1 } %s %d',
      '100% literal',
      '%d 5',
    ]);
  });

  it('numeric specifiers on a Symbol throw TypeError (Console Standard / WPT)', async () => {
    expect(await evalInIsolate(`
      const r = [];
      for (const f of ['%i', '%d', '%f']) {
        for (const m of ['log', 'dir', 'dirxml']) {
          try { console[m](f, Symbol.for('description')); r.push('no'); } catch (e) { r.push(e.constructor.name); }
        }
      }
      return r;
    `)).toEqual(Array(9).fill('TypeError'));
  });
});

describe('console methods', () => {
  it('table', async () => {
    expect(await messages(`
      console.table([{ a: 1, b: 'Y' }, { a: 2, c: true }]);
      console.table([1, 'two'], undefined);
      console.table({ r: { v: 1 } }, ['v', 'w']);
      console.table(new Map([['k', 1]]));
      console.table('not tabular');
    `)).toEqual([
      "┌─────────┬───┬─────┬──────┐\n│ (index) │ a │ b   │ c    │\n├─────────┼───┼─────┼──────┤\n│ 0       │ 1 │ 'Y' │      │\n│ 1       │ 2 │     │ true │\n└─────────┴───┴─────┴──────┘",
      "┌─────────┬────────┐\n│ (index) │ Values │\n├─────────┼────────┤\n│ 0       │ 1      │\n│ 1       │ 'two'  │\n└─────────┴────────┘",
      '┌─────────┬───┬───┐\n│ (index) │ v │ w │\n├─────────┼───┼───┤\n│ r       │ 1 │   │\n└─────────┴───┴───┘',
      "┌───────────────────┬─────┬────────┐\n│ (iteration index) │ Key │ Values │\n├───────────────────┼─────┼────────┤\n│ 0                 │ 'k' │ 1      │\n└───────────────────┴─────┴────────┘",
      'not tabular',
    ]);
  });

  it('group / groupCollapsed / groupEnd indent every line', async () => {
    expect(await output(`
      console.group('G1');
      console.log('a\\nb');
      console.groupCollapsed();
      console.warn('deep');
      console.groupEnd();
      console.info('back');
      console.groupEnd();
      console.groupEnd();
      console.log('top');
    `)).toEqual([['log', 'G1'], ['log', '  a\n  b'], ['warn', '    deep'], ['info', '  back'], ['log', 'top']]);
  });

  it('count / countReset / time / timeLog / timeEnd', async () => {
    const out = await output(`
      console.count(); console.count(); console.count('x'); console.countReset(); console.count(); console.countReset('nope');
      console.time('t'); console.timeLog('t', 'data', { a: 1 }); console.timeEnd('t'); console.timeEnd('t');
      console.time(); console.time();
    `);
    expect(out.slice(0, 5)).toEqual([
      ['info', 'default: 1'], ['info', 'default: 2'], ['info', 'x: 1'], ['info', 'default: 1'],
      ['warn', "Count for 'nope' does not exist"],
    ]);
    expect(out[5]![0]).toBe('info');
    expect(out[5]![1]).toMatch(/^t: \d+(\.\d+)?m?s data \{ a: 1 \}$/);
    expect(out[6]![1]).toMatch(/^t: \d+(\.\d+)?m?s$/);
    expect(out.slice(7)).toEqual([['warn', "Timer 't' does not exist"], ['warn', "Timer 'default' already exists"]]);
  });

  it('labels are converted with ToString, whose errors propagate (WPT)', async () => {
    expect(await evalInIsolate(`
      const r = [];
      for (const m of ['count', 'countReset', 'time', 'timeLog', 'timeEnd']) {
        let called = false;
        console[m]({ toString() { called = true; return 'L'; } });
        try { console[m]({ toString() { throw new Error('conversion'); } }); r.push(m + ':no'); } catch (e) { r.push(called && e.message === 'conversion'); }
      }
      return r;
    `)).toEqual([true, true, true, true, true]);
  });

  it('assert and trace', async () => {
    const out = await output(`
      console.assert(true, 'never');
      console.assert(false, 'x %s', 'y');
      console.assert(0);
      console.assert(null, { o: 1 });
      (function outerFn() { console.trace('here %d', 1); })();
    `);
    expect(out.slice(0, 3)).toEqual([['error', 'Assertion failed: x y'], ['error', 'Assertion failed'], ['error', 'Assertion failed { o: 1 }']]);
    expect(out[3]![1]).toMatch(/^Trace: here 1\n {4}at outerFn \(test\.js:\d+:\d+\)/);
    expect(out[3]![1]).not.toContain('isle:prelude');
  });

  it('Web API objects show their attributes', async () => {
    const [headers, url, params, blob] = await messages(`
      console.log(new Headers({ 'content-type': 'text/plain', 'x-a': 'b' }), new Headers());
      console.log(new URL('https://example.com:8080/p?q=1#h'));
      console.log(new URLSearchParams('a=1&b=2'));
      console.log(new Blob(['abc'], { type: 'text/plain' }));
    `);
    expect(headers).toBe("Headers { 'content-type': 'text/plain', 'x-a': 'b' } Headers {}");
    expect(url).toMatch(/^URL \{\n  href: 'https:\/\/example\.com:8080\/p\?q=1#h',\n  origin: 'https:\/\/example\.com:8080',/);
    expect(url).toContain("searchParams: URLSearchParams { 'q' => '1' }");
    expect(params).toBe("URLSearchParams { 'a' => '1', 'b' => '2' }");
    expect(blob).toBe("Blob { size: 3, type: 'text/plain' }");
  });
});

describe('tamper robustness', () => {
  it('Proxies, throwing getters and patched built-ins cannot break or escape console.log', async () => {
    const { result, logs } = await evalInIsolateWithLogs(`
      const throwing = new Proxy({}, new Proxy({}, { get() { return () => { throw new Error('trap'); }; } }));
      const { proxy: revoked, revoke } = Proxy.revocable({}, {}); revoke();
      const transparent = new Proxy({ a: 1 }, {});
      const map = new Map([[1, { a: 2 }]]);
      const set = new Set(['x']);
      class Foo { constructor() { this.z = 1; } }
      const foo = new Foo();
      const err = new Error('boom');
      const badGetter = { get x() { throw new Error('getter ran'); }, y: 1 };
      const boom = (name) => () => { throw new Error(name); };
      Object.prototype.toString = boom('toString');
      Array.prototype.join = boom('join');
      Array.prototype.push = boom('push');
      Array.prototype.pop = boom('pop');
      Array.prototype.map = boom('map');
      Array.prototype[Symbol.iterator] = boom('iterator');
      Map.prototype.entries = boom('entries');
      Map.prototype.forEach = boom('forEach');
      Set.prototype.values = boom('values');
      String.prototype.slice = boom('slice');
      String.prototype.repeat = boom('repeat');
      String.prototype.indexOf = boom('indexOf');
      String.prototype.replaceAll = boom('replaceAll');
      Function.prototype.toString = boom('fnToString');
      Object.getOwnPropertyDescriptor = boom('gopd');
      Reflect.ownKeys = boom('ownKeys');
      Object.keys = boom('keys');
      Error.prepareStackTrace = boom('prepareStackTrace');
      Object.defineProperty(Object.prototype, 'constructor', { get: boom('constructor getter'), configurable: true });
      Object.defineProperty(Object.prototype, Symbol.toStringTag, { get: boom('tag getter'), configurable: true });
      Object.defineProperty(Object.prototype, 'then', { get: boom('then getter'), configurable: true });
      const results = [];
      const attempt = (f) => { try { f(); results[results.length] = "ok"; } catch (e) { results[results.length] = "threw " + e.message; } };
      attempt(() => console.log(throwing, revoked, transparent, badGetter));
      attempt(() => console.log(map, set, foo, [1, [2]], 'str', err));
      attempt(() => console.log('%s %o %O', throwing, revoked, transparent));
      attempt(() => console.table([{ a: 1 }]));
      attempt(() => { console.group('g'); console.log(new Uint8Array(2)); console.groupEnd(); });
      attempt(() => console.dir(throwing));
      attempt(() => console.assert(false, revoked));
      attempt(() => console.trace());
      delete Object.prototype.then; // the test's own async result must not go through it
      return results;
    `);
    expect(result).toEqual(Array(8).fill('ok'));
    const text = logs.map((l) => l.message);
    expect(text[0]).toBe('[Uninspectable] [Uninspectable] { a: 1 } { x: [Getter], y: 1 }');
    expect(text[1]).toBe("Map(1) { 1 => { a: 2 } } Set(1) { 'x' } Foo { z: 1 } [ 1, [ 2 ] ] str [Error: boom]");
    expect(text[2]).toBe('[Uninspectable] [Uninspectable] { a: 1 }');
    expect(text[3]).toContain('│ (index) │ a │');
    expect(text.slice(4, 6)).toEqual(['g', '  Uint8Array(2) [ 0, 0 ]']);
  });

  it('a deeply nested value at depth Infinity does not throw', async () => {
    const { result, logs } = await evalInIsolateWithLogs(`
      let v = []; for (let i = 0; i < 20000; i++) v = [v];
      console.dir(v, { depth: Infinity });
      console.log('after');
      return 'ok';
    `);
    expect(result).toBe('ok');
    expect(logs.at(-1)!.message).toBe('after');
    // Nesting is followed 500 levels deep at most.
    expect(logs[0]!.message).toContain('[Array]');
    expect(logs[0]!.message.split('\n').length).toBeLessThan(1100);
  });
});
