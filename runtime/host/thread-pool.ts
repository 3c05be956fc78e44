// Request isolation on worker threads: isolates are created, run and disposed on a few
// `worker_threads` (one per core by default), each running its own WorkerEngine, so the thread
// that accepts connections only moves bytes. Creating an isolate from a snapshot is synchronous
// native work (~2–3 ms); on the ingress thread it would stall every other connection meanwhile.
//
// Per request the ingress thread posts the head, feeds the request body when the worker pulls it,
// and writes what comes back (head, chunks, end) to the ResponseSink, acknowledging each chunk
// once the sink took it (backpressure across the thread boundary: the worker keeps at most
// WINDOW_BYTES unacknowledged). Log records, limits and error responses are the worker engine's.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { WorkerBundle } from '../bundler/bundle.ts';
import { respondInParts, type EngineOptions, type EngineRequest, type ResponseSink } from './engine.ts';
import type { LogRecord, LogSink } from './log.ts';
import type { Outcome } from './outcomes.ts';
import { sharedPrelude } from './prelude.ts';
import { egressTlsDefaults } from './egress/connect.ts';

/** Serializable engine options (the log sink stays on this thread). */
export type ThreadEngineOptions = Omit<EngineOptions, 'log' | 'threads'>;

export type ToThread =
  | { t: 'engine'; id: number; bundle: WorkerBundle; options: ThreadEngineOptions }
  | { t: 'bundle'; id: number; bundle: WorkerBundle }
  | { t: 'drop'; id: number }
  | { t: 'prepare'; id: number; rid: number }
  | { t: 'req'; id: number; rid: number; method: string; url: string; headers: string[]; requestId?: string; hasBody: boolean; aborted: boolean }
  | { t: 'body'; rid: number; chunk: Uint8Array | null }
  | { t: 'body-error'; rid: number }
  | { t: 'ack'; rid: number; bytes: number }
  | { t: 'abort'; rid: number };

export type FromThread =
  | { t: 'head'; rid: number; status: number; statusText: string; headers: string[] }
  | { t: 'respond'; rid: number; status: number; statusText: string; headers: string[]; body: Uint8Array | undefined }
  | { t: 'chunk'; rid: number; chunk: Uint8Array }
  | { t: 'end'; rid: number }
  | { t: 'sink-abort'; rid: number; reason: string }
  | { t: 'pull'; rid: number }
  | { t: 'done'; rid: number; outcome: Outcome }
  | { t: 'prepared'; rid: number; info: { bytes: number; buildMs: number } | undefined }
  | { t: 'log'; id: number; record: LogRecord };

interface PendingRequest {
  sink: ResponseSink;
  body: AsyncIterator<Uint8Array> | undefined;
  owned: boolean;
  done: (outcome: Outcome) => void;
  thread: PoolThread;
  cleanup: () => void;
}

interface PoolThread {
  worker: Worker;
  inflight: number;
}

/** A chunk's memory can move to the other thread when it spans its whole (non-shared) buffer. */
function transferList(chunk: Uint8Array, owned: boolean): ArrayBuffer[] {
  return owned && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer
    ? [chunk.buffer]
    : [];
}

class ThreadPool {
  readonly threads: PoolThread[] = [];
  #nextRid = 1;
  #requests = new Map<number, PendingRequest>();
  #prepares = new Map<number, (info: { bytes: number; buildMs: number } | undefined) => void>();
  #logSinks = new Map<number, LogSink>();
  #engines = new Map<number, { bundle: WorkerBundle; options: ThreadEngineOptions }>();

  constructor(size: number, prelude: { code: string; hash: string }, snapshotBytes: ArrayBuffer, code: string | undefined) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(code ?? workerUrl, {
        ...(code !== undefined && { eval: true }),
        workerData: { prelude, snapshotBytes, settings: threadSettingsNow() } satisfies ThreadData,
        // Isolates report their memory themselves; the thread's own heap stays small.
        resourceLimits: { maxYoungGenerationSizeMb: 4 },
        stdout: false,
        stderr: false,
      });
      worker.unref();
      const thread: PoolThread = { worker, inflight: 0 };
      worker.on('message', (batch: FromThread[]) => {
        for (const m of batch) this.#onMessage(m);
      });
      worker.on('error', (e) => this.#onThreadFailure(thread, e));
      worker.on('exit', (code) => this.#onThreadFailure(thread, new Error(`worker thread exited (${code})`)));
      this.threads.push(thread);
    }
  }

