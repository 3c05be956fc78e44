// Which tenant serves a request: `<tenant>.<base domain>` by Host header, or an explicit route
// (hostname + optional path prefix; the longest matching prefix wins).
import type { TenantRoute, TenantRuntime } from './ipc.ts';

export interface RouteMatch {
  tenant: TenantRuntime;
}

export class Router {
  #byName = new Map<string, TenantRuntime>();
  #routes: { route: TenantRoute; tenant: string }[] = [];
  readonly baseDomain: string;

  constructor(baseDomain: string) {
    this.baseDomain = baseDomain.toLowerCase().replace(/^\.+|\.+$/g, '');
  }

  setTenants(tenants: TenantRuntime[]): void {
    this.#byName = new Map(tenants.map((t) => [t.name, t]));
    this.#rebuild();
  }

  upsert(tenant: TenantRuntime): void {
    this.#byName.set(tenant.name, tenant);
    this.#rebuild();
  }

  remove(name: string): void {
    this.#byName.delete(name);
    this.#rebuild();
  }

  get(name: string): TenantRuntime | undefined {
    return this.#byName.get(name);
  }

  #rebuild(): void {
    const routes: { route: TenantRoute; tenant: string }[] = [];
    for (const t of this.#byName.values()) for (const route of t.routes) routes.push({ route, tenant: t.name });
    // Longest path first, so /api/v2 beats /api beats /.
    routes.sort((a, b) => b.route.path.length - a.route.path.length);
    this.#routes = routes;
  }

  match(hostHeader: string | undefined, path: string): RouteMatch | undefined {
    if (!hostHeader) return undefined;
    const hostname = stripPort(hostHeader).toLowerCase();
    for (const { route, tenant } of this.#routes) {
      if (route.hostname === hostname && pathHasPrefix(path, route.path)) {
        const t = this.#byName.get(tenant);
        if (t) return { tenant: t };
      }
    }
    const suffix = `.${this.baseDomain}`;
    if (hostname.endsWith(suffix)) {
      const label = hostname.slice(0, -suffix.length);
      if (label && !label.includes('.')) {
        const t = this.#byName.get(label);
        if (t) return { tenant: t };
      }
    }
    return undefined;
  }
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon > 0 ? host.slice(0, colon) : host;
}

function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === '/' || prefix === '') return true;
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return path === p || path.startsWith(p + '/') || path.startsWith(p + '?');
}

/** Parses a route pattern `HOST[/PATH]` (a trailing `*` is accepted and ignored, as in wrangler). */
export function parseRoute(pattern: string): TenantRoute {
  let p = pattern.trim().replace(/^https?:\/\//, '');
  if (p.endsWith('*')) p = p.slice(0, -1);
  const slash = p.indexOf('/');
  const hostname = (slash === -1 ? p : p.slice(0, slash)).toLowerCase();
  let path = slash === -1 ? '/' : p.slice(slash);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (!/^[a-z0-9.-]+$/.test(hostname) || hostname.startsWith('.') || hostname.endsWith('.')) {
    throw new Error(`invalid route "${pattern}": expected HOST[/PATH], e.g. api.example.com/v1`);
  }
  return { hostname, path };
}
