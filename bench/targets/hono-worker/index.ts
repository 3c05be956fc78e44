// Benchmark target: a ~200 KB worker bundle (hono routing + zod validation), the size of a typical
// small production API. Served by Isle in request isolation for the "200 KB app" latency target.
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { etag } from 'hono/etag';
import { secureHeaders } from 'hono/secure-headers';
import { jwt, sign } from 'hono/jwt';
import { basicAuth } from 'hono/basic-auth';
import { timing } from 'hono/timing';
import { html } from 'hono/html';
import { validator } from 'hono/validator';
import { prettyJSON } from 'hono/pretty-json';
import { requestId } from 'hono/request-id';
import { bodyLimit } from 'hono/body-limit';
import { cache } from 'hono/cache';
import { compress } from 'hono/compress';
import { csrf } from 'hono/csrf';
import { streamText } from 'hono/streaming';
import { getCookie, setCookie } from 'hono/cookie';
import { languageDetector } from 'hono/language';
import { trimTrailingSlash } from 'hono/trailing-slash';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { TrieRouter } from 'hono/router/trie-router';
import { PatternRouter } from 'hono/router/pattern-router';
import { logger } from 'hono/logger';
import { poweredBy } from 'hono/powered-by';
import { methodOverride } from 'hono/method-override';
import { ipRestriction } from 'hono/ip-restriction';
import { bearerAuth } from 'hono/bearer-auth';
import * as z from 'zod/mini';

const app = new Hono();
// Other routers are bundled (as an app that picks one per deployment would), not used per request.
export const routers = [RegExpRouter, TrieRouter, PatternRouter];
app.use('*', secureHeaders());
app.use('/api/*', cors());
app.use('/api/*', etag());

const Item = z.object({ name: z.string().check(z.minLength(1), z.maxLength(100)), price: z.number().check(z.nonnegative()), tags: z._default(z.array(z.string()).check(z.maxLength(10)), []) });

app.get('/', (c) => c.text('Hello from hono!'));
app.get('/api/items/:id', (c) => c.json({ id: Number(c.req.param('id')), name: 'widget', price: 9.5 }));
app.post('/api/items', async (c) => {
  const parsed = Item.safeParse(await c.req.json());
  if (!parsed.success) return c.json({ error: parsed.error.issues }, 400);
  return c.json({ created: parsed.data }, 201);
});
app.get('/api/search', (c) => c.json({ q: c.req.query('q') ?? '', results: [] }));
app.use('/admin/*', basicAuth({ username: 'admin', password: 'secret' }));
app.use('/private/*', jwt({ secret: 'bench-secret', alg: 'HS256' }));
app.use('/api/*', timing(), prettyJSON(), requestId(), bodyLimit({ maxSize: 1024 * 1024 }), csrf());
app.get('/page/:name', (c) => c.html(html`<!doctype html><h1>Hello ${c.req.param('name')}</h1>`));
app.get('/cached', cache({ cacheName: 'bench', wait: false }), (c) => c.text('cached'));
app.get('/big', compress(), (c) => c.text('x'.repeat(4096)));
app.post('/token', validator('json', (v) => v), async (c) => c.json({ token: await sign({ sub: 'bench' }, 'bench-secret') }));
app.get('/admin/stats', (c) => c.json({ ok: true }));
app.get('/private/me', (c) => c.json(c.get('jwtPayload')));
app.use('/i18n/*', languageDetector({ supportedLanguages: ['en', 'fr'], fallbackLanguage: 'en' }), trimTrailingSlash());
app.get('/i18n/hello', (c) => c.text(c.get('language') === 'fr' ? 'Bonjour' : 'Hello'));
app.get('/stream', (c) => streamText(c, async (s) => { for (let i = 0; i < 3; i++) await s.writeln(`line ${i}`); }));
app.get('/cookie', (c) => { setCookie(c, 'seen', String(Number(getCookie(c, 'seen') ?? 0) + 1)); return c.text('ok'); });
app.use('/debug/*', logger(), poweredBy(), methodOverride({ app }));
app.use('/internal/*', ipRestriction(() => ({ remote: { address: '127.0.0.1', addressType: 'IPv4' } }), { allowList: ['127.0.0.1'] }));
app.use('/bearer/*', bearerAuth({ token: 'bench-token' }));
app.get('/debug/ping', (c) => c.text('pong'));
app.notFound((c) => c.json({ error: 'not found' }, 404));

export default app;
