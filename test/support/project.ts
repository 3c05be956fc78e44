// Temporary worker projects on disk, served by a real `worker dev` server on 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveLimits, type Limits } from '../../runtime/config/limits.ts';
import { startDevServer, type DevServer } from '../../runtime/dev/dev-server.ts';
import type { Isolation } from '../../runtime/host/engine.ts';

export function writeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'isle-test-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

export interface DevFixture {
  dir: string;
  url: string;
  server: DevServer;
  out: string[];
  err: string[];
  close(): Promise<void>;
  /** Resolves once a line matching `pattern` was printed (stdout or stderr). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export async function startDev(
  files: Record<string, string>,
  options: { entry?: string; limits?: Partial<Limits>; env?: Record<string, unknown>; isolation?: Isolation; watch?: boolean; allowEgress?: string[] } = {},
): Promise<DevFixture> {
  const dir = writeProject(files);
  const out: string[] = [];
  const err: string[] = [];
  const waiters: { pattern: RegExp; resolve: (l: string) => void }[] = [];
  const push = (list: string[]) => (line: string) => {
    list.push(line);
    for (const w of [...waiters]) {
      if (w.pattern.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  const server = await startDevServer({
    entry: join(dir, options.entry ?? 'src/index.ts'),
    root: dir,
    host: '127.0.0.1',
    port: 0,
    env: options.env ?? {},
    limits: resolveLimits(options.limits),
    isolation: options.isolation ?? 'request',
    allowEgress: options.allowEgress ?? [],
    watch: options.watch ?? false,
    out: push(out),
    err: push(err),
  });
  return {
    dir,
    url: server.url,
    server,
    out,
    err,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
    waitForOutput(pattern, timeoutMs = 10_000) {
      const existing = [...out, ...err].find((l) => pattern.test(l));
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const w = { pattern, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`timed out waiting for output ${pattern}; got:\n${[...out, ...err].join('\n')}`));
          }
        }, timeoutMs).unref();
      });
    },
  };
}

/** `worker dev` as its own process (the real CLI entry), for measurements of the server alone. */
export async function startCliDev(dir: string, args: string[] = []): Promise<{ url: string; rssMb(): number; stop(): Promise<void> }> {
  const main = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--no-node-snapshot', '--expose-gc', main, 'dev', join(dir, 'src/index.ts'), '--port', '0', '--no-watch', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker dev did not start: ${out}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /Ready on (http:\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`worker dev exited (${code}): ${out}`)));
  });
  return {
    url,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
