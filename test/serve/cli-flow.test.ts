// The newcomer's path through the real CLI: deploy a template to `worker serve`, curl it by host
// name, roll back, set a secret from stdin, tail the logs.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startServe, type ServeFixture } from '../support/serve.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const worker = join(root, 'cli/bin/worker.js');

describe('worker deploy / versions / rollback / secret / tail against worker serve', () => {
  let s: ServeFixture;
  let project: string;
  let env: NodeJS.ProcessEnv;
  // Asynchronous on purpose: the control plane runs in this process and must keep answering.
  const cli = (args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [worker, ...args], { cwd: project, env: { ...env, ...extraEnv } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
      child.stdin.end(input ?? '');
    });

  beforeAll(async () => {
    s = await startServe();
    project = mkdtempSync(join(tmpdir(), 'isle-cli-flow-'));
    cpSync(join(root, 'templates/hello/src'), join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'isle.json'), JSON.stringify({ name: 'hello', main: 'src/index.ts', vars: { GREETING: 'Hello' } }));
    env = { ...process.env, ISLE_URL: s.server.adminUrl, ISLE_TOKEN: ADMIN_TOKEN };
  });
  afterAll(async () => {
    await s.close();
    rmSync(project, { recursive: true, force: true });
  });

  it('deploys, serves by host name, lists versions and rolls back', async () => {
    const first = await cli(['deploy']);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/Deployed hello version 1/);
    expect((await s.get('hello.localhost', '/?name=Isle')).text).toBe('Hello, Isle!\n');
    const second = await cli(['deploy', '--var', 'GREETING=Howdy', '--message', 'friendlier']);
    expect(second.stdout).toMatch(/Deployed hello version 2/);
    expect((await s.get('hello.localhost')).text).toBe('Howdy, world!\n');
    const versions = await cli(['versions']);
    expect(versions.stdout).toMatch(/\*\s+2 .*friendlier/);
    expect((await cli(['rollback'])).stdout).toMatch(/from version 2 to 1/);
    expect((await s.get('hello.localhost')).text).toBe('Hello, world!\n');
    expect((await cli(['deploy', '--dry-run'])).stdout).toMatch(/Dry run/);
    expect((await cli(['versions'])).stdout.trim().split('\n')).toHaveLength(2);
  });

  it('reads secrets from stdin, lists names only', async () => {
    expect((await cli(['secret', 'put', 'TOKEN'], 'from-stdin\n')).stdout).toMatch(/Stored secret TOKEN/);
    expect((await cli(['secret', 'list'])).stdout.trim()).toBe('TOKEN');
  });

  it('fails clearly with a wrong token or an unreachable server', async () => {
    const wrong = await cli(['versions'], undefined, { ISLE_TOKEN: 'nope' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/401 Missing or invalid token/);
    const down = await cli(['versions', '--to', 'http://127.0.0.1:9']);
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  it('tails live logs, filtered by status', async () => {
    writeFileSync(join(project, 'src/index.ts'), `export default { fetch(r: Request) {
      console.log('tail me ' + new URL(r.url).pathname);
      return new Response('x', { status: new URL(r.url).pathname === '/bad' ? 503 : 200 });
    } };`);
    expect((await cli(['deploy'])).status).toBe(0);
    const tail = spawn(process.execPath, [worker, 'tail'], { cwd: project, env });
    const filtered = spawn(process.execPath, [worker, 'tail', '--status', '5xx'], { cwd: project, env });
    let out = '';
    let filteredOut = '';
    tail.stdout.on('data', (d) => (out += d));
    filtered.stdout.on('data', (d) => (filteredOut += d));
    const ready = (p: typeof tail) => new Promise<void>((resolve) => p.stderr.on('data', (d) => String(d).includes('Tailing') && resolve()));
    await Promise.all([ready(tail), ready(filtered)]);
    await s.get('hello.localhost', '/good');
    await s.get('hello.localhost', '/bad');
    const deadline = Date.now() + 5000;
    while (!(out.includes('tail me /bad') && filteredOut.includes('503')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    tail.kill();
    filtered.kill();
    expect(out).toMatch(/\[log\].* tail me \/good/);
    expect(out).toMatch(/GET \/good 200/);
    expect(filteredOut).toMatch(/GET \/bad 503/);
    expect(filteredOut).not.toMatch(/\/good/);
  });
});
