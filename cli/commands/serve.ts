import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { JailUnavailableError } from '../../runtime/jail/launcher.ts';
import { startServer } from '../../runtime/server/supervisor.ts';
import { numberOption, UsageError, type CommandDef } from '../command.ts';
import { onShutdown } from '../shutdown.ts';

const serverConfigSchema = z.object({
  baseDomain: z.string().min(1).optional(),
  isolation: z.enum(['request', 'tenant']).optional(),
  drainMs: z.number().int().min(0).optional(),
  /** uid/gid the jailed host runs as (default: the supervisor's, or 65534 when that is root). */
  jailUser: z.object({ uid: z.number().int().min(1), gid: z.number().int().min(1) }).strict().optional(),
  limits: z.object({
    cpuMs: z.number().positive().optional(),
    wallMs: z.number().positive().optional(),
    memoryMb: z.number().int().min(8).optional(),
    subrequests: z.number().int().min(0).optional(),
    startupMs: z.number().positive().optional(),
  }).strict().optional(),
}).strict();

export const serveCommand: CommandDef = {
  name: 'serve',
  summary: 'Run the multi-tenant host: serves deployed workers and the control-plane API.',
  usage: 'worker serve [options]',
  options: {
    host: { type: 'string', value: 'HOST', description: 'Address for worker traffic', default: '127.0.0.1' },
    port: { type: 'string', value: 'PORT', description: 'Port for worker traffic', default: '8080' },
    'admin-host': { type: 'string', value: 'HOST', description: 'Address of the control-plane API', default: '127.0.0.1' },
    'admin-port': { type: 'string', value: 'PORT', description: 'Port of the control-plane API', default: '8081' },
    data: { type: 'string', value: 'DIR', description: 'Bundle store, index and secrets', default: '.isle-data' },
    config: { type: 'string', value: 'FILE', description: 'Server config JSON: baseDomain, isolation, drainMs, limits, jailUser' },
    'base-domain': { type: 'string', value: 'DOMAIN', description: 'Tenants answer on <tenant>.<DOMAIN>', default: 'localhost' },
    isolation: { type: 'string', value: 'request|tenant', description: 'Fresh isolate per request, or one per tenant version', default: 'request' },
    jail: { type: 'string', value: 'on|off', description: 'OS jail around the host (bubblewrap + seccomp); "off" only for development ($ISLE_JAIL)', default: 'on' },
    'trust-proxy': { type: 'boolean', description: 'Take scheme, host and client IP from X-Forwarded-* headers' },
    'admin-token-file': { type: 'string', value: 'FILE', description: 'File holding the admin token (else $ISLE_ADMIN_TOKEN, else generated once)' },
  },
  details:
    'SIGTERM or Ctrl-C drains in-flight requests (bounded by drainMs, default 10000) and exits.\n' +
    'The host runs in an OS jail by default (needs bubblewrap and user namespaces); if the jail cannot be set up,\n' +
    'serve exits with the cause and the fix instead of running without it. --jail=off runs unjailed (development only).',
  async run({ values, positionals }) {
    if (positionals.length) throw new UsageError('worker serve takes no positional arguments');
    let file: z.infer<typeof serverConfigSchema> = {};
    if (values.config !== undefined) {
      const path = resolve(String(values.config));
      if (!existsSync(path)) throw new UsageError(`config file not found: ${path}`);
      const parsed = serverConfigSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!parsed.success) throw new UsageError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      file = parsed.data;
    }
    const jail = String(values.jail ?? process.env.ISLE_JAIL ?? 'on');
    if (jail !== 'on' && jail !== 'off') throw new UsageError('--jail must be "on" or "off"');
    const isolation = String(values.isolation ?? file.isolation ?? 'request');
    if (isolation !== 'request' && isolation !== 'tenant') throw new UsageError('--isolation must be "request" or "tenant"');
    const port = numberOption(values, 'port') ?? 8080;
    const adminPort = numberOption(values, 'admin-port') ?? 8081;
    if (jail === 'off') {
      console.warn(
        '!!! WARNING: running WITHOUT the OS jail (--jail=off / ISLE_JAIL=off): tenant code is contained only by V8 isolates.\n' +
          '!!! A V8 escape would reach this machine\'s files, network and processes. Use this for development only.',
      );
    }
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer({
        host: String(values.host ?? '127.0.0.1'),
        port,
        adminHost: String(values['admin-host'] ?? '127.0.0.1'),
        adminPort,
        dataDir: resolve(String(values.data ?? '.isle-data')),
        baseDomain: String(values['base-domain'] ?? file.baseDomain ?? 'localhost'),
        trustProxy: Boolean(values['trust-proxy']),
        isolation,
        jail,
        ...(file.jailUser && { jailIdentity: file.jailUser }),
        defaultLimits: file.limits ?? {},
        ...(values['admin-token-file'] !== undefined && { adminTokenFile: String(values['admin-token-file']) }),
        drainMs: file.drainMs ?? 10_000,
      });
    } catch (e) {
      // Fail closed with one message: the cause, the fix, and the explicit opt-out.
      if (e instanceof JailUnavailableError) {
        console.error(e.message);
        return 1;
      }
      throw e;
    }
    console.log(`Control plane on ${server.adminUrl}`);
    console.log(`Ready on ${server.url}`);
    await onShutdown(() => server.stop());
  },
};
