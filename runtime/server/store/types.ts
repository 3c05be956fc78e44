// The bundle store and control-plane state, behind an interface: the embedded default is SQLite
// + files on local disk (sqlite-store.ts); a networked backend (PostgreSQL with LISTEN/NOTIFY for
// activations, S3-compatible storage for bundle files) implements the same interface.
import type { Limits } from '../../config/limits.ts';

export interface Tenant {
  name: string;
  createdAt: string;
  /** Hostnames the admin granted this tenant for routes (unique across tenants). */
  hostnames: string[];
  /** Egress exceptions (HOST[:PORT]) the admin granted. */
  allowEgress: string[];
  /** Limits the admin set for this tenant (override defaults; versions cannot exceed them). */
  limits: Partial<Limits>;
  activeVersion: number | null;
}

export interface VersionMetadata {
  vars: Record<string, unknown>;
  routes: string[];
  limits: Partial<Limits>;
  crons: string[];
  compatibilityDate: string | null;
  message: string | null;
}

export interface Version {
  tenant: string;
  /** Per-tenant sequence number, starting at 1. */
  number: number;
  bundleId: string;
  createdAt: string;
  createdBy: string;
  metadata: VersionMetadata;
}

export interface TokenRecord {
  id: string;
  /** null: an admin token. */
  tenant: string | null;
  name: string;
  createdAt: string;
}

export interface AuditEntry {
  time: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export interface StoredBundle {
  code: string;
  map: string;
}

export interface Store {
  readonly dataDir: string;
  /** Directory of content-addressed bundle files (the host mounts it read-only). */
  readonly bundleDir: string;

  createTenant(name: string): Tenant;
  getTenant(name: string): Tenant | undefined;
  listTenants(): Tenant[];
  deleteTenant(name: string): boolean;
  grantHostnames(tenant: string, hostnames: string[]): Tenant;
  revokeHostnames(tenant: string, hostnames: string[]): Tenant;
  /** The tenant holding a hostname grant, if any. */
  hostnameOwner(hostname: string): string | undefined;
  setTenantSettings(tenant: string, settings: { allowEgress?: string[]; limits?: Partial<Limits> }): Tenant;

  putBundle(bundle: StoredBundle): string;
  readBundle(bundleId: string): StoredBundle;
  bundlePath(bundleId: string): string;

  createVersion(tenant: string, bundleId: string, metadata: VersionMetadata, createdBy: string): Version;
  getVersion(tenant: string, number: number): Version | undefined;
  listVersions(tenant: string): Version[];
  /** Atomically makes `number` the tenant's serving version. */
  activate(tenant: string, number: number): Tenant;

  createToken(tenant: string | null, name: string, hash: string): TokenRecord;
  findTokenByHash(hash: string): TokenRecord | undefined;
  listTokens(tenant?: string): TokenRecord[];
  revokeToken(id: string): boolean;

  putSecret(tenant: string, name: string, value: string): void;
  listSecretNames(tenant: string): string[];
  deleteSecret(tenant: string, name: string): boolean;
  /** Secret values, for delivery to the host only. */
  secretValues(tenant: string): Record<string, string>;

  audit(entry: Omit<AuditEntry, 'time'>): void;
  listAudit(limit: number): AuditEntry[];

  close(): void;
}

export class StoreError extends Error {
  override name = 'StoreError';
  readonly status: 400 | 404 | 409;
  constructor(status: 400 | 404 | 409, message: string) {
    super(message);
    this.status = status;
  }
}
