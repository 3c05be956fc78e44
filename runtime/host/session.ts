// One isolate and its context, booted with the prelude's private host channel.
// A session is the unit that is disposed: its timers, sockets and keys go with it.
import { ivm, type Context, type ExternalCopy, type Isolate, type Reference } from './ivm.ts';
import { asyncOps, sendOps, syncOps } from './ops/index.ts';
import { forwardTaskRejection } from './ops/events.ts';
import { markTimeOrigin } from './ops/performance.ts';
import { TransferredBytes, type OpConfig, type OpContext } from './ops/types.ts';
import type { Logger } from './log.ts';

export interface BootConfig {
  env: Record<string, unknown>;
  dev: boolean;
}

export interface SessionInit {
  snapshot: ExternalCopy<ArrayBuffer>;
  memoryMb: number;
  id: string;
  log: Logger;
  config: OpConfig;
  boot: BootConfig;
  /**
   * The snapshot is a per-version snapshot holding the tenant bundle (prelude.ts): boot through
   * `__isle_start`, which also runs the bundle's top level (bounded by `startupMs`) and loads it.
   */
  start?: { startupMs: number };
  /** Enable V8's inspector on the isolate and its context (`worker dev --inspect`). */
  inspector?: boolean;
}

/** What `__isle_start` reported for a per-version snapshot: the dispatcher's 'load' result. */
export type StartResult = { ok: true; format: string } | { ok: false; error: { name: string; message: string; stack: string } };

const BOOT_KEY = '__isle_boot';
const START_KEY = '__isle_start';

