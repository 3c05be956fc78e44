// Baseline: a plain node:http server doing what bench/targets/worker.ts does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const CHUNK = Buffer.alloc(64 * 1024, 120);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/json') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const data = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { items?: unknown[] };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, items: Array.isArray(data.items) ? data.items.length : 0 }));
    });
    return;
  }
  if (url.pathname === '/stream') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let sent = 0;
    const write = () => {
      while (sent < 16) {
        sent++;
        if (!res.write(CHUNK)) return void res.once('drain', write);
      }
      res.end();
    };
    write();
    return;
  }
  if (url.pathname === '/slow') {
    setTimeout(() => res.end('slow\n'), 50);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`Hello, ${url.searchParams.get('name') ?? 'world'}!\n`);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`Ready on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