  registerEngine(id: number, bundle: WorkerBundle, options: ThreadEngineOptions, log: LogSink): void {
    this.#logSinks.set(id, log);
    this.#engines.set(id, { bundle, options });
    this.#broadcast({ t: 'engine', id, bundle, options });
  }

  setBundle(id: number, bundle: WorkerBundle): void {
    const e = this.#engines.get(id);
    if (e) e.bundle = bundle;
    this.#broadcast({ t: 'bundle', id, bundle });
  }

  dropEngine(id: number): void {
    this.#engines.delete(id);
    this.#broadcast({ t: 'drop', id });
    // Log records of requests still finishing on the threads are still delivered, then dropped.
    setTimeout(() => this.#logSinks.delete(id), 60_000).unref();
  }

  async prepare(id: number): Promise<{ bytes: number; buildMs: number } | undefined> {
    const results = await Promise.all(this.threads.map((thread) => new Promise<{ bytes: number; buildMs: number } | undefined>((resolve) => {
      const rid = this.#nextRid++;
      this.#prepares.set(rid, resolve);
      thread.worker.postMessage({ t: 'prepare', id, rid } satisfies ToThread);
    })));
    return results[0];
  }

  #broadcast(m: ToThread): void {
    for (const thread of this.threads) thread.worker.postMessage(m);
  }

  /** The thread with the fewest requests in flight. */
  #pick(): PoolThread {
    let best = this.threads[0]!;
    for (const t of this.threads) if (t.inflight < best.inflight) best = t;
    return best;
  }

  handle(id: number, req: EngineRequest, sink: ResponseSink): Promise<Outcome> {
    const rid = this.#nextRid++;
    const thread = this.#pick();
    thread.inflight++;
    return new Promise<Outcome>((resolve) => {
      const onAbort = () => thread.worker.postMessage({ t: 'abort', rid } satisfies ToThread);
      req.signal.addEventListener('abort', onAbort, { once: true });
      const pending: PendingRequest = {
        sink,
        body: req.body ? req.body[Symbol.asyncIterator]() : undefined,
        owned: req.bodyOwned ?? false,
        thread,
        done: (outcome) => {
          pending.cleanup();
          resolve(outcome);
        },
        cleanup: () => {
          req.signal.removeEventListener('abort', onAbort);
          this.#requests.delete(rid);
          thread.inflight--;
        },
      };
      this.#requests.set(rid, pending);
      thread.worker.postMessage({
        t: 'req', id, rid, method: req.method, url: req.url, headers: req.headers, hasBody: req.body !== null,
        aborted: req.signal.aborted, ...(req.requestId !== undefined && { requestId: req.requestId }),
      } satisfies ToThread);
    });
  }

  #onMessage(m: FromThread): void {
    if (m.t === 'log') {
      this.#logSinks.get(m.id)?.(m.record);
      return;
    }
    if (m.t === 'prepared') {
      this.#prepares.get(m.rid)?.(m.info);
      this.#prepares.delete(m.rid);
      return;
    }
    const r = this.#requests.get(m.rid);
    if (!r) return;
    const post = (msg: ToThread, transfer: ArrayBuffer[] = []) => r.thread.worker.postMessage(msg, transfer);
    switch (m.t) {
      case 'head':
        r.sink.head(m.status, m.statusText, m.headers);
        break;
      case 'respond':
        if (r.sink.respond) r.sink.respond(m.status, m.statusText, m.headers, m.body);
        else respondInParts(r.sink, m.status, m.statusText, m.headers, m.body);
        break;
      case 'chunk': {
        const bytes = m.chunk.byteLength;
        r.sink.write(m.chunk).then(() => post({ t: 'ack', rid: m.rid, bytes }), () => post({ t: 'ack', rid: m.rid, bytes }));
        break;
      }
      case 'end':
        r.sink.end();
        break;
      case 'sink-abort':
        r.sink.abort(m.reason);
        break;
      case 'pull': {
        const body = r.body;
        if (!body) {
          post({ t: 'body', rid: m.rid, chunk: null });
          break;
        }
        body.next().then(
          (step) => {
            if (step.done) post({ t: 'body', rid: m.rid, chunk: null });
            else post({ t: 'body', rid: m.rid, chunk: step.value }, transferList(step.value, r.owned));
          },
          () => post({ t: 'body-error', rid: m.rid }),
        );
        break;
      }
      case 'done':
        r.done(m.outcome);
        break;
    }
  }

  #onThreadFailure(thread: PoolThread, e: Error): void {
    // A thread can only die of a bug in Isle (isolates are limited individually): fail its
    // requests loudly; the pool goes on with the others.
    const index = this.threads.indexOf(thread);
    if (index === -1) return;
    this.threads.splice(index, 1);
    for (const [rid, r] of this.#requests) {
      if (r.thread !== thread) continue;
      r.sink.abort(`internal error: ${e.message}`);
      r.done('internal');
      this.#requests.delete(rid);
    }
    for (const log of this.#logSinks.values()) {
      log({ time: Date.now(), kind: 'system', level: 'error', message: `isolate thread failed: ${e.message}` });
      break;
    }
    if (this.threads.length === 0) pool = undefined;
  }
}

