// Token auth with jose on WebCrypto:
//   POST /login  { username, password }  → { access_token, token_type, expires_in }  (HS256 JWT)
//   GET  /me     Authorization: Bearer …  → the token's claims
//   GET  /admin  only for tokens with the "admin" role (403 otherwise)
// The signing secret is JWT_SECRET: .dev.vars for `worker dev` (worker init wrote a random one),
// `worker secret put JWT_SECRET` for a deployed worker. Errors follow RFC 6750 (WWW-Authenticate).
import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose';
import { users, verifyPassword } from './users';

export interface Env {
  /** HMAC secret, at least 32 characters (a secret: never in isle.json). */
  JWT_SECRET?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  /** Token lifetime in jose's format: "15m", "1h", "7d". */
  TOKEN_TTL: string;
}

interface Claims extends JWTPayload {
  sub: string;
  roles: string[];
}

class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** 401 with the RFC 6750 challenge, so clients know to (re)authenticate. */
function unauthorized(description: string, error: 'invalid_request' | 'invalid_token' = 'invalid_token'): HttpError {
  return new HttpError(401, description, {
    'www-authenticate': `Bearer realm="isle", error="${error}", error_description="${description.replace(/"/g, "'")}"`,
  });
}

/** The HMAC key, imported with WebCrypto (non-extractable). */
async function signingKey(env: Env): Promise<CryptoKey> {
  const secret = env.JWT_SECRET;
  if (!secret || secret.length < 32 || secret === 'change-me') {
    throw new HttpError(500, 'JWT_SECRET is missing or shorter than 32 characters: put one in .dev.vars for `worker dev`, or run `worker secret put JWT_SECRET`');
  }
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

async function login(request: Request, env: Env): Promise<Response> {
  let body: { username?: unknown; password?: unknown };
  try {
    body = await request.json();
  } catch {
    throw new HttpError(400, 'send JSON: { "username": …, "password": … }');
  }
  if (typeof body?.username !== 'string' || typeof body.password !== 'string') {
    throw new HttpError(400, 'username and password must be strings');
  }
  const key = await signingKey(env);
  const user = Object.hasOwn(users, body.username) ? users[body.username] : undefined;
  if (!(await verifyPassword(user, body.password))) throw new HttpError(401, 'invalid username or password');
  const token = await new SignJWT({ roles: user!.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(body.username)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(env.TOKEN_TTL)
    .setJti(crypto.randomUUID())
    .sign(key);
  const { exp, iat } = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp: number; iat: number };
  return Response.json({ access_token: token, token_type: 'Bearer', expires_in: exp - iat }, { headers: { 'cache-control': 'no-store' } });
}

/** Verifies the bearer token: signature, algorithm, issuer, audience, expiry. */
async function authenticate(request: Request, env: Env): Promise<Claims> {
  const header = request.headers.get('authorization');
  if (!header) throw unauthorized('missing Authorization: Bearer token', 'invalid_request');
  const match = /^Bearer\s+([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(header);
  if (!match) throw unauthorized('malformed Authorization header', 'invalid_request');
  try {
    const { payload } = await jwtVerify<Claims>(match[1]!, await signingKey(env), {
      algorithms: ['HS256'],
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    return payload;
  } catch (e) {
    if (e instanceof HttpError) throw e;
    if (e instanceof errors.JWTExpired) throw unauthorized('the token has expired');
    if (e instanceof errors.JWTClaimValidationFailed) throw unauthorized(`claim "${e.claim}" is invalid`);
    throw unauthorized('the token is invalid');
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === '/login' && request.method === 'POST') return await login(request, env);
      if (pathname === '/me' && request.method === 'GET') {
        const claims = await authenticate(request, env);
        return Response.json({ user: claims.sub, roles: claims.roles, issuedAt: claims.iat, expiresAt: claims.exp });
      }
      if (pathname === '/admin' && request.method === 'GET') {
        const claims = await authenticate(request, env);
        if (!claims.roles?.includes('admin')) throw new HttpError(403, 'admin role required');
        return Response.json({ message: `welcome, ${claims.sub}` });
      }
      if (pathname === '/') {
        return Response.json({
          endpoints: ['POST /login {"username","password"}', 'GET /me (Bearer)', 'GET /admin (Bearer, admin role)'],
          demoUsers: ['ada / lovelace-1815 (admin)', 'alan / turing-1912'],
        });
      }
      throw new HttpError(404, 'not found');
    } catch (e) {
      if (e instanceof HttpError) return Response.json({ error: e.message }, { status: e.status, headers: e.headers });
      throw e;
    }
  },
} satisfies ExportedHandler<Env>;
