// The programmatic API: run a worker in real Isle isolates from Node code (tests, embedding).
//   const worker = await createWorker({ entry: 'src/index.ts', env: { KEY: 'v' } });
//   const res = await worker.fetch('http://localhost/hello');
//   await worker.dispose();
// Same bundler, prelude, limits and per-request isolation as `worker dev` and `worker serve`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { bundleWorker } from '../bundler/bundle.ts';
import { resolveLimits, type Limits } from '../config/limits.ts';
import { findConfig, loadProject } from '../config/project.ts';
import { WorkerEngine, type Isolation } from '../host/engine.ts';
import { formatLogRecord, type LogRecord } from '../host/log.ts';
import type { Outcome } from '../host/outcomes.ts';

export interface CreateWorkerOptions {
  /** Entry file; relative to `root` (default: the directory of the nearest isle.json, or cwd). */
  entry?: string;
  /** Or the worker's source code itself (TypeScript or JavaScript module). */
  script?: string;
  root?: string;
  env?: Record<string, unknown>;
  limits?: Partial<Limits>;
  isolation?: Isolation;
  allowEgress?: string[];
  /** Development-style error responses (message and stack in the body). Default true. */
  dev?: boolean;
  /** Receives console output and access lines; default prints console output to stderr. */
  onLog?: (record: LogRecord) => void;
}

export interface IsleWorker {
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  scheduled(cron?: string, scheduledTime?: number): Promise<Outcome>;
  dispose(): Promise<void>;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export async function createWorker(options: CreateWorkerOptions = {}): Promise<IsleWorker> {
  let root = resolve(options.root ?? dirname(findConfig(process.cwd()) ?? join(process.cwd(), 'x')));
  let entry: string;
  let tempDir: string | undefined;
  if (options.script !== undefined) {
    tempDir = mkdtempSync(join(tmpdir(), 'isle-worker-'));
    entry = join(tempDir, 'worker.ts');
    writeFileSync(entry, options.script);
    root = tempDir;
  } else {
    const project = loadProject({ cwd: root });
    const main = options.entry ?? project.main;
    if (!main) throw new Error('createWorker needs `entry`, `script`, or an isle.json with "main"');
    entry = resolve(root, main);
  }
  const project = options.script === undefined ? loadProject({ cwd: root }) : undefined;
  const { bundle } = await bundleWorker(entry, root);
  const onLog = options.onLog ?? ((r: LogRecord) => {
    if (r.kind !== 'access') process.stderr.write(formatLogRecord(r) + '\n');
  });
  const engine = new WorkerEngine(bundle, {
    isolation: options.isolation ?? 'request',
    limits: resolveLimits(project?.limits, options.limits),
    env: { ...project?.vars, ...options.env },
    dev: options.dev ?? true,
    allowEgress: options.allowEgress ?? [],
    log: onLog,
  });
  await engine.validate();

  return {
    fetch(input, init) {
      const request = new Request(input, init);
      const headers: string[] = [];
      request.headers.forEach((value, name) => {
        if (name !== 'set-cookie') headers.push(name, value);
      });
      for (const cookie of request.headers.getSetCookie()) headers.push('set-cookie', cookie);
      return new Promise<Response>((resolveResponse, rejectResponse) => {
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        let waitingForPull: (() => void) | undefined;
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            controller = c;
          },
          pull() {
            waitingForPull?.();
            waitingForPull = undefined;
          },
        }, { highWaterMark: 1 });
        let headSent = false;
        void engine.handle({
          method: request.method,
          url: request.url,
          headers,
          body: request.body as unknown as AsyncIterable<Uint8Array> | null,
          signal: request.signal,
        }, {
          head(status, statusText, h) {
            headSent = true;
            const pairs: [string, string][] = [];
            for (let i = 0; i < h.length; i += 2) pairs.push([h[i]!, h[i + 1]!]);
            const nullBody = NULL_BODY.has(status) || request.method === 'HEAD';
            resolveResponse(new Response(nullBody ? null : body, { status, statusText, headers: pairs }));
          },
          async write(chunk) {
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 1) <= 0) await new Promise<void>((r) => (waitingForPull = r));
          },
          end() {
            try {
              controller.close();
            } catch {}
          },
          abort(reason) {
            if (!headSent) rejectResponse(new Error(`worker request failed: ${reason}`));
            try {
              controller.error(new Error(`worker response aborted: ${reason}`));
            } catch {}
          },
        });
      });
    },
    scheduled(cron = '* * * * *', scheduledTime = Date.now()) {
      return engine.scheduled(cron, scheduledTime);
    },
    async dispose() {
      engine.dispose();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
