// A CRUD JSON API over /tasks, routed with URLPattern and validated with zod.
//
//   GET    /tasks[?done=true&tag=x&limit=10]   list
//   POST   /tasks                              create (201 + Location)
//   GET    /tasks/:id                          read
//   PUT    /tasks/:id                          replace
//   PATCH  /tasks/:id                          change some fields
//   DELETE /tasks/:id                          delete (204)
//
// Invalid input gets a 400 whose body lists every problem: { error, details: [{ path, message }] }.
// See src/store.ts for why writes do not outlive their request.
import { z } from 'zod';
import { ListQuery, TaskInput, TaskPatch, details } from './schema';
import { MemoryStore, type TaskStore } from './store';

export interface Env {
  /** Upper bound for ?limit= (a string var, like every .dev.vars entry). */
  MAX_PAGE_SIZE: string;
}

const collection = new URLPattern({ pathname: '/tasks{/}?' });
const item = new URLPattern({ pathname: '/tasks/:id' });

class HttpError extends Error {
  readonly status: number;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;
  constructor(status: number, message: string, extra: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.details = extra.details;
    this.headers = extra.headers;
  }
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

/** The JSON body, validated against `schema`; a 415 or 400 that says why otherwise. */
async function readBody<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpError(415, 'send the body as JSON with content-type: application/json');
  }
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new HttpError(400, 'validation failed', { details: details(parsed.error) });
  return parsed.data;
}

function parseId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new HttpError(400, 'validation failed', { details: [{ path: 'id', message: 'must be a positive integer' }] });
  return id;
}

function methodNotAllowed(allow: string): never {
  throw new HttpError(405, 'method not allowed', { headers: { allow } });
}

async function route(request: Request, env: Env, store: TaskStore): Promise<Response> {
  const url = new URL(request.url);
  if (collection.test(url)) {
    if (request.method === 'GET') {
      const query = ListQuery.safeParse(Object.fromEntries(url.searchParams));
      if (!query.success) throw new HttpError(400, 'validation failed', { details: details(query.error) });
      const max = Number(env.MAX_PAGE_SIZE) || 50;
      const { done, tag, limit = max } = query.data;
      if (limit > max) throw new HttpError(400, 'validation failed', { details: [{ path: 'limit', message: `at most ${max}` }] });
      const tasks = (await store.list())
        .filter((t) => done === undefined || t.done === done)
        .filter((t) => tag === undefined || t.tags.includes(tag))
        .slice(0, limit);
      return json({ tasks, count: tasks.length });
    }
    if (request.method === 'POST') {
      const task = await store.create(await readBody(request, TaskInput));
      return json(task, 201, { location: new URL(`/tasks/${task.id}`, url).href });
    }
    methodNotAllowed('GET, POST');
  }
  const match = item.exec(url);
  if (match) {
    const id = parseId(match.pathname.groups.id);
    const notFound = () => new HttpError(404, `no task with id ${id}`);
    switch (request.method) {
      case 'GET': {
        const task = await store.get(id);
        if (!task) throw notFound();
        return json(task);
      }
      case 'PUT': {
        const task = await store.replace(id, await readBody(request, TaskInput));
        if (!task) throw notFound();
        return json(task);
      }
      case 'PATCH': {
        const task = await store.update(id, await readBody(request, TaskPatch));
        if (!task) throw notFound();
        return json(task);
      }
      case 'DELETE': {
        if (!(await store.delete(id))) throw notFound();
        return new Response(null, { status: 204 });
      }
      default:
        methodNotAllowed('GET, PUT, PATCH, DELETE');
    }
  }
  if (url.pathname === '/') return json({ endpoints: ['/tasks', '/tasks/:id'], note: 'writes last for one request: see README' });
  throw new HttpError(404, 'not found');
}

export default {
  async fetch(request, env) {
    try {
      return await route(request, env, new MemoryStore());
    } catch (e) {
      if (e instanceof HttpError) {
        return json({ error: e.message, ...(e.details !== undefined && { details: e.details }) }, e.status, e.headers);
      }
      console.error(e);
      return json({ error: 'internal error' }, 500);
    }
  },
} satisfies ExportedHandler<Env>;
