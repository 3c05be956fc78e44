// `worker init` as a user runs it (a real process through cli/bin/worker.js), without npm install:
// prompts only on a terminal, refuses non-empty directories, writes a correct project.
// test/tenant/templates.test.ts installs and runs every template.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES, toWorkerName } from '../../cli/commands/init.ts';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const worker = join(root, 'cli/bin/worker.js');
const islePackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
let base: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'isle-init-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with stdin an open pipe that never sends anything: a prompt would hang until the timeout. */
function init(args: string[], cwd = base, timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, 'init', ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker init did not finish in ${timeoutMs} ms (waiting for input?)\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('worker init without a terminal', () => {
  it('never prompts: defaults to hello and the directory name', async () => {
    const r = await init(['Fancy Worker!', '--no-install']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Using the "hello" template/);
    expect(r.stdout).not.toMatch(/Template \[/);
    const dir = join(base, 'Fancy Worker!');
    expect(readJson(join(dir, 'isle.json'))).toMatchObject({ name: 'fancy-worker', main: 'src/index.ts' });
    expect(readJson(join(dir, 'package.json')).name).toBe('fancy-worker');
    expect(r.stdout).toMatch(/Next:\n {2}cd Fancy Worker!\n {2}npm install .*\n {2}npm run dev .*\n {2}npm test .*\n {2}npm run deploy/);
  });

  it('uses an empty current directory, else a new directory named after the worker', async () => {
    const empty = join(base, 'empty-here');
    mkdirSync(empty);
    const r = await init(['--no-install', '--template', 'stream'], empty);
    expect(r.code, r.stderr).toBe(0);
    expect(readJson(join(empty, 'isle.json')).name).toBe('empty-here');
    expect(r.stdout).toMatch(/Created the project here/);

    const busy = join(base, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    const r2 = await init(['--no-install', '--name', 'side-project'], busy);
    expect(r2.code, r2.stderr).toBe(0);
    expect(readJson(join(busy, 'side-project', 'isle.json')).name).toBe('side-project');
    expect(readdirSync(busy).sort()).toEqual(['notes.txt', 'side-project']);
  });

  it('refuses a non-empty directory and writes nothing', async () => {
    const dir = join(base, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.ts'), 'keep me');
    const r = await init([dir, '--template', 'hono', '--no-install']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/taken is not empty; init never overwrites files/);
    expect(readdirSync(dir)).toEqual(['index.ts']);
    expect(readFileSync(join(dir, 'index.ts'), 'utf8')).toBe('keep me');
  });

  it('rejects an unknown template and an invalid name', async () => {
    const bad = await init([join(base, 'x1'), '--template', 'nope', '--no-install']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown template "nope"; choose one of: hello, hono, json-api, stream, proxy, jwt-auth/);
    const name = await init([join(base, 'x2'), '--name', 'Bad_Name', '--no-install']);
    expect(name.code).toBe(1);
    expect(name.stderr).toMatch(/--name "Bad_Name": use lowercase letters/);
    expect(existsSync(join(base, 'x1'))).toBe(false);
    expect(existsSync(join(base, 'x2'))).toBe(false);
  });
});

describe('the project init writes', () => {
  it('package.json: Isle by file: reference, Node 24 pinned like Isle, scripts', async () => {
    const dir = join(base, 'api');
    expect((await init([dir, '--template', 'json-api', '--no-install'])).code).toBe(0);
    const pkg = readJson(join(dir, 'package.json'));
    expect(pkg).toMatchObject({
      name: 'api',
      private: true,
      type: 'module',
      scripts: { dev: 'worker dev', test: 'vitest run', deploy: 'worker deploy' },
      dependencies: { zod: expect.stringMatching(/^\^4\./) },
      allowScripts: { node: true, 'isolated-vm': true, esbuild: true },
    });
    expect(pkg.devDependencies.isle).toBe(`file:${root}`);
    for (const tool of ['node', 'typescript', 'vitest', 'vite', '@types/node']) {
      expect(pkg.devDependencies[tool], tool).toBe(islePackage.devDependencies[tool]);
    }
    expect(pkg.devDependencies.node).toMatch(/^\^24\./);
    const gitignore = readFileSync(join(dir, '.gitignore'), 'utf8').split('\n');
    for (const entry of ['.dev.vars', 'node_modules/', 'dist/']) expect(gitignore).toContain(entry);
    for (const file of ['README.md', 'isle.json', 'src/index.ts', 'src/schema.ts', 'test/index.test.ts', 'test/tsconfig.json', 'tsconfig.json', 'vitest.config.ts']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  });

  it('.dev.vars with a fresh random secret where the template has .dev.vars.example', async () => {
    const secrets: string[] = [];
    for (const name of ['auth-a', 'auth-b']) {
      const dir = join(base, name);
      expect((await init([dir, '--template', 'jwt-auth', '--no-install'])).code).toBe(0);
      const vars = readFileSync(join(dir, '.dev.vars'), 'utf8');
      const secret = /^JWT_SECRET=(.*)$/m.exec(vars)?.[1];
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      secrets.push(secret!);
      expect(readFileSync(join(dir, '.dev.vars.example'), 'utf8')).toMatch(/^JWT_SECRET=change-me$/m);
    }
    expect(secrets[0]).not.toBe(secrets[1]);
  });

  it('derives valid worker names', () => {
    expect(toWorkerName('My Cool_App')).toBe('my-cool-app');
    expect(toWorkerName('---')).toBe('my-worker');
    expect(toWorkerName('a'.repeat(80))).toHaveLength(63);
  });
});

describe('templates/', () => {
  it('has exactly the templates init offers, each complete', () => {
    const dirs = readdirSync(join(root, 'templates')).sort();
    expect(dirs).toEqual(TEMPLATES.map((t) => t.name).sort());
    for (const t of dirs) {
      const dir = join(root, 'templates', t);
      for (const file of ['README.md', 'isle.json', 'package.json', 'tsconfig.json', 'test/tsconfig.json', 'vitest.config.ts', 'src/index.ts']) {
        expect(existsSync(join(dir, file)), `${t}/${file}`).toBe(true);
      }
      expect(readdirSync(join(dir, 'test')).some((f) => f.endsWith('.test.ts')), `${t} has tests`).toBe(true);
      const tsconfig = readJson(join(dir, 'tsconfig.json')).compilerOptions;
      expect(tsconfig.types, t).toEqual(['isle/types']);
      expect(tsconfig.lib, t).toEqual(['ES2023']);
      expect(readFileSync(join(dir, 'vitest.config.ts'), 'utf8')).toMatch(/pool: 'forks'[\s\S]*--no-node-snapshot/);
      const pkg = readJson(join(dir, 'package.json'));
      expect(pkg.devDependencies.isle, t).toBe('file:../..');
      for (const tool of ['node', 'typescript', 'vitest', 'vite', '@types/node']) {
        expect(pkg.devDependencies[tool], `${t} ${tool}`).toBe(islePackage.devDependencies[tool]);
      }
      expect(readJson(join(dir, 'isle.json')).main).toBe('src/index.ts');
    }
  });
});

// A real terminal through util-linux `script`, which gives the child a pseudo-terminal.
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasScript)('worker init in a terminal', () => {
  it('asks for the template and the name when the flags are missing', async () => {
    const dir = join(base, 'tty-project');
    const log = join(base, 'tty.log');
    const child = spawn('script', ['-qec', `"${process.execPath}" "${worker}" init "${dir}" --no-install`, log], {
      cwd: base,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const waitFor = (pattern: RegExp) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${screen}`)), 20_000);
      const check = () => {
        if (pattern.test(screen)) {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          resolve();
        }
      };
      const onData = (c: Buffer) => {
        screen += c.toString();
        check();
      };
      child.stdout.on('data', onData);
      check();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitFor(/Template \[1-6 or name\] \(hello\): /);
    expect(screen).toMatch(/3\) json-api +CRUD JSON API/);
    child.stdin.write('9\n');
    await waitFor(/choose 1-6 or one of/);
    child.stdin.write('2\n');
    await waitFor(/Worker name \(tty-project\): /);
    child.stdin.write('my-hono-app\n');
    expect(await exited).toBe(0);
    expect(readJson(join(dir, 'isle.json')).name).toBe('my-hono-app');
    expect(readJson(join(dir, 'package.json')).dependencies).toHaveProperty('hono');
  });
});
