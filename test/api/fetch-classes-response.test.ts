import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('Response', () => {
  it('constructs with defaults, init and validation', async () => {
    const r = await evalInIsolate(`
      const res = new Response();
      const out = {
        defaults: [res.type, res.url, res.redirected, res.status, res.ok, res.statusText, res.body, res.bodyUsed, [...res.headers]],
        len: Response.length, tag: Object.prototype.toString.call(res),
      };
      const r2 = new Response('body', { status: 201, statusText: 'Created \\u00ff', headers: [['X-A', '1']] });
      out.init = [r2.status, r2.ok, r2.statusText, r2.headers.get('x-a'), r2.headers.get('content-type')];
      out.statuses = [200, 299, 300, 599].map((s) => new Response(null, { status: s }).ok);
      out.wrap = new Response(null, { status: 65736 }).status;
      out.errors = [
        [null, { status: 199 }], [null, { status: 600 }], [null, { status: 0 }], [null, { status: 1200 }],
        [null, { statusText: 'a\\nb' }], [null, { statusText: '\\u0100' }], [null, { statusText: 'a\\x7f' }],
        ['x', { status: 204 }], ['x', { status: 205 }], ['x', { status: 304 }], ['', { status: 204 }],
        [null, 5], [null, { headers: [['a']] }],
      ].map(([b, i]) => { try { new Response(b, i); return 'no'; } catch (e) { return e.constructor.name; } });
      out.nullBodyOk = [204, 205, 304].map((s) => new Response(null, { status: s }).status);
      out.keepCT = new Response('x', { headers: { 'Content-Type': 'text/html' } }).headers.get('content-type');
      const order = [];
      new Response(null, { get statusText() { order.push('statusText'); return ''; }, get status() { order.push('status'); return 200; }, get headers() { order.push('headers'); return {}; } });
      out.order = order;
      return out;
    `);
    expect(r).toEqual({
      defaults: ['default', '', false, 200, true, '', null, false, []], len: 0, tag: '[object Response]',
      init: [201, true, 'Created \u00ff', '1', 'text/plain;charset=UTF-8'], statuses: [true, true, false, false], wrap: 200,
      errors: ['RangeError', 'RangeError', 'RangeError', 'RangeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError',
        'TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'],
      nullBodyOk: [204, 205, 304], keepCT: 'text/html', order: ['headers', 'status', 'statusText'],
    });
  });

  it('Response.error, Response.redirect, Response.json', async () => {
    const r = await evalInIsolate(`
      const e = Response.error();
      const out = { error: [e.type, e.status, e.statusText, e.body, e.ok] };
      out.errorImmutable = (() => { try { e.headers.append('a', 'b'); return 'no'; } catch (x) { return x.constructor.name; } })();
      const red = Response.redirect('https://example.com/a b?x#y', 301);
      out.redirect = [red.status, red.headers.get('location'), red.body, red.type];
      out.defaultStatus = Response.redirect('https://example.com/').status;
      out.redirectStatuses = [301, 302, 303, 307, 308].map((s) => Response.redirect('https://a/', s).status);
      out.redirectErrors = [['https://a/', 200], ['https://a/', 309], ['/relative', 302], ['http://[', 302]]
        .map(([u, s]) => { try { Response.redirect(u, s); return 'no'; } catch (x) { return x.constructor.name; } });
      out.redirectImmutable = (() => { try { red.headers.set('location', 'x'); return 'no'; } catch (x) { return x.constructor.name; } })();
      const j = Response.json({ a: 1, b: [true, null] }, { status: 202, headers: { 'X-A': '1' } });
      out.json = [j.status, j.headers.get('content-type'), j.headers.get('x-a'), await j.text()];
      out.jsonCT = Response.json(1, { headers: { 'Content-Type': 'application/vnd+json' } }).headers.get('content-type');
      out.jsonErrors = [
        () => Response.json(undefined), () => Response.json(Symbol('x')), () => Response.json(() => 1),
        () => Response.json(1n), () => Response.json({}, { status: 204 }), () => Response.json({}, { status: 100 }),
        () => { const o = {}; o.o = o; Response.json(o); },
      ].map((f) => { try { f(); return 'no'; } catch (x) { return x.constructor.name; } });
      out.jsonStr = await Response.json('\\u2028').text();
      out.jsonStatic = ['error', 'redirect', 'json'].every((k) => Object.getOwnPropertyDescriptor(Response, k).enumerable);
      return out;
    `);
    expect(r).toEqual({
      error: ['error', 0, '', null, false], errorImmutable: 'TypeError',
      redirect: [301, 'https://example.com/a%20b?x#y', null, 'default'], defaultStatus: 302, redirectStatuses: [301, 302, 303, 307, 308],
      redirectErrors: ['RangeError', 'RangeError', 'TypeError', 'TypeError'], redirectImmutable: 'TypeError',
      json: [202, 'application/json', '1', '{"a":1,"b":[true,null]}'], jsonCT: 'application/vnd+json',
      jsonErrors: ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError', 'RangeError', 'TypeError'],
      jsonStr: '"\u2028"', jsonStatic: true,
    });
  });

  it('clones by teeing the body; clone of used body throws', async () => {
    const r = await evalInIsolate(`
      const enc = new TextEncoder();
      const res = new Response(new ReadableStream({ start(c) { c.enqueue(enc.encode('a')); c.enqueue(enc.encode('b')); c.close(); } }), { status: 203, statusText: 'Hi', headers: { 'X-A': '1' } });
      const c = res.clone();
      const out = { meta: [c.status, c.statusText, c.headers.get('x-a'), c.headers !== res.headers] };
      out.texts = [await res.text(), await c.text()];
      out.after = (() => { try { res.clone(); return 'no'; } catch (e) { return e.constructor.name; } })();
      const bytesRes = new Response('xyz');
      const bc = bytesRes.clone();
      out.bytesClone = [await bc.text(), await bytesRes.text()];
      const locked = new Response('x');
      locked.body.getReader();
      out.lockedClone = (() => { try { locked.clone(); return 'no'; } catch (e) { return e.constructor.name; } })();
      const e = Response.error().clone();
      out.errorClone = [e.type, e.status];
      return out;
    `);
    expect(r).toEqual({
      meta: [203, 'Hi', '1', true], texts: ['ab', 'ab'], after: 'TypeError', bytesClone: ['xyz', 'xyz'],
      lockedClone: 'TypeError', errorClone: ['error', 0],
    });
  });

  it("clone's branch gets structured clones of the chunks (view type, offset, length kept); uncloneable chunks error both", async () => {
    const r = await evalInIsolate(`
      const buffer = new ArrayBuffer(16);
      const chunk = new Int16Array(buffer, 2, 3);
      chunk.set([1, -2, 3]);
      const res = new Response(new ReadableStream({ start(c) { c.enqueue(chunk); c.close(); } }));
      const c = res.clone();
      const a = (await res.body.getReader().read()).value;
      const b = (await c.body.getReader().read()).value;
      const bad = new Response(new ReadableStream({ start(c) { c.enqueue(() => {}); c.close(); } }));
      const badClone = bad.clone();
      const err = async (s) => { try { await s.getReader().read(); return 'read'; } catch (e) { return e.name; } };
      return {
        original: a === chunk,
        clone: [b !== chunk, Object.getPrototypeOf(b) === Int16Array.prototype, b.byteOffset, b.length, b.buffer.byteLength, b.buffer !== buffer, Array.from(b)],
        uncloneable: [await err(bad.body), await err(badClone.body)],
      };
    `);
    expect(r).toEqual({
      original: true, clone: [true, true, 2, 3, 16, true, [1, -2, 3]], uncloneable: ['DataCloneError', 'DataCloneError'],
    });
  });
});
