// The one place the host loads isolated-vm (a native addon; needs Node 24 started with
// --no-node-snapshot, which cli/bin/worker.js and the test config arrange).
//
// Isle's patched build (native/isolated-vm-patch.ts) is loaded when it was built for this process;
// otherwise, or with ISLE_ISOLATED_VM=stock, the stock addon. Both expose the same API; snapshots
// are made and used by the same addon within one process.
import { createRequire } from 'node:module';
import type ivmTypes from 'isolated-vm';
import { PATCHED_ADDON_PATH, patchedAddonMismatch } from './native/patched-addon.ts';

const require = createRequire(import.meta.url);

function load(): { ivm: typeof ivmTypes; build: 'patched' | 'stock'; why?: string } {
  const mismatch = process.env.ISLE_ISOLATED_VM === 'stock' ? 'ISLE_ISOLATED_VM=stock' : patchedAddonMismatch();
  if (mismatch === undefined) {
    try {
      return { ivm: (require(PATCHED_ADDON_PATH) as { ivm: typeof ivmTypes }).ivm, build: 'patched' };
    } catch (e) {
      return { ivm: require('isolated-vm') as typeof ivmTypes, build: 'stock', why: `patched addon failed to load: ${(e as Error).message}` };
    }
  }
  // Loaded through require: it is a CommonJS addon, and bundlers' ESM interop differs on its default.
  return { ivm: require('isolated-vm') as typeof ivmTypes, build: 'stock', why: mismatch };
}

const loaded = load();
export const ivm = loaded.ivm;
/** Which addon this process runs, and why not the patched one when it is not. */
export const ivmBuild: { build: 'patched' | 'stock'; why?: string } = { build: loaded.build, ...(loaded.why && { why: loaded.why }) };

export type Isolate = ivmTypes.Isolate;
export type Context = ivmTypes.Context;
export type Reference<T = unknown> = ivmTypes.Reference<T>;
export type ExternalCopy<T = unknown> = ivmTypes.ExternalCopy<T>;
