// `worker serve`'s supervisor: owns the listening socket, the control plane, the store, secrets,
// logs, metrics and cron triggers, and runs tenant code only through the host child.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Cron } from 'croner';
import { resolveLimits, type Limits } from '../config/limits.ts';
import type { Resolver } from '../host/egress/connect.ts';
import type { Isolation } from '../host/engine.ts';
import { formatLogRecord, type LogRecord } from '../host/log.ts';
import { buildPrelude } from '../host/prelude.ts';
import type { JailMount } from '../jail/bwrap.ts';
import { HostJail } from '../jail/launcher.ts';
import type { JailIdentity } from '../jail/stage.ts';
import { Authenticator, generateToken, hashToken } from './auth.ts';
import { createControlPlane } from './control-plane.ts';
import { bindListeningSocket, HostProcess } from './host-process.ts';
import type { HostMessage, TenantRuntime } from './ipc.ts';
import { LogHub } from './log-hub.ts';
import { Metrics } from './metrics.ts';
import { parseRoute } from './router.ts';
import { SqliteStore } from './store/sqlite-store.ts';
import type { Store } from './store/types.ts';

export interface ServeOptions {
  host: string;
  port: number;
  adminHost: string;
  adminPort: number;
  dataDir: string;
  baseDomain: string;
  trustProxy: boolean;
  isolation: Isolation;
  /** The OS jail around the host (runtime/jail/): 'on' fails closed when it cannot be set up. */
  jail: 'on' | 'off';
  /** uid/gid the jail runs as (default: the supervisor's own, or 65534 when that is root). */
  jailIdentity?: JailIdentity;
  /** Server-wide defaults for tenant limits. */
  defaultLimits: Partial<Limits>;
  adminToken?: string;
  adminTokenFile?: string;
  drainMs: number;
  print?: (line: string) => void;
  /** Test-only hooks; the CLI never sets them. */
  testHooks?: {
    /** A host entry module wrapping runHost (probe routes). */
    hostEntry?: string;
    /** Extra read-only mounts in the jail (the probe code). */
    jailMounts?: JailMount[];
    /** The egress broker's DNS. */
    brokerResolver?: Resolver;
    /** Syscalls the seccomp policy does not name: ENOSYS (default) or KILL. */
    unknownSyscalls?: 'enosys' | 'kill';
    /** A tracer bwrap runs under (`strace -f -o FILE`). */
    tracer?: string[];
    /** The app root and Node binary the jail mounts (default: this installation's). */
    appRoot?: string;
    nodeBinary?: string;
  };
}

export interface RunningServer {
  url: string;
  adminUrl: string;
  /** Set when no admin token was configured and one was generated (shown once). */
  generatedAdminToken?: string;
  store: Store;
  host: HostProcess;
  /** The jail around the host, when on. */
  jail: HostJail | undefined;
  stop(): Promise<void>;
}

