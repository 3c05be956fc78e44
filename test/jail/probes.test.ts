// End to end: what a tenant that escaped V8 could do from inside the host process. Every probe is
// denied in the jail; the same probes against an unjailed host (--jail=off) mostly succeed, which
// proves they detect a missing jail. Kill mode: a syscall the host never makes kills it, the
// supervisor reports the syscall as a security event and restarts it, and service continues.
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeJail, startProbeServe, type ProbeServe } from './support/fixture.ts';

let outer: Server;
let outerPort = 0;
beforeAll(async () => {
  // A listener in the outer network namespace: reachable unjailed, unreachable jailed.
  outer = createServer((s) => s.end());
  await new Promise<void>((r) => outer.listen(0, '127.0.0.1', r));
  outerPort = (outer.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => outer.close(() => r())));

const ROOT = process.getuid!() === 0;
// Probes that are denied in the jail and must succeed without it on any Linux machine.
const DETECTS_NO_JAIL = [
  'spawnNode', 'spawnShell', 'readPasswd', 'readSysKernel', 'otherPids', 'otherEnviron', 'tcpOuter', 'listenInet',
  'socketInet', 'socketInet6', 'socketNetlink', 'clone3', 'ioUringSetup', 'writeDevShm',
  // root (CI): the files and directories only root may read or write
  ...(ROOT ? ['readShadow', 'listRoot', 'writeRoot', 'writeBundles', 'socketPacket', 'identity'] : []),
];

describeJail('jailed host: every escape probe is denied', () => {
  let s: ProbeServe;
  let results: Record<string, { ok: boolean; detail: string }>;
  let hostPidInside = 0;
  beforeAll(async () => {
    s = await startProbeServe('on');
    const r = await s.probeAll(outerPort);
    results = r.results;
    hostPidInside = r.pid;
    expect(r.jailed).toBe(true);
  });
  afterAll(() => s?.close());

  it('cannot start processes (fork is refused before any exec; there is no shell)', () => {
    expect(results.spawnNode).toEqual({ ok: false, detail: 'EPERM' });
    expect(results.spawnShell).toEqual({ ok: false, detail: 'EPERM' });
    expect(results.rawFork).toEqual({ ok: false, detail: 'EPERM' });
  });

  it('sees none of the machine\'s files and cannot write anywhere', () => {
    for (const p of ['readShadow', 'readPasswd', 'listRoot', 'listHome', 'readSysKernel']) expect(results[p], p).toEqual({ ok: false, detail: 'ENOENT' });
    for (const p of ['writeApp', 'writeBundles', 'writeRoot', 'writeDevShm']) expect(results[p], p).toEqual({ ok: false, detail: 'EROFS' });
    expect(results.rootListing!.detail).toBe('app,bundles,dev,lib,lib64,opt,probe,proc,run,tmp,usr');
    expect(results.devListing!.detail.split(',')).not.toContain('kmsg');
  });

  it('sees no other process: it is pid 1 of its own namespace, and /proc/1 is itself', () => {
    expect(hostPidInside).toBe(1);
    expect(results.otherPids).toEqual({ ok: false, detail: '1' });
    expect(results.otherEnviron!.ok).toBe(false);
    expect(results.proc1Environ).toEqual({ ok: false, detail: 'SELF' });
    // Nothing of the supervisor's environment crossed (only bwrap's PWD).
    expect(results.env!.detail.split(',').filter((k) => k !== 'PWD')).toEqual([]);
    expect(results.hostname!.detail).toBe('isle-jail');
  });

  it('has no network: only lo, no AF_INET/AF_INET6/netlink/packet sockets, no DNS, nothing outside reachable', () => {
    expect(results.netInterfaces!.ok).toBe(false);
    expect(results.procNetDev).toEqual({ ok: false, detail: 'ONLY_LO' });
    expect(results.tcp22).toEqual({ ok: false, detail: 'EPERM' });
    expect(results.tcpOuter).toEqual({ ok: false, detail: 'EPERM' });
    expect(results.listenInet).toEqual({ ok: false, detail: 'EPERM' });
    for (const p of ['socketInet', 'socketInet6', 'socketNetlink', 'socketPacket']) expect(results[p], p).toEqual({ ok: false, detail: 'EPERM' });
    expect(results.socketUnix!.ok).toBe(true); // the broker's channel
    expect(results.dnsLookup!.ok).toBe(false);
  });

  it('runs without capabilities, with no_new_privs and the seccomp filter; clone3 and io_uring answer ENOSYS', () => {
    expect(results.identity!.ok).toBe(false);
    expect(results.identity!.detail).toBe('uid 1000 CapEff 0000000000000000 CapBnd 0000000000000000 NoNewPrivs 1 Seccomp 2');
    expect(results.clone3).toEqual({ ok: false, detail: 'ENOSYS' });
    expect(results.ioUringSetup).toEqual({ ok: false, detail: 'ENOSYS' });
  });

  it('runs as an unprivileged uid outside (the supervisor dropped root before starting the jail)', async () => {
    const pid = await s.server.host.hostPid();
    expect(pid).toBeGreaterThan(1);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uids = /^Uid:\s+(.*)$/m.exec(status)![1]!.split(/\s+/).map(Number);
    if (ROOT) expect(uids).toEqual([65534, 65534, 65534, 65534]);
    else expect(uids[0]).toBe(process.getuid!());
    expect(statSync(`/proc/${pid}`).uid).toBe(uids[0]);
  });

  it('kills the host on ptrace, mount, unshare, bpf and keyctl: security event naming the syscall, restart, service continues', async () => {
    const deployed = await s.deploy('alpha', `export default { fetch: () => new Response('still serving') };`);
    expect(deployed.status).toBe(201);
    for (const name of ['ptrace', 'mount', 'unshare', 'bpf', 'keyctl']) {
      const before = await s.server.host.hostPid();
      const r = await s.syscall(name);
      // The request dies with the host: no answer.
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(0);
      const line = await s.waitForLine(new RegExp(`\\[isle security\\].*pid ${before}\\b.*`));
      if (ROOT) expect(line).toContain(`calling ${name} (syscall`);
      await s.waitUp();
      expect((await s.get('alpha.localhost')).text).toBe('still serving');
      expect(await s.server.host.hostPid()).not.toBe(before);
    }
    const metrics = await fetch(s.server.adminUrl + '/metrics', { headers: { authorization: 'Bearer test-admin-token' } }).then((r) => r.text());
    expect(metrics).toMatch(/isle_security_events_total\{kind="seccomp-kill"\} 5/);
  }, 60_000);
});

describeJail('negative control: the same probes against an unjailed host (--jail=off) succeed', () => {
  let s: ProbeServe;
  let results: Record<string, { ok: boolean; detail: string }>;
  beforeAll(async () => {
    s = await startProbeServe('off');
    const r = await s.probeAll(outerPort);
    results = r.results;
    expect(r.jailed).toBe(false);
    expect(r.pid).toBeGreaterThan(1);
  });
  afterAll(() => s?.close());

  it('detects the missing jail', () => {
    const failed = DETECTS_NO_JAIL.filter((p) => !results[p]?.ok).map((p) => `${p}: ${results[p]?.detail}`);
    expect(failed).toEqual([]);
    expect(results.hostname!.detail).not.toBe('isle-jail');
    const health = s.health();
    return expect(health).resolves.toMatchObject({ jail: 'off' });
  });

  it('reaches the kernel with the syscalls the jail kills (the host survives them)', async () => {
    for (const name of ['ptrace', 'mount', 'unshare', 'bpf', 'keyctl']) {
      const r = await s.syscall(name);
      expect(r.status, name).toBe(200);
      expect((r.body as { errno: string | null }).errno, name).not.toBe('ENOSYS');
    }
  });
});
