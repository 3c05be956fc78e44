// Bearer tokens: random, shown once, stored only as SHA-256 hashes. An admin token can do
// everything; a tenant token only touches its own tenant.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store, TokenRecord } from './store/types.ts';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(kind: 'admin' | 'tenant'): string {
  return `isle_${kind === 'admin' ? 'adm' : 'tnt'}_${randomBytes(24).toString('base64url')}`;
}

export type Principal = { kind: 'admin'; id: string } | { kind: 'tenant'; tenant: string; id: string };

export class Authenticator {
  #store: Store;
  #adminHashes: string[];

  constructor(store: Store, adminHashes: string[]) {
    this.#store = store;
    this.#adminHashes = adminHashes;
  }

  authenticate(header: string | undefined): Principal | undefined {
    if (!header?.startsWith('Bearer ')) return undefined;
    const token = header.slice(7).trim();
    if (!token) return undefined;
    const hash = hashToken(token);
    const hashBuf = Buffer.from(hash, 'hex');
    for (const admin of this.#adminHashes) {
      if (timingSafeEqual(Buffer.from(admin, 'hex'), hashBuf)) return { kind: 'admin', id: 'admin' };
    }
    const record: TokenRecord | undefined = this.#store.findTokenByHash(hash);
    if (!record) return undefined;
    return record.tenant === null ? { kind: 'admin', id: record.id } : { kind: 'tenant', tenant: record.tenant, id: record.id };
  }
}

export function principalName(p: Principal): string {
  return p.kind === 'admin' ? `admin:${p.id}` : `tenant:${p.tenant}:${p.id}`;
}
