// Baseline: plain node:http doing what the hello worker does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`Hello, ${url.searchParams.get('name') ?? 'world'}!\n`);
});
server.listen(0, '127.0.0.1', () => {
  console.log(`Ready on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
