import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { resolveLimits } from '../../runtime/config/limits.ts';
import {
  ConfigError, DEV_VARS_FILE, loadProject, parseVarFlags, readDotenv, resolveEntry,
} from '../../runtime/config/project.ts';
import { startDevServer } from '../../runtime/dev/dev-server.ts';
import { startJailedDevServer } from '../../runtime/jail/dev-jail.ts';
import { JailUnavailableError } from '../../runtime/jail/launcher.ts';
import { InspectorServer } from '../../runtime/dev/inspector.ts';
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
    jail: { type: 'boolean', description: 'Run the worker inside the OS jail `worker serve` uses (Linux: bubblewrap + seccomp)' },
    inspect: { type: 'boolean', description: 'Let Chrome DevTools debug the worker (pins --isolation tenant; see below)' },
    'inspect-port': { type: 'string', value: 'PORT', description: 'Port of the DevTools endpoint on 127.0.0.1 (implies --inspect)', default: '9229' },
  },
  details:
    'The entry defaults to "main" in isle.json. Vars come from isle.json "vars", then the env file, then --var.\n' +
    'Prints "Ready on http://HOST:PORT" once it accepts requests. Ctrl-C stops it.\n' +
    '\n' +
    '--inspect serves the DevTools protocol on ws://127.0.0.1:9229 (open chrome://inspect in Chrome).\n' +
    'While inspecting, one isolate serves every request (--isolation tenant, so module state can survive\n' +
    'between requests, unlike in production), and the CPU, wall-clock and startup limits are lifted to one\n' +
    'hour unless --cpu-ms / --wall-ms are given. A rebuild starts a new isolate; DevTools follows it and\n' +
    'keeps its breakpoints. The endpoint has no authentication and listens on loopback only.',
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
    const isolationFlag = String(values.isolation ?? 'request');
    if (isolationFlag !== 'request' && isolationFlag !== 'tenant') throw new UsageError('--isolation must be "request" or "tenant"');
    let isolation: 'request' | 'tenant' = isolationFlag;
    const inspect = Boolean(values.inspect) || values['inspect-port'] !== undefined;
    if (inspect) {
      // DevTools attaches to one isolate: per-request isolates would each vanish under it.
      if (values.isolation === 'request') console.warn('worker dev: --inspect pins --isolation tenant (one isolate for DevTools to attach to)');
      isolation = 'tenant';
    }
    const envFile = values['env-file'] !== undefined
      ? resolve(String(values['env-file']))
      : join(project.configPath ? project.root : dirname(entry), DEV_VARS_FILE);
    if (values['env-file'] !== undefined && !existsSync(envFile)) throw new ConfigError(`env file not found: ${envFile}`);
    const env = { ...project.vars, ...readDotenv(envFile), ...parseVarFlags((values.var as string[]) ?? []) };
    // A debugger paused on a breakpoint must not run into the limits.
    const HOUR = 3_600_000;
    const limits = resolveLimits(project.limits, inspect ? { cpuMs: HOUR, wallMs: HOUR, startupMs: HOUR } : undefined, {
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
    if (values.jail) {
      if (inspect) throw new UsageError('--jail cannot be combined with --inspect (DevTools cannot reach into the jail)');
      let jailed: Awaited<ReturnType<typeof startJailedDevServer>>;
      try {
        jailed = await startJailedDevServer({ entry, root: project.root, host, port, env, limits, isolation, allowEgress, watch: !values['no-watch'] });
      } catch (e) {
        if (e instanceof JailUnavailableError) {
          console.error(e.message);
          return 1;
        }
        throw e;
      }
      console.log(`Isle dev (jailed): ${entry} (isolation: ${isolation}; limits: ${limits.cpuMs} ms CPU, ${limits.wallMs} ms wall, ${limits.memoryMb} MB)`);
      console.log(`Ready on ${jailed.url}`);
      await onShutdown(() => jailed.close());
      return 0;
    }
    let inspector: InspectorServer | undefined;
    if (inspect) {
      const inspectPort = Number(values['inspect-port'] ?? 9229);
      if (!Number.isInteger(inspectPort) || inspectPort < 0 || inspectPort > 65535) {
        throw new UsageError(`--inspect-port expects 0-65535, got "${String(values['inspect-port'])}"`);
      }
      try {
        inspector = await InspectorServer.start({ port: inspectPort, title: project.name ?? entry, root: project.root });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`inspector port ${inspectPort} is in use: pass --inspect-port PORT`);
        throw e;
      }
    }
    const devInspector = inspector;
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
      ...(devInspector && {
        inspector: { attach: (session, bundle) => devInspector.attach(session, bundle), log: (r) => devInspector.log(r) },
      }),
    }).catch(async (e) => {
      await devInspector?.close();
      throw e;
    });
    console.log(`Isle dev: ${entry} (isolation: ${isolation}; limits: ${limits.cpuMs} ms CPU, ${limits.wallMs} ms wall, ${limits.memoryMb} MB)`);
    if (devInspector) {
      console.log(`Debugger listening on ${devInspector.webSocketUrl}`);
      console.log(`DevTools: open chrome://inspect in Chrome (target "${project.name ?? entry}"), or ${devInspector.devtoolsUrl}`);
    }
    console.log(`Ready on ${server.url}`);
    await onShutdown(async () => {
      // Inspector sessions are detached before their isolates are disposed (isolated-vm may crash otherwise).
      await devInspector?.close();
      await server.close();
    });
  },
};
