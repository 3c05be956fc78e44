// WorkerEngine: runs one tenant bundle's requests, each in a fresh isolate (`request` isolation)
// or all in one warm isolate (`tenant` isolation, as workerd does), enforcing the limits.
// Used by `worker dev`, `worker serve`'s host, the programmatic API and the WPT runner.
import { randomUUID } from 'node:crypto';
import type { WorkerBundle } from '../bundler/bundle.ts';
import type { Limits } from '../config/limits.ts';
import { LoadedBundle, StartupError, type ErrorInfo } from './loaded-bundle.ts';
import { createLogger, type LogSink, type Logger } from './log.ts';
import { bodySourceFromIterable, registerBodySource } from './ops/body.ts';
import { resetSubrequestCount } from './ops/outbound-fetch.ts';
import { sharedPrelude } from './prelude.ts';
import { IsolateSession } from './session.ts';
import { errorResponse, limitMessage, type Outcome } from './outcomes.ts';
import { watchCpu } from './watchdog.ts';
import { defaultThreadCount, isolateThreadPool, type ThreadPool } from './thread-pool.ts';

let nextEngineId = 1;

export type Isolation = 'request' | 'tenant';

export interface EngineOptions {
  isolation: Isolation;
  limits: Limits;
  env: Record<string, unknown>;
  /** Development mode: error responses show the message and source-mapped stack. */
  dev: boolean;
  allowEgress: string[];
  log: LogSink;
  tenant?: string;
  /**
   * Debugging (`worker dev --inspect`): isolates get V8's inspector, and each new one is handed to
   * this hook after boot and before the bundle's top level runs.
   */
  inspector?: (session: IsolateSession, bundle: WorkerBundle) => void;
  /**
   * `request` isolation: isolates are made, run and disposed on this many worker threads (the
   * calling thread then only moves bytes); 'auto': one per core; 0 or absent: on the calling thread.
   */
  threads?: number | 'auto';
  /**
   * `request` isolation: isolates kept ready (booted, top level run, from the per-version
   * snapshot) ahead of demand, each used for exactly one request; refilled after responses.
   */
  prewarm?: number;
}

export interface EngineRequest {
  method: string;
  url: string;
  /** Flat name/value list as received (repeated names kept). */
  headers: string[];
  body: AsyncIterable<Uint8Array> | null;
  /** The body's chunks belong to the engine once read (socket reads), so they can move into the isolate. */
  bodyOwned?: boolean;
  /** Aborts when the client disconnects. */
  signal: AbortSignal;
  requestId?: string;
}

/** Where a response goes (node:http adapter, the programmatic API, tests). */
export interface ResponseSink {
  head(status: number, statusText: string, headers: string[]): void;
  /** Resolves when the sink can take more (backpressure). */
  write(chunk: Uint8Array): Promise<void>;
  end(): void;
  /** The response cannot be completed (limit hit or error mid-body): abort the connection. */
  abort(reason: string): void;
  /**
   * Optional: a whole response at once (head and a body known up front, none for HEAD or a
   * null-body status), instead of head + write + end; lets the sink send it with one write.
   */
  respond?(status: number, statusText: string, headers: string[], body: Uint8Array | undefined): void;
}

