import { createWorker, type IsleWorker } from 'isle';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'test-secret-that-is-at-least-32-characters-long';
let worker: IsleWorker;
beforeAll(async () => {
  worker = await createWorker({ env: { JWT_SECRET: SECRET }, onLog: () => {} });
});
afterAll(() => worker.dispose());

const json = (res: Response): Promise<any> => res.json();

async function login(username: string, password: string): Promise<Response> {
  return worker.fetch('http://localhost/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

async function tokenFor(username: string, password: string): Promise<string> {
  const res = await login(username, password);
  expect(res.status).toBe(200);
  return (await json(res)).access_token;
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** A token signed outside the worker (Node's WebCrypto), to test what the worker accepts. */
function forge(claims: { sub?: string; roles?: string[] }, options: { secret?: string; exp?: number; aud?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ roles: claims.roles ?? ['user'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('https://auth.example')
    .setAudience(options.aud ?? 'isle-jwt-auth')
    .setIssuedAt(now - 10)
    .setExpirationTime(options.exp ?? now + 600);
  if (claims.sub) jwt.setSubject(claims.sub);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe('login', () => {
  it('issues an HS256 token for valid credentials', async () => {
    const res = await login('ada', 'lovelace-1815');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json(res);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const header = JSON.parse(Buffer.from(body.access_token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('refuses a wrong password, an unknown user and a malformed body', async () => {
    expect((await login('ada', 'wrong')).status).toBe(401);
    expect((await login('nobody', 'lovelace-1815')).status).toBe(401);
    expect((await login('__proto__', 'x')).status).toBe(401);
    const bad = await worker.fetch('http://localhost/login', { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
  });
});

describe('verify', () => {
  it('accepts its own tokens', async () => {
    const res = await worker.fetch('http://localhost/me', bearer(await tokenFor('alan', 'turing-1912')));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ user: 'alan', roles: ['user'] });
  });

  it('enforces roles', async () => {
    expect((await worker.fetch('http://localhost/admin', bearer(await tokenFor('alan', 'turing-1912')))).status).toBe(403);
    expect((await worker.fetch('http://localhost/admin', bearer(await tokenFor('ada', 'lovelace-1815')))).status).toBe(200);
  });

  it('accepts a token signed elsewhere with the same secret', async () => {
    const res = await worker.fetch('http://localhost/me', bearer(await forge({ sub: 'grace' })));
    expect(await json(res)).toMatchObject({ user: 'grace' });
  });

  it('rejects missing, tampered, expired, foreign and wrong-audience tokens with a Bearer challenge', async () => {
    const missing = await worker.fetch('http://localhost/me');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="isle", error="invalid_request"/);

    const token = await tokenFor('alan', 'turing-1912');
    const [h, p, s] = token.split('.');
    const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), roles: ['admin'] })).toString('base64url');
    const tampered = await worker.fetch('http://localhost/admin', bearer(`${h}.${elevated}.${s}`));
    expect(tampered.status).toBe(401);
    expect(tampered.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);

    const expired = await worker.fetch('http://localhost/me', bearer(await forge({ sub: 'x' }, { exp: Math.floor(Date.now() / 1000) - 60 })));
    expect(expired.status).toBe(401);
    expect(await json(expired)).toEqual({ error: 'the token has expired' });

    const foreign = await worker.fetch('http://localhost/me', bearer(await forge({ sub: 'x' }, { secret: 'another-secret-another-secret-another' })));
    expect(foreign.status).toBe(401);

    const audience = await worker.fetch('http://localhost/me', bearer(await forge({ sub: 'x' }, { aud: 'someone-else' })));
    expect(await json(audience)).toEqual({ error: 'claim "aud" is invalid' });

    const noSubject = await worker.fetch('http://localhost/me', bearer(await forge({})));
    expect(noSubject.status).toBe(401);
  });
});

it('explains a missing secret', async () => {
  const unset = await createWorker({ onLog: () => {} });
  try {
    const res = await unset.fetch('http://localhost/login', { method: 'POST', body: JSON.stringify({ username: 'ada', password: 'x' }) });
    expect(res.status).toBe(500);
    expect((await json(res)).error).toMatch(/JWT_SECRET/);
  } finally {
    await unset.dispose();
  }
});
