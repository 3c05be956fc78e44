// The embedded store: an index in node:sqlite and content-addressed bundle files on local disk.
// Writes are atomic (bundle files via temp file + rename, index changes in transactions), so a
// crash mid-upload leaves either the old state or the new one. Secrets live in their own database
// file, readable by the owner only.
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Limits } from '../../config/limits.ts';
import {
  StoreError, type AuditEntry, type Store, type StoredBundle, type Tenant, type TokenRecord, type Version, type VersionMetadata,
} from './types.ts';

const SCHEMA = `
create table if not exists tenants (
  name text primary key,
  created_at text not null,
  allow_egress text not null default '[]',
  limits text not null default '{}',
  active_version integer
);
create table if not exists hostnames (
  hostname text primary key,
  tenant text not null references tenants(name) on delete cascade
);
create table if not exists versions (
  tenant text not null references tenants(name) on delete cascade,
  number integer not null,
  bundle_id text not null,
  created_at text not null,
  created_by text not null,
  metadata text not null,
  primary key (tenant, number)
);
create table if not exists tokens (
  id text primary key,
  tenant text references tenants(name) on delete cascade,
  name text not null,
  hash text not null unique,
  created_at text not null
);
create table if not exists audit (
  id integer primary key autoincrement,
  time text not null,
  actor text not null,
  action text not null,
  target text not null,
  details text not null
);
`;

const SECRETS_SCHEMA = `
create table if not exists secrets (
  tenant text not null,
  name text not null,
  value text not null,
  primary key (tenant, name)
);
`;

interface TenantRow {
  name: string;
  created_at: string;
  allow_egress: string;
  limits: string;
  active_version: number | null;
}

interface VersionRow {
  tenant: string;
  number: number;
  bundle_id: string;
  created_at: string;
  created_by: string;
  metadata: string;
}

const BUNDLE_ID = /^[0-9a-f]{64}$/;