/** How an op failure is described to the isolate, which rebuilds it as an error of its own realm. */
export function describeError(e: unknown): { name: string; message: string } {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/**
 * Makes op results safe to copy into an isolate. isolated-vm copies a typed array together with its
 * whole underlying ArrayBuffer, and Node's Buffers are often views into a shared 8 KiB or 64 KiB
 * pool: copying such a view would hand the tenant other requests' bytes. Every view that does not
 * span its whole buffer is replaced by an exact copy (recursively through arrays and plain objects).
 */
export function exactBytes(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (ArrayBuffer.isView(value)) {
    const view = value as ArrayBufferView;
    if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return value;
    const copy = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
    if (view instanceof DataView) return new DataView(copy);
    // Node's Buffer arrives in the isolate as a Uint8Array anyway; other typed arrays keep their type.
    const Ctor = Buffer.isBuffer(view) ? Uint8Array : (view.constructor as new (b: ArrayBuffer) => ArrayBufferView);
    return new Ctor(copy);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = exactBytes(value[i], depth + 1);
    return value;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = exactBytes(record[key], depth + 1);
  }
  return value;
}

/** Moves `bytes`' memory into the isolate (detaching it here); copies first if it is a view into a larger buffer. */
function transferable(bytes: Uint8Array) {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return new ivm.ExternalCopy(buffer as ArrayBuffer, { transferOut: true }).copyInto({ release: true });
}

/** Entry kind that wraps every host → isolate call, and the send op that carries its result (runtime/api/bridge/entry.ts). */
const CALL_KIND = '__call';
const RESULT_OP = '__result';

export class IsolateSession implements OpContext {
  readonly isolate: Isolate;
  /** Not readonly: an isolate made ahead of demand is given its request's id and logger when taken. */
  id: string;
  log: Logger;
  readonly config: OpConfig;
  #context!: Context;
  #entry!: Reference<(kind: string, ...args: unknown[]) => unknown>;
  #states = new Map<symbol, unknown>();
  #pendingCalls = new Map<number, PromiseWithResolvers<unknown>>();
  #nextCallId = 1;
  #disposers: (() => void)[] = [];
  #disposed = false;
  /** Why the isolate was ended by the host, when it was (limits): read by the request runner. */
  terminationReason: string | undefined;
  /** Set when the session booted from a per-version snapshot: the bundle is already loaded. */
  started: StartResult | undefined;
  /** Set once a bundle is loaded: maps its stack traces to the tenant's sources. */
  stackMapper: ((stack: string) => string) | undefined;

  mapStack(stack: string): string {
    return this.stackMapper ? this.stackMapper(stack) : stack;
  }

  #inspector: boolean;

  private constructor(init: SessionInit) {
    this.id = init.id;
    this.log = init.log;
    this.config = init.config;
    this.#inspector = init.inspector === true;
    this.isolate = new ivm.Isolate({
      snapshot: init.snapshot,
      memoryLimit: init.memoryMb,
      ...(this.#inspector && { inspector: true }),
      onCatastrophicError: (message) => {
        // V8 reported a fatal error in this isolate only; the host carries on.
        this.log.system('error', `isolate ${this.id} crashed: ${message}`);
      },
    });
    // performance.timeOrigin and Event.timeStamp count from the isolate's creation.
    markTimeOrigin(this);
  }

  static async create(init: SessionInit): Promise<IsolateSession> {
    const session = new IsolateSession(init);
    try {
      await session.#boot(init.boot, init.start);
    } catch (e) {
      session.dispose();
      throw e;
    }
    return session;
  }

  get context(): Context {
    return this.#context;
  }

  get disposed(): boolean {
    return this.#disposed || this.isolate.isDisposed;
  }

  async #boot(boot: BootConfig, start: SessionInit['start']): Promise<void> {
    this.#context = await this.isolate.createContext(this.#inspector ? { inspector: true } : {});
    const sync = new ivm.Callback((op: string, ...args: unknown[]) => this.#runSync(op, args));
    const async = new ivm.Callback((op: string, id: number, ...args: unknown[]) => this.#runAsync(op, id, args), { ignored: true });
    const send = new ivm.Callback((op: string, ...args: unknown[]) => this.#runSend(op, args), { ignored: true });
    const config = new ivm.ExternalCopy(boot).copyInto();
    if (start) {
      // One call: boot, the bundle's top level (under the startup limit) and 'load'.
      const startFn = this.#context.global.getSync(START_KEY, { reference: true }) as Reference<Function>;
      try {
        const pair = (await startFn.apply(undefined, [sync, async, send, config], {
          result: { reference: true },
          timeout: start.startupMs,
        })) as Reference<unknown[]>;
        this.#entry = pair.getSync(0, { reference: true }) as Reference<(kind: string, ...args: unknown[]) => unknown>;
        this.started = pair.getSync(1, { copy: true }) as StartResult;
        pair.release();
      } catch (e) {
        // Whether the isolate died (memory limit) must be read before create() disposes it.
        if (e && typeof e === 'object') Object.assign(e, { isolateDisposed: this.isolate.isDisposed });
        throw e;
      } finally {
        startFn.release();
      }
      return;
    }
    const bootFn = await this.#context.global.get(BOOT_KEY, { reference: true });
    this.#entry = (await bootFn.apply(undefined, [sync, async, send, config], {
      result: { reference: true },
    })) as Reference<(kind: string, ...args: unknown[]) => unknown>;
    bootFn.release();
  }

  #runSync(op: string, args: unknown[]): { ok: boolean; value: unknown } {
    const fn = syncOps.get(op);
    if (!fn) return { ok: false, value: { name: 'TypeError', message: `unknown host op ${op}` } };
    try {
      return { ok: true, value: exactBytes(fn(this, ...args)) };
    } catch (e) {
      return { ok: false, value: describeError(e) };
    }
  }

  #runAsync(op: string, id: number, args: unknown[]): void {
    const fn = asyncOps.get(op);
    const settle = (ok: boolean, value: unknown) => {
      if (this.disposed) return;
      // 'complete' never fails by itself: a failure is a promise rejected and left unhandled in that task.
      const completion = ok && value instanceof TransferredBytes
        ? this.callIsolateRaw('complete', [id, true, transferable(value.bytes), 'bytes'])
        : this.callIsolate('complete', id, ok, exactBytes(value));
      completion.catch((e: unknown) => forwardTaskRejection(this, e));
    };
    if (!fn) {
      settle(false, { name: 'TypeError', message: `unknown host op ${op}` });
      return;
    }
    Promise.resolve()
      .then(() => fn(this, ...args))
      .then((v) => settle(true, v), (e) => settle(false, describeError(e)));
  }

  #runSend(op: string, args: unknown[]): void {
    if (op === RESULT_OP) return this.#settleCall(args[0], args[1], args[2]);
    const fn = sendOps.get(op);
    if (!fn) return;
    try {
      fn(this, ...args);
    } catch (e) {
      this.log.system('warn', `host op ${op} failed: ${describeError(e).message}`);
    }
  }

  state<T>(key: symbol, init: () => T): T {
    if (!this.#states.has(key)) this.#states.set(key, init());
    return this.#states.get(key) as T;
  }

  onDispose(fn: () => void): void {
    if (this.#disposed) fn();
    else this.#disposers.push(fn);
  }

  /**
   * Calls `entry(kind, …args)` in the isolate; resolves with its (awaited) result, copied.
   *
   * The result comes back as a message ('__result'), not as the call's own promise: isolated-vm
   * fails a call whose task leaves a promise rejection unhandled, which would lose the result of a
   * perfectly good request. Such a failure is turned into an `unhandledrejection` event instead.
   */
  callIsolate(kind: string, ...args: unknown[]): Promise<any> {
    return this.#call(kind, args, true);
  }

  /** Like callIsolate, but passes transferables (References' derefInto, ExternalCopy.copyInto) as is. */
  callIsolateRaw(kind: string, args: unknown[]): Promise<any> {
    return this.#call(kind, args, false);
  }

  #call(kind: string, args: unknown[], copyArgs: boolean): Promise<any> {
    if (this.disposed) return Promise.reject(new Error('isolate disposed'));
    const callId = this.#nextCallId++;
    const pending = Promise.withResolvers<unknown>();
    this.#pendingCalls.set(callId, pending);
    const options = copyArgs ? { result: { promise: true as const }, arguments: { copy: true as const } } : { result: { promise: true as const } };
    this.#entry.apply(undefined, [CALL_KIND, callId, kind, ...(args as never[])], options).then(
      () => {},
      (e: unknown) => {
        // The isolate died (limits, dispose) or an argument could not be copied: the call fails.
        // Otherwise the task left a rejection unhandled: report it and keep waiting for the result.
        if (this.disposed || /could not be cloned/.test(String((e as Error)?.message))) {
          if (this.#pendingCalls.delete(callId)) pending.reject(e);
          // The result came back and the isolate was disposed right after (request isolation):
          // a rejection its task left unhandled is still reported (logged, the isolate being gone).
          else if (this.disposed && !/disposed/i.test(String((e as Error)?.message))) forwardTaskRejection(this, e);
        } else {
          forwardTaskRejection(this, e);
        }
      },
    );
    return pending.promise;
  }

  #disposeIsolate(): void {
    try {
      this.#entry?.release();
    } catch {}
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  #settleCall(callId: unknown, ok: unknown, value: unknown): void {
    const pending = this.#pendingCalls.get(callId as number);
    if (!pending) return;
    this.#pendingCalls.delete(callId as number);
    if (ok) pending.resolve(value);
    else {
      const info = (value ?? {}) as { name?: string; message?: string; stack?: string };
      pending.reject(Object.assign(new Error(info.message ?? 'isolate call failed'), { name: info.name ?? 'Error', isolateStack: info.stack }));
    }
  }

  /** Ends the isolate: any running code stops, pending calls reject, resources are released. */
  dispose(reason?: string): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (reason && !this.terminationReason) this.terminationReason = reason;
    const disposers = this.#disposers;
    this.#disposers = [];
    for (const fn of disposers) {
      try {
        fn();
      } catch (e) {
        this.log.system('warn', `cleanup failed: ${describeError(e).message}`);
      }
    }
    // Ending normally (the request's results arrived): the isolate goes on the next turn of the
    // event loop, once isolated-vm delivered what it still had queued for this thread (disposing
    // under such work leaks ~3 KB of native memory per request in isolated-vm 7). The isolate can
    // run nothing meanwhile: every host op answers a disposed session with nothing. Limits and
    // failures (a reason) end it at once.
    if (!reason && this.#pendingCalls.size === 0) setImmediate(() => this.#disposeIsolate());
    else this.#disposeIsolate();
    const calls = [...this.#pendingCalls.values()];
    this.#pendingCalls.clear();
    for (const pending of calls) pending.reject(new Error(`Isolate was disposed${reason ? ` (${reason})` : ''}`));
  }
}
