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

/** The process-wide prelude and snapshot, built on first use. */
export function sharedPrelude(): Promise<{ prelude: Prelude; snapshot: ExternalCopy<ArrayBuffer> }> {
  shared ??= buildPrelude().then((prelude) => ({ prelude, snapshot: createPreludeSnapshot(prelude) }));
  return shared;
}
