// isle.json: the project configuration (wrangler-like keys), validated with clear messages.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import type { Limits } from './limits.ts';

export const CONFIG_FILE = 'isle.json';
export const DEV_VARS_FILE = '.dev.vars';

const limitsSchema = z
  .object({
    cpu_ms: z.number().positive().optional(),
    wall_ms: z.number().positive().optional(),
    memory_mb: z.number().int().min(8).optional(),
    subrequests: z.number().int().min(0).optional(),
    startup_ms: z.number().positive().optional(),
  })
  .strict();

const routeSchema = z.union([
  z.string().min(1),
  z.object({ pattern: z.string().min(1) }).strict(),
]);

const envFields = {
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes, at most 63').optional(),
  main: z.string().min(1).optional(),
  compatibility_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  routes: z.array(routeSchema).optional(),
  limits: limitsSchema.optional(),
  triggers: z.object({ crons: z.array(z.string()).default([]) }).strict().optional(),
};

const projectSchema = z
  .object({
    $schema: z.string().optional(),
    ...envFields,
    dev: z.object({ port: z.number().int().min(0).max(65535).optional(), host: z.string().optional() }).strict().optional(),
    deploy: z.object({ url: z.string().url().optional() }).strict().optional(),
    env: z.record(z.string(), z.object(envFields).strict()).optional(),
  })
  .strict();

export type ProjectFile = z.infer<typeof projectSchema>;

export interface ProjectConfig {
  /** Directory holding isle.json (or the entry's directory when there is none). */
  root: string;
  configPath: string | undefined;
  name: string | undefined;
  main: string | undefined;
  compatibilityDate: string | undefined;
  vars: Record<string, unknown>;
  routes: string[];
  limits: Partial<Limits>;
  crons: string[];
  dev: { port?: number; host?: string };
  deployUrl: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Finds isle.json in `dir` or its ancestors. */
export function findConfig(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    const candidate = join(current, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

function formatIssues(path: string, error: z.ZodError): string {
  return error.issues
    .map((i) => `${path}: ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('\n');
}

/** Loads isle.json (if any) applying `env.<envName>` overrides. */
export function loadProject(options: { cwd: string; configPath?: string; envName?: string }): ProjectConfig {
  const configPath = options.configPath ? resolve(options.cwd, options.configPath) : findConfig(options.cwd);
  if (options.configPath && !existsSync(configPath!)) throw new ConfigError(`config file not found: ${configPath}`);
  let file: ProjectFile = {};
  if (configPath) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (e) {
      throw new ConfigError(`${configPath}: not valid JSON: ${(e as Error).message}`);
    }
    const parsed = projectSchema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(formatIssues(configPath, parsed.error));
    file = parsed.data;
  }
  let layer: Omit<ProjectFile, 'env' | 'dev' | 'deploy' | '$schema'> = file;
  if (options.envName) {
    const override = file.env?.[options.envName];
    if (!override) throw new ConfigError(`${configPath ?? CONFIG_FILE}: no environment "${options.envName}" under "env"`);
    // Like wrangler: vars/limits/routes/triggers are not inherited into an environment that sets them.
    layer = { ...file, ...override };
  }
  const l = layer.limits ?? {};
  return {
    root: configPath ? dirname(configPath) : resolve(options.cwd),
    configPath,
    name: layer.name,
    main: layer.main,
    compatibilityDate: layer.compatibility_date,
    vars: layer.vars ?? {},
    routes: (layer.routes ?? []).map((r) => (typeof r === 'string' ? r : r.pattern)),
    limits: {
      ...(l.cpu_ms !== undefined && { cpuMs: l.cpu_ms }),
      ...(l.wall_ms !== undefined && { wallMs: l.wall_ms }),
      ...(l.memory_mb !== undefined && { memoryMb: l.memory_mb }),
      ...(l.subrequests !== undefined && { subrequests: l.subrequests }),
      ...(l.startup_ms !== undefined && { startupMs: l.startup_ms }),
    },
    crons: layer.triggers?.crons ?? [],
    dev: file.dev ?? {},
    deployUrl: file.deploy?.url,
  };
}

/** Reads a dotenv file (KEY=VALUE lines, quotes, comments). Missing file → empty. */
export function readDotenv(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as Error).message}`);
  }
}

/** Parses repeated `KEY=VALUE` flags. */
export function parseVarFlags(flags: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--var expects KEY=VALUE, got "${flag}"`);
    out[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return out;
}

export function resolveEntry(project: ProjectConfig, entry: string | undefined, cwd: string): string {
  if (entry) return isAbsolute(entry) ? entry : resolve(cwd, entry);
  if (project.main) return resolve(project.root, project.main);
  throw new ConfigError(
    `no entry point: pass one (worker dev src/index.ts) or set "main" in ${CONFIG_FILE}` +
      (project.configPath ? ` (${project.configPath})` : ''),
  );
}
