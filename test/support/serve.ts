// A real `worker serve` (supervisor + host child process) on 127.0.0.1 ephemeral ports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { startServer, type RunningServer, type ServeOptions } from '../../runtime/server/supervisor.ts';
import { bundleWorker } from '../../runtime/bundler/bundle.ts';
import { writeProject } from './project.ts';

export const ADMIN_TOKEN = 'test-admin-token';

export interface ServeFixture {
  server: RunningServer;
  dataDir: string;
  lines: string[];
  port: number;
  api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  /** GET (or other) to the worker port with a Host header. */
  get(host: string, path?: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;
  deploy(tenant: string, source: string, extra?: Record<string, unknown>, token?: string): Promise<{ status: number; body: any }>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function buildSource(source: string): Promise<{ code: string; map: string }> {
  const dir = writeProject({ 'src/index.ts': source });
  try {
    const { bundle } = await bundleWorker(join(dir, 'src/index.ts'), dir);
    return { code: bundle.code, map: bundle.map };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startServe(options: Partial<ServeOptions> = {}): Promise<ServeFixture> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'isle-serve-'));
  const lines: string[] = [];
  const opts: ServeOptions = {
    host: '127.0.0.1', port: 0, adminHost: '127.0.0.1', adminPort: 0, dataDir, baseDomain: 'localhost',
    trustProxy: false, isolation: 'request', jail: 'off', defaultLimits: {}, adminToken: ADMIN_TOKEN, drainMs: 5_000,
    print: (l) => lines.push(l),
    ...options,
  };
  let server = await startServer(opts);
  const fixture: ServeFixture = {
    get server() {
      return server;
    },
    dataDir,
    lines,
    get port() {
      return Number(new URL(server.url).port);
    },
    async api(method, path, body, token = ADMIN_TOKEN) {
      const res = await fetch(server.adminUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed as any };
    },
    get(host, path = '/', init = {}) {
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: fixture.port, path, method: init.method ?? 'GET', headers: { host, ...init.headers } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(init.body);
      });
    },
    async deploy(tenant, source, extra = {}, token = ADMIN_TOKEN) {
      const { code, map } = await buildSource(source);
      return fixture.api('POST', `/v1/tenants/${tenant}/versions`, { code, map, ...extra }, token);
    },
    async restart() {
      await server.stop();
      server = await startServer({ ...opts, port: fixture.port });
    },
    async close() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}
