// A Hono app as an Isle module worker: `export default app` works because a Hono app has the
// `fetch(request, env, ctx)` method Isle calls. Each request runs in a fresh isolate, so the app
// (and every middleware) is set up per request: keep module-level work small.
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { etag } from 'hono/etag';
import { HTTPException } from 'hono/http-exception';
import { logger } from 'hono/logger';
import { secureHeaders } from 'hono/secure-headers';
import { books } from './books';

/** `env` of this worker: isle.json "vars", .dev.vars and secrets. */
export interface Env {
  APP_NAME: string;
  /** Allowed CORS origin ("*" for any). */
  CORS_ORIGIN: string;
}

const app = new Hono<{ Bindings: Env }>();

// One log line per request (console.log: `worker dev` prints it, `worker tail` streams it).
app.use(logger());
// X-Content-Type-Options, X-Frame-Options, Strict-Transport-Security, … on every response.
app.use(secureHeaders());
app.use('/api/*', async (c, next) => cors({ origin: c.env.CORS_ORIGIN, maxAge: 600 })(c, next));
// ETags from a digest of the body (crypto.subtle); a matching If-None-Match gets a 304.
app.use('/api/*', etag());

app.get('/', (c) =>
  c.json({
    name: c.env.APP_NAME,
    endpoints: ['GET /api/books', 'GET /api/books/:id', 'GET /api/search?q=', 'POST /api/echo'],
  }),
);

app.get('/api/books', (c) => c.json(books));

app.get('/api/books/:id', (c) => {
  const id = Number(c.req.param('id'));
  if (!Number.isInteger(id) || id < 1) throw new HTTPException(400, { message: 'id must be a positive integer' });
  const book = books.find((b) => b.id === id);
  if (!book) throw new HTTPException(404, { message: `no book with id ${id}` });
  return c.json(book);
});

app.get('/api/search', (c) => {
  const q = c.req.query('q')?.trim().toLowerCase();
  if (!q) throw new HTTPException(400, { message: 'query parameter q is required' });
  return c.json(books.filter((b) => `${b.title} ${b.author}`.toLowerCase().includes(q)));
});

app.post('/api/echo', async (c) => {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new HTTPException(400, { message: 'the body must be JSON' });
  }
  return c.json({ received: body, at: new Date().toISOString() }, 201);
});

// Shows the error handler: an unexpected exception becomes a JSON 500 (and a log line).
app.get('/api/fail', () => {
  throw new Error('something broke');
});

app.notFound((c) => c.json({ error: 'not found', path: c.req.path }, 404));

app.onError((err, c) => {
  if (err instanceof HTTPException) return c.json({ error: err.message }, err.status);
  console.error(`${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
  return c.json({ error: 'internal error' }, 500);
});

export default app;
