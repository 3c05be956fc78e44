// Every template as a newcomer uses it: `worker init` (with a real `npm install`, served from npm's
// cache after the first time), then the project's own `npm test` and `npm run typecheck`, then
// `npm run dev` answering over HTTP. Each project is fully installed (no shared node_modules), so
// the package.json init writes is what is tested. Two templates run at a time.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES } from '../../cli/commands/init.ts';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const worker = join(root, 'cli/bin/worker.js');
let base: string;
let upstream: Server;
let upstreamOrigin: string;

/** The environment of a user's shell: no Isle-internal PATH entries, no outer npm/vitest state. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|NODE_OPTIONS$|NODE_ENV$|INIT_CWD$|NODE$|TEST$)/.test(k)) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((p) => !p.startsWith(join(root, 'node_modules'))).join(delimiter);
  env.NO_COLOR = '1';
  return env;
}

interface Run {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      process.kill(-child.pid!, 'SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** `npm run dev -- ARGS` until "Ready on URL"; returns the URL and a stop function. */
async function dev(cwd: string, args: string[]): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  const child = spawn('npm', ['run', 'dev', '--', '--port', '0', ...args], { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker dev did not start:\n${output}`)), 60_000);
    const onData = (c: Buffer) => {
      output += c;
      const m = /Ready on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => (output += c));
    child.on('exit', () => reject(new Error(`worker dev exited:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {}
      await exited;
    },
  };
}

/** At most `n` templates at a time: npm install and vitest are the heavy parts. */
function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}
const slot = limiter(2);

/** What each template must answer under `worker dev`. */
const checks: Record<string, { args?: () => string[]; check: (url: string) => Promise<void> }> = {
  hello: {
    async check(url) {
      const res = await fetch(`${url}/?name=Isle`);
      expect(await res.text()).toBe('Hello, Isle!\n');
    },
  },
  hono: {
    async check(url) {
      const res = await fetch(`${url}/api/books/3`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.json()).toMatchObject({ title: 'Kindred' });
    },
  },
  'json-api': {
    async check(url) {
      const bad = await fetch(`${url}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":""}' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: 'validation failed', details: [{ path: 'title' }] });
      expect(((await (await fetch(`${url}/tasks`)).json()) as { count: number }).count).toBe(3);
    },
  },
  stream: {
    async check(url) {
      const text = await (await fetch(`${url}/sse?count=2&interval=20`)).text();
      expect(text.match(/^event: tick$/gm)).toHaveLength(2);
      expect(text).toMatch(/event: done/);
    },
  },
  proxy: {
    args: () => ['--var', `UPSTREAM_URL=${upstreamOrigin}`, '--allow-egress', upstreamOrigin.replace('http://', '')],
    async check(url) {
      const res = await fetch(`${url}/`);
      expect(res.headers.get('x-proxied-by')).toBe('isle');
      const html = await res.text();
      expect(html).toContain(`<a href="${url}/next">`);
      expect(html).toMatch(/Served through an Isle proxy/);
    },
  },
  'jwt-auth': {
    async check(url) {
      // The secret comes from the .dev.vars that init generated.
      const login = await fetch(`${url}/login`, { method: 'POST', body: JSON.stringify({ username: 'ada', password: 'lovelace-1815' }) });
      expect(login.status).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };
      const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${access_token}` } });
      expect(await me.json()).toMatchObject({ user: 'ada', roles: ['admin', 'user'] });
    },
  },
};

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'isle-templates-'));
  upstream = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<html><body><a href="http://${req.headers.host}/next">next</a></body></html>`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamOrigin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(() => {
  upstream?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe.concurrent('templates: init, npm test, typecheck, worker dev', () => {
  it('covers every template', () => {
    expect(Object.keys(checks).sort()).toEqual(TEMPLATES.map((t) => t.name).sort());
  });

  for (const { name } of TEMPLATES) {
    it(name, { timeout: 420_000 }, () => slot(async () => {
      const dir = join(base, `my-${name}`);
      const init = await run(process.execPath, [worker, 'init', dir, '--template', name], base, 240_000);
      expect(init.code, init.output).toBe(0);
      expect(init.output).toMatch(/Next:\n {2}cd /);
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).devDependencies.isle).toBe(`file:${root}`);

      const test = await run('npm', ['test'], dir, 120_000);
      expect(test.code, test.output).toBe(0);
      expect(test.output).toMatch(/Tests +\d+ passed/);

      const typecheck = await run('npm', ['run', 'typecheck'], dir, 120_000);
      expect(typecheck.code, typecheck.output).toBe(0);

      const server = await dev(dir, checks[name]!.args?.() ?? []);
      try {
        await checks[name]!.check(server.url);
      } catch (e) {
        (e as Error).message += `\n--- worker dev output ---\n${server.output()}`;
        throw e;
      } finally {
        await server.stop();
      }
    }));
  }
});
