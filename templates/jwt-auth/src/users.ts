// Demo accounts. Passwords are stored as PBKDF2-SHA-256 hashes (100 000 iterations), never in
// clear: ada / lovelace-1815 (admin) and alan / turing-1912. A real worker would look users up in
// an external store with fetch().
export interface User {
  roles: string[];
  /** base64url */
  salt: string;
  /** base64url PBKDF2 output, 32 bytes */
  hash: string;
}

export const users: Record<string, User> = {
  ada: { roles: ['admin', 'user'], salt: 'c2FsdC1hZGEtMTgxNQ', hash: 'Vmidw3C5sODx78TBzpETKgfPhlJEuj8r2rb-9Z6UlDg' },
  alan: { roles: ['user'], salt: 'c2FsdC1hbGFuLTE5MTI', hash: 'nrvf9oCBHfgruoEBf-kh9BCgC1QqqhZxAUJxUZbCark' },
};

const ITERATIONS = 100_000;

function fromBase64url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Checks a password with WebCrypto's PBKDF2; the comparison takes the same time for every input. */
export async function verifyPassword(user: User | undefined, password: string): Promise<boolean> {
  // Unknown users cost the same work as known ones, so timing does not reveal which names exist.
  const salt = fromBase64url(user?.salt ?? 'AAAAAAAAAAAAAAAAAAAAAA');
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS }, material, 256));
  const expected = fromBase64url(user?.hash ?? 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  let diff = bits.length ^ expected.length;
  for (let i = 0; i < bits.length; i++) diff |= bits[i]! ^ (expected[i] ?? 0);
  return user !== undefined && diff === 0;
}
