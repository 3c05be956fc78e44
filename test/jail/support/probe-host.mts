// TEST-ONLY host entry: the real host (runHost from runtime/server/host-main.ts) plus /__probe/*
// routes that act like a tenant that escaped V8, from inside the host process. The test fixture
// copies this file and the compiled probe addon into a temporary directory and passes it as
// ServeOptions.testHooks (mounted at /probe in the jail). Nothing in production loads it.
import * as childProcess from 'node:child_process';
import * as dns from 'node:dns/promises';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { join } from 'node:path';

interface ProbeConfig {
  /** Outside paths (used when not jailed). */
  appRoot: string;
  /** PEM of a test CA the host's egress should trust. */
  ca?: string;
}

const here = new URL('.', import.meta.url).pathname;
const config = JSON.parse(readFileSync(join(here, 'probe.json'), 'utf8')) as ProbeConfig;
const jailedView = existsSync('/app/runtime/server/host-main.ts');
const appRoot = jailedView ? '/app' : config.appRoot;

const hostMain = await import(join(appRoot, 'runtime/server/host-main.ts'));
const settings = hostMain.settingsFromArgv();
if (!settings) throw new Error('probe host: no --settings');
hostMain.auditOrExit(settings);

const addon = { exports: {} as { syscall(nr: number, ...args: number[]): number } };
process.dlopen(addon, join(here, 'probe.node'));
const sys = addon.exports.syscall;

const egressModule = await import(join(appRoot, 'runtime/host/egress/connect.ts'));
if (config.ca) egressModule.configureEgress({ tls: { ca: config.ca } });

const jailed = Boolean(settings.egressBroker);

// x86_64 numbers used by the probes.
const NR: Record<string, number> = {
  ptrace: 101, mount: 165, unshare: 272, bpf: 321, keyctl: 250, process_vm_readv: 310, perf_event_open: 298,
  userfaultfd: 323, setns: 308, init_module: 175, personality: 135, socket: 41, clone3: 435, io_uring_setup: 425,
  fork: 57, getpid: 39, close: 3,
};
// Harmless arguments: outside a jail each call reaches the kernel and fails or does nothing.
const HARMLESS: Record<string, number[]> = {
  ptrace: [0xffff, 0, 0, 0], // invalid request
  mount: [0, 0, 0, 0, 0], // NULL pointers: EFAULT / EPERM
  unshare: [0], // no flags: a no-op
  bpf: [0xffff, 0, 0], // invalid command
  keyctl: [0, -3 >>> 0, 0], // KEYCTL_GET_KEYRING_ID of the session keyring, no create
  process_vm_readv: [-1, 0, 0, 0, 0, 0], // pid -1 → ESRCH, nothing read
  perf_event_open: [0, 0, -1, -1, 0], // NULL attr: EFAULT
  userfaultfd: [0],
  setns: [-1, 0], // EBADF
  init_module: [0, 0, 0], // EFAULT / EPERM
  personality: [0xffffffff], // query only
  clone3: [0, 0],
  io_uring_setup: [1, 0], // NULL params: EFAULT
};

type Result = { ok: boolean; detail: string };
const errOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function attempt(fn: () => string | void): Result {
  try {
    return { ok: true, detail: fn() ?? 'ok' };
  } catch (e) {
    return { ok: false, detail: errOf(e) };
  }
}

function rawSocket(domain: number, type: number): Result {
  const fd = sys(NR.socket!, domain, type, 0);
  if (fd >= 0) {
    sys(NR.close!, fd);
    return { ok: true, detail: `fd ${fd}` };
  }
  return { ok: false, detail: errnoName(-fd) };
}

const ERRNO: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 5: 'EIO', 9: 'EBADF', 13: 'EACCES', 14: 'EFAULT', 22: 'EINVAL', 25: 'ENOTTY', 28: 'ENOSPC', 30: 'EROFS', 38: 'ENOSYS', 95: 'EOPNOTSUPP', 97: 'EAFNOSUPPORT' };
const errnoName = (n: number) => ERRNO[n] ?? `errno ${n}`;