/** A whole response through a sink's streaming calls (for sinks without `respond`, or paths it defers). */
export function respondInParts(sink: ResponseSink, status: number, statusText: string, headers: string[], body: Uint8Array | undefined): void {
  sink.head(status, statusText, headers);
  // One chunk known whole: nothing to wait for before end().
  if (body && body.byteLength > 0) void sink.write(body).catch(() => {});
  sink.end();
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

interface RunState {
  requestId: string;
  key: number;
  session: IsolateSession | undefined;
  outcome: Outcome;
  headSent: boolean;
  status: number;
  cpuStartNs: bigint;
  error?: ErrorInfo;
  /** Rejects when a limit ends the request; every wait on the isolate races it. */
  terminated: Promise<never>;
  terminate: (e: Error) => void;
}

class LimitExceeded extends Error {}

export class WorkerEngine {
  #bundle: LoadedBundle;
  #options: EngineOptions;
  #nextKey = 1;
  /** Requests running in the shared isolate (`tenant` isolation). */
  #sharedInFlight = 0;
  #tenantSession: Promise<IsolateSession> | undefined;
  #disposed = false;
  /** Set when requests run on isolate threads (thread-pool.ts). */
  #pool: Promise<ThreadPool> | undefined;
  readonly #id = nextEngineId++;
  /** Isolates made ahead of demand for the current bundle (request isolation, `prewarm`). */
  #spares: { bundle: LoadedBundle; session: IsolateSession }[] = [];
  #filling = 0;
  readonly log: Logger;

  constructor(bundle: WorkerBundle, options: EngineOptions) {
    this.#bundle = new LoadedBundle(bundle);
    this.#options = options;
    this.log = createLogger(options.log, { ...(options.tenant && { tenant: options.tenant }) });
    const threads = options.threads === 'auto' ? defaultThreadCount() : options.threads ?? 0;
    // A debugger attaches to isolates on this thread (the inspector hook): no isolate threads then.
    if (options.isolation === 'request' && threads > 0 && !options.inspector) {
      const { log, threads: _threads, inspector: _inspector, ...serializable } = options;
      this.#pool = isolateThreadPool(threads).then((pool) => {
        pool.registerEngine(this.#id, bundle, serializable, log);
        return pool;
      });
    }
  }

  /** Paths the current per-version snapshot was warmed with besides `/`, learned from traffic (this thread's engine). */
  get warmedPaths(): readonly string[] {
    return this.#bundle.warmedPaths;
  }

  get bundleId(): string {
    return this.#bundle.id;
  }

  get options(): Readonly<EngineOptions> {
    return this.#options;
  }

  /**
   * Builds the current bundle's per-version snapshot (prelude + bundle, compiled and warmed) now
   * instead of on first use. Requests are served without it until it is ready; a bundle that
   * cannot have one (its warm-up does not settle, or throws) is served from the prelude snapshot.
   */
  async prepare(): Promise<{ bytes: number; buildMs: number } | undefined> {
    if (this.#pool) return (await this.#pool).prepare(this.#id);
    const v = await this.#bundle.buildVersionSnapshot();
    this.#refill();
    return v && { bytes: v.bytes, buildMs: v.buildMs };
  }

  /** Swaps in a new build; requests already running finish on the old one. */
  setBundle(bundle: WorkerBundle): void {
    this.#bundle = new LoadedBundle(bundle);
    this.#dropSpares();
    void this.#pool?.then((pool) => pool.setBundle(this.#id, bundle));
    this.#dropTenantSession();
  }

  /** Starts a throwaway isolate and runs the bundle's top level: throws StartupError if it fails. */
  async validate(): Promise<void> {
    const session = await this.#newSession(`validate-${randomUUID().slice(0, 8)}`, this.log);
    try {
      await this.#bundle.instantiate(session, this.#options.limits.startupMs);
    } finally {
      session.dispose();
    }
  }

  /** Starts the shared isolate now instead of on the first request (`tenant` isolation only). */
  async warm(): Promise<void> {
    if (this.#options.isolation === 'tenant' && !this.#disposed) await this.#sharedSession();
  }

  dispose(): void {
    if (!this.#disposed) void this.#pool?.then((pool) => pool.dropEngine(this.#id));
    this.#disposed = true;
    this.#dropSpares();
    this.#dropTenantSession();
  }

  #dropSpares(): void {
    for (const s of this.#spares.splice(0)) s.session.dispose();
  }

  /** A ready isolate of the current bundle, given this request's id and logger; undefined if none. */
  #takeSpare(requestId: string, log: Logger): IsolateSession | undefined {
    while (this.#spares.length > 0) {
      const spare = this.#spares.shift()!;
      if (spare.bundle !== this.#bundle || spare.session.disposed) {
        spare.session.dispose();
        continue;
      }
      spare.session.id = requestId;
      spare.session.log = log;
      return spare.session;
    }
    return undefined;
  }

  /**
   * Tops up the ready isolates, one at a time, each after the event loop had a turn (a response
   * being sent is never delayed by it). Only from the per-version snapshot: the isolate is then
   * ready but for the request itself.
   */
  #refill(): void {
    const target = this.#options.prewarm ?? 0;
    if (target <= 0 || this.#disposed || this.#options.isolation !== 'request' || this.#options.inspector) return;
    if (this.#spares.length + this.#filling >= target) return;
    const bundle = this.#bundle;
    if (!bundle.versionSnapshot()) return;
    this.#filling++;
    setImmediate(() => {
      this.#loadedSession(`ready-${this.#id}`, this.log).then((session) => {
        this.#filling--;
        if (this.#disposed || bundle !== this.#bundle) session.dispose();
        else {
          this.#spares.push({ bundle, session });
          this.#refill();
        }
      }, () => {
        // A worker that fails to start is reported by the request that needs it.
        this.#filling--;
      });
    });
  }

  #dropTenantSession(): void {
    const old = this.#tenantSession;
    this.#tenantSession = undefined;
    // In-flight requests of the old isolate keep it until they finish; it is disposed after a grace.
    old?.then((s) => setTimeout(() => s.dispose(), this.#options.limits.wallMs).unref(), () => {});
  }

  async #newSession(id: string, log: Logger, bundle?: LoadedBundle): Promise<IsolateSession> {
    // With a bundle: its per-version snapshot when built (the isolate starts with the bundle loaded).
    // Not under a debugger: the inspector hook must see the isolate before the top level runs.
    const version = this.#options.inspector ? undefined : bundle?.versionSnapshot();
    const snapshot = version ? version.snapshot : (await sharedPrelude()).snapshot;
    const startupMs = this.#options.limits.startupMs;
    let session: IsolateSession;
    try {
      session = await IsolateSession.create({
        snapshot,
        memoryMb: this.#options.limits.memoryMb,
        id,
        log,
        config: {
          subrequestLimit: this.#options.limits.subrequests,
          allowEgress: this.#options.allowEgress,
          ...(this.#options.tenant !== undefined && { tenant: this.#options.tenant }),
        },
        boot: { env: this.#options.env, dev: this.#options.dev },
        ...(version && { start: { startupMs } }),
        ...(this.#options.inspector && { inspector: true }),
      });
    } catch (e) {
      if (version && bundle) throw bundle.startFailure({ isolate: { isDisposed: false } }, e, startupMs);
      throw e;
    }
    const mapper = (bundle ?? this.#bundle).mapper;
    session.stackMapper = (stack) => mapper.mapStack(stack);
    this.#options.inspector?.(session, (bundle ?? this.#bundle).bundle);
    if (session.started) {
      try {
        bundle!.checkStarted(session.started);
      } catch (e) {
        session.dispose();
        throw e;
      }
    }
    return session;
  }

  async #loadedSession(id: string, log: Logger): Promise<IsolateSession> {
    const bundle = this.#bundle;
    const session = await this.#newSession(id, log, bundle);
    if (session.started) return session;
    try {
      await bundle.instantiate(session, this.#options.limits.startupMs);
    } catch (e) {
      session.dispose();
      throw e;
    }
    return session;
  }

  #sharedSession(): Promise<IsolateSession> {
    if (this.#tenantSession) {
      const existing = this.#tenantSession;
      return existing.then((s) => {
        if (!s.disposed) return s;
        if (this.#tenantSession === existing) this.#tenantSession = undefined;
        return this.#sharedSession();
      });
    }
    const created = this.#loadedSession(`tenant-${this.#bundle.id}`, this.log);
    this.#tenantSession = created;
    created.catch(() => {
      if (this.#tenantSession === created) this.#tenantSession = undefined;
    });
    return created;
  }

  /**
   * Runs the worker's `scheduled` handler (cron trigger) under the same limits as a request, in a
   * fresh isolate in `request` isolation. Resolves with the outcome; failures are logged.
   */
  async scheduled(cron: string, scheduledTime: number): Promise<Outcome> {
    const requestId = randomUUID();
    const log = createLogger(this.#options.log, { requestId, ...(this.#options.tenant && { tenant: this.#options.tenant }) });
    const limits = this.#options.limits;
    const perRequest = this.#options.isolation === 'request';
    let session: IsolateSession | undefined;
    let outcome: Outcome = 'ok';
    const { promise: terminated, reject: terminate } = Promise.withResolvers<never>();
    terminated.catch(() => {});
    const end = (reason: 'cpu' | 'wall') => {
      outcome = reason;
      session?.dispose(reason);
      terminate(new LimitExceeded(reason));
    };
    const wallTimer = setTimeout(() => end('wall'), limits.wallMs);
    let stopCpuWatch = () => {};
    const started = performance.now();
    try {
      session = await Promise.race([perRequest ? this.#loadedSession(requestId, log) : this.#sharedSession(), terminated]);
      const s = session;
      const cpuStart = s.isolate.cpuTime;
      stopCpuWatch = watchCpu(s.isolate, cpuStart, limits.cpuMs, () => end('cpu'));
      const result = await Promise.race([s.callIsolate('scheduled', { cron, scheduledTime }), terminated]);
      if (!result.ok) {
        outcome = 'exception';
        const info = this.#bundle.mapError(result.error);
        log.tenant('error', `Uncaught (in scheduled) ${info.stack || `${info.name}: ${info.message}`}`);
      }
    } catch (e) {
      if (outcome === 'ok') {
        if (e instanceof StartupError) outcome = 'startup';
        else if (session?.isolate.isDisposed) outcome = 'memory';
        else outcome = 'internal';
      }
      log.system(outcome === 'internal' ? 'error' : 'warn',
        outcome === 'startup' ? `Worker failed to start: ${(e as StartupError).info.stack}` : limitMessage(outcome, limits) + (outcome === 'internal' ? ` ${String(e)}` : ''));
    } finally {
      clearTimeout(wallTimer);
      stopCpuWatch();
      if (perRequest) session?.dispose();
      log.system(outcome === 'ok' ? 'info' : 'warn', `scheduled "${cron}" ${outcome} ${(performance.now() - started).toFixed(1)}ms`);
    }
    return outcome;
  }

  /** Serves one request into `sink`. Never throws: every failure becomes a response or an abort. */
  async handle(req: EngineRequest, sink: ResponseSink): Promise<Outcome> {
    if (this.#pool && !this.#disposed) return (await this.#pool).handle(this.#id, req, sink);
    const requestId = req.requestId ?? randomUUID();
    const started = performance.now();
    const log = createLogger(this.#options.log, { requestId, ...(this.#options.tenant && { tenant: this.#options.tenant }) });
    const { promise: terminated, reject: terminate } = Promise.withResolvers<never>();
    terminated.catch(() => {});
    const state: RunState = {
      requestId, key: this.#nextKey++, session: undefined, outcome: 'ok', headSent: false, status: 0, cpuStartNs: 0n,
      terminated, terminate,
    };
    const limits = this.#options.limits;
    const perRequest = this.#options.isolation === 'request';
    let stopCpuWatch = () => {};
    const wallTimer = setTimeout(() => this.#terminate(state, 'wall', perRequest), limits.wallMs);
    const onClientAbort = () => {
      if (state.outcome === 'ok') state.outcome = 'client-abort';
      state.session?.callIsolate('abort', state.key, 'The client disconnected.').catch(() => {});
    };
    req.signal.addEventListener('abort', onClientAbort, { once: true });
    let countedShared = false;
    try {
      if (this.#disposed) throw new Error('engine disposed');
      // A small body with a declared length is read before the isolate is involved: it then travels
      // with the request head (one isolate call) and the tenant reads it without a stream.
      const inlineBody = req.body ? await readSmallBody(req, state.terminated) : undefined;
      if (perRequest) this.#bundle.noteRequest(req.method, req.url);
      state.session = (perRequest ? this.#takeSpare(requestId, log) : undefined) ?? await Promise.race([
        perRequest ? this.#loadedSession(requestId, log) : this.#sharedSession(),
        state.terminated,
      ]);
      const session = state.session;
      if (!perRequest) {
        // One isolate serves many requests: the subrequest budget restarts whenever it is idle.
        if (this.#sharedInFlight === 0) resetSubrequestCount(session);
        this.#sharedInFlight++;
        countedShared = true;
      }
      state.cpuStartNs = session.isolate.cpuTime;
      stopCpuWatch = watchCpu(session.isolate, state.cpuStartNs, limits.cpuMs, () => this.#terminate(state, 'cpu', true));
      if (req.signal.aborted && state.outcome === 'ok') state.outcome = 'client-abort';
      await this.#exchange(req, sink, state, session, inlineBody);
    } catch (e) {
      this.#fail(state, e, sink, log);
    } finally {
      if (countedShared) this.#sharedInFlight--;
      clearTimeout(wallTimer);
      stopCpuWatch();
      req.signal.removeEventListener('abort', onClientAbort);
      const cpuMs = state.session && !state.session.isolate.isDisposed
        ? Number(state.session.isolate.cpuTime - state.cpuStartNs) / 1e6
        : 0;
      if (perRequest) {
        state.session?.dispose();
        this.#refill();
      }
      const url = safePath(req.url);
      log.access({ method: req.method, path: url, status: state.status, wallMs: performance.now() - started, cpuMs, outcome: state.outcome });
    }
    return state.outcome;
  }

  /** Waits for the isolate, unless a limit ends the request first. */
  #call<T>(state: RunState, session: IsolateSession, kind: string, ...args: unknown[]): Promise<T> {
    return Promise.race([session.callIsolate(kind, ...args), state.terminated]);
  }

  async #exchange(req: EngineRequest, sink: ResponseSink, state: RunState, session: IsolateSession, inlineBody?: Uint8Array): Promise<void> {
    const bodyId = req.body && !inlineBody
      ? registerBodySource(session, bodySourceFromIterable(req.body, req.bodyOwned ?? false, () => {}))
      : 0;
    // One call in with the whole head (and a small body); a small known response body comes back inline.
    const fetched = this.#call<any>(state, session, 'fetch', {
      key: state.key,
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyId,
      ...(inlineBody && { body: inlineBody }),
    });
    // A client that left before the isolate knew of the request: abort it now that it does (calls
    // into an isolate run in order, so this one finds the request registered).
    if (req.signal.aborted) session.callIsolate('abort', state.key, 'The client disconnected.').catch(() => {});
    const outcome = await fetched;
    if (!outcome.ok) {
      state.error = this.#bundle.mapError(outcome.error);
      throw new TenantException(state.error);
    }
    const noBody = req.method === 'HEAD' || NULL_BODY_STATUSES.has(outcome.status);
    state.status = outcome.status;
    if (outcome.body !== undefined && sink.respond && state.outcome !== 'client-abort') {
      // The whole response is here: one call, no per-chunk round trip.
      state.headSent = true;
      sink.respond(outcome.status, outcome.statusText, outcome.headers, noBody ? undefined : outcome.body);
      if (!outcome.finished) await this.#call(state, session, 'finish', state.key);
      return;
    }
    sink.head(outcome.status, outcome.statusText, outcome.headers);
    state.headSent = true;
    if (outcome.body !== undefined) {
      if (!noBody && outcome.body.byteLength > 0) await Promise.race([sink.write(outcome.body), state.terminated]);
    } else if (outcome.bodyId !== 0) {
      if (noBody) {
        await session.callIsolate('body.cancel', state.key, 'The response has no body.').catch(() => {});
      } else {
        for (;;) {
          if (state.outcome === 'client-abort') break;
          // The chunks the body had ready, at least one (runtime/api/worker/dispatch.ts readBody).
          const batch = await this.#call<Uint8Array[] | null>(state, session, 'body.read', state.key);
          if (batch === null) break;
          let written: Promise<void> = Promise.resolve();
          for (const chunk of batch) written = sink.write(chunk);
          await Promise.race([written, state.terminated]);
        }
      }
    }
    if (state.outcome === 'client-abort') sink.abort('client disconnected');
    else sink.end();
    // waitUntil work runs after the response, still bounded by the wall limit.
    if (!outcome.finished) await this.#call(state, session, 'finish', state.key);
  }

  #terminate(state: RunState, reason: 'cpu' | 'wall', disposeIsolate: boolean): void {
    if (state.outcome === 'ok' || state.outcome === 'client-abort') state.outcome = reason;
    const session = state.session;
    if (session) {
      if (disposeIsolate) session.dispose(reason);
      else session.callIsolate('abort', state.key, `The request exceeded its ${reason} limit.`).catch(() => {});
    }
    state.terminate(new LimitExceeded(reason));
  }

  #fail(state: RunState, e: unknown, sink: ResponseSink, log: Logger): void {
    const session = state.session;
    const limits = this.#options.limits;
    if (state.outcome === 'ok' || state.outcome === 'client-abort') {
      if (e instanceof StartupError) state.outcome = e.reason === 'memory' ? 'memory' : 'startup';
      else if (e instanceof TenantException) state.outcome = 'exception';
      else if (session?.terminationReason === 'cpu' || session?.terminationReason === 'wall') state.outcome = session.terminationReason;
      else if (e instanceof LimitExceeded) state.outcome = e.message as Outcome;
      else if (session?.isolate.isDisposed || /memory limit/i.test(String((e as Error)?.message))) state.outcome = 'memory';
      else if (state.outcome === 'client-abort' || e instanceof ClientAborted) {
        state.outcome = 'client-abort';
        return void sink.abort('client disconnected');
      }
      else state.outcome = 'internal';
    }
    const outcome = state.outcome;
    const error = e instanceof StartupError ? e.info : e instanceof TenantException ? e.info : undefined;
    if (outcome === 'exception' || outcome === 'startup') {
      log.tenant('error', `${outcome === 'startup' ? 'Worker failed to start: ' : 'Uncaught '}${error?.stack || `${error?.name}: ${error?.message}`}`);
    } else if (outcome === 'internal') {
      log.system('error', `request failed inside Isle: ${(e as Error)?.stack ?? String(e)}`);
    } else {
      log.system('warn', limitMessage(outcome, limits));
    }
    if (state.headSent) {
      sink.abort(outcome);
      return;
    }
    const response = errorResponse(outcome, { limits, dev: this.#options.dev, requestId: state.requestId, ...(error && { error }) });
    state.status = response.status;
    sink.head(response.status, response.statusText, response.headers);
    state.headSent = true;
    void sink.write(response.body).then(() => sink.end(), () => sink.end());
  }
}

class TenantException extends Error {
  readonly info: ErrorInfo;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.info = info;
  }
}

/** Bodies up to this size with a Content-Length are read up front and passed inline. */
const INLINE_REQUEST_BODY_MAX = 64 * 1024;

class ClientAborted extends Error {}

async function readSmallBody(req: EngineRequest, terminated: Promise<never>): Promise<Uint8Array | undefined> {
  let declared = -1;
  for (let i = 0; i < req.headers.length; i += 2) {
    if (req.headers[i]!.length === 14 && req.headers[i]!.toLowerCase() === 'content-length') declared = Number(req.headers[i + 1]);
  }
  if (!(declared >= 0 && declared <= INLINE_REQUEST_BODY_MAX)) return undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const read = (async () => {
    try {
      for await (const chunk of req.body!) {
        chunks.push(chunk);
        total += chunk.byteLength;
      }
    } catch {
      throw new ClientAborted('The client aborted the request body.');
    }
  })();
  await Promise.race([read, terminated]);
  if (chunks.length === 1 && chunks[0]!.byteOffset === 0 && chunks[0]!.byteLength === chunks[0]!.buffer.byteLength) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function safePath(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}
