// A tenant bundle prepared for running: compiled once per version into a V8 code cache that every
// isolate's compile reuses, and its source map for stack traces.
import type { WorkerBundle } from '../bundler/bundle.ts';
import { ivm, type ExternalCopy } from './ivm.ts';
import { createVersionSnapshot, sharedPrelude, type VersionSnapshot } from './prelude.ts';
import type { IsolateSession } from './session.ts';
import { StackMapper } from './source-map.ts';

export interface ErrorInfo {
  name: string;
  message: string;
  stack: string;
}

export class StartupError extends Error {
  override name = 'StartupError';
  readonly info: ErrorInfo;
  readonly reason: 'exception' | 'timeout' | 'no-handler' | 'memory';
  constructor(info: ErrorInfo, reason: StartupError['reason']) {
    super(info.message);
    this.info = info;
    this.reason = reason;
  }
}

/** GET requests counted before the per-version snapshot is rebuilt with their paths warmed. */
const LEARN_REQUESTS = 64;
/** Distinct paths tracked while learning, and paths warmed at most. */
const LEARN_DISTINCT_MAX = 64;
const WARM_PATHS_MAX = 8;
const WARM_PATH_LENGTH_MAX = 256;

/** The path of an absolute URL, without query or fragment (those are never baked into a warm-up). */
function pathOf(url: string): string | undefined {
  const scheme = url.indexOf('://');
  if (scheme < 0) return undefined;
  const slash = url.indexOf('/', scheme + 3);
  if (slash < 0) return '/';
  let end = url.length;
  for (const c of ['?', '#']) {
    const at = url.indexOf(c, slash);
    if (at >= 0 && at < end) end = at;
  }
  return url.slice(slash, end);
}

export class LoadedBundle {
  readonly mapper: StackMapper;
  #cachedData: ExternalCopy<ArrayBuffer> | undefined;

  readonly bundle: WorkerBundle;
  #version: VersionSnapshot | undefined;
  #versionState: 'none' | 'building' | 'ready' | 'unavailable' = 'none';
  #versionReady: Promise<VersionSnapshot | undefined> | undefined;
  /** GET paths seen since the snapshot was built (request isolation), until it is rebuilt once. */
  #seen = new Map<string, number>();
  #seenCount = 0;
  #learned = false;
  /** Paths the current per-version snapshot was warmed with, besides `/`. */
  warmedPaths: readonly string[] = [];

  constructor(bundle: WorkerBundle) {
    this.bundle = bundle;
    this.mapper = new StackMapper(bundle.map, bundle.filename);
  }

  get id(): string {
    return this.bundle.id;
  }

