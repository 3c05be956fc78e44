// Builds the in-isolate prelude (runtime/api/) into one script and its V8 startup snapshot.
// Built once per host process start (~0.2 s); every isolate is then created from the snapshot,
// so no isolate ever parses the prelude.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ivm, type ExternalCopy } from './ivm.ts';
import { WARMUP_SCRIPT } from './warmup.ts';

const apiEntry = fileURLToPath(new URL('../api/index.ts', import.meta.url));

export interface Prelude {
  code: string;
  /** Content hash: part of every cache key derived from the prelude (code caches, snapshots). */
  hash: string;
}

export async function buildPrelude(): Promise<Prelude> {
  const result = await esbuild.build({
    entryPoints: [apiEntry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2023',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    // Whitespace and syntax only: identifier minification would rename classes. Scope hoisting
    // still renames colliding names (`URL` → `_URL`), so keepNames pins every class's `.name`.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  return { code, hash: createHash('sha256').update(code).digest('hex').slice(0, 16) };
}

export const PRELUDE_FILENAME = 'isle:prelude.js';

export function createPreludeSnapshot(prelude: Prelude, extraScripts: { code: string; filename: string }[] = []): ExternalCopy<ArrayBuffer> {
  return ivm.Isolate.createSnapshot(
    [{ code: prelude.code, filename: PRELUDE_FILENAME }, ...extraScripts],
    WARMUP_SCRIPT,
  );
}

let shared: Promise<{ prelude: Prelude; snapshot: ExternalCopy<ArrayBuffer> }> | undefined;

/**
 * Makes `prelude` (built elsewhere: the jailed host gets it from its supervisor, since building
 * needs esbuild's child process) the process-wide prelude. Call before the first sharedPrelude().
 */
export function usePrelude(prelude: Prelude): void {
  shared = Promise.resolve().then(() => ({ prelude, snapshot: createPreludeSnapshot(prelude) }));
}

/** The process-wide prelude and snapshot, built on first use. */
export function sharedPrelude(): Promise<{ prelude: Prelude; snapshot: ExternalCopy<ArrayBuffer> }> {
  shared ??= buildPrelude().then((prelude) => ({ prelude, snapshot: createPreludeSnapshot(prelude) }));
  return shared;
}

/**
 * Worker threads (thread-pool.ts) get the prelude and its snapshot from the main thread instead of
 * building them again: the snapshot's bytes are wrapped, not recomputed.
 */
export function adoptSharedPrelude(prelude: Prelude, snapshotBytes: ArrayBuffer): void {
  shared = Promise.resolve({ prelude, snapshot: new ivm.ExternalCopy(snapshotBytes) as ExternalCopy<ArrayBuffer> });
}

// ---------------------------------------------------------------------------------------------
// Per-version snapshots: the prelude AND one tenant bundle, with the bundle's code compiled and
// warmed by a throwaway request, so an isolate neither compiles the bundle nor runs cold code.
//
// The bundle's top level is NOT evaluated into the snapshot: it is baked as a function that
// `__isle_start` runs in every isolate, right after boot. So whatever the top level computes
// (random ids, keys, Date.now(), module state) is computed afresh per isolate, exactly as without
// the snapshot. Only compiled code (bytecode shared by every context of the isolate) survives from
// the warm-up, which runs in a context V8 discards (isolated-vm's "dirty" warm-up context), with a
// host whose every op fails: no side effect can leave the snapshot builder.

/** Global names used only between the snapshot's scripts and the host; each is deleted before tenant code runs. */
export const MAIN_KEY = '__isle_main';
export const START_KEY = '__isle_start';

const BANNER = '(function () {\n';
const FOOTER = /\n\}\)\(\);\n?$/;

/**
 * The bundle as a script that defines its top level as a function instead of running it. Only the
 * banner line changes (it holds no tenant code), so source maps and line numbers stay exact.
 * Undefined when the bundle is not in Isle's bundle format.
 */
export function deferredBundleScript(code: string): string | undefined {
  if (!code.startsWith(BANNER) || !FOOTER.test(code)) return undefined;
  // `[(function…)][0]`: the array keeps V8 from naming the function after the property (it stays
  // anonymous in stack traces, as the original IIFE), the parentheses make V8 compile it eagerly.
  return `globalThis.${MAIN_KEY} = [(function () {\n${code.slice(BANNER.length).replace(FOOTER, '\n})][0];\n')}`;
}

/**
 * Takes the prelude's boot and the deferred bundle off the global (at snapshot time, so neither is
 * a global property of the snapshot's context) and defines `__isle_start(sync, async, send, config)`:
 * boots, runs the bundle's top level, hands its exports to the dispatcher and returns
 * `[entry, loadResult]`. It deletes itself first, before any tenant code.
 */
export const START_SCRIPT = `(function () {
  'use strict';
  const g = globalThis;
  const boot = g.__isle_boot;
  const main = g.${MAIN_KEY};
  delete g.${MAIN_KEY};
  const start = function (sync, async, send, config) {
    delete g.${START_KEY};
    const entry = boot(sync, async, send, config);
    const exports = main();
    const out = [entry, entry('load', exports)];
    return out;
  };
  Object.defineProperty(g, '${START_KEY}', { value: start, writable: false, enumerable: false, configurable: true });
})();`;

/**
 * Run in the discarded warm-up context (and first, under a timeout, in a probe isolate): starts the
 * worker with a host that refuses every op, sends it a GET of each path (`/` first, then paths
 * learned from traffic, see LoadedBundle) and reads at most 16 body chunks of each. Whatever the
 * tenant does fails or is dropped there; only compiled bytecode is kept.
 */
export function versionWarmupScript(paths: readonly string[] = []): string {
  const urls = ['http://localhost/', ...paths.filter((p) => p !== '/').map((p) => `http://localhost${p}`)];
  return `(function () {
  const refuse = function () { return { ok: false, value: { name: 'Error', message: 'not available while the worker is being prepared' } }; };
  const ignore = function () {};
  let started;
  try {
    started = globalThis.${START_KEY}(refuse, ignore, ignore, { env: {}, dev: false });
  } catch (e) {
    return;
  }
  const entry = started[0];
  if (!started[1] || started[1].ok !== true) return;
  const urls = ${JSON.stringify(urls)};
  for (let i = 0; i < urls.length; i++) {
    const key = i + 1;
    let reads = 0;
    const pump = function () {
      if (++reads > 16) return;
      entry('body.read', key).then(function (chunk) {
        if (chunk !== null) pump();
        else entry('finish', key);
      }, ignore);
    };
    try {
      entry('fetch', { key: key, method: 'GET', url: urls[i], headers: ['host', 'localhost', 'accept', '*/*'], bodyId: 0 })
        .then(function (o) { if (o && o.ok && o.bodyId) pump(); }, ignore);
    } catch (e) {}
  }
})();`;
}

export interface VersionSnapshot {
  snapshot: ExternalCopy<ArrayBuffer>;
  bytes: number;
  buildMs: number;
}

/**
 * Builds the per-version snapshot of `bundle`, or returns undefined when the bundle cannot be baked
 * safely. The warm-up runs tenant code inside the snapshot builder, which has no time limit, so it
 * is first run in an ordinary isolate (same scripts, same refusing host) under `probeMs`: a bundle
 * whose top level or warm-up requests do not settle in time is served without one.
 */
export async function createVersionSnapshot(
  prelude: Prelude,
  preludeSnapshot: ExternalCopy<ArrayBuffer>,
  bundle: { code: string; filename: string },
  probeMs = 1000,
  warmPaths: readonly string[] = [],
): Promise<VersionSnapshot | undefined> {
  const warmup = versionWarmupScript(warmPaths);
  const deferred = deferredBundleScript(bundle.code);
  if (deferred === undefined) return undefined;
  const started = performance.now();
  const probe = new ivm.Isolate({ snapshot: preludeSnapshot, memoryLimit: 128 });
  try {
    // Exceptions of the tenant (e.g. a top level that needs the host) are caught by the warm-up
    // and only shorten it; what disqualifies is not settling in time (or the memory limit).
    // Asynchronous calls: the probe runs on isolated-vm's thread, never blocking this event loop.
    const context = await probe.createContext();
    const deadline = performance.now() + probeMs;
    const left = () => Math.max(1, Math.floor(deadline - performance.now()));
    await (await probe.compileScript(deferred, { filename: bundle.filename })).run(context, { timeout: left() });
    await context.eval(START_SCRIPT, { timeout: left() });
    await context.eval(warmup, { timeout: left() });
  } catch {
    return undefined;
  } finally {
    probe.dispose();
  }
  const snapshot = ivm.Isolate.createSnapshot(
    [
      { code: prelude.code, filename: PRELUDE_FILENAME },
      { code: deferred, filename: bundle.filename },
      { code: START_SCRIPT, filename: 'isle:start.js' },
    ],
    `${WARMUP_SCRIPT}\n${warmup}`,
  );
  return { snapshot, bytes: snapshot.copy().byteLength, buildMs: performance.now() - started };
}
