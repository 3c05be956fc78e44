// Drift: the host's real workload, jailed, traced with `strace -f`, uses no syscall outside the
// seccomp allow-list. The filter runs in strict mode (syscalls the policy does not name KILL the
// host instead of answering ENOSYS), so a Node, libuv or isolated-vm upgrade that starts using
// something new fails here, loudly, instead of degrading silently in production.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HOST_POLICY, permittedSyscalls } from '../../runtime/jail/seccomp.ts';
import { startServe, type ServeFixture } from '../support/serve.ts';
import { describeJail, IN_CI } from './support/fixture.ts';

let strace = true;
try {
  execFileSync('strace', ['-V'], { stdio: 'ignore' });
} catch {
  strace = false;
}

/** Syscall names (with counts) made by the jailed Node process and its threads, from `strace -f -o`. */
export function nodeSyscalls(trace: string): Map<string, number> {
  const lines = trace.split('\n');
  const execAt = lines.findIndex((l) => /^\d+\s+execve\("\/opt\/node\/bin\/node",.*= 0$/.test(l));
  if (execAt === -1) throw new Error('no execve of the jailed node in the trace');
  const nodePid = lines[execAt]!.split(/\s+/)[0]!;
  // Everything that existed before node started is bwrap (its monitor and setup processes).
  const bwrapPids = new Set(lines.slice(0, execAt).map((l) => l.split(/\s+/)[0]!).filter((p) => p !== nodePid));
  const counts = new Map<string, number>();
  for (const line of lines.slice(execAt + 1)) {
    const m = /^(\d+)\s+(?:<\.\.\. ([a-z0-9_]+) resumed>|([a-z0-9_]+)\()/.exec(line);
    if (!m || bwrapPids.has(m[1]!)) continue;
    if (m[2]) continue; // the start of that call was counted already
    counts.set(m[3]!, (counts.get(m[3]!) ?? 0) + 1);
  }
  return counts;
}

const sendRaw = (port: number, host: string, path: string, agent: boolean) =>
  new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...(agent ? {} : { connection: 'close' }) }, agent: agent ? undefined : false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });

describeJail.skipIf(!strace && !IN_CI)('syscall drift of the jailed host', () => {
  let s: ServeFixture;
  let dir: string;
  let upstream: Server;
  let upstreamPort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'isle-drift-'));
    chmodSync(dir, 0o777); // strace runs as the jail's uid (the supervisor drops root before it)
    upstream = createServer((_req, res) => res.end('upstream'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamPort = (upstream.address() as AddressInfo).port;
    s = await startServe({
      jail: 'on',
      defaultLimits: { cpuMs: 200, memoryMb: 16 },
      testHooks: { unknownSyscalls: 'kill', tracer: ['strace', '-f', '-qq', '-o', join(dir, 'trace')] },
    });
  }, 60_000);
  afterAll(async () => {
    await new Promise<void>((r) => upstream.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a mixed workload with no syscall outside the allow-list', async () => {
    const port = s.port;
    expect((await s.deploy('web', `export default { async fetch(req) {
      const u = new URL(req.url);
      if (u.pathname === '/crypto') {
        const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('x'.repeat(10000)));
        return new Response(new Uint8Array(d).join(','));
      }
      if (u.pathname === '/stream') {
        const body = new ReadableStream({ start(c) { for (let i = 0; i < 64; i++) c.enqueue(new Uint8Array(16384)); c.close(); } });
        return new Response(body.pipeThrough(new CompressionStream('gzip')));
      }
      if (u.pathname === '/fetch') return new Response(await (await fetch(u.searchParams.get('u'))).text());
      if (u.pathname === '/denied') return fetch('http://169.254.169.254/').then(() => new Response('?'), (e) => new Response(e.message));
      if (u.pathname === '/spin') { for (;;) {} }
      if (u.pathname === '/oom') { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }
      return new Response('hello ' + u.pathname);
    } };`)).status).toBe(201);
    expect((await s.api('PATCH', '/v1/tenants/web', { allowEgress: [`127.0.0.1:${upstreamPort}`] })).status).toBe(200);
    // A bundle whose top level throws: validated (and refused) by the host.
    expect((await s.deploy('web', `throw new Error('nope'); export default {}`)).status).toBe(422);

    for (let i = 0; i < 20; i++) expect(await sendRaw(port, 'web.localhost', `/n${i}`, i % 2 === 0)).toBe(200);
    expect(await sendRaw(port, 'web.localhost', '/crypto', true)).toBe(200);
    expect(await sendRaw(port, 'web.localhost', '/stream', true)).toBe(200);
    for (let i = 0; i < 3; i++) expect((await s.get('web.localhost', `/fetch?u=${encodeURIComponent(`http://127.0.0.1:${upstreamPort}/`)}`)).text).toBe('upstream');
    expect((await s.get('web.localhost', '/denied')).text).toMatch(/blocked by the egress policy/);
    expect(await sendRaw(port, 'web.localhost', '/spin', false)).toBeGreaterThanOrEqual(500);
    expect(await sendRaw(port, 'web.localhost', '/oom', false)).toBeGreaterThanOrEqual(500);
    await Promise.all(Array.from({ length: 8 }, (_, i) => sendRaw(port, 'web.localhost', `/c${i}`, false)));
    expect(await sendRaw(port, 'web.localhost', '/after', true)).toBe(200);
    // A graceful stop, so exit paths are traced too.
    await s.server.stop();

    // Strict mode: an unlisted syscall would have killed the host.
    expect(s.lines.filter((l) => /isle security|host process exited/.test(l))).toEqual([]);
    const used = nodeSyscalls(readFileSync(join(dir, 'trace'), 'utf8'));
    if (process.env.ISLE_DRIFT_PRINT) console.log([...used].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n}:${c}`).join(" "));
    expect(used.size).toBeGreaterThan(30);
    const refusedByDesign = new Set(Object.keys(HOST_POLICY.errno)); // clone3, io_uring_setup: ENOSYS, with fallbacks
    const permitted = permittedSyscalls();
    const outside = [...used].filter(([name]) => !permitted.has(name) && !refusedByDesign.has(name)).map(([n, c]) => `${n} ×${c}`);
    expect(outside, 'syscalls the jailed host made that the seccomp allow-list does not have').toEqual([]);
    // The threads were created through clone (flags checked), after clone3 was refused.
    expect(used.get('clone')).toBeGreaterThan(0);
  }, 120_000);
});
