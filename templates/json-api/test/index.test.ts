import { createWorker, type IsleWorker } from 'isle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let worker: IsleWorker;
beforeAll(async () => {
  worker = await createWorker({ onLog: () => {} });
});
afterAll(() => worker.dispose());

const base = 'http://localhost';
/** The response's JSON body (untyped: these tests check its shape). */
const json = (res: Response): Promise<any> => res.json();
const send = (method: string, path: string, body?: unknown) =>
  worker.fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

describe('CRUD', () => {
  it('lists the seed tasks, with filters', async () => {
    const all = await json(await worker.fetch(`${base}/tasks`));
    expect(all.count).toBe(3);
    const open = await json(await worker.fetch(`${base}/tasks?done=false`));
    expect(open.tasks.every((t: { done: boolean }) => !t.done)).toBe(true);
    const docs = await json(await worker.fetch(`${base}/tasks?tag=docs&limit=1`));
    expect(docs.tasks).toEqual([expect.objectContaining({ title: 'Read the Isle README' })]);
  });

  it('creates with defaults, 201 and Location', async () => {
    const res = await send('POST', '/tasks', { title: '  Try Isle  ' });
    expect(res.status).toBe(201);
    const task = await json(res);
    expect(task).toMatchObject({ id: 4, title: 'Try Isle', done: false, tags: [] });
    expect(res.headers.get('location')).toBe(`${base}/tasks/4`);
  });

  it('reads, replaces, patches and deletes', async () => {
    expect((await worker.fetch(`${base}/tasks/2`)).status).toBe(200);
    const put = await send('PUT', '/tasks/2', { title: 'Write two workers', done: true });
    expect(await json(put)).toMatchObject({ id: 2, title: 'Write two workers', done: true, tags: [] });
    const patch = await send('PATCH', '/tasks/1', { done: false });
    expect(await json(patch)).toMatchObject({ id: 1, title: 'Read the Isle README', done: false, tags: ['docs'] });
    expect((await send('DELETE', '/tasks/3')).status).toBe(204);
  });

  it('gives 404 for a missing task and 405 with Allow', async () => {
    const missing = await worker.fetch(`${base}/tasks/42`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({ error: 'no task with id 42' });
    const wrong = await send('DELETE', '/tasks');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });

  it('starts every request from the seed (fresh isolate per request)', async () => {
    await send('POST', '/tasks', { title: 'lost' });
    expect((await json(await worker.fetch(`${base}/tasks`))).count).toBe(3);
  });
});

describe('validation', () => {
  it('400 lists every problem', async () => {
    const res = await send('POST', '/tasks', { title: '', done: 'yes', tags: ['ok', ''], due: '31/12/2026', extra: 1 });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error).toBe('validation failed');
    const paths = body.details.map((d: { path: string }) => d.path).sort();
    expect(paths).toEqual(['(body)', 'done', 'due', 'tags.1', 'title']);
    expect(body.details.find((d: { path: string }) => d.path === 'title').message).toBe('title must not be empty');
  });

  it('rejects an empty PATCH, a bad id, bad JSON, a non-JSON type and a bad query', async () => {
    const empty = await send('PATCH', '/tasks/1', {});
    expect(await json(empty)).toEqual({ error: 'validation failed', details: [{ path: '(body)', message: 'send at least one field to change' }] });
    expect((await worker.fetch(`${base}/tasks/zero`)).status).toBe(400);
    expect((await send('POST', '/tasks', '{"title":')).status).toBe(400);
    const text = await worker.fetch(`${base}/tasks`, { method: 'POST', body: 'title=x' });
    expect(text.status).toBe(415);
    const query = await worker.fetch(`${base}/tasks?done=maybe`);
    expect(query.status).toBe(400);
    expect((await json(query)).details[0].path).toBe('done');
  });

  it('caps ?limit= at MAX_PAGE_SIZE from env', async () => {
    const small = await createWorker({ env: { MAX_PAGE_SIZE: '2' }, onLog: () => {} });
    try {
      expect((await json(await small.fetch(`${base}/tasks`))).count).toBe(2);
      expect((await small.fetch(`${base}/tasks?limit=3`)).status).toBe(400);
    } finally {
      await small.dispose();
    }
  });
});
