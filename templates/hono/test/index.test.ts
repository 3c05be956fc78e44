import { createWorker, type IsleWorker, type LogRecord } from 'isle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let worker: IsleWorker;
const logs: LogRecord[] = [];
beforeAll(async () => {
  worker = await createWorker({ onLog: (r) => logs.push(r) });
});
afterAll(() => worker.dispose());

describe('routes', () => {
  it('describes itself with the typed env', async () => {
    const res = await worker.fetch('http://localhost/');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'Isle bookshop' });
  });

  it('lists and finds books', async () => {
    const list = await worker.fetch('http://localhost/api/books');
    expect(list.status).toBe(200);
    const books = (await list.json()) as { id: number; title: string }[];
    expect(books.length).toBeGreaterThan(2);
    const one = await worker.fetch('http://localhost/api/books/3');
    expect(await one.json()).toMatchObject({ id: 3, title: 'Kindred' });
  });

  it('searches', async () => {
    const res = await worker.fetch('http://localhost/api/search?q=calvino');
    expect(await res.json()).toEqual([expect.objectContaining({ title: 'Invisible Cities' })]);
  });

  it('echoes JSON with 201', async () => {
    const res = await worker.fetch('http://localhost/api/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'isle' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ received: { hello: 'isle' } });
  });
});

describe('errors', () => {
  it('400 and 404 as JSON', async () => {
    const bad = await worker.fetch('http://localhost/api/books/abc');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'id must be a positive integer' });
    const missing = await worker.fetch('http://localhost/api/books/99');
    expect(missing.status).toBe(404);
    const unknown = await worker.fetch('http://localhost/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'not found', path: '/nope' });
    const notJson = await worker.fetch('http://localhost/api/echo', { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('turns an exception into a JSON 500 and logs it', async () => {
    const res = await worker.fetch('http://localhost/api/fail');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal error' });
    expect(logs.some((r) => r.kind === 'tenant' && r.level === 'error' && r.message.includes('something broke'))).toBe(true);
  });
});

describe('middleware', () => {
  it('sets secure headers and logs each request', async () => {
    const res = await worker.fetch('http://localhost/api/books');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(logs.some((r) => r.kind === 'tenant' && r.message.includes('GET /api/books'))).toBe(true);
  });

  it('answers CORS preflights', async () => {
    const res = await worker.fetch('http://localhost/api/books', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('restricts CORS to CORS_ORIGIN from env', async () => {
    const strict = await createWorker({ env: { CORS_ORIGIN: 'https://app.example' }, onLog: () => {} });
    try {
      const res = await strict.fetch('http://localhost/api/books', { headers: { origin: 'https://app.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    } finally {
      await strict.dispose();
    }
  });

  it('serves ETags and 304s', async () => {
    const first = await worker.fetch('http://localhost/api/books/1');
    const tag = first.headers.get('etag');
    expect(tag).toMatch(/^"[0-9a-f]+"$/);
    const again = await worker.fetch('http://localhost/api/books/1', { headers: { 'if-none-match': tag! } });
    expect(again.status).toBe(304);
  });
});