function connectTcp(port: number): Promise<Result> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (r: Result) => {
      s.destroy();
      resolve(r);
    };
    s.once('connect', () => done({ ok: true, detail: 'connected' }));
    s.once('error', (e) => done({ ok: false, detail: errOf(e) }));
    s.setTimeout(2000, () => done({ ok: false, detail: 'timeout' }));
  });
}

function listenInet(): Promise<Result> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (e) => resolve({ ok: false, detail: errOf(e) }));
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close();
      resolve({ ok: true, detail: `listening on ${port}` });
    });
  });
}

function writeProbe(dir: string): Result {
  const path = join(dir, `.isle-probe-${process.pid}-${Date.now()}`);
  return attempt(() => {
    writeFileSync(path, 'probe');
    unlinkSync(path);
    return `wrote ${path}`;
  });
}

function otherProcesses(): { pids: string[]; environs: number } {
  const self = String(process.pid);
  const pids = readdirSync('/proc').filter((n) => /^[0-9]+$/.test(n));
  let environs = 0;
  for (const pid of pids) {
    if (pid === self) continue;
    try {
      readFileSync(`/proc/${pid}/environ`);
      environs++;
    } catch {}
  }
  return { pids, environs };
}

async function runAll(outerPort: number): Promise<Record<string, Result>> {
  const r: Record<string, Result> = {};
  r.spawnNode = attempt(() => {
    const c = childProcess.spawnSync(process.execPath, ['-e', '0'], { timeout: 5000 });
    if (c.error) throw c.error;
    return `exit ${c.status}`;
  });
  r.spawnShell = attempt(() => {
    const c = childProcess.spawnSync('/bin/sh', ['-c', 'true'], { timeout: 5000 });
    if (c.error) throw c.error;
    return `exit ${c.status}`;
  });
  r.readShadow = attempt(() => `${readFileSync('/etc/shadow').length} bytes`);
  r.readPasswd = attempt(() => `${readFileSync('/etc/passwd').length} bytes`);
  r.listRoot = attempt(() => readdirSync('/root').join(',') || '(empty)');
  r.listHome = attempt(() => readdirSync('/home').join(',') || '(empty)');
  r.readSysKernel = attempt(() => `${readdirSync('/sys/kernel').length} entries`);
  const procs = otherProcesses();
  r.otherPids = { ok: procs.pids.some((p) => p !== String(process.pid)), detail: procs.pids.join(',') };
  r.otherEnviron = { ok: procs.environs > 0, detail: `${procs.environs} other environ readable` };
  r.proc1Environ = attempt(() => {
    const env = readFileSync('/proc/1/environ', 'utf8');
    if (env === readFileSync('/proc/self/environ', 'utf8')) throw Object.assign(new Error('pid 1 is this process'), { code: 'SELF' });
    return `${env.split('\0').length} vars of another process`;
  });
  r.writeApp = writeProbe(appRoot);
  r.writeBundles = writeProbe(settings.bundleDir);
  r.writeRoot = writeProbe('/');
  r.writeDevShm = writeProbe('/dev/shm');
  r.writeTmp = writeProbe(os.tmpdir());
  r.netInterfaces = attempt(() => {
    const names = Object.keys(os.networkInterfaces()).filter((n) => n !== 'lo');
    if (names.length === 0) throw Object.assign(new Error('only lo'), { code: 'ONLY_LO' });
    return names.join(',');
  });
  r.procNetDev = attempt(() => {
    const names = readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter((n) => n && n !== 'lo');
    if (names.length === 0) throw Object.assign(new Error('only lo'), { code: 'ONLY_LO' });
    return names.join(',');
  });
  r.tcp22 = await connectTcp(22);
  r.tcpOuter = await connectTcp(outerPort);
  r.listenInet = await listenInet();
  r.socketInet = rawSocket(2, 1);
  r.socketInet6 = rawSocket(10, 1);
  r.socketNetlink = rawSocket(16, 3);
  r.socketPacket = rawSocket(17, 3);
  r.socketUnix = rawSocket(1, 1);
  r.dnsLookup = await dns.lookup('example.com').then((a) => ({ ok: true, detail: a.address }), (e) => ({ ok: false, detail: errOf(e) }));
  const clone3 = sys(NR.clone3!, ...HARMLESS.clone3!);
  r.clone3 = { ok: clone3 !== -38, detail: clone3 < 0 ? errnoName(-clone3) : String(clone3) };
  const uring = sys(NR.io_uring_setup!, ...HARMLESS.io_uring_setup!);
  r.ioUringSetup = { ok: uring !== -38, detail: uring < 0 ? errnoName(-uring) : `fd ${uring}` };
  if (uring >= 0) sys(NR.close!, uring);
  // fork() would duplicate this multi-threaded process: only where the jail must refuse it.
  if (jailed) {
    const f = sys(NR.fork!);
    r.rawFork = { ok: f >= 0, detail: f < 0 ? errnoName(-f) : `child ${f}` };
  }
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '?';
  r.identity = {
    ok: process.getuid!() === 0 || field('CapEff') !== '0000000000000000' || field('CapBnd') !== '0000000000000000',
    detail: `uid ${process.getuid!()} CapEff ${field('CapEff')} CapBnd ${field('CapBnd')} NoNewPrivs ${field('NoNewPrivs')} Seccomp ${field('Seccomp')}`,
  };
  r.rootListing = { ok: true, detail: readdirSync('/').sort().join(',') };
  r.devListing = { ok: true, detail: readdirSync('/dev').sort().join(',') };
  r.env = { ok: Object.keys(process.env).length > 0, detail: Object.keys(process.env).sort().join(',') };
  r.hostname = { ok: true, detail: os.hostname() };
  r.fds = { ok: true, detail: readdirSync('/proc/self/fd').join(',') };
  return r;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://probe');
  if (!url.pathname.startsWith('/__probe/')) return false;
  if (url.pathname === '/__probe/all') {
    runAll(Number(url.searchParams.get('outer') ?? 1)).then((r) => json(res, 200, { jailed, pid: process.pid, results: r }), (e) => json(res, 500, { error: String(e) }));
    return true;
  }
  if (url.pathname === '/__probe/syscall') {
    const name = url.searchParams.get('name') ?? '';
    const nr = NR[name];
    const args = HARMLESS[name];
    if (nr === undefined || !args) {
      json(res, 400, { error: `unknown probe syscall ${name}` });
      return true;
    }
    const ret = sys(nr, ...args);
    if (name === 'userfaultfd' && ret >= 0) sys(NR.close!, ret);
    json(res, 200, { name, ret, errno: ret < 0 ? errnoName(-ret) : null });
    return true;
  }
  if (url.pathname === '/__probe/connect') {
    // Raw host code opening an outbound stream the way the host's egress does (jailed: the broker),
    // claiming whatever tenant the caller names.
    const [host, port] = [url.searchParams.get('host') ?? '', Number(url.searchParams.get('port'))];
    const tenant = url.searchParams.get('tenant') ?? undefined;
    const egress = egressModule.createEgress(tenant ? { tenant } : {});
    egress.transport.open({ hostname: host, port }).then(
      (stream: { destroy(): void }) => {
        stream.destroy();
        json(res, 200, { ok: true });
      },
      (e: Error & { reason?: string }) => json(res, 200, { ok: false, error: e.name, reason: e.reason ?? e.message }),
    ).finally(() => egress.close());
    return true;
  }
  if (url.pathname === '/__probe/pid') {
    json(res, 200, { pid: process.pid, jailed });
    return true;
  }
  json(res, 404, { error: 'no such probe' });
  return true;
}

await hostMain.runHost(settings, { handle });
