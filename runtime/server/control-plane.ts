// The control-plane API of `worker serve` (admin port), built with hono. JSON under /v1, plus
// /healthz and Prometheus /metrics. Every mutation is audited; tokens are Bearer tokens.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { Cron } from 'croner';
import { z } from 'zod';
import { Authenticator, generateToken, hashToken, principalName, type Principal } from './auth.ts';
import type { LogHub } from './log-hub.ts';
import type { Metrics } from './metrics.ts';
import { parseRoute } from './router.ts';
import { parseAllowRule } from '../host/egress/policy.ts';
import { StoreError, type Store, type Tenant, type Version } from './store/types.ts';

export const MAX_BUNDLE_BYTES = 10 * 1024 * 1024;
const MAX_UPLOAD_BYTES = 2 * MAX_BUNDLE_BYTES + 1024 * 1024;

const tenantName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'tenant names are lowercase letters, digits and dashes (1-63)');
const hostname = z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i, 'a DNS hostname');
const limitsSchema = z.object({
  cpuMs: z.number().positive().max(15 * 60_000).optional(),
  wallMs: z.number().positive().max(15 * 60_000).optional(),
  memoryMb: z.number().int().min(8).max(4096).optional(),
  subrequests: z.number().int().min(0).max(100_000).optional(),
  startupMs: z.number().positive().max(60_000).optional(),
}).strict();
const varsSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env var names are identifiers'), z.unknown())
  .refine((v) => Object.keys(v).length <= 128, 'at most 128 vars')
  .refine((v) => JSON.stringify(v).length <= 64 * 1024, 'vars may total at most 64 KiB');

const createTenantBody = z.object({ name: tenantName, hostnames: z.array(hostname).default([]) }).strict();
const patchTenantBody = z.object({
  addHostnames: z.array(hostname).optional(),
  removeHostnames: z.array(hostname).optional(),
  allowEgress: z.array(z.string().min(1).max(300).superRefine((rule, ctx) => {
    try {
      parseAllowRule(rule);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  })).max(100).optional(),
  limits: limitsSchema.optional(),
}).strict();
const createTokenBody = z.object({ tenant: tenantName.nullable().default(null), name: z.string().min(1).max(100).default('deploy') }).strict();
const uploadBody = z.object({
  code: z.string().min(1).max(MAX_BUNDLE_BYTES, `bundle exceeds ${MAX_BUNDLE_BYTES} bytes`),
  map: z.string().max(MAX_BUNDLE_BYTES).default('{"version":3,"sources":[],"mappings":""}'),
  metadata: z.object({
    vars: varsSchema.default({}),
    routes: z.array(z.string().min(1).max(300)).max(100).default([]),
    limits: limitsSchema.default({}),
    crons: z.array(z.string().min(1).max(100)).max(20).default([]),
    compatibilityDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().default(null),
    message: z.string().max(1000).nullable().default(null),
  }).strict().default({ vars: {}, routes: [], limits: {}, crons: [], compatibilityDate: null, message: null }),
  activate: z.boolean().default(true),
}).strict();
const secretBody = z.object({ value: z.string().max(64 * 1024, 'secrets may be at most 64 KiB') }).strict();
const rollbackBody = z.object({ version: z.number().int().positive().optional() }).strict();

export interface ControlPlaneDeps {
  store: Store;
  auth: Authenticator;
  logs: LogHub;
  metrics: Metrics;
  /** Runs the bundle's top level in the host (never in the supervisor). */
  validateBundle(bundleId: string, metadata: Version['metadata']): Promise<{ ok: true } | { ok: false; error: string }>;
  /** The serving configuration of a tenant changed: push it to the host. */
  tenantChanged(name: string): void;
  tenantRemoved(name: string): void;
  health(): Record<string, unknown>;
  publicUrl(tenant: string): string;
}

type Env = { Variables: { principal: Principal } };

class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    const text = await c.req.text();
    raw = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body must be JSON.');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new HttpError(400, 'invalid_request', 'The request body is not valid.',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return parsed.data;
}

function versionView(v: Version, tenant: Tenant | undefined) {
  return {
    version: v.number,
    bundleId: v.bundleId,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    active: tenant?.activeVersion === v.number,
    metadata: { ...v.metadata, vars: Object.keys(v.metadata.vars) },
  };
}

