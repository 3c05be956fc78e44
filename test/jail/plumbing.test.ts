// Plumbing of the jailed `worker serve`, through the real CLI where it matters: fail closed with one
// message when the jail cannot run, port already in use, SIGTERM drains and exits 0, SIGTERM to the
// host itself (pid 1 in its namespace) drains it, killing the supervisor leaves no jailed host.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJailAvailable, unavailableMessage } from '../../runtime/jail/bwrap.ts';
import { ADMIN_TOKEN, buildSource, startServe } from '../support/serve.ts';
import { APP_ROOT, describeJail, startProbeServe } from './support/fixture.ts';

const WORKER = join(APP_ROOT, 'cli/bin/worker.js');

/** All descendants of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {}
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) for (const c of children.get(queue.shift()!) ?? []) out.push(c), queue.push(c);
  return out;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

interface Cli {
  child: ChildProcess;
  out: string[];
  ready: Promise<{ url: string; adminUrl: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(args: string[], env: Record<string, string | undefined> = {}): Cli {
  const child = spawn(process.execPath, ['--no-node-snapshot', WORKER, 'serve', ...args], {
    env: { ...process.env, ISLE_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  let onLine = () => {};
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => {
      out.push(...c.split('\n').filter(Boolean));
      onLine();
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const ready = new Promise<{ url: string; adminUrl: string }>((resolve, reject) => {
    onLine = () => {
      const url = out.map((l) => /^Ready on (\S+)/.exec(l)?.[1]).find(Boolean);
      const adminUrl = out.map((l) => /^Control plane on (\S+)/.exec(l)?.[1]).find(Boolean);
      if (url && adminUrl) resolve({ url, adminUrl });
    };
    void exited.then((e) => reject(new Error(`serve exited (${e.code ?? e.signal}):\n${out.join('\n')}`)));
  });
  ready.catch(() => {});
  return { child, out, ready, exited };
}

/** A port that was free a moment ago (the CLI takes no port 0). */
async function freePort(): Promise<string> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return String(port);
}

async function ports(): Promise<string[]> {
  return ['--port', await freePort(), '--admin-port', await freePort()];
}