const ADMIN_HASH_FILE = 'admin-token.sha256';
/** Isle's install root (package.json, runtime/, node_modules/): what the jail mounts as /app. */
const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function adminHashes(o: ServeOptions, store: Store, print: (l: string) => void): { hashes: string[]; generated?: string } {
  const fromEnv = o.adminToken ?? process.env.ISLE_ADMIN_TOKEN;
  if (fromEnv) return { hashes: [hashToken(fromEnv)] };
  if (o.adminTokenFile) {
    const token = readFileSync(o.adminTokenFile, 'utf8').trim();
    if (!token) throw new Error(`admin token file ${o.adminTokenFile} is empty`);
    return { hashes: [hashToken(token)] };
  }
  const hashFile = `${store.dataDir}/${ADMIN_HASH_FILE}`;
  if (existsSync(hashFile)) return { hashes: [readFileSync(hashFile, 'utf8').trim()] };
  const token = generateToken('admin');
  // Only the hash is kept; the token is printed this once.
  writeFileSync(hashFile, hashToken(token) + '\n', { mode: 0o600 });
  print(`Generated an admin token (shown only now; store it safely): ${token}`);
  return { hashes: [hashToken(token)], generated: token };
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const print = o.print ?? ((l) => process.stdout.write(l + '\n'));
  const store = new SqliteStore(o.dataDir);
  const metrics = new Metrics();
  const logs = new LogHub(metrics, (r: LogRecord) => print(formatLogRecord(r)));
  const serverDefaults = resolveLimits(o.defaultLimits);

  const runtimeFor = (name: string): TenantRuntime | undefined => {
    const tenant = store.getTenant(name);
    if (!tenant || tenant.activeVersion === null) return undefined;
    const version = store.getVersion(name, tenant.activeVersion);
    if (!version) return undefined;
    return {
      name,
      version: version.number,
      bundleId: version.bundleId,
      env: { ...version.metadata.vars, ...store.secretValues(name) },
      // The admin's per-tenant limits win over what the version asks for.
      limits: resolveLimits(serverDefaults, version.metadata.limits, tenant.limits),
      allowEgress: tenant.allowEgress,
      routes: version.metadata.routes.map(parseRoute).filter((r) => tenant.hostnames.includes(r.hostname)),
      crons: version.metadata.crons,
    };
  };
  const allRuntimes = () => store.listTenants().map((t) => runtimeFor(t.name)).filter((t): t is TenantRuntime => !!t);

  // Cron triggers fire in the supervisor and run in the host.
  const cronJobs = new Map<string, Cron[]>();
  let host: HostProcess;
  const scheduleCrons = (t: TenantRuntime | undefined, name: string) => {
    for (const job of cronJobs.get(name) ?? []) job.stop();
    cronJobs.delete(name);
    if (!t || t.crons.length === 0) return;
    cronJobs.set(name, t.crons.map((cron) => new Cron(cron, { timezone: 'UTC', protect: true }, () => {
      host.send({ type: 'scheduled', tenant: name, cron, scheduledTime: Date.now() });
    })));
  };

  const pendingValidations = new Map<string, (r: { ok: true } | { ok: false; error: string }) => void>();
  let hostReady = false;
  let everReady = false;
  let failStart: (e: Error) => void = () => {};
  // The jail first: when it cannot be set up, fail closed before anything listens.
  let jail: HostJail | undefined;
  let socket: ReturnType<typeof bindListeningSocket> | undefined;
  let prelude: Awaited<ReturnType<typeof buildPrelude>>;
  let admin: ReturnType<typeof adminHashes>;
  try {
    if (o.jail === 'on') {
      jail = await HostJail.start({
        appRoot: o.testHooks?.appRoot ?? APP_ROOT,
        ...(o.testHooks?.nodeBinary && { nodeBinary: o.testHooks.nodeBinary }),
        bundleDir: store.bundleDir,
        ...(o.jailIdentity && { identity: o.jailIdentity }),
        // The broker applies only the grants the admin gave the tenant the host names.
        rulesFor: (tenant) => store.getTenant(tenant)?.allowEgress,
        logEgress: (d) =>
          logs.publish({
            time: d.time,
            kind: 'system',
            level: d.allow ? 'info' : 'warn',
            ...(d.tenant && { tenant: d.tenant }),
            message: d.allow ? `egress allowed: ${d.target}${d.address ? ` → ${d.address}` : ''}` : `egress denied: ${d.target}: ${d.reason}`,
          }),
        ...(o.testHooks?.jailMounts && { extraMounts: o.testHooks.jailMounts }),
        ...(o.testHooks?.brokerResolver && { brokerResolver: o.testHooks.brokerResolver }),
        ...(o.testHooks?.unknownSyscalls && { unknownSyscalls: o.testHooks.unknownSyscalls }),
        ...(o.testHooks?.tracer && { tracer: o.testHooks.tracer }),
      });
    }
    // Built here once: a jailed host cannot run esbuild (it forks), and no host rebuilds it on restart.
    prelude = await buildPrelude();
    socket = bindListeningSocket(o.host, o.port);
    // After the checks that can fail closed, so a generated token is not printed for a server that never runs.
    admin = adminHashes(o, store, print);
  } catch (e) {
    socket?.close();
    await jail?.close();
    store.close();
    throw e;
  }
  host = new HostProcess({
    listenFd: socket.fd,
    port: socket.port,
    bundleDir: store.bundleDir,
    baseDomain: o.baseDomain,
    trustProxy: o.trustProxy,
    isolation: o.isolation,
    ...(jail && { jail }),
    prelude,
    drainMs: o.drainMs,
    ...(o.testHooks?.hostEntry
      ? { entry: o.testHooks.hostEntry }
      : o.testHooks?.appRoot && { entry: join(o.testHooks.appRoot, 'runtime/server/host-main.ts') }),
    onSpawn: () => host.send({ type: 'tenants', tenants: allRuntimes() }),
    onReady: () => {
      hostReady = true;
      everReady = true;
    },
    onSecurityEvent: (e) => {
      metrics.securityEvents.inc({ kind: e.kind });
      print(`[isle security] ${e.message}`);
    },
    onMessage: (m: HostMessage) => {
      if (m.type === 'log') logs.publish(m.record);
      else if (m.type === 'validated') {
        const done = pendingValidations.get(m.id);
        pendingValidations.delete(m.id);
        done?.(m.ok ? { ok: true } : { ok: false, error: m.error });
      }
    },
    onCrash: ({ code, signal, restartInMs }) => {
      hostReady = false;
      if (!everReady) failStart(new Error(`the host process exited during start-up (${signal ?? `code ${code}`}); see its output above`));
      metrics.hostRestarts.inc();
      print(`[isle error] host process exited (${signal ?? `code ${code}`}); restarting in ${restartInMs} ms`);
      for (const [id, done] of pendingValidations) {
        pendingValidations.delete(id);
        done({ ok: false, error: 'the host restarted during validation; try again' });
      }
    },
  });
  const readyOnce = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the host process did not start within 30 s')), 30_000);
    const check = setInterval(() => {
      if (hostReady) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 10);
    const fail = (e: Error) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(e);
    };
    failStart = fail;
  });
  host.start();
  try {
    await readyOnce;
  } catch (e) {
    await host.stop(0);
    socket.close();
    await jail?.close();
    store.close();
    throw e;
  }
  for (const t of allRuntimes()) scheduleCrons(t, t.name);

  const publicUrl = (tenant: string) => `http://${tenant}.${o.baseDomain}:${socket.port}`;
  const app = createControlPlane({
    store,
    auth: new Authenticator(store, admin.hashes),
    logs,
    metrics,
    publicUrl,
    health: () => ({ ok: hostReady, host: hostReady ? 'up' : 'restarting', jail: o.jail, tenants: store.listTenants().length }),
    validateBundle: (bundleId, metadata) =>
      new Promise((resolve) => {
        const id = randomUUID();
        pendingValidations.set(id, resolve);
        host.send({
          type: 'validate', id, bundleId,
          limits: resolveLimits(serverDefaults, metadata.limits),
          env: metadata.vars,
        });
        setTimeout(() => {
          if (pendingValidations.delete(id)) resolve({ ok: false, error: 'validation timed out' });
        }, 30_000).unref();
      }),
    tenantChanged: (name) => {
      const t = runtimeFor(name);
      if (t) host.send({ type: 'tenant', tenant: t });
      else host.send({ type: 'tenant-removed', name });
      scheduleCrons(t, name);
    },
    tenantRemoved: (name) => {
      host.send({ type: 'tenant-removed', name });
      scheduleCrons(undefined, name);
    },
  });

  const adminServer: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: o.adminHost, port: o.adminPort }, () => resolve(s));
    s.once('error', reject);
  });
  const adminAddress = adminServer.address();
  const adminPort = typeof adminAddress === 'object' && adminAddress ? adminAddress.port : o.adminPort;

  let stopped = false;
  return {
    url: `http://${o.host}:${socket.port}`,
    adminUrl: `http://${o.adminHost}:${adminPort}`,
    ...(admin.generated && { generatedAdminToken: admin.generated }),
    store,
    host,
    jail,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const jobs of cronJobs.values()) for (const j of jobs) j.stop();
      await host.stop(o.drainMs);
      socket.close();
      await jail?.close();
      await new Promise<void>((resolve) => {
        adminServer.close(() => resolve());
        // Live log streams would otherwise hold the server open.
        (adminServer as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      store.close();
    },
  };
}
