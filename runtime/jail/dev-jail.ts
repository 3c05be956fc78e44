// `worker dev --jail`: local development with the same jailed host `worker serve` runs, to test a
// worker under the production sandbox (no network but the broker, no files, no processes).
//
// This process is the supervisor: it bundles and watches the entry (esbuild runs here, outside the
// jail), writes each build into a private bundle directory, binds the port and runs one jailed host
// that serves the worker as its only tenant (development error pages, GET /__scheduled, any Host
// header). Egress rules given with --allow-egress are the broker's grants for that tenant.
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as esbuild from 'esbuild';
import type { WorkerBundle } from '../bundler/bundle.ts';
import type { LogRecord } from '../host/log.ts';
import { buildPrelude } from '../host/prelude.ts';
import { devOutput, printLogRecord, startDevBuild, type DevServerOptions } from '../dev/dev-build.ts';
import { bindListeningSocket, HostProcess } from '../server/host-process.ts';
import type { TenantRuntime } from '../server/ipc.ts';
import { HostJail } from './launcher.ts';

export type JailedDevOptions = DevServerOptions;

export interface JailedDevServer {
  url: string;
  close(): Promise<void>;
}

const TENANT = 'dev';
const APP_ROOT = new URL('../../', import.meta.url).pathname;

export async function startJailedDevServer(o: JailedDevOptions): Promise<JailedDevServer> {
  const output = devOutput(o);
  const { out, err } = output;
  const printRecord = (r: LogRecord) => printLogRecord(r, output);

  const bundleDir = mkdtempSync(join(tmpdir(), 'isle-dev-bundles-'));
  // Readable by the jail's uid, which is another one when this process is root.
  if (process.getuid!() === 0) chmodSync(bundleDir, 0o755);
  let current: { bundleId: string; version: number } | undefined;
  let host: HostProcess | undefined;
  const runtime = (): TenantRuntime | undefined =>
    current && {
      name: TENANT,
      version: current.version,
      bundleId: current.bundleId,
      env: o.env,
      limits: o.limits,
      allowEgress: o.allowEgress,
      routes: [],
      crons: [],
    };
  const publish = (bundle: WorkerBundle) => {
    const bundleId = createHash('sha256').update(bundle.code).update('\0').update(bundle.map).digest('hex');
    if (current?.bundleId === bundleId) return false;
    writeFileSync(join(bundleDir, `${bundleId}.js`), bundle.code, { mode: 0o644 });
    writeFileSync(join(bundleDir, `${bundleId}.js.map`), bundle.map, { mode: 0o644 });
    current = { bundleId, version: (current?.version ?? 0) + 1 };
    const t = runtime()!;
    host?.send({ type: 'tenant', tenant: t });
    return true;
  };

  let ctx: esbuild.BuildContext | undefined;
  let jail: HostJail | undefined;
  let socket: ReturnType<typeof bindListeningSocket> | undefined;
  let prelude: Awaited<ReturnType<typeof buildPrelude>>;
  try {
    const build = await startDevBuild({
      entry: o.entry,
      root: o.root,
      watch: o.watch,
      name: 'isle-dev-jail-reporter',
      err,
      serving: () => current !== undefined,
      rebuilt: (bundle) => {
        if (publish(bundle)) out(`Rebuilt ${bundle.filename}; the next request uses it.`);
      },
    });
    ctx = build.context;
    publish(build.first);
    jail = await HostJail.start({
      appRoot: APP_ROOT,
      bundleDir,
      rulesFor: (tenant) => (tenant === TENANT ? o.allowEgress : undefined),
      logEgress: (d) => printRecord({
        time: d.time, kind: 'system', level: d.allow ? 'info' : 'warn', tenant: TENANT,
        message: d.allow ? `egress allowed: ${d.target}${d.address ? ` → ${d.address}` : ''}` : `egress denied: ${d.target}: ${d.reason}`,
      }),
    });
    prelude = await buildPrelude();
    socket = bindListeningSocket(o.host, o.port);
  } catch (e) {
    await ctx?.dispose();
    await jail?.close();
    rmSync(bundleDir, { recursive: true, force: true });
    throw e;
  }

  let ready = false;
  let failStart: (e: Error) => void = () => {};
  const readyOnce = new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (ready) {
        clearInterval(check);
        resolve();
      }
    }, 10);
    failStart = (e) => {
      clearInterval(check);
      reject(e);
    };
  });
  const activeCtx = ctx;
  const activeJail = jail;
  const activeSocket = socket;
  host = new HostProcess({
    listenFd: activeSocket.fd,
    port: activeSocket.port,
    bundleDir,
    baseDomain: 'localhost',
    trustProxy: false,
    isolation: o.isolation,
    jail: activeJail,
    prelude,
    drainMs: 2_000,
    dev: { tenant: TENANT },
    onSpawn: () => host!.send({ type: 'tenants', tenants: [runtime()!] }),
    onReady: () => {
      ready = true;
    },
    onMessage: (m) => {
      if (m.type === 'log') printRecord(m.record);
    },
    onCrash: ({ code, signal, restartInMs }) => {
      if (!ready) failStart(new Error(`the jailed host exited during start-up (${signal ?? `code ${code}`}); see its output above`));
      err(`[isle error] host process exited (${signal ?? `code ${code}`}); restarting in ${restartInMs} ms`);
    },
    onSecurityEvent: (e) => err(`[isle security] ${e.message}`),
  });
  host.start();
  try {
    await readyOnce;
  } catch (e) {
    await host.stop(0);
    activeSocket.close();
    await activeCtx.dispose();
    await activeJail.close();
    rmSync(bundleDir, { recursive: true, force: true });
    throw e;
  }
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  let closed = false;
  return {
    url: `http://${hostForUrl}:${activeSocket.port}`,
    async close() {
      if (closed) return;
      closed = true;
      await activeCtx.dispose();
      await host!.stop(2_000);
      activeSocket.close();
      await activeJail.close();
      rmSync(bundleDir, { recursive: true, force: true });
    },
  };
}
