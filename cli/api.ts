// Talking to a `worker serve` control plane from the CLI: where (--to, ISLE_URL, isle.json
// deploy.url), as whom (--token, --token-file, ISLE_TOKEN) and for which tenant (--name, isle.json).
import { readFileSync } from 'node:fs';
import { loadProject, type ProjectConfig } from '../runtime/config/project.ts';
import { UsageError, type OptionDef } from './command.ts';

export const connectionOptions: Record<string, OptionDef> = {
  to: { type: 'string', value: 'URL', description: 'Control-plane URL of a `worker serve` (default: $ISLE_URL, isle.json deploy.url, http://127.0.0.1:8081)' },
  token: { type: 'string', value: 'TOKEN', description: 'API token (default: $ISLE_TOKEN)' },
  'token-file': { type: 'string', value: 'FILE', description: 'Read the API token from a file' },
  name: { type: 'string', value: 'TENANT', description: 'Tenant name (default: "name" in isle.json)' },
  env: { type: 'string', value: 'NAME', description: 'Use the env.NAME section of isle.json' },
  config: { type: 'string', short: 'c', value: 'FILE', description: 'Path to isle.json' },
};

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export interface ApiClient {
  url: string;
  project: ProjectConfig;
  tenant(): string;
  call<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  raw(method: string, path: string): Promise<Response>;
}

export function apiClient(values: Record<string, unknown>): ApiClient {
  const project = loadProject({
    cwd: process.cwd(),
    ...(values.config !== undefined && { configPath: String(values.config) }),
    ...(values.env !== undefined && { envName: String(values.env) }),
  });
  const url = String(values.to ?? process.env.ISLE_URL ?? project.deployUrl ?? 'http://127.0.0.1:8081').replace(/\/+$/, '');
  let token = values.token !== undefined ? String(values.token) : undefined;
  if (token === undefined && values['token-file'] !== undefined) token = readFileSync(String(values['token-file']), 'utf8').trim();
  token ??= process.env.ISLE_TOKEN;
  const headers = (): Record<string, string> => {
    if (!token) throw new UsageError('no API token: pass --token, --token-file or set ISLE_TOKEN');
    return { authorization: `Bearer ${token}` };
  };
  const raw = async (method: string, path: string, body?: unknown): Promise<Response> => {
    try {
      return await fetch(url + path, {
        method,
        headers: { ...headers(), ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new ApiError(0, `cannot reach ${url}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, undefined);
    }
  };
  return {
    url,
    project,
    tenant() {
      const name = values.name !== undefined ? String(values.name) : project.name;
      if (!name) throw new UsageError('no tenant name: pass --name or set "name" in isle.json');
      return name;
    },
    raw: (method, path) => raw(method, path),
    async call(method, path, body) {
      const res = await raw(method, path, body);
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        parsed = text;
      }
      if (!res.ok) {
        const p = parsed as { message?: string; details?: { path: string; message: string }[] };
        const details = p?.details?.map((d) => `\n  ${d.path || '(body)'}: ${d.message}`).join('') ?? '';
        throw new ApiError(res.status, `${res.status} ${p?.message ?? res.statusText}${details}`, parsed);
      }
      return parsed as any;
    },
  };
}
