// Servers under test, each started as its own process on a free 127.0.0.1 port.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface RunningTarget {
  url: string;
  pid: number;
  rssMb(): number;
  stop(): Promise<void>;
}

function rssMbOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return NaN;
  }
}

async function startProcess(args: string[], readyPattern: RegExp): Promise<RunningTarget> {
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = readyPattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  // Keep draining output so the server never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url,
    pid: child.pid!,
    rssMb: () => rssMbOf(child.pid!),
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

export function startNodeBaseline(): Promise<RunningTarget> {
  return startProcess(['bench/targets/node-http.ts'], /Ready on (http:\S+)/);
}

export function startIsleDev(project: string, isolation: 'request' | 'tenant'): Promise<RunningTarget> {
  return startProcess(
    ['--no-node-snapshot', '--expose-gc', '--disable-warning=ExperimentalWarning', 'cli/main.ts', 'dev', project, '--port', '0', '--isolation', isolation, '--no-watch'],
    /Ready on (http:\S+)/,
  );
}
