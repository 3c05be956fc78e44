import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { resolveLimits } from '../../runtime/config/limits.ts';
import {
  ConfigError, DEV_VARS_FILE, loadProject, parseVarFlags, readDotenv, resolveEntry,
} from '../../runtime/config/project.ts';
import { startDevServer } from '../../runtime/dev/dev-server.ts';
import { parseAllowRules } from '../../runtime/host/egress/policy.ts';
import { numberOption, UsageError, type CommandDef } from '../command.ts';
import { onShutdown } from '../shutdown.ts';

export const devCommand: CommandDef = {
  name: 'dev',
  summary: 'Serve a worker locally, rebuilding on every change.',
  usage: 'worker dev [entry | project-dir] [options]',
  options: {
    port: { type: 'string', value: 'PORT', description: 'Port to listen on', default: '8787' },
    host: { type: 'string', value: 'HOST', description: 'Address to listen on', default: '127.0.0.1' },
    var: { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'Set an env var for the worker' },
    'env-file': { type: 'string', value: 'FILE', description: `dotenv file with local secrets (default: ${DEV_VARS_FILE} beside isle.json)` },
    env: { type: 'string', value: 'NAME', description: 'Use the env.NAME section of isle.json' },
    config: { type: 'string', short: 'c', value: 'FILE', description: 'Path to isle.json' },
    'cpu-ms': { type: 'string', value: 'MS', description: 'CPU time limit per request', default: '30000' },
    'wall-ms': { type: 'string', value: 'MS', description: 'Wall-clock limit per request (incl. waitUntil)', default: '30000' },
    'memory-mb': { type: 'string', value: 'MB', description: 'Memory limit per isolate', default: '128' },
    'allow-egress': { type: 'string', multiple: true, value: 'HOST[:PORT]', description: 'Allow outbound fetch to a private/loopback host' },
    isolation: { type: 'string', value: 'request|tenant', description: 'Fresh isolate per request, or one per build', default: 'request' },
    'no-watch': { type: 'boolean', description: 'Build once; do not rebuild on change' },
  },
  details:
    'The entry defaults to "main" in isle.json. Vars come from isle.json "vars", then the env file, then --var.\n' +
    'Prints "Ready on http://HOST:PORT" once it accepts requests. Ctrl-C stops it.',
  async run({ values, positionals }) {
    if (positionals.length > 1) throw new UsageError('worker dev takes at most one entry');
    let cwd = process.cwd();
    let entryArg: string | undefined = positionals[0];
    // `worker dev some/project` serves that project (its isle.json), like `npm start` does for the template.
    if (entryArg && existsSync(entryArg) && statSync(entryArg).isDirectory()) {
      cwd = resolve(entryArg);
      entryArg = undefined;
    }
    const project = loadProject({
      cwd,
      ...(values.config !== undefined && { configPath: String(values.config) }),
      ...(values.env !== undefined && { envName: String(values.env) }),
    });
    const entry = resolveEntry(project, entryArg, cwd);
    if (!existsSync(entry)) throw new ConfigError(`entry not found: ${entry}`);
    const isolation = String(values.isolation ?? 'request');
    if (isolation !== 'request' && isolation !== 'tenant') throw new UsageError('--isolation must be "request" or "tenant"');
    const envFile = values['env-file'] !== undefined
      ? resolve(String(values['env-file']))
      : join(project.configPath ? project.root : dirname(entry), DEV_VARS_FILE);
    if (values['env-file'] !== undefined && !existsSync(envFile)) throw new ConfigError(`env file not found: ${envFile}`);
    const env = { ...project.vars, ...readDotenv(envFile), ...parseVarFlags((values.var as string[]) ?? []) };
    const limits = resolveLimits(project.limits, {
      ...(numberOption(values, 'cpu-ms') !== undefined && { cpuMs: numberOption(values, 'cpu-ms')! }),
      ...(numberOption(values, 'wall-ms') !== undefined && { wallMs: numberOption(values, 'wall-ms')! }),
      ...(numberOption(values, 'memory-mb') !== undefined && { memoryMb: numberOption(values, 'memory-mb')! }),
    });
    const portRaw = values.port ?? project.dev.port ?? 8787;
    const port = Number(portRaw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port expects 0-65535, got "${String(portRaw)}"`);
    const host = String(values.host ?? project.dev.host ?? '127.0.0.1');

    const allowEgress = (values['allow-egress'] as string[]) ?? [];
    try {
      parseAllowRules(allowEgress);
    } catch (e) {
      throw new UsageError(`--allow-egress: ${(e as Error).message}`);
    }
    const server = await startDevServer({
      entry,
      root: project.root,
      host,
      port,
      env,
      limits,
      isolation,
      allowEgress,
      watch: !values['no-watch'],
    });
    console.log(`Isle dev: ${entry} (isolation: ${isolation}; limits: ${limits.cpuMs} ms CPU, ${limits.wallMs} ms wall, ${limits.memoryMb} MB)`);
    console.log(`Ready on ${server.url}`);
    await onShutdown(() => server.close());
  },
};
