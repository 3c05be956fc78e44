// The egress broker: the jailed host's only way to the network. An HTTP CONNECT server on a unix
// socket owned by the supervisor (outside the jail) and bind-mounted into it. For each
// `CONNECT host:port` it resolves the name itself, applies the egress policy (runtime/host/egress:
// the same module the host uses) to every address, dials the checked address (never the name
// again), answers 200 and splices the two streams; TLS stays inside the host, end to end.
//
// Trust: the host is what the jail defends against, so the broker takes nothing from it but the
// target and the tenant name (`X-Isle-Tenant`). The name only selects which exceptions apply, and
// those come from the supervisor (the admin's per-tenant grants in the store): an unknown or absent
// tenant gets the default policy, the public Internet only.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, unlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DirectTransport, EgressDeniedError, formatHostPort, type Dialer, type Resolver } from '../host/egress/connect.ts';
import { EgressPolicy, normalizeHost } from '../host/egress/policy.ts';

export const TENANT_HEADER = 'x-isle-tenant';
export const REASON_HEADER = 'x-isle-egress-reason';
export const ADDRESS_HEADER = 'x-isle-egress-address';
export const CATEGORY_HEADER = 'x-isle-egress-category';

export interface BrokerDecision {
  time: number;
  tenant: string | undefined;
  target: string;
  allow: boolean;
  /** Allowed: the address dialled. */
  address?: string;
  reason: string;
}

export interface BrokerOptions {
  socketPath: string;
  /** The admin's egress grants for a tenant (undefined: no such tenant → default policy). */
  rulesFor(tenant: string): readonly string[] | undefined;
  log(decision: BrokerDecision): void;
  resolver?: Resolver;
  dialer?: Dialer;
  connectTimeoutMs?: number;
  /** Open tunnels at most (all tenants), and per tenant. */
  maxTunnels?: number;
  maxTunnelsPerTenant?: number;
  /** A tunnel with no traffic either way for this long is closed (ms). */
  idleTimeoutMs?: number;
}

export interface EgressBroker {
  readonly socketPath: string;
  readonly server: Server;
  /** Open tunnels now. */
  readonly tunnels: number;
  close(): Promise<void>;
}

const TENANT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** `host:port` / `[v6]:port` → parts, or undefined if it is not a CONNECT authority. */
export function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.%]+)\]|([^:\[\]\s/@]+)):([0-9]{1,5})$/.exec(authority);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: normalizeHost(m[1] ?? m[2]!), port };
}

/** Header-safe text (the reason goes back in a response header). */
const headerText = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);

function reply(socket: Socket | Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  let head = `HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${headerText(v)}\r\n`;
  socket.end(head + '\r\n');
}

export async function startEgressBroker(o: BrokerOptions): Promise<EgressBroker> {
  const maxTunnels = o.maxTunnels ?? 1024;
  const maxPerTenant = o.maxTunnelsPerTenant ?? 256;
  const idleMs = o.idleTimeoutMs ?? 5 * 60_000;
  const perTenant = new Map<string, number>();
  let open = 0;
  const sockets = new Set<Socket | Duplex>();
  // Policies by rule set (a tenant's grants change rarely; identical sets share a parsed policy).
  const policies = new Map<string, EgressPolicy>();
  const policyFor = (rules: readonly string[]) => {
    const key = JSON.stringify(rules);
    let p = policies.get(key);
    if (!p) {
      try {
        p = new EgressPolicy(rules);
      } catch {
        // An unparsable grant grants nothing (the control plane validates grants; this is belt and braces).
        p = new EgressPolicy([]);
      }
      policies.set(key, p);
    }
    return p;
  };

  const server = createServer((_req, res) => {
    res.writeHead(405, { allow: 'CONNECT', connection: 'close' }).end();
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const rawTenant = req.headers[TENANT_HEADER];
    const tenantText = typeof rawTenant === 'string' ? rawTenant : undefined;
    const tenant = tenantText && TENANT_NAME.test(tenantText) ? tenantText : undefined;
    const target = req.url ?? '';
    const decided = (d: Omit<BrokerDecision, 'time' | 'tenant' | 'target'>) => o.log({ time: Date.now(), tenant, target, ...d });
    client.on('error', () => client.destroy());
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    const authority = parseAuthority(target);
    if (!authority) {
      decided({ allow: false, reason: 'not a CONNECT host:port target' });
      reply(client, 400, 'Bad Request', { [REASON_HEADER]: 'not a CONNECT host:port target' });
      return;
    }
    const tenantKey = tenant ?? '';
    if (open >= maxTunnels || (perTenant.get(tenantKey) ?? 0) >= maxPerTenant) {
      decided({ allow: false, reason: 'too many open egress connections' });
      reply(client, 429, 'Too Many Requests', { [REASON_HEADER]: 'too many open egress connections' });
      return;
    }
    open++;
    perTenant.set(tenantKey, (perTenant.get(tenantKey) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      open--;
      const n = (perTenant.get(tenantKey) ?? 1) - 1;
      if (n <= 0) perTenant.delete(tenantKey);
      else perTenant.set(tenantKey, n);
    };
    client.once('close', release);

    const rules = (tenant && o.rulesFor(tenant)) || [];
    const transport = new DirectTransport({
      policy: policyFor(rules),
      ...(o.resolver && { resolver: o.resolver }),
      ...(o.dialer && { dialer: o.dialer }),
      connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    });
    transport.open({ hostname: authority.host, port: authority.port }).then(
      (upstream) => {
        const address = (upstream as Socket).remoteAddress;
        if (client.destroyed) {
          upstream.destroy();
          return;
        }
        decided({ allow: true, reason: 'allowed', ...(address && { address: formatHostPort(address, authority.port) }) });
        sockets.add(upstream);
        upstream.once('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        for (const s of [client, upstream as Socket]) {
          s.setTimeout?.(idleMs, () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      },
      (e: Error) => {
        if (e instanceof EgressDeniedError) {
          decided({ allow: false, reason: e.reason, ...(e.address && { address: e.address }) });
          reply(client, 403, 'Forbidden', {
            [REASON_HEADER]: e.reason,
            ...(e.address && { [ADDRESS_HEADER]: e.address }),
            ...(e.category && { [CATEGORY_HEADER]: e.category }),
          });
        } else {
          const reason = (e as NodeJS.ErrnoException).code ? `${(e as NodeJS.ErrnoException).code}: ${e.message}` : e.message;
          decided({ allow: false, reason: `connect failed: ${reason}` });
          reply(client, 502, 'Bad Gateway', { [REASON_HEADER]: reason });
        }
      },
    );
  });
  server.on('clientError', (_e, socket) => socket.destroy());

  if (existsSync(o.socketPath)) unlinkSync(o.socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    socketPath: o.socketPath,
    server,
    get tunnels() {
      return open;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}