const workerUrl = new URL('./thread-worker.ts', import.meta.url);

/**
 * The thread's code as one CommonJS script. Loading the TypeScript sources in each thread would
 * instantiate Node's type stripper there (~20 MB per thread); bundled, a thread costs ~25 MB.
 * isolated-vm stays external (a native addon), resolved from this directory.
 */
async function bundledWorkerCode(): Promise<string | undefined> {
  try {
    const result = await esbuild.build({
      entryPoints: [fileURLToPath(workerUrl)],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node24',
      external: ['isolated-vm'],
      define: { 'import.meta.url': JSON.stringify(workerUrl.href) },
      minifyWhitespace: true,
      keepNames: true,
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  } catch {
    return undefined;
  }
}

let pool: Promise<ThreadPool> | undefined;

/** Process-wide settings each isolate thread applies at start (its modules are its own). */
export interface ThreadSettings {
  /** The jailed host's egress broker socket: outbound fetch from the threads' isolates goes there too. */
  egressBroker?: string;
  /** Extra CAs trusted for outbound TLS (configureEgress's `tls`), as the main thread has them. */
  egressTls?: Pick<import('node:tls').ConnectionOptions, 'ca'>;
}

/** What a thread is started with (thread-worker.ts). */
export interface ThreadData {
  prelude: { code: string; hash: string };
  snapshotBytes: ArrayBuffer;
  settings: ThreadSettings;
}

let threadSettings: ThreadSettings = {};

function threadSettingsNow(): ThreadSettings {
  const tls = egressTlsDefaults();
  return { ...threadSettings, ...(tls && { egressTls: tls }) };
}

/** Sets what isolate threads apply at start; call before the pool is first used. */
export function configureIsolateThreads(settings: ThreadSettings): void {
  if (pool) throw new Error('isolate threads are already running');
  threadSettings = { ...settings };
}

/** Number of isolate threads when an engine asks for 'auto'. */
export function defaultThreadCount(): number {
  return Math.max(1, availableParallelism());
}

/** The process-wide pool of isolate threads (created on first use). */
export function isolateThreadPool(size: number): Promise<ThreadPool> {
  pool ??= Promise.all([sharedPrelude(), bundledWorkerCode()]).then(
    ([{ prelude, snapshot }, code]) => new ThreadPool(size, prelude, snapshot.copy() as ArrayBuffer, code),
  );
  return pool;
}

export type { ThreadPool };
