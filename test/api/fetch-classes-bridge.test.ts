// The fetch area's contract with the dispatcher (host-bridge.ts), exercised through real dispatch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type IsleWorker } from '../../runtime/embed/index.ts';

describe('incoming Request and outgoing Response through the dispatcher', () => {
  let worker: IsleWorker;
  beforeAll(async () => {
    worker = await createWorker({
      script: `
        export default {
          async fetch(request: Request) {
            const url = new URL(request.url);
            if (url.pathname === '/inspect') {
              const tryMutate = (f: () => void) => { try { f(); return 'mutable'; } catch (e) { return (e as Error).constructor.name; } };
              return Response.json({
                method: request.method, url: request.url, headers: [...request.headers], cookies: request.headers.getSetCookie(),
                mutate: [tryMutate(() => request.headers.set('x', 'y')), tryMutate(() => request.headers.delete('x-one'))],
                signal: request.signal instanceof AbortSignal && !request.signal.aborted,
                bodyNull: request.body === null, used: request.bodyUsed, mode: request.mode, redirect: request.redirect,
                isRequest: request instanceof Request, clone: request.clone().url,
              });
            }
            if (url.pathname === '/echo') {
              const copy = new Request(request);
              return new Response(copy.body, { headers: { 'content-type': request.headers.get('content-type') ?? '' } });
            }
            if (url.pathname === '/form') {
              const fd = await request.formData();
              return Response.json([...fd].map(([k, v]) => [k, typeof v === 'string' ? v : (v as File).name]));
            }
            if (url.pathname === '/cookies') {
              const h = new Headers([['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['X-Multi', 'p'], ['x-multi', 'q']]);
              return new Response('ok', { status: 202, statusText: 'Accepted Here', headers: h });
            }
            if (url.pathname === '/used') {
              const r = new Response('x');
              await r.text();
              return r;
            }
            if (url.pathname === '/not-response') return { status: 200 } as unknown as Response;
            if (url.pathname === '/blob') return new Response(new Blob(['blob body'], { type: 'text/x-blob' }));
            if (url.pathname === '/stream') {
              const enc = new TextEncoder();
              return new Response(new ReadableStream({ start(c) { c.enqueue(enc.encode('chunk1 ')); c.enqueue(enc.encode('chunk2')); c.close(); } }));
            }
            if (url.pathname === '/formdata') {
              const fd = new FormData();
              fd.append('a', '1');
              fd.append('f', new File(['file!'], 'f.txt', { type: 'text/plain' }));
              return new Response(fd);
            }
            return new Response(null, { status: 204 });
          },
        };`,
      onLog: () => {},
    });
  });
  afterAll(() => worker.dispose());

  it('builds an immutable incoming Request with lowercase headers in arrival order', async () => {
    const res = await worker.fetch('http://localhost/inspect?q=1', {
      headers: [['X-One', '1'], ['x-two', 'a'], ['X-Two', 'b'], ['Set-Cookie', 'c=1'], ['Set-Cookie', 'd=2']],
    });
    const body = await res.json() as { headers: string[][] };
    expect(body).toMatchObject({
      method: 'GET', url: 'http://localhost/inspect?q=1', cookies: ['c=1', 'd=2'], mutate: ['TypeError', 'TypeError'],
      signal: true, bodyNull: true, used: false, mode: 'cors', redirect: 'follow', isRequest: true, clone: 'http://localhost/inspect?q=1',
    });
    expect(body.headers).toEqual(expect.arrayContaining([['x-one', '1'], ['x-two', 'a, b'], ['set-cookie', 'c=1'], ['set-cookie', 'd=2']]));
  });

  it('streams request bodies through a new Request into the response', async () => {
    const res = await worker.fetch('http://localhost/echo', { method: 'POST', body: 'ping pong', headers: { 'content-type': 'text/x-echo' } });
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'text/x-echo', 'ping pong']);
  });

  it('parses an incoming multipart body', async () => {
    const fd = new FormData();
    fd.append('name', 'value');
    fd.append('upload', new File(['data'], 'up.bin'));
    const res = await worker.fetch('http://localhost/form', { method: 'POST', body: fd });
    expect(await res.json()).toEqual([['name', 'value'], ['upload', 'up.bin']]);
  });

  it('returns status, statusText and headers with each Set-Cookie separate', async () => {
    const res = await worker.fetch('http://localhost/cookies');
    expect([res.status, res.statusText, await res.text()]).toEqual([202, 'Accepted Here', 'ok']);
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('x-multi')).toBe('p, q');
    expect(res.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
  });

  it('sends Blob, stream, FormData and null bodies', async () => {
    const blob = await worker.fetch('http://localhost/blob');
    expect([blob.headers.get('content-type'), await blob.text()]).toEqual(['text/x-blob', 'blob body']);
    expect(await (await worker.fetch('http://localhost/stream')).text()).toBe('chunk1 chunk2');
    const form = await worker.fetch('http://localhost/formdata');
    const parsed = await form.formData();
    expect([parsed.get('a'), (parsed.get('f') as File).name, await (parsed.get('f') as File).text()]).toEqual(['1', 'f.txt', 'file!']);
    const empty = await worker.fetch('http://localhost/none');
    expect([empty.status, await empty.text()]).toEqual([204, '']);
  });

  it('fails the request for a used body or a non-Response', async () => {
    expect((await worker.fetch('http://localhost/used')).status).toBe(500);
    expect((await worker.fetch('http://localhost/not-response')).status).toBe(500);
  });
});
