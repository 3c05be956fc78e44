// The host process of `worker serve`: runs tenant code. It listens on a socket the supervisor
// bound (inherited as fd 3), reads bundles read-only from the store directory, and gets tenant
// configuration and secrets only over the IPC channel; logs go back the same way. It never writes
// the store and never sees the admin API. (The jail wraps exactly this process: runtime/jail/.)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerBundle } from '../bundler/bundle.ts';
import { WorkerEngine, type Isolation } from '../host/engine.ts';
import { sinkFor, toEngineRequest, type RequestView } from '../host/http-adapter.ts';
import type { LogRecord } from '../host/log.ts';
import { sharedPrelude, usePrelude } from '../host/prelude.ts';
import { configureIsolateThreads, defaultThreadCount, isolateThreadPool } from '../host/thread-pool.ts';
import { useEgressBroker } from '../jail/broker-client.ts';
import { auditInheritedFds, EXIT_REFUSED } from '../jail/fd-audit.ts';
import type { HostMessage, SupervisorMessage, TenantRuntime } from './ipc.ts';
import { Router } from './router.ts';

export interface HostSettings {
  bundleDir: string;
  baseDomain: string;
  trustProxy: boolean;
  isolation: Isolation;
  /** fd of the inherited listening socket. */
  listenFd: number;
  expectPort: number;
  /** fd of the IPC channel to the supervisor (audited as expected). */
  ipcFd?: number;
  /** Jailed: the egress broker's unix socket; every outbound connection is tunnelled through it. */
  egressBroker?: string;
  /** The supervisor sends the prelude over IPC (the jailed host cannot run esbuild's child process). */
  preludeOverIpc?: boolean;
  /** Drain budget when stopped by SIGTERM (ms). */
  drainMs?: number;
  /** `worker dev --jail`: development error pages, GET /__scheduled, and every host routed to this tenant. */
  dev?: { tenant: string };
}

/**
 * Test-only extension points, passed by a test fixture's own host entry that wraps runHost. The
 * production entry (this file run as a script) never passes any.
 */
export interface HostHooks {
  /** Sees every request first; returns true when it answered it. */
  handle?(req: IncomingMessage, res: ServerResponse): boolean;
}

function send(message: HostMessage): void {
  if (process.connected) process.send!(message);
}

const log = (record: LogRecord) => send({ type: 'log', record });

function loadBundle(bundleDir: string, bundleId: string): WorkerBundle {
  if (!/^[0-9a-f]{64}$/.test(bundleId)) throw new Error(`invalid bundle id ${bundleId}`);
  const path = join(bundleDir, `${bundleId}.js`);
  return { id: bundleId, code: readFileSync(path, 'utf8'), map: readFileSync(`${path}.map`, 'utf8'), filename: 'worker.js' };
}

function requestView(req: IncomingMessage, trustProxy: boolean): RequestView {
  const socketIp = req.socket.remoteAddress ?? '';
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
  if (trustProxy) {
    const proto = first(req.headers['x-forwarded-proto']);
    const host = first(req.headers['x-forwarded-host']) ?? req.headers.host ?? 'localhost';
    const clientIp = first(req.headers['x-forwarded-for']) ?? socketIp;
    return {
      origin: `${proto === 'https' ? 'https' : 'http'}://${host}`,
      extraHeaders: ['x-isle-client-ip', clientIp],
      dropHeaders: new Set(['x-isle-client-ip']),
    };
  }
  return {
    origin: `http://${req.headers.host ?? 'localhost'}`,
    extraHeaders: ['x-isle-client-ip', socketIp],
    dropHeaders: new Set(['x-isle-client-ip']),
  };
}

