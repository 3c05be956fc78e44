// `// META:` headers of WPT `.any.js` files, and which of them Isle runs.
//
// Decisions (see wpt/README.md):
// - Only `*.any.js` files run: they are the ones WPT runs in worker-like and ShadowRealm scopes,
//   which is what an Isle isolate is (no DOM, no document). `*.worker.js` files are dedicated-worker
//   scripts that rely on `importScripts`/`postMessage`, which Isle does not have: not run.
// - A file runs when its `global=` set includes a non-window scope (worker, dedicatedworker,
//   sharedworker, serviceworker and their -module forms, shadowrealm*, jsshell) or when it has no
//   `global=` (WPT's default, window + dedicated worker). Window-only files are skipped.
// - `variant=` lines: each variant is a separate run, identified as `path?variant` (or `path#…`),
//   its query visible as `location.search` (and the fragment as `location.hash`), as in WPT.
// - `timeout=long` selects the long wall timeout.

export interface TestMeta {
  scripts: string[];
  globals: string[] | null;
  variants: string[];
  timeout: 'normal' | 'long';
  title: string | null;
}

const META_LINE = /^\/\/\s*META:\s*([a-z_-]+)=(.*)$/;

export function parseMeta(source: string): TestMeta {
  const meta: TestMeta = { scripts: [], globals: null, variants: [], timeout: 'normal', title: null };
  const lines = source.split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('//')) break; // META comments come first in the file
    const m = META_LINE.exec(line);
    if (!m) continue;
    const key = m[1]!;
    const value = m[2]!.trim();
    switch (key) {
      case 'script':
        meta.scripts.push(value);
        break;
      case 'global':
        meta.globals = value.split(',').map((g) => g.trim()).filter((g) => g !== '');
        break;
      case 'variant':
        meta.variants.push(value);
        break;
      case 'timeout':
        if (value === 'long') meta.timeout = 'long';
        break;
      case 'title':
        meta.title = value;
        break;
    }
  }
  return meta;
}

const NON_WINDOW_SCOPE = /^(worker|dedicatedworker|sharedworker|serviceworker)(-module)?$|^shadowrealm(-in-[a-z-]+)?$|^jsshell$/;

/** Whether Isle runs a file with these `global=` values. */
export function runsInIsle(globals: string[] | null): boolean {
  if (globals === null) return true;
  return globals.some((g) => NON_WINDOW_SCOPE.test(g));
}

/** The scope reported by `GLOBAL.isWorker()` / `isShadowRealm()`: a worker unless only ShadowRealm fits. */
export function scopeFor(globals: string[] | null): 'worker' | 'shadowrealm' {
  if (globals === null) return 'worker';
  const worker = globals.some((g) => /^(worker|dedicatedworker|sharedworker|serviceworker)(-module)?$|^jsshell$/.test(g));
  if (worker) return 'worker';
  return globals.some((g) => g.startsWith('shadowrealm')) ? 'shadowrealm' : 'worker';
}

/**
 * Resolves a `script=` path: absolute paths are from the WPT root, others relative to the test
 * file's directory. Returns a root-relative path without a leading slash, or null if it escapes.
 */
export function resolveScript(testPath: string, script: string): string | null {
  const clean = script.split(/[?#]/)[0]!;
  const parts = clean.startsWith('/') ? clean.split('/') : [...testPath.split('/').slice(0, -1), ...clean.split('/')];
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(p);
  }
  return out.join('/');
}

/** A variant id as WPT spells it: `path?query` or `path#fragment`, or the bare path. */
export function variantId(path: string, variant: string): string {
  return variant === '' ? path : path + variant;
}
