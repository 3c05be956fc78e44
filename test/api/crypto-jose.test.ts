// Real tenant code: the `jose` library's browser build, bundled with esbuild the way a tenant bundle
// would be, evaluated inside an isolate, signing and verifying JWTs through Isle's crypto.subtle.
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let joseBundle = '';

beforeAll(async () => {
  const result = await esbuild.build({
    stdin: { contents: "export * from 'jose';", resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'jose',
    platform: 'browser',
    conditions: ['worker', 'browser'],
    target: 'es2022',
    logLevel: 'silent',
  });
  joseBundle = result.outputFiles[0]!.text;
});

const withJose = <T>(body: string) => evalInIsolate<T>(`${joseBundle}\n${body}`);

describe('jose inside an isolate', () => {
  it('HS256: verifies the jwt.io reference token, signs, verifies and rejects tampering', async () => {
    const r = await withJose(`
      const out = {};
      const reference = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
      const { payload } = await jose.jwtVerify(reference, new TextEncoder().encode('your-256-bit-secret'));
      out.reference = payload;
      const secret = new TextEncoder().encode('a-string-secret-at-least-256-bits-long');
      const jwt = await new jose.SignJWT({ sub: 'tenant-1', admin: true })
        .setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setIssuer('urn:isle').setExpirationTime('2h').sign(secret);
      const verified = await jose.jwtVerify(jwt, secret, { issuer: 'urn:isle' });
      out.claims = [verified.payload.sub, verified.payload.admin, verified.protectedHeader.alg];
      const [h, p, s] = jwt.split('.');
      const forged = h + '.' + jose.base64url.encode(JSON.stringify({ sub: 'tenant-1', admin: true, iss: 'urn:isle', root: true })) + '.' + s;
      out.forged = await jose.jwtVerify(forged, secret).then(() => 'accepted', (e) => e.code);
      out.wrongSecret = await jose.jwtVerify(jwt, new TextEncoder().encode('another-secret-that-is-also-long-enough'))
        .then(() => 'accepted', (e) => e.code);
      // A CryptoKey works as well as raw bytes.
      const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
      out.withCryptoKey = (await jose.jwtVerify(jwt, key)).payload.sub;
      return out;
    `);
    expect(r).toEqual({
      reference: { sub: '1234567890', name: 'John Doe', iat: 1516239022 },
      claims: ['tenant-1', true, 'HS256'],
      forged: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      wrongSecret: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      withCryptoKey: 'tenant-1',
    });
  });

  it('ES256 and EdDSA: key pairs, JWK/SPKI export and import, sign, verify, tamper', async () => {
    const r = await withJose(`
      const out = {};
      for (const alg of ['ES256', 'EdDSA']) {
        const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
        const jwt = await new jose.SignJWT({ scope: 'read' }).setProtectedHeader({ alg, kid: 'k1' }).setExpirationTime('5m').sign(privateKey);
        const jwk = await jose.exportJWK(publicKey);
        const imported = await jose.importJWK(jwk, alg);
        const spki = await jose.exportSPKI(publicKey);
        const fromSpki = await jose.importSPKI(spki, alg);
        const pkcs8 = await jose.exportPKCS8(privateKey);
        const fromPkcs8 = await jose.importPKCS8(pkcs8, alg);
        const again = await new jose.SignJWT({ scope: 'write' }).setProtectedHeader({ alg }).sign(fromPkcs8);
        const [h, p, s] = jwt.split('.');
        const sig = jose.base64url.decode(s); sig[3] ^= 1;
        const jwks = jose.createLocalJWKSet({ keys: [{ ...jwk, kid: 'k1', alg }] });
        out[alg] = {
          verified: (await jose.jwtVerify(jwt, imported)).payload.scope,
          viaSpki: (await jose.jwtVerify(jwt, fromSpki)).payload.scope,
          viaPkcs8: (await jose.jwtVerify(again, publicKey)).payload.scope,
          viaJwks: (await jose.jwtVerify(jwt, jwks)).protectedHeader.kid,
          tampered: await jose.jwtVerify(h + '.' + p + '.' + jose.base64url.encode(sig), imported).then(() => 'accepted', (e) => e.code),
          kty: jwk.kty, crv: jwk.crv, hasPrivate: 'd' in jwk,
          spkiPem: spki.startsWith('-----BEGIN PUBLIC KEY-----'),
        };
      }
      return out;
    `);
    const expected = (kty: string, crv: string) => ({
      verified: 'read', viaSpki: 'read', viaPkcs8: 'write', viaJwks: 'k1', tampered: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      kty, crv, hasPrivate: false, spkiPem: true,
    });
    expect(r).toEqual({ ES256: expected('EC', 'P-256'), EdDSA: expected('OKP', 'Ed25519') });
  });

  it('JWE: dir + A256GCM and ECDH-ES + A128KW round-trip', async () => {
    const r = await withJose(`
      const secret = crypto.getRandomValues(new Uint8Array(32));
      const jwe = await new jose.EncryptJWT({ msg: 'hello' }).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(secret);
      const { payload } = await jose.jwtDecrypt(jwe, secret);
      const { publicKey, privateKey } = await jose.generateKeyPair('ECDH-ES+A128KW');
      const jwe2 = await new jose.CompactEncrypt(new TextEncoder().encode('agreement')).setProtectedHeader({ alg: 'ECDH-ES+A128KW', enc: 'A128GCM' }).encrypt(publicKey);
      const { plaintext } = await jose.compactDecrypt(jwe2, privateKey);
      return [payload.msg, new TextDecoder().decode(plaintext)];
    `);
    expect(r).toEqual(['hello', 'agreement']);
  });
});