export class SqliteStore implements Store {
  readonly dataDir: string;
  readonly bundleDir: string;
  #db: DatabaseSync;
  #secrets: DatabaseSync;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.bundleDir = join(dataDir, 'bundles');
    mkdirSync(this.bundleDir, { recursive: true });
    chmodSync(dataDir, 0o700);
    this.#db = new DatabaseSync(join(dataDir, 'index.db'));
    this.#db.exec('pragma journal_mode = wal; pragma foreign_keys = on; pragma busy_timeout = 5000;');
    this.#db.exec(SCHEMA);
    const secretsPath = join(dataDir, 'secrets.db');
    this.#secrets = new DatabaseSync(secretsPath);
    chmodSync(secretsPath, 0o600);
    this.#secrets.exec('pragma journal_mode = delete;');
    this.#secrets.exec(SECRETS_SCHEMA);
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec('begin immediate');
    try {
      const out = fn();
      this.#db.exec('commit');
      return out;
    } catch (e) {
      this.#db.exec('rollback');
      throw e;
    }
  }

  #tenantRow(name: string): TenantRow | undefined {
    return this.#db.prepare('select * from tenants where name = ?').get(name) as unknown as TenantRow | undefined;
  }

  #toTenant(row: TenantRow): Tenant {
    const hostnames = (this.#db.prepare('select hostname from hostnames where tenant = ? order by hostname').all(row.name) as { hostname: string }[])
      .map((r) => r.hostname);
    return {
      name: row.name,
      createdAt: row.created_at,
      hostnames,
      allowEgress: JSON.parse(row.allow_egress) as string[],
      limits: JSON.parse(row.limits) as Partial<Limits>,
      activeVersion: row.active_version,
    };
  }

  #requireTenant(name: string): TenantRow {
    const row = this.#tenantRow(name);
    if (!row) throw new StoreError(404, `no tenant named "${name}"`);
    return row;
  }

  createTenant(name: string): Tenant {
    if (this.#tenantRow(name)) throw new StoreError(409, `tenant "${name}" already exists`);
    this.#db.prepare('insert into tenants (name, created_at) values (?, ?)').run(name, new Date().toISOString());
    return this.getTenant(name)!;
  }

  getTenant(name: string): Tenant | undefined {
    const row = this.#tenantRow(name);
    return row && this.#toTenant(row);
  }

  listTenants(): Tenant[] {
    return (this.#db.prepare('select * from tenants order by name').all() as unknown as TenantRow[]).map((r) => this.#toTenant(r));
  }

  deleteTenant(name: string): boolean {
    const deleted = this.#tx(() => {
      this.#db.prepare('delete from hostnames where tenant = ?').run(name);
      this.#db.prepare('delete from versions where tenant = ?').run(name);
      this.#db.prepare('delete from tokens where tenant = ?').run(name);
      return Number(this.#db.prepare('delete from tenants where name = ?').run(name).changes) > 0;
    });
    this.#secrets.prepare('delete from secrets where tenant = ?').run(name);
    return deleted;
  }

  grantHostnames(tenant: string, hostnames: string[]): Tenant {
    this.#requireTenant(tenant);
    this.#tx(() => {
      for (const hostname of hostnames) {
        const owner = this.hostnameOwner(hostname);
        if (owner && owner !== tenant) throw new StoreError(409, `hostname "${hostname}" is already granted to tenant "${owner}"`);
        this.#db.prepare('insert or ignore into hostnames (hostname, tenant) values (?, ?)').run(hostname, tenant);
      }
    });
    return this.getTenant(tenant)!;
  }

  revokeHostnames(tenant: string, hostnames: string[]): Tenant {
    this.#requireTenant(tenant);
    for (const hostname of hostnames) this.#db.prepare('delete from hostnames where hostname = ? and tenant = ?').run(hostname, tenant);
    return this.getTenant(tenant)!;
  }

  hostnameOwner(hostname: string): string | undefined {
    const row = this.#db.prepare('select tenant from hostnames where hostname = ?').get(hostname) as { tenant: string } | undefined;
    return row?.tenant;
  }

  setTenantSettings(tenant: string, settings: { allowEgress?: string[]; limits?: Partial<Limits> }): Tenant {
    this.#requireTenant(tenant);
    if (settings.allowEgress) this.#db.prepare('update tenants set allow_egress = ? where name = ?').run(JSON.stringify(settings.allowEgress), tenant);
    if (settings.limits) this.#db.prepare('update tenants set limits = ? where name = ?').run(JSON.stringify(settings.limits), tenant);
    return this.getTenant(tenant)!;
  }

  putBundle(bundle: StoredBundle): string {
    const id = createHash('sha256').update(bundle.code).update('\0').update(bundle.map).digest('hex');
    const codePath = this.bundlePath(id);
    if (!existsSync(codePath)) {
      // Map first, code last: a code file present means the pair is complete.
      for (const [path, content] of [[`${codePath}.map`, bundle.map], [codePath, bundle.code]] as const) {
        const tmp = `${path}.${randomUUID()}.tmp`;
        writeFileSync(tmp, content, { mode: 0o644 });
        renameSync(tmp, path);
      }
    }
    return id;
  }

  bundlePath(bundleId: string): string {
    if (!BUNDLE_ID.test(bundleId)) throw new StoreError(400, `invalid bundle id "${bundleId}"`);
    return join(this.bundleDir, `${bundleId}.js`);
  }

  readBundle(bundleId: string): StoredBundle {
    const path = this.bundlePath(bundleId);
    if (!existsSync(path)) throw new StoreError(404, `no bundle ${bundleId}`);
    return { code: readFileSync(path, 'utf8'), map: readFileSync(`${path}.map`, 'utf8') };
  }

  #toVersion(row: VersionRow): Version {
    return {
      tenant: row.tenant,
      number: row.number,
      bundleId: row.bundle_id,
      createdAt: row.created_at,
      createdBy: row.created_by,
      metadata: JSON.parse(row.metadata) as VersionMetadata,
    };
  }

  createVersion(tenant: string, bundleId: string, metadata: VersionMetadata, createdBy: string): Version {
    this.#requireTenant(tenant);
    if (!existsSync(this.bundlePath(bundleId))) throw new StoreError(400, `bundle ${bundleId} is not stored`);
    // The max+1 read and the insert share one immediate transaction: concurrent deploys get distinct numbers.
    const number = this.#tx(() => {
      const row = this.#db.prepare('select coalesce(max(number), 0) + 1 as n from versions where tenant = ?').get(tenant) as { n: number };
      this.#db
        .prepare('insert into versions (tenant, number, bundle_id, created_at, created_by, metadata) values (?, ?, ?, ?, ?, ?)')
        .run(tenant, row.n, bundleId, new Date().toISOString(), createdBy, JSON.stringify(metadata));
      return row.n;
    });
    return this.getVersion(tenant, number)!;
  }

  getVersion(tenant: string, number: number): Version | undefined {
    const row = this.#db.prepare('select * from versions where tenant = ? and number = ?').get(tenant, number) as unknown as VersionRow | undefined;
    return row && this.#toVersion(row);
  }

  listVersions(tenant: string): Version[] {
    this.#requireTenant(tenant);
    return (this.#db.prepare('select * from versions where tenant = ? order by number desc').all(tenant) as unknown as VersionRow[])
      .map((r) => this.#toVersion(r));
  }

  activate(tenant: string, number: number): Tenant {
    this.#requireTenant(tenant);
    if (!this.getVersion(tenant, number)) throw new StoreError(404, `tenant "${tenant}" has no version ${number}`);
    this.#db.prepare('update tenants set active_version = ? where name = ?').run(number, tenant);
    return this.getTenant(tenant)!;
  }

  createToken(tenant: string | null, name: string, hash: string): TokenRecord {
    if (tenant !== null) this.#requireTenant(tenant);
    const id = `tok_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const createdAt = new Date().toISOString();
    this.#db.prepare('insert into tokens (id, tenant, name, hash, created_at) values (?, ?, ?, ?, ?)').run(id, tenant, name, hash, createdAt);
    return { id, tenant, name, createdAt };
  }

  findTokenByHash(hash: string): TokenRecord | undefined {
    const row = this.#db.prepare('select id, tenant, name, created_at from tokens where hash = ?').get(hash) as
      | { id: string; tenant: string | null; name: string; created_at: string }
      | undefined;
    return row && { id: row.id, tenant: row.tenant, name: row.name, createdAt: row.created_at };
  }

  listTokens(tenant?: string): TokenRecord[] {
    const rows = (tenant === undefined
      ? this.#db.prepare('select id, tenant, name, created_at from tokens order by created_at').all()
      : this.#db.prepare('select id, tenant, name, created_at from tokens where tenant = ? order by created_at').all(tenant)) as {
      id: string; tenant: string | null; name: string; created_at: string;
    }[];
    return rows.map((r) => ({ id: r.id, tenant: r.tenant, name: r.name, createdAt: r.created_at }));
  }

  revokeToken(id: string): boolean {
    return Number(this.#db.prepare('delete from tokens where id = ?').run(id).changes) > 0;
  }

  putSecret(tenant: string, name: string, value: string): void {
    this.#requireTenant(tenant);
    this.#secrets.prepare('insert into secrets (tenant, name, value) values (?, ?, ?) on conflict (tenant, name) do update set value = excluded.value')
      .run(tenant, name, value);
  }

  listSecretNames(tenant: string): string[] {
    this.#requireTenant(tenant);
    return (this.#secrets.prepare('select name from secrets where tenant = ? order by name').all(tenant) as { name: string }[]).map((r) => r.name);
  }

  deleteSecret(tenant: string, name: string): boolean {
    this.#requireTenant(tenant);
    return Number(this.#secrets.prepare('delete from secrets where tenant = ? and name = ?').run(tenant, name).changes) > 0;
  }

  secretValues(tenant: string): Record<string, string> {
    const rows = this.#secrets.prepare('select name, value from secrets where tenant = ?').all(tenant) as { name: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  audit(entry: Omit<AuditEntry, 'time'>): void {
    this.#db.prepare('insert into audit (time, actor, action, target, details) values (?, ?, ?, ?, ?)')
      .run(new Date().toISOString(), entry.actor, entry.action, entry.target, JSON.stringify(entry.details));
  }

  listAudit(limit: number): AuditEntry[] {
    const rows = this.#db.prepare('select time, actor, action, target, details from audit order by id desc limit ?').all(limit) as {
      time: string; actor: string; action: string; target: string; details: string;
    }[];
    return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  }

  close(): void {
    this.#db.close();
    this.#secrets.close();
  }
}
