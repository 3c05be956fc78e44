// Servers under test, each started as its own process on a free 127.0.0.1 port.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;

export interface RunningTarget {
  url: string;
  pid: number;
  rssMb(): number;
  stop(): Promise<void>;
}

export function rssMbOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return NaN;
  }
}

function track(child: ChildProcess, url: string, cleanup?: () => void): RunningTarget {
  // Keep draining output so the server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url,
    pid: child.pid!,
    rssMb: () => rssMbOf(child.pid!),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        cleanup?.();
        return resolve();
      }
      child.once('exit', () => {
        cleanup?.();
        resolve();
      });
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

async function startProcess(command: string, args: string[], readyPattern: RegExp): Promise<RunningTarget> {
  // The target's stderr goes to a file: the load generator runs synchronously, so a pipe nobody
  // reads meanwhile would fill up and block a chatty target mid-run.
  const errPath = join(mkdtempSync(join(tmpdir(), 'isle-bench-')), 'stderr.log');
  const errFd = openSync(errPath, 'w');
  const child: ChildProcess = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', errFd] });
  closeSync(errFd);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const stderr = () => (existsSync(errPath) ? readFileSync(errPath, 'utf8') : '');
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${stderr()}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = readyPattern.exec(out);
      if (m) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(m[1]!);
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}): ${out}${stderr()}`));
    };
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
  return track(child, url);
}

export function startNodeBaseline(): Promise<RunningTarget> {
  return startProcess(node, ['bench/targets/node-http.ts'], /Ready on (http:\S+)/);
}

export function startHonoNode(): Promise<RunningTarget> {
  return startProcess(node, ['bench/targets/hono-node.ts'], /Ready on (http:\S+)/);
}

/** Isle's engine (as in `worker serve`'s host) serving `entry` in the given isolation. */
export function startIsle(entry: string, isolation: 'request' | 'tenant'): Promise<RunningTarget> {
  return startProcess(
    node,
    ['--no-node-snapshot', '--expose-gc', '--disable-warning=ExperimentalWarning', 'bench/targets/isle.ts', entry, isolation],
    /Ready on (http:\S+)/,
  );
}

export function startIsleDev(project: string, isolation: 'request' | 'tenant'): Promise<RunningTarget> {
  return startProcess(
    node,
    ['--no-node-snapshot', '--expose-gc', '--disable-warning=ExperimentalWarning', 'cli/main.ts', 'dev', project, '--port', '0', '--isolation', isolation, '--no-watch'],
    /Ready on (http:\S+)/,
  );
}

export const workerdBinary = join(root, 'node_modules/.bin/workerd');
export const hasWorkerd = existsSync(workerdBinary);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > until) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** workerd (one isolate reused for every request) serving `entry`, bundled as an ES module. */
export async function startWorkerd(entry: string): Promise<RunningTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'isle-bench-workerd-'));
  await esbuild.build({
    entryPoints: [entry], bundle: true, format: 'esm', target: 'es2023', outfile: join(dir, 'worker.js'), logLevel: 'silent',
  });
  const port = await freePort();
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2025-01-01",
);
`);
  const child = spawn(workerdBinary, ['serve', join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await Promise.race([
      waitForPort(port, 30_000),
      new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`workerd exited (${code}): ${out}`)))),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return track(child, `http://127.0.0.1:${port}`, () => rmSync(dir, { recursive: true, force: true }));
}
