// The `worker` command as a user runs it: a real process through cli/bin/worker.js.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startCliDev, writeProject } from '../support/project.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const worker = join(root, 'cli/bin/worker.js');

function run(args: string[], cwd = root) {
  return spawnSync(process.execPath, [worker, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
}

function descendantPids(pid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout;
  const children = out.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
  return children.flatMap((c) => [c, ...descendantPids(c)]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('worker CLI', () => {
  it('lists commands and per-command options', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const c of ['dev', 'build', 'deploy', 'serve', 'tail', 'secret', 'rollback']) expect(help.stdout).toMatch(new RegExp(`\\n  ${c} `));
    const dev = run(['dev', '--help']);
    expect(dev.stdout).toMatch(/--isolation request\|tenant/);
    expect(run(['nonsense']).status).toBe(1);
    const bad = run(['dev', '--port']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--port/);
  });

  it('explains a broken isle.json and a missing entry', () => {
    const dir = writeProject({ 'isle.json': '{"name": "Bad Name", "main": 3}' });
    try {
      const r = run(['dev'], dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/isle\.json: name: lowercase letters/);
      expect(r.stderr).toMatch(/main:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const empty = writeProject({ 'README.md': 'x' });
    try {
      expect(run(['dev'], empty).stderr).toMatch(/no entry point/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('builds what deploy would upload', () => {
    const dir = writeProject({
      'isle.json': JSON.stringify({ name: 'built', main: 'src/index.ts', vars: { A: '1' }, routes: ['x.example.test'] }),
      'src/index.ts': `export default { fetch: () => new Response('built') };`,
    });
    try {
      const r = run(['build'], dir);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Built src\/index\.ts → dist\/worker\.js/);
      const meta = JSON.parse(readFileSync(join(dir, 'dist/metadata.json'), 'utf8'));
      expect(meta).toMatchObject({ name: 'built', vars: { A: '1' }, routes: ['x.example.test'] });
      expect(existsSync(join(dir, 'dist/worker.js.map'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the hello template, prints one Ready line, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [worker, 'dev', 'templates/hello', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Ready line: ${out}`)), 30_000);
      child.stdout.on('data', () => {
        const m = /^Ready on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    expect(out.match(/Ready on/g)).toHaveLength(1);
    expect(await (await fetch(url + '/?name=Isle')).text()).toBe('Hello, Isle!\n');
    const descendants = descendantPids(child.pid!);
    expect(descendants.length).toBeGreaterThan(0);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Descendants (the Node 24 child, esbuild's service) follow within moments.
    const deadline = Date.now() + 3000;
    while (descendants.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(descendants.filter(alive)).toEqual([]);
  });

  it('layers env: isle.json vars, then .dev.vars, then --var', async () => {
    const dir = writeProject({
      'isle.json': JSON.stringify({ name: 'envy', main: 'src/index.ts', vars: { A: 'from-config', B: 'from-config', C: 'from-config' } }),
      '.dev.vars': 'B=from-dev-vars\nSECRET="quoted secret"\n',
      'src/index.ts': 'export default { fetch: (_r: Request, env: unknown) => Response.json(env) };',
    });
    const server = await startCliDev(dir, ['--var', 'C=from-flag']);
    try {
      expect(await (await fetch(server.url)).json()).toEqual({ A: 'from-config', B: 'from-dev-vars', C: 'from-flag', SECRET: 'quoted secret' });
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
