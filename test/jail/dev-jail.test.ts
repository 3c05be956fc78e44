// `worker dev --jail`: the dev loop (build, serve, rebuild on change, dev error pages,
// /__scheduled) with the worker running in the same jailed host `worker serve` uses.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeProject } from '../support/project.ts';
import { APP_ROOT, describeJail } from './support/fixture.ts';

const worker = (marker: string) => `export default {
  async fetch(req) {
    const u = new URL(req.url);
    if (u.pathname === '/boom') throw new Error('boom from ${marker}');
    if (u.pathname === '/egress') return new Response(await (await fetch(u.searchParams.get('u'))).text());
    if (u.pathname === '/meta') return fetch('http://169.254.169.254/').then(() => new Response('reached'), (e) => new Response(e.message));
    if (u.pathname === '/pid') return new Response('${marker}');
    return new Response('${marker} ' + u.pathname);
  },
  async scheduled(event) { console.log('cron ran: ' + event.cron); },
};`;

describeJail('worker dev --jail', () => {
  let dir: string;
  let child: ChildProcess;
  let out = '';
  let url = '';
  let upstream: Server;
  let upstreamPort = 0;

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end('upstream via broker'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamPort = (upstream.address() as AddressInfo).port;
    dir = writeProject({ 'src/index.js': worker('v1'), 'isle.json': JSON.stringify({ name: 'jailed-dev', main: 'src/index.js' }) });
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    child = spawn(process.execPath, ['--no-node-snapshot', join(APP_ROOT, 'cli/bin/worker.js'), 'dev', dir, '--jail', '--port', String(port),
      '--allow-egress', `127.0.0.1:${upstreamPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
    url = await new Promise<string>((resolve, reject) => {
      const t = setInterval(() => {
        const m = /Ready on (\S+)/.exec(out);
        if (m) {
          clearInterval(t);
          resolve(m[1]!);
        }
      }, 25);
      child.once('exit', () => {
        clearInterval(t);
        reject(new Error(`dev exited:\n${out}`));
      });
    });
  }, 60_000);
  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await new Promise<void>((r) => upstream.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const text = async (path: string) => {
    const r = await fetch(url + path);
    return { status: r.status, body: await r.text() };
  };

  it('serves the worker from a jailed host, for any host name', async () => {
    expect(out).toMatch(/Isle dev \(jailed\)/);
    expect(await text('/hello')).toEqual({ status: 200, body: 'v1 /hello' });
    const viaName = await fetch(url.replace('127.0.0.1', 'localhost') + '/x').then((r) => r.text());
    expect(viaName).toBe('v1 /x');
    // The worker runs under bwrap, a descendant of the dev process.
    const parent = new Map<number, { ppid: number; comm: string }>();
    for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        parent.set(Number(p), { ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm });
      } catch {}
    }
    const descends = (pid: number) => {
      for (let p = parent.get(pid)?.ppid; p; p = parent.get(p)?.ppid) if (p === child.pid) return true;
      return false;
    };
    expect([...parent].filter(([pid, i]) => i.comm === 'bwrap' && descends(pid)).length).toBe(1);
  });

  it('shows development error pages and runs /__scheduled', async () => {
    const boom = await text('/boom');
    expect(boom.status).toBe(500);
    expect(boom.body).toContain('boom from v1');
    expect(await text('/__scheduled?cron=*/5+*+*+*+*')).toEqual({ status: 200, body: 'Ran scheduled event (cron "*/5 * * * *").\n' });
    await expect.poll(() => out).toContain('cron ran: */5 * * * *');
  });

  it('reaches the network only through the broker, with --allow-egress as the grants', async () => {
    expect(await text(`/egress?u=${encodeURIComponent(`http://127.0.0.1:${upstreamPort}/`)}`)).toEqual({ status: 200, body: 'upstream via broker' });
    expect((await text('/meta')).body).toContain('blocked by the egress policy: 169.254.169.254 is a cloud metadata address');
    expect(out).toMatch(/egress denied: 169\.254\.169\.254:80/);
  });

  it('rebuilds on change', async () => {
    writeFileSync(join(dir, 'src/index.js'), worker('v2'));
    await expect.poll(async () => (await text('/pid')).body, { timeout: 10_000 }).toBe('v2');
  });
});
