// Runs jobs in up to N child processes. A child that crashes or stops answering is killed and
// replaced; its file is reported as CRASH (or TIMEOUT) and the run goes on.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job } from './discover.ts';
import type { FileResult, RunOptions } from './types.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
/** Extra time a child gets beyond the file's budget (prelude build on its first job, teardown). */
const GRACE_MS = 20_000;

export interface PoolOptions extends RunOptions {
  concurrency: number;
  /** Called as each job finishes (progress output). */
  onResult?: (result: FileResult, done: number, total: number) => void;
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  dead: boolean;
}

function spawnWorker(): Worker {
  const child = fork(CHILD, [], {
    execArgv: ['--no-node-snapshot', '--no-warnings'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  // Keep the child's stderr for diagnostics on crash, bounded.
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const worker: Worker = {
    child,
    dead: false,
    ready: new Promise<void>((resolve, reject) => {
      const onMessage = (m: { type?: string }) => {
        if (m && m.type === 'ready') {
          child.off('message', onMessage);
          resolve();
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code, signal) => reject(new Error(`runner child exited before ready (${signal ?? code}): ${stderr}`)));
    }),
  };
  (worker as Worker & { stderr: () => string }).stderr = () => stderr;
  child.once('exit', () => (worker.dead = true));
  return worker;
}

function stopWorker(worker: Worker, kill: boolean): void {
  worker.dead = true;
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  if (kill || !worker.child.connected) worker.child.kill('SIGKILL');
  else worker.child.disconnect();
}

function crashResult(job: Job, status: 'CRASH' | 'TIMEOUT', message: string, durationMs: number): FileResult {
  return {
    id: job.id,
    path: job.path,
    variant: job.variant,
    harness: { status, message },
    subtests: [],
    durationMs,
  };
}

let seq = 0;

function runOnWorker(worker: Worker, job: Job, options: RunOptions): Promise<FileResult> {
  const budget = job.meta.timeout === 'long' ? options.longTimeoutMs : options.timeoutMs;
  const started = performance.now();
  const id = ++seq;
  return new Promise<FileResult>((resolve) => {
    let settled = false;
    const finish = (r: FileResult, kill: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.child.off('message', onMessage);
      worker.child.off('exit', onExit);
      if (kill) stopWorker(worker, true);
      resolve(r);
    };
    const onMessage = (m: { type: string; seq: number; result?: FileResult; message?: string }) => {
      if (m.seq !== id) return;
      if (m.type === 'result') finish(m.result!, false);
      else finish(crashResult(job, 'CRASH', `runner error: ${m.message}`, Math.round(performance.now() - started)), false);
    };
    const onExit = (code: number | null, signal: string | null) => {
      const err = (worker as Worker & { stderr?: () => string }).stderr?.() ?? '';
      const tail = err.trim().split('\n').slice(-3).join(' | ');
      finish(crashResult(job, 'CRASH', `runner process died (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ''}`,
        Math.round(performance.now() - started)), false);
    };
    const timer = setTimeout(() => {
      finish(crashResult(job, 'TIMEOUT', `no result within ${budget + GRACE_MS} ms; runner process killed`,
        Math.round(performance.now() - started)), true);
    }, budget + GRACE_MS);
    worker.child.on('message', onMessage);
    worker.child.once('exit', onExit);
    const runOptions: RunOptions = {
      wptDir: options.wptDir,
      timeoutMs: options.timeoutMs,
      longTimeoutMs: options.longTimeoutMs,
      memoryMb: options.memoryMb,
    };
    worker.child.send({ type: 'run', seq: id, job, options: runOptions });
  });
}

/** Runs every job; results come back in job order. */
export async function runPool(jobs: Job[], options: PoolOptions): Promise<FileResult[]> {
  const results: FileResult[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    let worker: Worker | undefined;
    try {
      while (next < jobs.length) {
        const index = next++;
        const job = jobs[index]!;
        if (!worker || worker.dead) worker = spawnWorker();
        let result: FileResult;
        try {
          await worker.ready;
          result = await runOnWorker(worker, job, options);
        } catch (e) {
          result = crashResult(job, 'CRASH', (e as Error).message.slice(0, 500), 0);
          stopWorker(worker, true);
        }
        results[index] = result;
        done++;
        options.onResult?.(result, done, jobs.length);
      }
    } finally {
      if (worker) stopWorker(worker, false);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency, jobs.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
