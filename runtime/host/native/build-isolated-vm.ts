// Builds isolated-vm from its own sources with Isle's patch (isolated-vm-patch.ts), against the
// headers of the pinned Node 24 (the npm `node` package ships them), into node_modules/isolated-vm/isle-build/.
// Run by `npm install` (postinstall) and by `npm run build:native`. Needs a C++ toolchain (g++,
// make, python3; node-gyp comes with npm) and no network.
//
// A failed build never fails the install: Isle then runs on the stock addon, and says so. With
// --strict (CI) it does fail, so a missing toolchain cannot slip by unnoticed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ISOLATED_VM_EDITS, PATCHED_ISOLATED_VM_VERSION, type SourceEdit } from './isolated-vm-patch.ts';
import { PATCHED_ADDON_DIR, PATCHED_ADDON_PATH, STAMP_PATH, installedIsolatedVm, patchedAddonMismatch, stampFor } from './patched-addon.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

class BuildSkipped extends Error {}

/** Headers of the Node that will load the addon: the pinned `node` package's, else this Node's own. */
function findNodeHeaders(): string {
  const candidates: string[] = [];
  try {
    const nodePkg = createRequire(join(projectRoot, 'package.json')).resolve('node/package.json');
    const arch = createRequire(nodePkg).resolve(`node-${process.platform}-${process.arch}/package.json`);
    candidates.push(dirname(arch));
  } catch {
    // not installed through npm's `node` package
  }
  candidates.push(resolve(dirname(process.execPath), '..'));
  for (const dir of candidates) {
    if (existsSync(join(dir, 'include/node/node_version.h')) && existsSync(join(dir, 'include/node/v8.h'))) return dir;
  }
  throw new BuildSkipped(`no Node headers found (looked in ${candidates.join(', ')})`);
}

function moduleVersion(nodeDir: string): string {
  const header = readFileSync(join(nodeDir, 'include/node/node_version.h'), 'utf8');
  const m = /#define NODE_MODULE_VERSION (\d+)/.exec(header);
  if (!m) throw new BuildSkipped('NODE_MODULE_VERSION not found in node_version.h');
  return m[1]!;
}

function findNodeGyp(): string {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new BuildSkipped('node-gyp not found (it comes with npm)');
}

/**
 * The environment for node-gyp, without npm configuration that would point it at other headers or
 * another target (an npmrc `nodedir=/usr` for the system Node, say, overrides --nodedir).
 */
function buildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|target_arch|arch|runtime|dist_?url|devdir|build_from_source)$/i.test(key)) delete env[key];
  }
  return env;
}

export function applyEdits(dir: string, edits: readonly SourceEdit[]): void {
  for (const edit of edits) {
    const path = join(dir, edit.file);
    const source = readFileSync(path, 'utf8');
    const at = source.indexOf(edit.find);
    if (at < 0 || source.indexOf(edit.find, at + 1) >= 0) {
      throw new BuildSkipped(`${edit.file} does not contain the patched text exactly once`);
    }
    writeFileSync(path, source.slice(0, at) + edit.replace + source.slice(at + edit.find.length));
  }
}

export function buildPatchedIsolatedVm(log: (line: string) => void): void {
  const ivm = installedIsolatedVm();
  if (ivm.version !== PATCHED_ISOLATED_VM_VERSION) {
    throw new BuildSkipped(`the patch is for isolated-vm ${PATCHED_ISOLATED_VM_VERSION}, ${ivm.version} is installed`);
  }
  const nodeDir = findNodeHeaders();
  const abi = moduleVersion(nodeDir);
  const nodeGyp = findNodeGyp();
  const work = join(projectRoot, 'node_modules/.cache/isle-isolated-vm');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const part of ['binding.gyp', 'package.json', 'src', 'vendor']) cpSync(join(ivm.dir, part), join(work, part), { recursive: true });
  applyEdits(work, ISOLATED_VM_EDITS);
  log(`building patched isolated-vm ${ivm.version} for Node ABI ${abi} (about a minute)…`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--release', `-j`, String(availableParallelism()), `--nodedir=${nodeDir}`], {
    cwd: work, encoding: 'utf8', maxBuffer: 64 << 20, env: buildEnv(),
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new BuildSkipped(`node-gyp failed${result.error ? ` (${result.error.message})` : ''}:\n${output}`);
  }
  mkdirSync(PATCHED_ADDON_DIR, { recursive: true });
  rmSync(STAMP_PATH, { force: true });
  copyFileSync(join(work, 'build/Release/isolated_vm.node'), PATCHED_ADDON_PATH);
  writeFileSync(STAMP_PATH, JSON.stringify(stampFor(abi), null, 2) + '\n');
  rmSync(work, { recursive: true, force: true });
  log(`patched isolated-vm built in ${((performance.now() - started) / 1000).toFixed(0)} s: ${PATCHED_ADDON_PATH}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const strict = process.argv.includes('--strict');
  const log = (line: string) => process.stderr.write(`[isle] ${line}\n`);
  if (!process.argv.includes('--force') && patchedAddonMismatch() === undefined) {
    log('patched isolated-vm is up to date');
  } else {
    try {
      buildPatchedIsolatedVm(log);
    } catch (e) {
      const reason = e instanceof BuildSkipped ? e.message : String((e as Error)?.stack ?? e);
      log(`patched isolated-vm not built: ${reason}`);
      log('Isle will run on the stock isolated-vm addon: correct, but each isolate costs ~1 ms more to create.');
      if (strict) process.exit(1);
    }
  }
}