export async function runHost(settings: HostSettings, hooks: HostHooks = {}): Promise<void> {
  const router = new Router(settings.baseDomain);
  const engines = new Map<string, { key: string; engine: WorkerEngine }>();
  let inFlight = 0;
  let draining = false;

  if (settings.egressBroker) {
    useEgressBroker(settings.egressBroker);
    configureIsolateThreads({ egressBroker: settings.egressBroker });
  }
  if (settings.preludeOverIpc) {
    const m = await new Promise<Extract<SupervisorMessage, { type: 'prelude' }>>((resolve) => {
      const on = (raw: unknown) => {
        if ((raw as SupervisorMessage).type !== 'prelude') return;
        process.off('message', on);
        resolve(raw as Extract<SupervisorMessage, { type: 'prelude' }>);
      };
      process.on('message', on);
    });
    usePrelude({ code: m.code, hash: m.hash });
  }
  await sharedPrelude();
  // Isolate threads start with the host, not on a tenant's first request: a restarted host is
  // ready to run isolates as soon as it listens.
  if (settings.isolation === 'request') await isolateThreadPool(defaultThreadCount());

  const engineFor = (t: TenantRuntime): WorkerEngine => {
    // A new version or new settings make a new engine; requests on the old one finish there.
    const key = `${t.version}:${t.bundleId}:${JSON.stringify([t.env, t.limits, t.allowEgress])}`;
    const existing = engines.get(t.name);
    if (existing?.key === key) return existing.engine;
    const engine = new WorkerEngine(loadBundle(settings.bundleDir, t.bundleId), {
      isolation: settings.isolation,
      limits: t.limits,
      env: t.env,
      dev: settings.dev?.tenant === t.name,
      allowEgress: t.allowEgress,
      log,
      tenant: t.name,
      // Request isolation makes, runs and disposes isolates on one thread per core (this thread
      // only moves bytes). No isolates are made ahead of demand: with many tenants, ready
      // isolates for each (~2.7 MB apiece) would cost more memory than they save latency.
      threads: 'auto',
      prewarm: 0,
    });
    engines.set(t.name, { key, engine });
    // The per-version snapshot is built now, not on the tenant's first request.
    void engine.prepare();
    existing?.engine.dispose();
    return engine;
  };

  const server = createServer((req, res) => {
    if (hooks.handle?.(req, res)) return;
    const path = (req.url ?? '/').split('?')[0]!;
    const devTenant = settings.dev ? router.get(settings.dev.tenant) : undefined;
    if (devTenant && path === '/__scheduled') {
      // As `worker dev` does: fire the worker's scheduled() by hand (?cron=…).
      const cron = new URL(req.url ?? '/', 'http://dev').searchParams.get('cron') ?? '* * * * *';
      void engineFor(devTenant).scheduled(cron, Date.now()).then((outcome) => {
        res.writeHead(outcome === 'ok' ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(outcome === 'ok' ? `Ran scheduled event (cron "${cron}").\n` : `Scheduled event failed: ${outcome} (see the log).\n`);
      });
      return;
    }
    const match = router.match(req.headers.host, path) ?? (devTenant && { tenant: devTenant });
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found', message: `No worker is routed for host "${req.headers.host ?? ''}".` }) + '\n');
      return;
    }
    const tenant = match.tenant;
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > tenant.limits.maxRequestBodyBytes) {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'payload_too_large', message: `Request body exceeds ${tenant.limits.maxRequestBodyBytes} bytes.` }) + '\n');
      req.resume();
      return;
    }
    let engine: WorkerEngine;
    try {
      engine = engineFor(tenant);
    } catch (e) {
      log({ time: Date.now(), kind: 'system', level: 'error', tenant: tenant.name, message: `cannot load version ${tenant.version}: ${(e as Error).message}` });
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unavailable', message: 'The worker could not be loaded.' }) + '\n');
      return;
    }
    inFlight++;
    const request = toEngineRequest(req, res, requestView(req, settings.trustProxy), tenant.limits.maxRequestBodyBytes);
    void engine.handle(request, sinkFor(res)).finally(() => {
      inFlight--;
      if (draining && inFlight === 0) finishDrain();
    });
  });
  server.keepAliveTimeout = 5_000;

  let finishDrain = () => {};
  // Connections are accepted only once the routing table arrived, so none is answered 404 by mistake.
  const { promise: configured, resolve: markConfigured } = Promise.withResolvers<void>();
  process.on('message', (raw) => {
    const m = raw as SupervisorMessage;
    switch (m.type) {
      case 'tenants':
        router.setTenants(m.tenants);
        markConfigured();
        for (const name of [...engines.keys()]) if (!router.get(name)) engines.delete(name);
        break;
      case 'tenant':
        router.upsert(m.tenant);
        break;
      case 'tenant-removed':
        router.remove(m.name);
        engines.get(m.name)?.engine.dispose();
        engines.delete(m.name);
        break;
      case 'validate':
        void validate(m);
        break;
      case 'scheduled': {
        const t = router.get(m.tenant);
        if (t) void engineFor(t).scheduled(m.cron, m.scheduledTime);
        break;
      }
      case 'drain':
        drain(m.timeoutMs);
        break;
    }
  });

  function drain(timeoutMs: number): void {
    if (draining) return;
    draining = true;
    server.close();
    server.closeIdleConnections();
    const timer = setTimeout(() => finishDrain(), timeoutMs);
    finishDrain = () => {
      clearTimeout(timer);
      send({ type: 'drained' });
      setImmediate(() => process.exit(0));
    };
    if (inFlight === 0) finishDrain();
  }
  // Jailed, the host is pid 1 of its namespace: signals without a handler are ignored, and bwrap
  // does not forward them anyway; the supervisor signals this process directly.
  process.on('SIGTERM', () => drain(settings.drainMs ?? 10_000));

  async function validate(m: Extract<SupervisorMessage, { type: 'validate' }>): Promise<void> {
    try {
      const engine = new WorkerEngine(loadBundle(settings.bundleDir, m.bundleId), {
        isolation: 'request', limits: m.limits, env: m.env, dev: false, allowEgress: [], log,
      });
      await engine.validate();
      send({ type: 'validated', id: m.id, ok: true, format: 'ok' });
    } catch (e) {
      const info = (e as { info?: { stack?: string; message?: string } }).info;
      send({ type: 'validated', id: m.id, ok: false, error: info?.stack || info?.message || (e as Error).message });
    }
  }

  // The supervisor exiting (or the IPC channel closing) ends the host: nothing is left behind.
  process.on('disconnect', () => process.exit(0));

  await configured;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd: settings.listenFd }, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string' || address.port !== settings.expectPort) {
    // An unbound inherited fd would make listen() pick a random port: refuse (see jail.md P1).
    console.error(`isle host: inherited socket is not bound to port ${settings.expectPort} (${JSON.stringify(address)})`);
    process.exit(EXIT_REFUSED);
  }
  send({ type: 'ready', address: address.address, port: address.port });
}

