// The one channel between the supervisor and the host child (Node IPC). The host gets tenant
// configuration (secrets included) from here and nowhere else; it sends logs back.
import type { Limits } from '../config/limits.ts';
import type { LogRecord } from '../host/log.ts';

export interface TenantRoute {
  hostname: string;
  /** Path prefix ('/' for the whole host). */
  path: string;
}

/** Everything the host needs to serve one tenant's active version. */
export interface TenantRuntime {
  name: string;
  version: number;
  bundleId: string;
  /** vars of the version plus the tenant's secrets. */
  env: Record<string, unknown>;
  limits: Limits;
  allowEgress: string[];
  routes: TenantRoute[];
  crons: string[];
}

export type SupervisorMessage =
  | { type: 'tenants'; tenants: TenantRuntime[] }
  | { type: 'tenant'; tenant: TenantRuntime }
  | { type: 'tenant-removed'; name: string }
  | { type: 'validate'; id: string; bundleId: string; limits: Limits; env: Record<string, unknown> }
  | { type: 'scheduled'; tenant: string; cron: string; scheduledTime: number }
  | { type: 'drain'; timeoutMs: number }
  /** Sent first when the host was started with preludeOverIpc. */
  | { type: 'prelude'; code: string; hash: string };

export type HostMessage =
  | { type: 'ready'; address: string; port: number }
  | { type: 'log'; record: LogRecord }
  | { type: 'validated'; id: string; ok: true; format: string }
  | { type: 'validated'; id: string; ok: false; error: string }
  | { type: 'drained' };
