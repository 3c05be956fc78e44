// `worker dev`: bundles the entry, serves it on 127.0.0.1:8787, rebuilds on change. A failed
// rebuild prints file:line:col and keeps the previous build serving.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { bundleFromResult, bundleOptions, BundleError, formatBuildError, type WorkerBundle } from '../bundler/bundle.ts';
import type { Limits } from '../config/limits.ts';
import { WorkerEngine, type EngineOptions, type Isolation } from '../host/engine.ts';
import { sinkFor, toEngineRequest } from '../host/http-adapter.ts';
import { formatLogRecord, type LogRecord } from '../host/log.ts';
import { sharedPrelude } from '../host/prelude.ts';

export interface DevOptions {
  entry: string;
  root: string;
  host: string;
  port: number;
  env: Record<string, unknown>;
  limits: Limits;
  isolation: Isolation;
  allowEgress: string[];
  /** Rebuild on change (default true). */
  watch: boolean;
  /** `worker dev --inspect`: hands each new isolate to DevTools (runtime/dev/inspector.ts). */
  inspector?: { attach: NonNullable<EngineOptions['inspector']>; log(record: LogRecord): void };
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export interface DevServer {
  url: string;
  engine: WorkerEngine;
  server: Server;
  close(): Promise<void>;
}

function printRecord(r: LogRecord, out: (l: string) => void, err: (l: string) => void): void {
  (r.level === 'error' || r.level === 'warn' ? err : out)(formatLogRecord(r));
}

export async function startDevServer(o: DevOptions): Promise<DevServer> {
  const out = o.out ?? ((l) => process.stdout.write(l + '\n'));
  const err = o.err ?? ((l) => process.stderr.write(l + '\n'));
  const log = (r: LogRecord) => {
    printRecord(r, out, err);
    o.inspector?.log(r);
  };

  let engine: WorkerEngine | undefined;
  let firstBuild: ((b: WorkerBundle) => void) | undefined;
  let firstFailure: ((e: Error) => void) | undefined;
  const built = new Promise<WorkerBundle>((resolve, reject) => {
    firstBuild = resolve;
    firstFailure = reject;
  });
  // The first build may fail before anything awaits `built`; that rejection is handled below.
  built.catch(() => {});

  const reporter: esbuild.Plugin = {
    name: 'isle-dev-reporter',
    setup(build) {
      let builds = 0;
      build.onEnd((result) => {
        builds++;
        try {
          const { bundle } = bundleFromResult(result, o.root);
          if (engine) {
            if (engine.bundleId !== bundle.id) {
              engine.setBundle(bundle);
              // The debugger follows the worker: start the new build's isolate now.
              if (o.inspector) engine.warm().catch(() => {});
              out(`Rebuilt ${bundle.filename} (${bundle.id}); the next request uses it.`);
            }
          } else firstBuild?.(bundle);
        } catch (e) {
          const text = e instanceof BundleError ? e.errors.map(formatBuildError).join('\n') : String(e);
          err(`Build failed${builds > 1 ? ' — still serving the previous build' : ''}:\n${text}`);
          if (!engine) firstFailure?.(e as Error);
        }
      });
    },
  };

  const options = bundleOptions(o.entry, o.root);
  const ctx = await esbuild.context({ ...options, plugins: [...(options.plugins ?? []), reporter] });
  let closed = false;
  try {
    if (o.watch) await ctx.watch();
    else await ctx.rebuild().catch(() => {});
    const bundle = await built;
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