export function createControlPlane(deps: ControlPlaneDeps): Hono<Env> {
  const { store, auth, logs, metrics } = deps;
  const app = new Hono<Env>();

  app.onError((err, c) => {
    if (err instanceof HttpError) {
      return c.json({ error: err.code, message: err.message, ...(err.details !== undefined && { details: err.details }) }, err.status as 400);
    }
    if (err instanceof StoreError) return c.json({ error: 'conflict_or_missing', message: err.message }, err.status);
    console.error(`isle control plane: ${err.stack ?? err}`);
    return c.json({ error: 'internal', message: 'Internal error in the control plane.' }, 500);
  });
  app.notFound((c) => c.json({ error: 'not_found', message: `No API route ${c.req.method} ${c.req.path}.` }, 404));

  app.get('/healthz', (c) => c.json(deps.health()));
  app.get('/metrics', async (c) => c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));

  const v1 = new Hono<Env>();
  v1.use('*', async (c, next) => {
    const principal = auth.authenticate(c.req.header('authorization'));
    if (!principal) throw new HttpError(401, 'unauthorized', 'Missing or invalid token: pass Authorization: Bearer <token>.');
    c.set('principal', principal);
    await next();
  });
  v1.use('*', bodyLimit({
    maxSize: MAX_UPLOAD_BYTES,
    onError: (c) => c.json({ error: 'payload_too_large', message: `Request body exceeds ${MAX_UPLOAD_BYTES} bytes.` }, 413),
  }));

  const requireAdmin = (c: Context<Env>) => {
    if (c.get('principal').kind !== 'admin') throw new HttpError(403, 'forbidden', 'This needs the admin token.');
  };
  const requireTenantAccess = (c: Context<Env>, tenant: string) => {
    const p = c.get('principal');
    if (p.kind === 'tenant' && p.tenant !== tenant) throw new HttpError(403, 'forbidden', `This token cannot act on tenant "${tenant}".`);
  };
  const mustTenant = (name: string): Tenant => {
    const t = store.getTenant(name);
    if (!t) throw new HttpError(404, 'no_such_tenant', `No tenant named "${name}".`);
    return t;
  };
  const audit = (c: Context<Env>, action: string, target: string, details: Record<string, unknown> = {}) =>
    store.audit({ actor: principalName(c.get('principal')), action, target, details });

  // Tenants
  v1.get('/tenants', (c) => {
    requireAdmin(c);
    return c.json({ tenants: store.listTenants() });
  });
  v1.post('/tenants', async (c) => {
    requireAdmin(c);
    const body = await parseBody(c, createTenantBody);
    store.createTenant(body.name);
    const tenant = body.hostnames.length ? store.grantHostnames(body.name, body.hostnames.map((h) => h.toLowerCase())) : store.getTenant(body.name)!;
    audit(c, 'tenant.create', body.name, { hostnames: body.hostnames });
    return c.json({ tenant, url: deps.publicUrl(body.name) }, 201);
  });
  v1.get('/tenants/:tenant', (c) => {
    const name = c.req.param('tenant');
    requireTenantAccess(c, name);
    return c.json({ tenant: mustTenant(name), url: deps.publicUrl(name) });
  });
  v1.patch('/tenants/:tenant', async (c) => {
    requireAdmin(c);
    const name = c.req.param('tenant');
    mustTenant(name);
    const body = await parseBody(c, patchTenantBody);
    if (body.addHostnames) store.grantHostnames(name, body.addHostnames.map((h) => h.toLowerCase()));
    if (body.removeHostnames) store.revokeHostnames(name, body.removeHostnames.map((h) => h.toLowerCase()));
    const tenant = store.setTenantSettings(name, {
      ...(body.allowEgress && { allowEgress: body.allowEgress }),
      ...(body.limits && { limits: body.limits }),
    });
    audit(c, 'tenant.update', name, body);
    deps.tenantChanged(name);
    return c.json({ tenant });
  });
  v1.delete('/tenants/:tenant', (c) => {
    const name = c.req.param('tenant');
    requireTenantAccess(c, name);
    mustTenant(name);
    store.deleteTenant(name);
    logs.forget(name);
    audit(c, 'tenant.delete', name);
    deps.tenantRemoved(name);
    return c.json({ deleted: name });
  });

  // Tokens
  v1.post('/tokens', async (c) => {
    requireAdmin(c);
    const body = await parseBody(c, createTokenBody);
    if (body.tenant !== null) mustTenant(body.tenant);
    const token = generateToken(body.tenant === null ? 'admin' : 'tenant');
    const record = store.createToken(body.tenant, body.name, hashToken(token));
    audit(c, 'token.create', record.id, { tenant: body.tenant, name: body.name });
    return c.json({ ...record, token }, 201);
  });
  v1.get('/tokens', (c) => {
    requireAdmin(c);
    return c.json({ tokens: store.listTokens() });
  });
  v1.delete('/tokens/:id', (c) => {
    requireAdmin(c);
    const id = c.req.param('id');
    if (!store.revokeToken(id)) throw new HttpError(404, 'no_such_token', `No token ${id}.`);
    audit(c, 'token.revoke', id);
    return c.json({ revoked: id });
  });

  // Versions
  v1.post('/tenants/:tenant/versions', async (c) => {
    const name = c.req.param('tenant');
    requireTenantAccess(c, name);
    const body = await parseBody(c, uploadBody);
    tenantName.parse(name);
    let tenant = store.getTenant(name);
    const principal = c.get('principal');
    if (!tenant) {
      // Like a first `wrangler deploy`: the admin may create the tenant by deploying to it.
      if (principal.kind !== 'admin') throw new HttpError(404, 'no_such_tenant', `No tenant named "${name}".`);
      tenant = store.createTenant(name);
      audit(c, 'tenant.create', name, { via: 'deploy' });
    }
    const meta = body.metadata;
    let routes;
    try {
      routes = meta.routes.map(parseRoute);
    } catch (e) {
      throw new HttpError(400, 'invalid_route', (e as Error).message);
    }
    for (const r of routes) {
      const owner = store.hostnameOwner(r.hostname);
      if (owner && owner !== name) throw new HttpError(409, 'route_conflict', `Hostname "${r.hostname}" belongs to another tenant.`);
      if (!owner) {
        if (principal.kind !== 'admin') {
          throw new HttpError(403, 'hostname_not_granted', `Hostname "${r.hostname}" is not granted to tenant "${name}"; ask the admin to grant it.`);
        }
        store.grantHostnames(name, [r.hostname]);
      }
    }
    for (const cron of meta.crons) {
      try {
        new Cron(cron, { paused: true }).stop();
      } catch (e) {
        throw new HttpError(400, 'invalid_cron', `Invalid cron expression "${cron}": ${(e as Error).message}`);
      }
    }
    const bundleId = store.putBundle({ code: body.code, map: body.map });
    const check = await deps.validateBundle(bundleId, meta);
    if (!check.ok) {
      metrics.deploys.inc({ tenant: name, result: 'refused' });
      audit(c, 'version.refused', name, { bundleId, error: check.error.slice(0, 2000) });
      throw new HttpError(422, 'bundle_invalid', `The bundle failed validation; nothing was activated.\n${check.error}`);
    }
    const version = store.createVersion(name, bundleId, meta, principalName(principal));
    if (body.activate) store.activate(name, version.number);
    metrics.deploys.inc({ tenant: name, result: 'ok' });
    audit(c, 'version.create', name, { version: version.number, bundleId, activated: body.activate });
    deps.tenantChanged(name);
    return c.json({ ...versionView(version, store.getTenant(name)), url: deps.publicUrl(name) }, 201);
  });
  v1.get('/tenants/:tenant/versions', (c) => {
    const name = c.req.param('tenant');
    requireTenantAccess(c, name);
    const tenant = mustTenant(name);
    return c.json({ versions: store.listVersions(name).map((v) => versionView(v, tenant)) });
  });
  v1.post('/tenants/:tenant/versions/:version/activate', (c) => {
    const name = c.req.param('tenant');
    requireTenantAccess(c, name);
    mustTenant(name);
    const number = Number(c.req.param('version'));
    if (!Number.isInteger(number) || number < 1) throw new HttpError(400, 'invalid_version', 'Versions are positive integers.');
    const tenant = store.activate(name, number);
    audit(c, 'version.activate', name, { version: number });
    deps.tenantChanged(name);
    return c.json({ tenant });
  });
  v1.post('/tenants/:tenant/rollback', async (c) => {
    const name = c.req.param('tenant');
    requireTenantAccess(c, name);
    const tenant = mustTenant(name);
    const body = await parseBody(c, rollbackBody);
    let target = body.version;
    if (target === undefined) {
      const older = store.listVersions(name).find((v) => tenant.activeVersion !== null && v.number < tenant.activeVersion);
      if (!older) throw new HttpError(409, 'nothing_to_roll_back_to', 'There is no earlier version to roll back to.');
      target = older.number;
    }
    const updated = store.activate(name, target);
    audit(c, 'version.rollback', name, { from: tenant.activeVersion, to: target });
    deps.tenantChanged(name);
    return c.json({ tenant: updated, from: tenant.activeVersion, to: target });
  });

  // Secrets: values go in, never come out.
  v1.put('/tenants/:tenant/secrets/:name', async (c) => {
    const tenant = c.req.param('tenant');
    requireTenantAccess(c, tenant);
    mustTenant(tenant);
    const secretName = c.req.param('name');
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(secretName)) throw new HttpError(400, 'invalid_secret_name', 'Secret names are identifiers (letters, digits, _).');
    const { value } = await parseBody(c, secretBody);
    store.putSecret(tenant, secretName, value);
    audit(c, 'secret.put', tenant, { name: secretName });
    deps.tenantChanged(tenant);
    return c.json({ name: secretName, stored: true });
  });
  v1.get('/tenants/:tenant/secrets', (c) => {
    const tenant = c.req.param('tenant');
    requireTenantAccess(c, tenant);
    return c.json({ secrets: store.listSecretNames(tenant) });
  });
  v1.delete('/tenants/:tenant/secrets/:name', (c) => {
    const tenant = c.req.param('tenant');
    requireTenantAccess(c, tenant);
    if (!store.deleteSecret(tenant, c.req.param('name'))) throw new HttpError(404, 'no_such_secret', `No secret ${c.req.param('name')}.`);
    audit(c, 'secret.delete', tenant, { name: c.req.param('name') });
    deps.tenantChanged(tenant);
    return c.json({ deleted: c.req.param('name') });
  });

  v1.get('/tenants/:tenant/routes', (c) => {
    const name = c.req.param('tenant');
    requireTenantAccess(c, name);
    const tenant = mustTenant(name);
    const active = tenant.activeVersion === null ? undefined : store.getVersion(name, tenant.activeVersion);
    return c.json({ hostnames: tenant.hostnames, routes: active?.metadata.routes ?? [], url: deps.publicUrl(name) });
  });

  // Logs
  v1.get('/tenants/:tenant/logs', (c) => {
    const name = c.req.param('tenant');
    requireTenantAccess(c, name);
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 1000);
    return c.json({ logs: logs.recent(name, limit) });
  });
  v1.get('/tenants/:tenant/logs/live', (c) => {
    const name = c.req.param('tenant');
    requireTenantAccess(c, name);
    mustTenant(name);
    return streamSSE(c, async (stream) => {
      let queue = Promise.resolve();
      const unsubscribe = logs.subscribe(name, (record) => {
        queue = queue.then(() => stream.writeSSE({ event: 'log', data: JSON.stringify(record) })).catch(() => {});
      });
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ tenant: name }) });
      const keepAlive = setInterval(() => {
        queue = queue.then(() => stream.writeSSE({ event: 'ping', data: '{}' })).catch(() => {});
      }, 15_000);
      await new Promise<void>((resolve) => stream.onAbort(() => resolve()));
      clearInterval(keepAlive);
      unsubscribe();
    });
  });

  v1.get('/audit', (c) => {
    requireAdmin(c);
    return c.json({ audit: store.listAudit(Math.min(Number(c.req.query('limit') ?? 100) || 100, 1000)) });
  });

  app.route('/v1', v1);
  return app;
}
