// Where the patched isolated-vm addon (isolated-vm-patch.ts) lives once built, and whether the one
// on disk was built from this patch, for this isolated-vm and for this Node's ABI. ivm.ts loads it
// only then; otherwise the stock addon runs (same API, slower isolate creation).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ISOLATED_VM_EDITS } from './isolated-vm-patch.ts';

/**
 * The installed isolated-vm package's directory and version. Resolved through Node's resolution
 * (not this file's location) so that every thread agrees, including those running a bundle of
 * this code: two different isolated-vm addons in one process corrupt each other's statics.
 */
export function installedIsolatedVm(): { dir: string; version: string } {
  const pkgPath = createRequire(import.meta.url).resolve('isolated-vm/package.json');
  return { dir: dirname(pkgPath), version: (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version };
}

// Inside the isolated-vm package: reinstalling the package removes a stale build with it, and the
// jail, which mounts each runtime dependency, sees it there.
export const PATCHED_ADDON_DIR = join(installedIsolatedVm().dir, 'isle-build');
export const PATCHED_ADDON_PATH = join(PATCHED_ADDON_DIR, 'isolated_vm.node');
/** What the build was made from (AddonStamp), next to the addon. */
export const STAMP_PATH = join(PATCHED_ADDON_DIR, 'stamp.json');

export interface AddonStamp {
  isolatedVm: string;
  patch: string;
  /** NODE_MODULE_VERSION of the headers it was built against. */
  abi: string;
  platform: string;
  arch: string;
}

export function patchHash(): string {
  return createHash('sha256').update(JSON.stringify(ISOLATED_VM_EDITS)).digest('hex').slice(0, 16);
}

/** The stamp an addon built now, for `abi`, would carry. */
export function stampFor(abi: string): AddonStamp {
  return { isolatedVm: installedIsolatedVm().version, patch: patchHash(), abi, platform: process.platform, arch: process.arch };
}

/** Why the built addon cannot be used in this process, or undefined when it can. */
export function patchedAddonMismatch(): string | undefined {
  if (!existsSync(PATCHED_ADDON_PATH) || !existsSync(STAMP_PATH)) return 'not built (npm run build:native)';
  let stamp: AddonStamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP_PATH, 'utf8')) as AddonStamp;
  } catch {
    return 'unreadable build stamp';
  }
  const want = stampFor(process.versions.modules);
  for (const key of Object.keys(want) as (keyof AddonStamp)[]) {
    if (stamp[key] !== want[key]) return `built for ${key} ${stamp[key]}, this process has ${want[key]}`;
  }
  return undefined;
}

