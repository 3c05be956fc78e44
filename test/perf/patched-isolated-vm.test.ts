// Isle's patched isolated-vm (runtime/host/native/): installed by `npm install`, loaded by ivm.ts,
// and doing what it is for — a new Isolate no longer deserializes its snapshot's scripts' context
// a second time for the library's own default context.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ivm, ivmBuild } from '../../runtime/host/ivm.ts';
import { applyEdits } from '../../runtime/host/native/build-isolated-vm.ts';

const MB = 1024 * 1024;
// Without a C++ toolchain `npm install` falls back to the stock addon (and says so): these tests
// skip then, as the jail tests do without bubblewrap; under CI (.ci/run builds it) they must run.
const expectPatched = ivmBuild.build === 'patched' || Boolean(process.env.CI);

function run(code: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', '--input-type=module', '-e', code], {
      cwd: process.cwd(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

describe('patched isolated-vm', () => {
  it.skipIf(!expectPatched)('is the addon this process runs (npm install builds it; `npm run build:native` rebuilds it)', () => {
    expect(ivmBuild, `the stock addon is in use: ${ivmBuild.why}`).toEqual({ build: 'patched' });
  });

  it.skipIf(!expectPatched)("a new Isolate leaves the snapshot's scripts' context alone until createContext()", () => {
    // ~200k objects, all in the scripts' context: several MB of heap once deserialized.
    const snapshot = ivm.Isolate.createSnapshot([
      { code: 'globalThis.rows = Array.from({ length: 200000 }, (_, i) => ({ i }));', filename: 'rows.js' },
    ]);
    const bare = new ivm.Isolate({ memoryLimit: 64 });
    const isolate = new ivm.Isolate({ memoryLimit: 64, snapshot });
    try {
      const bareHeap = bare.getHeapStatisticsSync().used_heap_size;
      const beforeContext = isolate.getHeapStatisticsSync().used_heap_size;
      const context = isolate.createContextSync();
      const afterContext = isolate.getHeapStatisticsSync().used_heap_size;
      // Stock isolated-vm deserializes the rows into its default context already: beforeContext would be ~5 MB over bare.
      expect(beforeContext - bareHeap).toBeLessThan(1 * MB);
      expect(afterContext - beforeContext).toBeGreaterThan(3 * MB);
      expect(context.evalSync('rows.length + rows[199999].i')).toBe(399999);
      // Each context made from the snapshot is its own.
      context.evalSync('rows.length = 1');
      expect(isolate.createContextSync().evalSync('rows.length')).toBe(200000);
    } finally {
      isolate.dispose();
      bare.dispose();
    }
  });

  it('ISLE_ISOLATED_VM=stock runs the stock addon, with snapshots as before', async () => {
    const out = await run(
      `import { ivm, ivmBuild } from './runtime/host/ivm.ts';
       const s = ivm.Isolate.createSnapshot([{ code: 'globalThis.x = 41' }]);
       const i = new ivm.Isolate({ snapshot: s });
       console.log(ivmBuild.build, i.createContextSync().evalSync('x + 1'));`,
      { ISLE_ISOLATED_VM: 'stock' },
    );
    expect(out).toBe('stock 42');
  });

  it('the build refuses sources its patch does not match exactly once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'isle-ivm-patch-'));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, 'src/a.cc'), 'one\ntwo\none\n');
      expect(() => applyEdits(dir, [{ file: 'src/a.cc', find: 'three\n', replace: 'x' }])).toThrow(/exactly once/);
      expect(() => applyEdits(dir, [{ file: 'src/a.cc', find: 'one\n', replace: 'x' }])).toThrow(/exactly once/);
      applyEdits(dir, [{ file: 'src/a.cc', find: 'two\n', replace: 'TWO\n' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
