// `worker dev`: bundles the entry, serves it on 127.0.0.1:8787, rebuilds on change. A failed
// rebuild prints file:line:col and keeps the previous build serving.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkerEngine, type EngineOptions } from '../host/engine.ts';
import { sinkFor, toEngineRequest } from '../host/http-adapter.ts';
import type { LogRecord } from '../host/log.ts';
import { sharedPrelude } from '../host/prelude.ts';
import { devOutput, printLogRecord, startDevBuild, type DevServerOptions } from './dev-build.ts';

export interface DevOptions extends DevServerOptions {
  /** `worker dev --inspect`: hands each new isolate to DevTools (runtime/dev/inspector.ts). */
  inspector?: { attach: NonNullable<EngineOptions['inspector']>; log(record: LogRecord): void };
}

export interface DevServer {
  url: string;
  engine: WorkerEngine;
  server: Server;
  close(): Promise<void>;
}

export async function startDevServer(o: DevOptions): Promise<DevServer> {
  const output = devOutput(o);
  const { out } = output;
  const log = (r: LogRecord) => {
    printLogRecord(r, output);
    o.inspector?.log(r);
  };

  let engine: WorkerEngine | undefined;
  const { context: ctx, first: bundle } = await startDevBuild({
    entry: o.entry,
    root: o.root,
    watch: o.watch,
    name: 'isle-dev-reporter',
    err: output.err,
    serving: () => engine !== undefined,
    rebuilt: (next) => {
      if (engine!.bundleId === next.id) return;
      engine!.setBundle(next);
      // The debugger follows the worker: start the new build's isolate now.
      if (o.inspector) engine!.warm().catch(() => {});
      out(`Rebuilt ${next.filename} (${next.id}); the next request uses it.`);
    },
  });
  let closed = false;
  try {
    await sharedPrelude();
    engine = new WorkerEngine(bundle, {
      isolation: o.isolation,
      threads: 'auto',
      limits: o.limits,
      env: o.env,
      dev: true,
      allowEgress: o.allowEgress,
      ...(o.inspector && { inspector: o.inspector.attach }),
      log,
    });
  } catch (e) {
    await ctx.dispose();
    throw e;
  }
  const activeEngine = engine;
  // Isolate threads started and the per-version snapshot built before the first request.
  await activeEngine.prepare();
  // With a debugger, the isolate exists before the first request, so DevTools can set breakpoints.
  if (o.inspector) activeEngine.warm().catch(() => {});

  const server = createServer((req, res) => {
    // Like wrangler's /__scheduled: fire the worker's scheduled() by hand (?cron=…).
    if (req.url?.startsWith('/__scheduled')) {
      const cron = new URL(req.url, 'http://dev').searchParams.get('cron') ?? '* * * * *';
      void activeEngine.scheduled(cron, Date.now()).then((outcome) => {
        res.writeHead(outcome === 'ok' ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(outcome === 'ok' ? `Ran scheduled event (cron "${cron}").\n` : `Scheduled event failed: ${outcome} (see the log).\n`);
      });
      return;
    }
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > o.limits.maxRequestBodyBytes) {
      res.writeHead(413, { 'content-type': 'text/plain' }).end(`Request body exceeds ${o.limits.maxRequestBodyBytes} bytes.\n`);
      req.resume();
      return;
    }
    const origin = `http://${req.headers.host ?? `${o.host}:${o.port}`}`;
    const request = toEngineRequest(req, res, { origin }, o.limits.maxRequestBodyBytes);
    void activeEngine.handle(request, sinkFor(res));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;

  return {
    url,
    engine: activeEngine,
    server,
    async close() {
      if (closed) return;
      closed = true;
      await ctx.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      activeEngine.dispose();
    },
  };
}
