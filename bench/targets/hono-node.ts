// Baseline: hono on @hono/node-server doing what bench/targets/worker.ts does.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

const CHUNK = new Uint8Array(64 * 1024).fill(120);
const app = new Hono();
app.get('/', (c) => c.text(`Hello, ${c.req.query('name') ?? 'world'}!\n`));
app.post('/json', async (c) => {
  const data = (await c.req.json()) as { items?: unknown[] };
  return c.json({ ok: true, items: Array.isArray(data.items) ? data.items.length : 0 });
});
app.get('/stream', () => {
  let sent = 0;
  return new Response(new ReadableStream({
    pull(controller) {
      if (sent === 16) return controller.close();
      sent++;
      controller.enqueue(CHUNK.slice());
    },
  }), { headers: { 'content-type': 'application/octet-stream' } });
});
app.get('/slow', async (c) => {
  await new Promise((r) => setTimeout(r, 50));
  return c.text('slow\n');
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  console.log(`Ready on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
