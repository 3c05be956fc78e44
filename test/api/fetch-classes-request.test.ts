import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('Request', () => {
  it('has defaults and the WebIDL shape', async () => {
    const r = await evalInIsolate(`
      const req = new Request('https://EXAMPLE.com/a/../b?q#f');
      const attrs = {};
      for (const k of ['method', 'url', 'destination', 'referrer', 'referrerPolicy', 'mode', 'credentials', 'cache', 'redirect', 'integrity', 'keepalive', 'isReloadNavigation', 'isHistoryNavigation', 'duplex', 'bodyUsed']) attrs[k] = req[k];
      return {
        attrs, body: req.body, len: Request.length, tag: Object.prototype.toString.call(req),
        signal: req.signal instanceof AbortSignal && req.signal === req.signal && !req.signal.aborted,
        headers: req.headers instanceof Headers && req.headers === req.headers,
        noArgs: (() => { try { new Request(); return 'no'; } catch (e) { return e.constructor.name; } })(),
        noNew: (() => { try { Request('https://a/'); return 'no'; } catch (e) { return e.constructor.name; } })(),
        enumerable: ['method', 'clone', 'text', 'body', 'signal'].every((k) => Object.getOwnPropertyDescriptor(Request.prototype, k).enumerable),
      };
    `);
    expect(r).toEqual({
      attrs: {
        method: 'GET', url: 'https://example.com/b?q#f', destination: '', referrer: 'about:client', referrerPolicy: '',
        mode: 'cors', credentials: 'same-origin', cache: 'default', redirect: 'follow', integrity: '', keepalive: false,
        isReloadNavigation: false, isHistoryNavigation: false, duplex: 'half', bodyUsed: false,
      },
      body: null, len: 1, tag: '[object Request]', signal: true, headers: true, noArgs: 'TypeError', noNew: 'TypeError',
      enumerable: true,
    });
  });

  it('applies every init member and validates them', async () => {
    const r = await evalInIsolate<Record<string, unknown>>(`
      const ac = new AbortController();
      const req = new Request('https://example.com/', {
        method: 'post', headers: { 'X-A': '1' }, body: 'hi', redirect: 'manual', signal: ac.signal, integrity: 'sha256-abc',
        keepalive: true, cache: 'no-store', credentials: 'include', mode: 'same-origin', referrer: 'https://ref.example/p',
        referrerPolicy: 'no-referrer', priority: 'high', window: null,
      });
      const out = {
        method: req.method, xa: req.headers.get('x-a'), ct: req.headers.get('content-type'), redirect: req.redirect,
        integrity: req.integrity, keepalive: req.keepalive, cache: req.cache, credentials: req.credentials, mode: req.mode,
        referrer: req.referrer, referrerPolicy: req.referrerPolicy, text: await req.text(),
      };
      out.followsBefore = req.signal.aborted;
      ac.abort('why');
      out.follows = [req.signal.aborted, req.signal.reason];
      out.methods = ['get', 'head', 'post', 'put', 'delete', 'options', 'patch', 'PaTcH', 'custom']
        .map((m) => new Request('https://a/', { method: m }).method);
      out.noReferrer = new Request('https://a/', { referrer: '' }).referrer;
      out.aboutClient = new Request('https://a/', { referrer: 'about:client' }).referrer;
      const bad = [
        ['relative', '/path', {}], ['credentials', 'https://user:pass@example.com/', {}], ['invalid url', 'http://[', {}],
        ['CONNECT', 'https://a/', { method: 'CONNECT' }], ['trace', 'https://a/', { method: 'trace' }], ['track', 'https://a/', { method: 'TrAcK' }],
        ['bad method', 'https://a/', { method: 'a b' }], ['latin1 method', 'https://a/', { method: 'G\\u0100T' }],
        ['navigate', 'https://a/', { mode: 'navigate' }], ['bad mode', 'https://a/', { mode: 'x' }],
        ['bad cache', 'https://a/', { cache: 'x' }], ['only-if-cached', 'https://a/', { cache: 'only-if-cached' }],
        ['bad credentials', 'https://a/', { credentials: 'x' }], ['bad redirect', 'https://a/', { redirect: 'x' }],
        ['bad referrer', 'https://a/', { referrer: 'http://[' }], ['bad policy', 'https://a/', { referrerPolicy: 'x' }],
        ['window', 'https://a/', { window: {} }], ['signal', 'https://a/', { signal: {} }], ['duplex full', 'https://a/', { duplex: 'full' }],
        ['priority', 'https://a/', { priority: 'x' }], ['GET body', 'https://a/', { body: 'x' }], ['HEAD body', 'https://a/', { method: 'HEAD', body: 'x' }],
        ['stream no duplex', 'https://a/', { method: 'POST', body: new ReadableStream() }],
        ['keepalive stream', 'https://a/', { method: 'POST', body: new ReadableStream(), duplex: 'half', keepalive: true }],
        ['bad init', 'https://a/', 5],
      ].map(([name, url, init]) => { try { new Request(url, init); return name + ': no'; } catch (e) { return name + ': ' + e.constructor.name; } });
      out.bad = bad;
      out.okCases = [
        new Request('https://a/', { cache: 'only-if-cached', mode: 'same-origin' }).cache,
        new Request('https://a/', { method: 'GET', body: null }).method,
        new Request('https://a/', { method: 'POST', body: new ReadableStream(), duplex: 'half' }).duplex,
        new Request('https://a/', { signal: null }).signal.aborted,
      ];
      return out;
    `);
    expect(r.method).toBe('POST');
    expect(r).toMatchObject({
      xa: '1', ct: 'text/plain;charset=UTF-8', redirect: 'manual', integrity: 'sha256-abc', keepalive: true, cache: 'no-store',
      credentials: 'include', mode: 'same-origin', referrer: 'https://ref.example/p', referrerPolicy: 'no-referrer', text: 'hi',
      followsBefore: false, follows: [true, 'why'],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'patch', 'PaTcH', 'custom'],
      noReferrer: '', aboutClient: 'about:client',
      okCases: ['only-if-cached', 'GET', 'half', false],
    });
    for (const line of r.bad as string[]) expect(line).toMatch(/: TypeError$/);
  });

  it('copies from another Request, takes its body, and follows its signal', async () => {
    const r = await evalInIsolate(`
      const ac = new AbortController();
      const a = new Request('https://example.com/a', { method: 'PUT', body: 'payload', headers: [['X-A', '1']], signal: ac.signal, redirect: 'error', mode: 'same-origin' });
      const b = new Request(a);
      const out = {
        url: b.url, method: b.method, xa: b.headers.get('x-a'), ct: b.headers.get('content-type'), redirect: b.redirect,
        mode: b.mode, aUsed: a.bodyUsed, bUsed: b.bodyUsed, distinctSignal: a.signal !== b.signal,
      };
      out.bText = await b.text();
      out.reuse = (() => { try { new Request(a); return 'no'; } catch (e) { return e.constructor.name; } })();
      out.reuseWithBody = new Request(a, { body: 'other' }).method;
      ac.abort();
      out.signals = [a.signal.aborted, b.signal.aborted];
      const c = new Request(new Request('https://x/', { headers: { 'Content-Type': 'potato' } }), { headers: new Headers() });
      out.ctDropped = c.headers.has('content-type');
      const d = new Request(new Request('https://x/', { headers: { 'Content-Type': 'potato' } }));
      out.ctKept = d.headers.get('content-type');
      const e1 = new Request('https://x/', { method: 'POST', body: 'b', headers: { 'Content-Type-Extra': 'x' } });
      out.ctFromBody = new Request(e1).headers.get('content-type');
      const f = new Request('https://x/', { method: 'POST', body: 'first' });
      const g = new Request(f, { body: 'second' });
      out.override = [f.bodyUsed, await g.text(), await f.text()];
      const h = new Request('https://x/', { method: 'POST', body: 'x' });
      out.getFromPost = (() => { try { new Request(h, { method: 'GET' }); return 'no'; } catch (e) { return e.constructor.name + ':' + h.bodyUsed; } })();
      const nav = new Request(new Request('https://x/', { referrer: 'https://r.example/', referrerPolicy: 'origin' }), { method: 'GET' });
      out.resetReferrer = [nav.referrer, nav.referrerPolicy];
      const s = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([104, 105])); c.close(); } });
      const sr = new Request('https://x/', { method: 'POST', body: s, duplex: 'half' });
      out.sameStream = sr.body === s;
      const sr2 = new Request(sr);
      out.streamCopy = [sr.bodyUsed, sr.body === s, s.locked, await sr2.text()];
      return out;
    `);
    expect(r).toEqual({
      url: 'https://example.com/a', method: 'PUT', xa: '1', ct: 'text/plain;charset=UTF-8', redirect: 'error',
      mode: 'same-origin', aUsed: true, bUsed: false, distinctSignal: true, bText: 'payload', reuse: 'TypeError',
      reuseWithBody: 'PUT', signals: [true, true], ctDropped: false, ctKept: 'potato', ctFromBody: 'text/plain;charset=UTF-8',
      override: [false, 'second', 'first'], getFromPost: 'TypeError:false', resetReferrer: ['about:client', ''],
      sameStream: true, streamCopy: [true, true, true, 'hi'],
    });
  });

  it('rejects Requests whose stream body is locked or disturbed', async () => {
    const r = await evalInIsolate(`
      const tryNew = (...a) => { try { new Request(...a); return 'ok'; } catch (e) { return e.constructor.name; } };
      const s1 = new ReadableStream(); s1.getReader();
      const s2 = new ReadableStream({}); s2.getReader().read();
      const s3 = new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array()) });
      const r3 = s3.getReader(); await r3.read(); r3.releaseLock();
      const q1 = new Request('https://x/', { method: 'POST', body: '...' }); q1.body.getReader();
      const q2 = new Request('https://x/', { method: 'POST', body: '...' }); const rd = q2.body.getReader(); await rd.read(); rd.releaseLock();
      return [
        tryNew('https://x/', { method: 'POST', body: s1, duplex: 'half' }),
        tryNew('https://x/', { method: 'POST', body: s2, duplex: 'half' }),
        tryNew('https://x/', { method: 'POST', body: s3, duplex: 'half' }),
        tryNew(q1), tryNew(q1, { body: '...' }), tryNew(q2), tryNew(q2, { body: '...' }),
      ];
    `);
    expect(r).toEqual(['TypeError', 'TypeError', 'TypeError', 'TypeError', 'ok', 'TypeError', 'ok']);
  });

  it('clones with an independent body and a dependent signal', async () => {
    const r = await evalInIsolate(`
      const ac = new AbortController();
      const req = new Request('https://x/', { method: 'POST', body: 'abc', headers: { 'X-A': '1' }, signal: ac.signal });
      const clone = req.clone();
      clone.headers.set('x-a', '2');
      const out = { xa: [req.headers.get('x-a'), clone.headers.get('x-a')], texts: [await req.text(), await clone.text()] };
      out.cloneUsed = (() => { try { req.clone(); return 'no'; } catch (e) { return e.constructor.name; } })();
      ac.abort();
      out.aborted = [req.signal.aborted, clone.signal.aborted, clone.signal !== req.signal];
      const sreq = new Request('https://x/', { method: 'POST', body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('streamed')); c.close(); } }), duplex: 'half' });
      const sclone = sreq.clone();
      out.tee = [await sclone.text(), await sreq.text()];
      return out;
    `);
    expect(r).toEqual({ xa: ['1', '2'], texts: ['abc', 'abc'], cloneUsed: 'TypeError', aborted: [true, true, true], tee: ['streamed', 'streamed'] });
  });

  it('resolves relative URLs against a global location when the embedder defines one', async () => {
    const r = await evalInIsolate(`
      const before = (() => { try { new Request('x'); return 'no'; } catch (e) { return e.constructor.name; } })();
      globalThis.location = { href: 'https://base.example/dir/page?q' };
      const req = new Request('other?x#f', { referrer: '/ref' });
      const red = Response.redirect('/moved');
      globalThis.location = 'https://second.example/';
      const second = new Request('').url;
      return { before, url: req.url, referrer: req.referrer, redirect: red.headers.get('location'), second };
    `);
    expect(r).toEqual({
      before: 'TypeError', url: 'https://base.example/dir/other?x#f', referrer: 'https://base.example/ref',
      redirect: 'https://base.example/moved', second: 'https://second.example/',
    });
  });
});
