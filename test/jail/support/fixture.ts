// Jail test fixture: a real `worker serve` (jailed or not) whose host entry is the TEST-ONLY probe
// host (test/jail/support/probe-host.mts + a raw-syscall addon compiled here), mounted into the
// jail at /probe through ServeOptions.testHooks. Production starts never pass testHooks.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { checkJailAvailable } from '../../../runtime/jail/bwrap.ts';
import { DEFAULT_JAIL_IDENTITY } from '../../../runtime/jail/launcher.ts';
import type { ServeOptions } from '../../../runtime/server/supervisor.ts';
import { startServe, type ServeFixture } from '../../support/serve.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
export const APP_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const IN_CI = Boolean(process.env.CI);

const identity = process.getuid!() === 0 ? DEFAULT_JAIL_IDENTITY : undefined;
const availability = checkJailAvailable(identity ? { uid: identity.uid, gid: identity.gid } : {});

/** The C compiler for the probe addon: cc, else gcc. */
const CC = ['cc', 'gcc'].find((cc) => {
  try {
    execFileSync(cc, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/** Why jail tests cannot run here (undefined: they can). */
export const JAIL_UNAVAILABLE: string | undefined = !availability.ok
  ? `${availability.cause}`
  : !CC
    ? 'no C compiler (cc/gcc) for the test probe addon'
    : undefined;

/**
 * `describe` for tests that need the jail: skipped on a machine that cannot run it, except in CI
 * (CI set): there they run, and fail, instead of silently skipping.
 */
export const describeJail: typeof describe = (JAIL_UNAVAILABLE && !IN_CI ? describe.skip : describe) as typeof describe;

let addonPath: string | undefined;
function probeAddon(): string {
  if (addonPath) return addonPath;
  const dir = mkdtempSync(join(tmpdir(), 'isle-probe-addon-'));
  const out = join(dir, 'probe.node');
  execFileSync(CC ?? 'cc', ['-shared', '-fPIC', '-O1', '-nostdlib', '-fno-stack-protector', '-o', out, join(here, 'probe.c')], { stdio: 'pipe' });
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  addonPath = out;
  return out;
}

/** A directory (readable by the jail's uid) holding the probe host, its addon and its config. */
export function makeProbeDir(options: { ca?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'isle-probe-'));
  chmodSync(dir, 0o755);
  copyFileSync(join(here, 'probe-host.mts'), join(dir, 'probe-host.mts'));
  copyFileSync(probeAddon(), join(dir, 'probe.node'));
  writeFileSync(join(dir, 'probe.json'), JSON.stringify({ appRoot: APP_ROOT, ...(options.ca && { ca: options.ca }) }));
  for (const f of ['probe-host.mts', 'probe.json']) chmodSync(join(dir, f), 0o644);
  chmodSync(join(dir, 'probe.node'), 0o755);
  return dir;
}

export interface ProbeServe extends ServeFixture {
  probeDir: string;
  health(): Promise<{ ok: boolean; host: string; jail: string }>;
  /** Resolves once the host serves again (after a restart). */
  waitUp(timeoutMs?: number): Promise<void>;
  probeAll(outerPort: number): Promise<{ jailed: boolean; pid: number; results: Record<string, { ok: boolean; detail: string }> }>;
  syscall(name: string): Promise<{ status: number; body: unknown; error?: string }>;
  /** Waits for a line matching `re` in the supervisor's output. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
}

export async function startProbeServe(jail: 'on' | 'off', options: Partial<ServeOptions> & { ca?: string } = {}): Promise<ProbeServe> {
  const { ca, testHooks, ...rest } = options;
  const probeDir = makeProbeDir(ca ? { ca } : {});
  let s: ServeFixture;
  try {
    s = await startServe({
      jail,
      ...rest,
      testHooks: {
        ...testHooks,
        hostEntry: join(probeDir, 'probe-host.mts'),
        jailMounts: [{ source: probeDir, dest: '/probe' }, ...(testHooks?.jailMounts ?? [])],
      },
    });
  } catch (e) {
    rmSync(probeDir, { recursive: true, force: true });
    throw e;
  }
  const fixture: ProbeServe = Object.assign(Object.create(s) as ServeFixture, {
    probeDir,
    async health() {
      return (await fetch(s.server.adminUrl + '/healthz')).json() as Promise<{ ok: boolean; host: string; jail: string }>;
    },
    async waitUp(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const h = await fixture.health().catch(() => ({ ok: false }));
        if (h.ok) return;
        if (Date.now() > deadline) throw new Error('the host did not come back');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async probeAll(outerPort: number) {
      const r = await s.get('probe.localhost', `/__probe/all?outer=${outerPort}`);
      if (r.status !== 200) throw new Error(`probe failed: ${r.status} ${r.text}`);
      return JSON.parse(r.text);
    },
    async syscall(name: string) {
      try {
        const r = await s.get('probe.localhost', `/__probe/syscall?name=${name}`);
        return { status: r.status, body: JSON.parse(r.text) };
      } catch (e) {
        return { status: 0, body: null, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
      }
    },
    async waitForLine(re: RegExp, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = s.lines.find((l) => re.test(l));
        if (line) return line;
        if (Date.now() > deadline) throw new Error(`no line matching ${re} in:\n${s.lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await s.close();
      rmSync(probeDir, { recursive: true, force: true });
    },
  });
  return fixture;
}
