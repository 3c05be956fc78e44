// Isle under test: the engine behind `worker serve`'s host (WorkerEngine + the node:http adapter),
// serving one bundle on 127.0.0.1 without the supervisor, jail or log shipping.
// Usage: node --no-node-snapshot --expose-gc bench/targets/isle.ts ENTRY request|tenant [THREADS|auto]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { bundleWorker } from '../../runtime/bundler/bundle.ts';
import { resolveLimits } from '../../runtime/config/limits.ts';
import { WorkerEngine, type Isolation } from '../../runtime/host/engine.ts';
import { sinkFor, toEngineRequest } from '../../runtime/host/http-adapter.ts';
import { sharedPrelude } from '../../runtime/host/prelude.ts';

const [entryArg, isolation = 'request', threadsArg = 'auto'] = process.argv.slice(2);
const entry = entryArg && resolve(entryArg);
if (!entry) throw new Error('usage: isle.ts ENTRY request|tenant');
const { bundle } = await bundleWorker(entry, dirname(entry));
await sharedPrelude();
const limits = resolveLimits();
const engine = new WorkerEngine(bundle, {
  isolation: isolation as Isolation,
  limits,
  env: {},
  dev: false,
  allowEgress: [],
  threads: threadsArg === 'auto' ? 'auto' : Number(threadsArg),
  log: (r) => {
    if (r.kind === 'system' && r.level === 'error') process.stderr.write(`${r.message}\n`);
  },
});
await engine.validate();
// As `worker serve` does once per deployed version: the per-version snapshot is built up front.
await engine.prepare();

const server = createServer((req, res) => {
  const request = toEngineRequest(req, res, { origin: `http://${req.headers.host ?? 'localhost'}` }, limits.maxRequestBodyBytes);
  void engine.handle(request, sinkFor(res));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`Ready on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