  /**
   * The per-version snapshot (prelude + this bundle, warmed), once built; undefined until then or
   * when this bundle cannot have one. The first call starts the build in the background.
   */
  versionSnapshot(): VersionSnapshot | undefined {
    if (this.#versionState === 'none') void this.buildVersionSnapshot();
    return this.#version;
  }

  /** Builds the per-version snapshot (once); resolves undefined when the bundle cannot have one. */
  buildVersionSnapshot(): Promise<VersionSnapshot | undefined> {
    this.#versionReady ??= (async () => {
      this.#versionState = 'building';
      const { prelude, snapshot } = await sharedPrelude();
      // Off the current request's critical path (the snapshot itself blocks this thread ~70 ms).
      await new Promise((r) => setImmediate(r));
      let built: VersionSnapshot | undefined;
      try {
        built = await createVersionSnapshot(prelude, snapshot, this.bundle);
      } catch {
        built = undefined;
      }
      this.#version = built;
      this.#versionState = built ? 'ready' : 'unavailable';
      return built;
    })();
    return this.#versionReady;
  }

  /**
   * Learns from traffic which code to warm: the per-version snapshot is first warmed with a GET of
   * `/` only, so the code behind other routes is compiled in every isolate that runs it (a 200 KB
   * hono app: 7.5 ms per request instead of 4.5). After LEARN_REQUESTS GETs, the snapshot is rebuilt
   * once with the most requested paths warmed too (path only: no query, no headers, no body; the
   * warm-up runs against a host that refuses every op, in a context V8 discards). Requests go on
   * being served from the current snapshot meanwhile; a rebuild that fails changes nothing.
   */
  noteRequest(method: string, url: string): void {
    if (this.#learned || this.#versionState !== 'ready' || method !== 'GET') return;
    const path = pathOf(url);
    if (path === undefined || path.length > WARM_PATH_LENGTH_MAX) return;
    if (this.#seen.has(path) || this.#seen.size < LEARN_DISTINCT_MAX) this.#seen.set(path, (this.#seen.get(path) ?? 0) + 1);
    if (++this.#seenCount < LEARN_REQUESTS) return;
    this.#learned = true;
    const paths = [...this.#seen].filter(([p]) => p !== '/').sort((a, b) => b[1] - a[1]).slice(0, WARM_PATHS_MAX).map(([p]) => p);
    this.#seen.clear();
    if (paths.length > 0) void this.#rebuildWarmed(paths);
  }

  async #rebuildWarmed(paths: string[]): Promise<void> {
    const { prelude, snapshot } = await sharedPrelude();
    await new Promise((r) => setImmediate(r));
    try {
      const built = await createVersionSnapshot(prelude, snapshot, this.bundle, 1000, paths);
      if (built) {
        this.#version = built;
        this.warmedPaths = paths;
      }
    } catch {
      // keep serving from the snapshot warmed with `/`
    }
  }

  /** Failure of `IsolateSession.create` with `start` (per-version snapshot): boot ran the top level. */
  startFailure(session: { isolate: { isDisposed: boolean } }, e: unknown, startupMs: number): StartupError {
    const disposed = (e as { isolateDisposed?: boolean })?.isolateDisposed ?? session.isolate.isDisposed;
    return this.#startupFailure({ isolate: { isDisposed: disposed } }, e, startupMs);
  }

  /** The 'load' result reported by a per-version snapshot's start: throws StartupError when it failed. */
  checkStarted(result: { ok: boolean; error?: ErrorInfo }): void {
    if (!result.ok) throw new StartupError(this.mapError(result.error!), 'no-handler');
  }

  /** Compiles and runs the bundle's top level in `session`, then hands its exports to the dispatcher. */
  async instantiate(session: IsolateSession, startupMs: number): Promise<{ format: string }> {
    const script = await session.isolate.compileScript(this.bundle.code, {
      filename: this.bundle.filename,
      ...(this.#cachedData ? { cachedData: this.#cachedData } : { produceCachedData: true }),
    });
    const produced = (script as { cachedData?: ExternalCopy<ArrayBuffer> }).cachedData;
    if (!this.#cachedData && produced) this.#cachedData = produced;
    let exportsRef;
    try {
      exportsRef = await script.run(session.context, { reference: true, timeout: startupMs });
    } catch (e) {
      throw this.#startupFailure(session, e, startupMs);
    } finally {
      script.release();
    }
    const loaded = await session.callIsolateRaw('load', [exportsRef.derefInto()]);
    exportsRef.release();
    if (!loaded.ok) throw new StartupError(this.mapError(loaded.error), 'no-handler');
    return { format: loaded.format };
  }

  #startupFailure(session: { isolate: { isDisposed: boolean } }, e: unknown, startupMs: number): StartupError {
    const err = e as Error;
    if (/timed out/i.test(err.message)) {
      return new StartupError(
        { name: 'Error', message: `The worker's top level did not finish within ${startupMs} ms.`, stack: '' },
        'timeout',
      );
    }
    if (session.isolate.isDisposed || /memory limit/i.test(err.message)) {
      return new StartupError({ name: 'RangeError', message: `The worker's top level exceeded the memory limit.`, stack: '' }, 'memory');
    }
    return new StartupError(this.mapError({ name: err.name, message: err.message, stack: err.stack ?? '' }), 'exception');
  }

  /** Source-maps a tenant error's stack. */
  mapError(info: ErrorInfo): ErrorInfo {
    return { ...info, stack: this.mapper.mapStack(info.stack) };
  }
}