/** Refuses to start (exit 78) on any inherited fd besides the expected ones (a leaked directory fd is a filesystem escape). */
export function auditOrExit(settings: HostSettings): void {
  const audit = () => auditInheritedFds({ listenFd: settings.listenFd, ...(settings.ipcFd !== undefined && { ipcFd: settings.ipcFd }) });
  let findings = audit();
  if (findings.length) {
    // Node's own start-up can hold a file open for a moment (OpenSSL reading NODE_EXTRA_CA_CERTS
    // on another thread); an inherited fd stays. Only what is still open a little later counts.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    const first = findings;
    findings = audit().filter((f) => first.some((g) => g.fd === f.fd && g.target === f.target));
  }
  if (findings.length) {
    console.error(`isle host: refusing to start: unexpected inherited fds ${findings.map((f) => `${f.fd}->${f.target} (${f.why})`).join(', ')}`);
    process.exit(EXIT_REFUSED);
  }
}

/** Parses `--settings JSON` (argv, not env: the jail gives the host an empty environment). */
export function settingsFromArgv(argv: readonly string[] = process.argv): HostSettings | undefined {
  const i = argv.indexOf('--settings');
  return i !== -1 && argv[i + 1] ? (JSON.parse(argv[i + 1]!) as HostSettings) : undefined;
}

// Started as `host-main.ts --settings JSON`.
const mainSettings = import.meta.main ? settingsFromArgv() : undefined;
if (mainSettings) {
  const settings = mainSettings;
  auditOrExit(settings);
  runHost(settings).catch((e) => {
    console.error(`isle host: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