function get(url: string, host: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('fail closed when the jail cannot run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isle-nojail-'));
    // A bwrap that behaves like one in a container that denies user namespaces.
    writeFileSync(join(dir, 'bwrap'), '#!/bin/sh\necho "bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n');
    chmodSync(join(dir, 'bwrap'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('classifies the causes', () => {
    const denied = checkJailAvailable({ bwrap: join(dir, 'bwrap') });
    expect(denied).toMatchObject({ ok: false, cause: expect.stringMatching(/user namespaces are not available/) });
    const missing = checkJailAvailable({ bwrap: join(dir, 'no-such-bwrap') });
    expect(missing).toMatchObject({ ok: false, cause: expect.stringMatching(/^bubblewrap \(bwrap\) is not installed/) });
    const text = unavailableMessage(missing as never);
    expect(text).toMatch(/apt-get install bubblewrap/);
    expect(text).toMatch(/--security-opt/);
    expect(text).toMatch(/apparmor_restrict_unprivileged_userns/);
    expect(text).toMatch(/--jail=off or set ISLE_JAIL=off/);
  });

  it('worker serve exits non-zero with one message (cause, fix, opt-out) and listens on nothing', async () => {
    const data = mkdtempSync(join(tmpdir(), 'isle-nojail-data-'));
    try {
      // PATH without bubblewrap: the CLI must refuse, not run unjailed.
      const cli = startCli([...(await ports()), '--data', data], { PATH: dir.replace(/$/, '-empty'), ISLE_JAIL: undefined });
      const { code } = await cli.exited;
      expect(code).toBe(1);
      const text = cli.out.join('\n');
      expect(text).toMatch(/cannot start the OS jail: bubblewrap \(bwrap\) is not installed/);
      expect(text).toMatch(/--jail=off/);
      expect(text).not.toMatch(/Ready on/);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }, 30_000);

  it('runs unjailed only when asked (ISLE_JAIL=off), warning loudly and showing jail: off', async () => {
    const data = mkdtempSync(join(tmpdir(), 'isle-nojail-data-'));
    const cli = startCli([...(await ports()), '--data', data], { ISLE_JAIL: 'off' });
    try {
      const { adminUrl } = await cli.ready;
      expect(cli.out.join('\n')).toMatch(/WARNING: running WITHOUT the OS jail/);
      expect(await fetch(adminUrl + '/healthz').then((r) => r.json())).toMatchObject({ ok: true, jail: 'off' });
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
      rmSync(data, { recursive: true, force: true });
    }
  }, 30_000);
});

describeJail('jailed serve plumbing', () => {
  let busy: Server;
  let busyPort = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  it('refuses a port already in use with a clear error, starting no host', async () => {
    await expect(startServe({ jail: 'on', port: busyPort })).rejects.toThrow(`cannot listen on 127.0.0.1:${busyPort}: address already in use`);
    expect(descendants(process.pid).filter((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'bwrap')).toEqual([]);
    const data = mkdtempSync(join(tmpdir(), 'isle-busy-'));
    try {
      const cli = startCli(['--port', String(busyPort), '--admin-port', await freePort(), '--data', data]);
      const { code } = await cli.exited;
      expect(code).toBe(1);
      expect(cli.out.join('\n')).toContain(`cannot listen on 127.0.0.1:${busyPort}: address already in use`);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }, 30_000);

  it('drains in-flight requests on SIGTERM and exits 0, leaving nothing behind', async () => {
    const data = mkdtempSync(join(tmpdir(), 'isle-drain-'));
    const cli = startCli([...(await ports()), '--data', data]);
    try {
      const { url, adminUrl } = await cli.ready;
      expect(await fetch(adminUrl + '/healthz').then((r) => r.json())).toMatchObject({ ok: true, jail: 'on' });
      const { code, map } = await buildSource(`export default { async fetch() { await new Promise((r) => setTimeout(r, 700)); return new Response('slow done'); } };`);
      const up = await fetch(adminUrl + '/v1/tenants/slow/versions', {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ code, map }),
      });
      expect(up.status).toBe(201);
      const tree = descendants(cli.child.pid!);
      expect(tree.length).toBeGreaterThanOrEqual(2); // bwrap and the host
      const inFlight = get(url + '/', 'slow.localhost');
      await new Promise((r) => setTimeout(r, 200));
      cli.child.kill('SIGTERM');
      expect(await inFlight).toEqual({ status: 200, text: 'slow done' });
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      for (const pid of tree) expect(alive(pid), `pid ${pid}`).toBe(false);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  }, 60_000);

  it('a SIGTERM sent to the jailed host itself drains it (bwrap does not forward signals; pid 1 handles it)', async () => {
    const s = await startProbeServe('on');
    try {
      const pid = await s.server.host.hostPid();
      process.kill(pid!, 'SIGTERM');
      await s.waitForLine(/host process exited \(code 0\)/);
      await s.waitUp();
    } finally {
      await s.close();
    }
  }, 30_000);

  it('killing the supervisor leaves no jailed host behind, and the port is released', async () => {
    const data = mkdtempSync(join(tmpdir(), 'isle-orphan-'));
    const cli = startCli([...(await ports()), '--data', data]);
    try {
      const { url } = await cli.ready;
      const tree = descendants(cli.child.pid!);
      expect(tree.length).toBeGreaterThanOrEqual(2);
      cli.child.kill('SIGKILL');
      await cli.exited;
      const deadline = Date.now() + 5_000;
      while (tree.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(tree.filter(alive)).toEqual([]);
      const port = Number(new URL(url).port);
      const refused = await new Promise<string>((resolve) => {
        const sock = connect({ host: '127.0.0.1', port });
        sock.once('connect', () => (sock.destroy(), resolve('connected')));
        sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      expect(refused).toBe('ECONNREFUSED');
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }, 30_000);
});
