// What the jail mounts must be readable by the jail's uid. An app cloned under a 0700 home (as in
// CI) and a store under a 0700 data directory are not reachable by it, so the supervisor stages a
// readable view: hard links where possible, copies of files that uid could not read.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JailStage, permits, reachable, runtimeDependencies, sweepStaleStages, treeReadable } from '../../runtime/jail/stage.ts';
import { startServe, type ServeFixture } from '../support/serve.ts';
import { APP_ROOT, describeJail } from './support/fixture.ts';

const ROOT = process.getuid!() === 0;
const nobody = { uid: 65534, gid: 65534 };

describe.skipIf(!ROOT)('readability for the jail uid (as root)', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'isle-stage-unit-'));
    chmodSync(base, 0o755);
    mkdirSync(join(base, 'home/user/app/sub'), { recursive: true });
    chmodSync(join(base, 'home/user'), 0o700);
    writeFileSync(join(base, 'home/user/app/a.js'), 'a');
    writeFileSync(join(base, 'home/user/app/secret.js'), 's', { mode: 0o600 });
    chmodSync(join(base, 'home/user/app/secret.js'), 0o600);
    mkdirSync(join(base, 'open/app'), { recursive: true });
    writeFileSync(join(base, 'open/app/a.js'), 'a');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('checks every directory on the way and every file below', () => {
    expect(permits(statSync(join(base, 'home/user')), nobody, 1)).toBe(false);
    expect(reachable(join(base, 'home/user/app/a.js'), nobody)).toBe(false);
    expect(reachable(join(base, 'open/app/a.js'), nobody)).toBe(true);
    expect(treeReadable(join(base, 'open/app'), nobody)).toBe(true);
    writeFileSync(join(base, 'open/app/private.js'), 'p');
    chmodSync(join(base, 'open/app/private.js'), 0o600);
    expect(treeReadable(join(base, 'open/app'), nobody)).toBe(false);
    rmSync(join(base, 'open/app/private.js'));
  });

  it('stages links for readable files and readable copies of unreadable ones, privately', () => {
    const stage = new JailStage(nobody, base);
    try {
      expect(statSync(stage.root).mode & 0o777).toBe(0o750);
      expect(statSync(stage.root).gid).toBe(nobody.gid);
      stage.put(join(base, 'home/user/app'), 'app');
      const linked = statSync(join(stage.root, 'app/a.js'));
      expect(linked.ino).toBe(statSync(join(base, 'home/user/app/a.js')).ino); // a hard link
      const copied = statSync(join(stage.root, 'app/secret.js'));
      expect(copied.ino).not.toBe(statSync(join(base, 'home/user/app/secret.js')).ino);
      expect(copied.mode & 0o777).toBe(0o644);
      expect(treeReadable(join(stage.root, 'app'), nobody)).toBe(true);
    } finally {
      stage.dispose();
    }
    expect(existsSync(stage.root)).toBe(false);
  });

  it('sweeps stage directories of dead supervisors only', () => {
    const dead = join(base, 'isle-jail-dead');
    mkdirSync(dead);
    writeFileSync(join(dead, 'supervisor.pid'), '999999999\n');
    const live = join(base, 'isle-jail-live');
    mkdirSync(live);
    writeFileSync(join(live, 'supervisor.pid'), `${process.ppid}\n`);
    sweepStaleStages(base);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('finds the runtime dependency closure, not the dev dependencies', () => {
    const names = runtimeDependencies(APP_ROOT).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['isolated-vm', 'undici', 'esbuild', '@jridgewell/trace-mapping']));
    expect(names).not.toContain('vitest');
    expect(names).not.toContain('typescript');
    expect(names).not.toContain('node');
  });
});

// Only a root supervisor drops to another uid; unprivileged, the jail runs as the owner and reads everything.
describeJail.skipIf(!ROOT)('an app under a 0700 home directory (as in CI) runs jailed from a staged view', () => {
  let locked: string;
  let s: ServeFixture;
  beforeAll(async () => {
    // A "clone" under a 0700 home: hard links of the app's runtime files and of the Node binary.
    locked = mkdtempSync(join(tmpdir(), 'isle-home-'));
    const app = join(locked, 'clone');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    execFileSync('cp', ['-al', join(APP_ROOT, 'runtime'), join(app, 'runtime')]);
    linkSync(join(APP_ROOT, 'package.json'), join(app, 'package.json'));
    for (const d of runtimeDependencies(APP_ROOT)) {
      mkdirSync(dirname(join(app, 'node_modules', d.name)), { recursive: true });
      execFileSync('cp', ['-al', d.dir, join(app, 'node_modules', d.name)]);
    }
    mkdirSync(join(app, 'bin'));
    linkSync(process.execPath, join(app, 'bin/node'));
    chmodSync(locked, 0o700);
    s = await startServe({ jail: 'on', testHooks: { appRoot: app, nodeBinary: join(app, 'bin/node') } });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    rmSync(locked, { recursive: true, force: true });
  });

  it('stages the app, the Node binary and the bundles, and serves', async () => {
    const jail = s.server.jail!;
    expect(jail.staged).toEqual({ app: true, node: true, bundles: true });
    const deployed = await s.deploy('alpha', `export default { fetch: () => new Response('from a staged app') };`);
    expect(deployed.status).toBe(201);
    expect((await s.get('alpha.localhost')).text).toBe('from a staged app');
    // The bundle was linked into the stage when the host was told about it.
    expect(readFileSync(join(jail.stage.root, 'bundles', `${deployed.body.bundleId}.js`), 'utf8')).toContain('from a staged app');
  });
});
