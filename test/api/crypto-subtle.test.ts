// crypto.subtle in real isolates: known-answer vectors, round trips, tamper detection, key formats,
// key wrapping, error names and the timing of settlements.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

// Helpers defined inside every isolate run (no dependency on other areas' globals).
const H = `
  const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
  const unhex = (s) => new Uint8Array(s.match(/../g)?.map((x) => parseInt(x, 16)) ?? []);
  const ascii = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const b64url = (bytes) => { let out = '', bits = 0, acc = 0; for (const b of bytes) { acc = (acc << 8) | b; bits += 8; while (bits >= 6) { bits -= 6; out += B64[(acc >> bits) & 63]; } } if (bits) out += B64[(acc << (6 - bits)) & 63]; return out; };
  const errName = async (p) => { try { await p; return 'resolved'; } catch (e) { return e.name + (e instanceof DOMException ? '' : '(' + e.constructor.name + ')'); } };
  const subtle = crypto.subtle;
`;

const run = <T = any>(body: string) => evalInIsolate<T>(H + body);

describe('digest', () => {
  it('matches FIPS 180 known answers and accepts every BufferSource shape', async () => {
    const r = await run(`
      const abc = ascii('abc');
      const out = {};
      for (const alg of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) out[alg] = hex(await subtle.digest(alg, abc));
      out.empty = hex(await subtle.digest({ name: 'sha-256' }, new ArrayBuffer(0)));
      out.dataView = hex(await subtle.digest('SHA-256', new DataView(abc.buffer)));
      out.offsetView = hex(await subtle.digest('SHA-256', new Uint8Array(ascii('xxabcyy').buffer, 2, 3)));
      out.u32 = hex(await subtle.digest('SHA-256', new Uint32Array([0x64636261])));
      out.isArrayBuffer = (await subtle.digest('SHA-1', abc)) instanceof ArrayBuffer;
      out.bad = await errName(subtle.digest('SHA-3', abc));
      out.md5 = await errName(subtle.digest('MD5', abc));
      out.notBuffer = await errName(subtle.digest('SHA-256', 'abc'));
      out.missing = await errName(subtle.digest('SHA-256'));
      out.kelvin = await errName(subtle.digest('\\u212a', abc));
      return out;
    `);
    expect(r).toEqual({
      'SHA-1': 'a9993e364706816aba3e25717850c26c9cd0d89d',
      'SHA-256': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      'SHA-384': 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
      'SHA-512': 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
      empty: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      dataView: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      offsetView: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      u32: '88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589',
      isArrayBuffer: true,
      bad: 'NotSupportedError', md5: 'NotSupportedError', notBuffer: 'TypeError(TypeError)',
      missing: 'TypeError(TypeError)', kelvin: 'NotSupportedError',
    });
  });

  it('copies the data when called: later changes to the buffer do not change the digest', async () => {
    const r = await run(`
      const data = ascii('abc');
      const p = subtle.digest('SHA-256', data);
      data.fill(0);
      return hex(await p);
    `);
    expect(r).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('reads the algorithm name once, then copies the data (WPT: altered buffer during call)', async () => {
    const r = await run(`
      let reads = 0;
      const data = ascii('abc');
      data[0] ^= 0xff;
      // The getter restores the byte: the copy must be taken after it ran, and it must run once.
      const digest = hex(await subtle.digest({ get name() { reads++; data[0] ^= 0xff; return 'sha-256'; } }, data));
      let hmacReads = 0;
      const key = await subtle.importKey('raw', ascii('key'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      await subtle.sign({ get name() { hmacReads++; return 'HMAC'; } }, key, data);
      return { digest, reads, hmacReads };
    `);
    expect(r).toEqual({ digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', reads: 1, hmacReads: 1 });
  });
});

describe('HMAC', () => {
  it('signs RFC 4231 vectors and verifies, rejecting tampered signatures', async () => {
    const r = await run(`
      const key = await subtle.importKey('raw', ascii('Jefe'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
      const data = ascii('what do ya want for nothing?');
      const sig = await subtle.sign('HMAC', key, data);
      const bad = new Uint8Array(sig).slice(); bad[0] ^= 1;
      const key512 = await subtle.importKey('raw', ascii('Jefe'), { name: 'HMAC', hash: { name: 'SHA-512' } }, false, ['sign']);
      return {
        sha256: hex(sig),
        sha512: hex(await subtle.sign({ name: 'hmac' }, key512, data)),
        ok: await subtle.verify('HMAC', key, sig, data),
        tampered: await subtle.verify('HMAC', key, bad, data),
        otherData: await subtle.verify('HMAC', key, sig, ascii('what do ya want for nothing!')),
        algorithm: key.algorithm,
        noVerify: await errName(subtle.verify('HMAC', key512, sig, data)),
      };
    `);
    expect(r).toEqual({
      sha256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      sha512: '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
      ok: true, tampered: false, otherData: false,
      algorithm: { name: 'HMAC', hash: { name: 'SHA-256' }, length: 32 },
      noVerify: 'InvalidAccessError',
    });
  });
});

describe('AES', () => {
  it('AES-CBC and AES-CTR match NIST SP 800-38A and round-trip', async () => {
    const r = await run(`
      const raw = unhex('2b7e151628aed2a6abf7158809cf4f3c');
      const pt = unhex('6bc1bee22e409f96e93d7e117393172a');
      const cbc = await subtle.importKey('raw', raw, 'AES-CBC', false, ['encrypt', 'decrypt']);
      const iv = unhex('000102030405060708090a0b0c0d0e0f');
      const cbcCt = await subtle.encrypt({ name: 'AES-CBC', iv }, cbc, pt);
      const ctr = await subtle.importKey('raw', raw, 'AES-CTR', false, ['encrypt', 'decrypt']);
      const counter = unhex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
      const ctrCt = await subtle.encrypt({ name: 'AES-CTR', counter, length: 64 }, ctr, pt);
      const bad = new Uint8Array(cbcCt).slice(); bad[bad.length - 1] ^= 0xff;
      return {
        cbcFirstBlock: hex(cbcCt).slice(0, 32), cbcLength: cbcCt.byteLength,
        cbcBack: hex(await subtle.decrypt({ name: 'AES-CBC', iv }, cbc, cbcCt)),
        cbcBadPadding: await errName(subtle.decrypt({ name: 'AES-CBC', iv }, cbc, bad)),
        cbcShortIv: await errName(subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(8) }, cbc, pt)),
        ctr: hex(ctrCt),
        ctrBack: hex(await subtle.decrypt({ name: 'AES-CTR', counter, length: 64 }, ctr, ctrCt)),
        ctrLength0: await errName(subtle.encrypt({ name: 'AES-CTR', counter, length: 0 }, ctr, pt)),
        ctrMissingCounter: await errName(subtle.encrypt({ name: 'AES-CTR', length: 64 }, ctr, pt)),
      };
    `);
    expect(r).toEqual({
      cbcFirstBlock: '7649abac8119b246cee98e9b12e9197d', cbcLength: 32,
      cbcBack: '6bc1bee22e409f96e93d7e117393172a', cbcBadPadding: 'OperationError', cbcShortIv: 'OperationError',
      ctr: '874d6191b620e3261bef6864990db6ce', ctrBack: '6bc1bee22e409f96e93d7e117393172a',
      ctrLength0: 'OperationError', ctrMissingCounter: 'TypeError(TypeError)',
    });
  });

  it('AES-GCM round-trips with additional data and detects any tampering', async () => {
    const r = await run(`
      const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const additionalData = ascii('header');
      const pt = ascii('attack at dawn');
      const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, pt));
      const flip = (i) => { const c = ct.slice(); c[i] ^= 1; return c; };
      const ct96 = await subtle.encrypt({ name: 'AES-GCM', iv, tagLength: 96 }, key, pt);
      return {
        length: ct.length,
        back: String.fromCharCode(...new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, key, ct))),
        tamperedCiphertext: await errName(subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, key, flip(0))),
        tamperedTag: await errName(subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, key, flip(ct.length - 1))),
        wrongAad: await errName(subtle.decrypt({ name: 'AES-GCM', iv, additionalData: ascii('other') }, key, ct)),
        missingAad: await errName(subtle.decrypt({ name: 'AES-GCM', iv }, key, ct)),
        wrongIv: await errName(subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(12), additionalData }, key, ct)),
        tag96: ct96.byteLength,
        badTagLength: await errName(subtle.encrypt({ name: 'AES-GCM', iv, tagLength: 100 }, key, pt)),
        tagLengthRange: await errName(subtle.encrypt({ name: 'AES-GCM', iv, tagLength: 256 }, key, pt)),
        missingIv: await errName(subtle.encrypt({ name: 'AES-GCM' }, key, pt)),
        algorithm: key.algorithm, type: key.type, extractable: key.extractable,
      };
    `);
    expect(r).toEqual({
      length: 14 + 16, back: 'attack at dawn',
      tamperedCiphertext: 'OperationError', tamperedTag: 'OperationError', wrongAad: 'OperationError',
      missingAad: 'OperationError', wrongIv: 'OperationError', tag96: 14 + 12,
      badTagLength: 'OperationError', tagLengthRange: 'TypeError(TypeError)', missingIv: 'TypeError(TypeError)',
      algorithm: { name: 'AES-GCM', length: 256 }, type: 'secret', extractable: true,
    });
  });

  it('AES-KW wraps with the RFC 3394 vector and refuses tampered input', async () => {
    const r = await run(`
      const kek = await subtle.importKey('raw', unhex('000102030405060708090a0b0c0d0e0f'), 'AES-KW', false, ['wrapKey', 'unwrapKey']);
      const target = await subtle.importKey('raw', unhex('00112233445566778899aabbccddeeff'), 'AES-GCM', true, ['encrypt']);
      const wrapped = new Uint8Array(await subtle.wrapKey('raw', target, kek, 'AES-KW'));
      const back = await subtle.unwrapKey('raw', wrapped, kek, { name: 'AES-KW' }, 'AES-GCM', true, ['encrypt', 'decrypt']);
      const bad = wrapped.slice(); bad[3] ^= 1;
      return {
        wrapped: hex(wrapped),
        back: hex(await subtle.exportKey('raw', back)), backUsages: back.usages, backAlg: back.algorithm,
        tampered: await errName(subtle.unwrapKey('raw', bad, kek, 'AES-KW', 'AES-GCM', true, ['encrypt'])),
        encryptWithKw: await errName(subtle.encrypt('AES-KW', kek, new Uint8Array(16))),
      };
    `);
    expect(r).toEqual({
      wrapped: '1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5',
      back: '00112233445566778899aabbccddeeff', backUsages: ['encrypt', 'decrypt'],
      backAlg: { name: 'AES-GCM', length: 128 },
      tampered: 'OperationError', encryptWithKw: 'NotSupportedError',
    });
  });
});

describe('RSA', () => {
  it('RSA-OAEP, RSA-PSS and RSASSA-PKCS1-v1_5 round-trip; tampering is detected', async () => {
    const r = await run(`
      const params = (name) => ({ name, modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' });
      const oaep = await subtle.generateKey(params('RSA-OAEP'), true, ['encrypt', 'decrypt']);
      const label = ascii('label');
      const ct = await subtle.encrypt({ name: 'RSA-OAEP', label }, oaep.publicKey, ascii('secret'));
      const pss = await subtle.generateKey(params('RSA-PSS'), false, ['sign', 'verify']);
      const msg = ascii('message');
      const pssSig = await subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, pss.privateKey, msg);
      const pkcs = await subtle.generateKey(params('RSASSA-PKCS1-v1_5'), false, ['sign', 'verify']);
      const pkcsSig = new Uint8Array(await subtle.sign('RSASSA-PKCS1-v1_5', pkcs.privateKey, msg));
      const pkcsSig2 = new Uint8Array(await subtle.sign('RSASSA-PKCS1-v1_5', pkcs.privateKey, msg));
      const badSig = pkcsSig.slice(); badSig[10] ^= 1;
      return {
        pairKeys: Object.keys(oaep),
        oaepBack: String.fromCharCode(...new Uint8Array(await subtle.decrypt({ name: 'RSA-OAEP', label }, oaep.privateKey, ct))),
        oaepWrongLabel: await errName(subtle.decrypt({ name: 'RSA-OAEP' }, oaep.privateKey, ct)),
        oaepPublicDecrypt: await errName(subtle.decrypt({ name: 'RSA-OAEP', label }, oaep.publicKey, ct)),
        pssOk: await subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, pss.publicKey, pssSig, msg),
        pssWrongMsg: await subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, pss.publicKey, pssSig, ascii('messagf')),
        pkcsDeterministic: hex(pkcsSig) === hex(pkcsSig2),
        pkcsOk: await subtle.verify('RSASSA-PKCS1-v1_5', pkcs.publicKey, pkcsSig, msg),
        pkcsTampered: await subtle.verify('RSASSA-PKCS1-v1_5', pkcs.publicKey, badSig, msg),
        algorithm: oaep.privateKey.algorithm,
        exponentIsUint8Array: oaep.publicKey.algorithm.publicExponent instanceof Uint8Array,
        types: [oaep.publicKey.type, oaep.privateKey.type],
        usages: [oaep.publicKey.usages, oaep.privateKey.usages],
        extractable: [pss.publicKey.extractable, pss.privateKey.extractable],
        pssMissingSalt: await errName(subtle.sign({ name: 'RSA-PSS' }, pss.privateKey, msg)),
        wrongAlgForKey: await errName(subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, pkcs.privateKey, msg)),
        exportNonExtractable: await errName(subtle.exportKey('pkcs8', pss.privateKey)),
        exportPublicOfNonExtractablePair: (await subtle.exportKey('spki', pss.publicKey)).byteLength > 100,
      };
    `);
    expect(r).toEqual({
      pairKeys: ['privateKey', 'publicKey'],
      oaepBack: 'secret', oaepWrongLabel: 'OperationError', oaepPublicDecrypt: 'InvalidAccessError',
      pssOk: true, pssWrongMsg: false, pkcsDeterministic: true, pkcsOk: true, pkcsTampered: false,
      algorithm: { name: 'RSA-OAEP', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: { name: 'SHA-256' } },
      exponentIsUint8Array: true,
      types: ['public', 'private'],
      usages: [['encrypt'], ['decrypt']],
      extractable: [true, false],
      pssMissingSalt: 'TypeError(TypeError)', wrongAlgForKey: 'InvalidAccessError',
      exportNonExtractable: 'InvalidAccessError', exportPublicOfNonExtractablePair: true,
    });
  });
});

describe('ECDSA, Ed25519, ECDH, X25519', () => {
  it('ECDSA signs and verifies on every curve', async () => {
    const r = await run(`
      const out = {};
      for (const [namedCurve, hash, size] of [['P-256', 'SHA-256', 64], ['P-384', 'SHA-384', 96], ['P-521', 'SHA-512', 132]]) {
        const { privateKey, publicKey } = await subtle.generateKey({ name: 'ECDSA', namedCurve }, true, ['sign', 'verify']);
        const sig = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash }, privateKey, ascii('m')));
        const bad = sig.slice(); bad[5] ^= 1;
        out[namedCurve] = [sig.length === size, await subtle.verify({ name: 'ECDSA', hash }, publicKey, sig, ascii('m')),
          await subtle.verify({ name: 'ECDSA', hash }, publicKey, bad, ascii('m')), publicKey.algorithm.namedCurve];
      }
      out.missingHash = await errName(subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']).then((k) => subtle.sign('ECDSA', k.privateKey, ascii('m'))));
      return out;
    `);
    expect(r).toEqual({
      'P-256': [true, true, false, 'P-256'], 'P-384': [true, true, false, 'P-384'], 'P-521': [true, true, false, 'P-521'],
      missingHash: 'TypeError(TypeError)',
    });
  });

  it('Ed25519 matches RFC 8032 test 1 through raw, pkcs8 and jwk imports', async () => {
    const r = await run(`
      const seed = unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
      const pub = unhex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
      const pkcs8 = new Uint8Array([...unhex('302e020100300506032b657004220420'), ...seed]);
      const priv = await subtle.importKey('pkcs8', pkcs8, 'Ed25519', true, ['sign']);
      const sig = await subtle.sign('Ed25519', priv, new Uint8Array(0));
      const pubKey = await subtle.importKey('raw', pub, { name: 'ed25519' }, true, ['verify']);
      const jwkPriv = await subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: b64url(pub), d: b64url(seed) }, 'Ed25519', false, ['sign']);
      const bad = new Uint8Array(sig).slice(); bad[0] ^= 1;
      return {
        sig: hex(sig),
        viaJwk: hex(await subtle.sign('Ed25519', jwkPriv, new Uint8Array(0))),
        ok: await subtle.verify('Ed25519', pubKey, sig, new Uint8Array(0)),
        tampered: await subtle.verify('Ed25519', pubKey, bad, new Uint8Array(0)),
        exportedJwk: await subtle.exportKey('jwk', priv),
        rawPublic: hex(await subtle.exportKey('raw', pubKey)),
        algorithm: priv.algorithm,
        badUsage: await errName(subtle.importKey('raw', pub, 'Ed25519', true, ['sign'])),
      };
    `);
    expect(r).toEqual({
      sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      viaJwk: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      ok: true, tampered: false,
      exportedJwk: {
        alg: 'Ed25519', crv: 'Ed25519', d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A', ext: true, key_ops: ['sign'], kty: 'OKP',
        x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      },
      rawPublic: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      algorithm: { name: 'Ed25519' },
      badUsage: 'SyntaxError',
    });
  });

  it('X25519 derives the RFC 7748 shared secret; ECDH agrees on every curve', async () => {
    const r = await run(`
      const x25519Pkcs8 = (seed) => new Uint8Array([...unhex('302e020100300506032b656e04220420'), ...unhex(seed)]);
      const alice = await subtle.importKey('pkcs8', x25519Pkcs8('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), 'X25519', false, ['deriveBits']);
      const bobPub = await subtle.importKey('raw', unhex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'), 'X25519', true, []);
      const out = {
        x25519: hex(await subtle.deriveBits({ name: 'X25519', public: bobPub }, alice, 256)),
        x25519Null: hex(await subtle.deriveBits({ name: 'X25519', public: bobPub }, alice, null)),
        x25519Omitted: hex(await subtle.deriveBits({ name: 'X25519', public: bobPub }, alice)),
        x25519Short: hex(await subtle.deriveBits({ name: 'X25519', public: bobPub }, alice, 64)),
        notAKey: await errName(subtle.deriveBits({ name: 'X25519', public: {} }, alice, 256)),
        privateAsPublic: await errName(subtle.deriveBits({ name: 'X25519', public: alice }, alice, 256)),
      };
      for (const namedCurve of ['P-256', 'P-384', 'P-521']) {
        const a = await subtle.generateKey({ name: 'ECDH', namedCurve }, false, ['deriveBits', 'deriveKey']);
        const b = await subtle.generateKey({ name: 'ECDH', namedCurve }, false, ['deriveBits']);
        const ab = hex(await subtle.deriveBits({ name: 'ECDH', public: b.publicKey }, a.privateKey, null));
        const ba = hex(await subtle.deriveBits({ name: 'ECDH', public: a.publicKey }, b.privateKey, null));
        const aes = await subtle.deriveKey({ name: 'ECDH', public: b.publicKey }, a.privateKey, { name: 'AES-GCM', length: 128 }, true, ['encrypt']);
        out[namedCurve] = [ab === ba, ab.length / 2, hex(await subtle.exportKey('raw', aes)) === ab.slice(0, 32), a.publicKey.usages];
      }
      const p256 = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
      const p384 = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, false, ['deriveBits']);
      out.curveMismatch = await errName(subtle.deriveBits({ name: 'ECDH', public: p384.publicKey }, p256.privateKey, 256));
      out.algMismatch = await errName(subtle.deriveBits({ name: 'ECDH', public: bobPub }, p256.privateKey, 256));
      return out;
    `);
    expect(r).toEqual({
      x25519: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
      x25519Null: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
      x25519Omitted: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
      x25519Short: '4a5d9d5ba4ce2de1',
      notAKey: 'TypeError(TypeError)', privateAsPublic: 'InvalidAccessError',
      'P-256': [true, 32, true, []], 'P-384': [true, 48, true, []], 'P-521': [true, 66, true, []],
      curveMismatch: 'InvalidAccessError', algMismatch: 'InvalidAccessError',
    });
  });
});

describe('PBKDF2 and HKDF', () => {
  it('PBKDF2 matches RFC 6070 and derives keys', async () => {
    const r = await run(`
      const derive = async (password, salt, iterations, bytes) => {
        const key = await subtle.importKey('raw', ascii(password), 'PBKDF2', false, ['deriveBits', 'deriveKey']);
        return hex(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt: ascii(salt), iterations }, key, bytes * 8));
      };
      const key = await subtle.importKey('raw', ascii('password'), 'PBKDF2', false, ['deriveKey']);
      const aes = await subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: ascii('salt'), iterations: 1000 }, key, { name: 'AES-CBC', length: 256 }, false, ['encrypt']);
      return {
        c1: await derive('password', 'salt', 1, 20),
        c2: await derive('password', 'salt', 2, 20),
        c4096: await derive('password', 'salt', 4096, 20),
        long: await derive('passwordPASSWORDpassword', 'saltSALTsaltSALTsaltSALTsaltSALTsalt', 4096, 25),
        nul: await derive('pass\\0word', 'sa\\0lt', 4096, 16),
        derivedKey: [aes.algorithm, aes.usages, aes.extractable],
        extractable: await errName(subtle.importKey('raw', ascii('p'), 'PBKDF2', true, ['deriveBits'])),
        zeroIterations: await errName(subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt: ascii('s'), iterations: 0 }, key, 160)),
        noUsage: await errName(subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt: ascii('s'), iterations: 1 }, key, 160)),
        exportIt: await errName(subtle.exportKey('raw', key)),
        tooMany: await errName(subtle.importKey('raw', ascii('p'), 'PBKDF2', false, ['deriveBits']).then((k) =>
          subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt: ascii('s'), iterations: 1000001 }, k, 160))),
      };
    `);
    expect(r).toEqual({
      c1: '0c60c80f961f0e71f3a9b524af6012062fe037a6',
      c2: 'ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957',
      c4096: '4b007901b765489abead49d926f721d065a429c1',
      long: '3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038',
      nul: '56fa6aa75548099dcc37d7f03425e0c3',
      derivedKey: [{ name: 'AES-CBC', length: 256 }, ['encrypt'], false],
      extractable: 'SyntaxError', zeroIterations: 'InvalidAccessError', noUsage: 'InvalidAccessError',
      exportIt: 'NotSupportedError', tooMany: 'NotSupportedError',
    });
  });

  it('HKDF matches RFC 5869 test cases 1, 3 and 4', async () => {
    const r = await run(`
      const hkdf = async (ikm, hash, salt, info, bytes) => {
        const key = await subtle.importKey('raw', unhex(ikm), 'HKDF', false, ['deriveBits', 'deriveKey']);
        return hex(await subtle.deriveBits({ name: 'HKDF', hash, salt: unhex(salt), info: unhex(info) }, key, bytes * 8));
      };
      const key = await subtle.importKey('raw', new Uint8Array(16), 'HKDF', false, ['deriveBits', 'deriveKey']);
      const params = { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new Uint8Array(0) };
      const hmac = await subtle.deriveKey(params, key, { name: 'HMAC', hash: 'SHA-256', length: 256 }, true, ['sign']);
      return {
        case1: await hkdf('0b'.repeat(22), 'SHA-256', '000102030405060708090a0b0c', 'f0f1f2f3f4f5f6f7f8f9', 42),
        case3: await hkdf('0b'.repeat(22), 'SHA-256', '', '', 42),
        case4: await hkdf('0b'.repeat(11), 'SHA-1', '000102030405060708090a0b0c', 'f0f1f2f3f4f5f6f7f8f9', 42),
        hmac: [hmac.algorithm, (await subtle.exportKey('raw', hmac)).byteLength],
        notMultipleOf8: await errName(subtle.deriveBits(params, key, 7)),
        nullLength: await errName(subtle.deriveBits(params, key, null)),
        missingInfo: await errName(subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0) }, key, 256)),
        toHkdf: await errName(subtle.deriveKey(params, key, 'HKDF', false, ['deriveBits'])),
        aesBadLength: await errName(subtle.deriveKey(params, key, { name: 'AES-GCM', length: 100 }, false, ['encrypt'])),
        aesNoLength: await errName(subtle.deriveKey(params, key, 'AES-GCM', false, ['encrypt'])),
      };
    `);
    expect(r).toEqual({
      case1: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
      case3: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
      case4: '085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896',
      hmac: [{ name: 'HMAC', hash: { name: 'SHA-256' }, length: 256 }, 32],
      notMultipleOf8: 'OperationError', nullLength: 'OperationError', missingInfo: 'TypeError(TypeError)',
      toHkdf: 'OperationError', aesBadLength: 'OperationError', aesNoLength: 'TypeError(TypeError)',
    });
  });
});

describe('importKey / exportKey', () => {
  it('round-trips every format for every key kind', async () => {
    const r = await run(`
      const out = {};
      const roundTrip = async (label, key, formats, algorithm, usagesFor) => {
        for (const format of formats) {
          const exported = await subtle.exportKey(format, key);
          const again = await subtle.importKey(format, exported, algorithm, true, usagesFor(format));
          const reExported = await subtle.exportKey(format, again);
          const same = format === 'jwk' ? JSON.stringify(exported) === JSON.stringify(reExported) : hex(exported) === hex(reExported);
          out[label + ':' + format] = [same, again.type, format === 'jwk' ? exported.kty : exported instanceof ArrayBuffer];
        }
      };
      const aes = await subtle.generateKey({ name: 'AES-CBC', length: 192 }, true, ['encrypt', 'decrypt']);
      await roundTrip('aes', aes, ['raw', 'jwk'], 'AES-CBC', () => ['encrypt', 'decrypt']);
      const hmac = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-384' }, true, ['sign', 'verify']);
      await roundTrip('hmac', hmac, ['raw', 'jwk'], { name: 'HMAC', hash: 'SHA-384' }, () => ['sign', 'verify']);
      const ec = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify']);
      await roundTrip('ec-public', ec.publicKey, ['raw', 'spki', 'jwk'], { name: 'ECDSA', namedCurve: 'P-384' }, () => ['verify']);
      await roundTrip('ec-private', ec.privateKey, ['pkcs8', 'jwk'], { name: 'ECDSA', namedCurve: 'P-384' }, () => ['sign']);
      const rsa = await subtle.generateKey({ name: 'RSA-PSS', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-384' }, true, ['sign', 'verify']);
      await roundTrip('rsa-public', rsa.publicKey, ['spki', 'jwk'], { name: 'RSA-PSS', hash: 'SHA-384' }, () => ['verify']);
      await roundTrip('rsa-private', rsa.privateKey, ['pkcs8', 'jwk'], { name: 'RSA-PSS', hash: 'SHA-384' }, () => ['sign']);
      const ed = await subtle.generateKey('Ed25519', true, ['sign', 'verify']);
      await roundTrip('ed-public', ed.publicKey, ['raw', 'spki', 'jwk'], 'Ed25519', () => ['verify']);
      await roundTrip('ed-private', ed.privateKey, ['pkcs8', 'jwk'], 'Ed25519', () => ['sign']);
      const x = await subtle.generateKey('X25519', true, ['deriveBits']);
      await roundTrip('x-public', x.publicKey, ['raw', 'spki', 'jwk'], 'X25519', () => []);
      await roundTrip('x-private', x.privateKey, ['pkcs8', 'jwk'], 'X25519', () => ['deriveBits']);
      out.rsaJwkKeys = Object.keys(await subtle.exportKey('jwk', rsa.privateKey));
      out.aesJwk = Object.keys(await subtle.exportKey('jwk', aes));
      out.hmacJwkAlg = (await subtle.exportKey('jwk', hmac)).alg;
      return out;
    `);
    const expected: Record<string, unknown> = {};
    const add = (label: string, formats: string[], type: string, kty: string) => {
      for (const f of formats) expected[`${label}:${f}`] = [true, type, f === 'jwk' ? kty : true];
    };
    add('aes', ['raw', 'jwk'], 'secret', 'oct');
    add('hmac', ['raw', 'jwk'], 'secret', 'oct');
    add('ec-public', ['raw', 'spki', 'jwk'], 'public', 'EC');
    add('ec-private', ['pkcs8', 'jwk'], 'private', 'EC');
    add('rsa-public', ['spki', 'jwk'], 'public', 'RSA');
    add('rsa-private', ['pkcs8', 'jwk'], 'private', 'RSA');
    add('ed-public', ['raw', 'spki', 'jwk'], 'public', 'OKP');
    add('ed-private', ['pkcs8', 'jwk'], 'private', 'OKP');
    add('x-public', ['raw', 'spki', 'jwk'], 'public', 'OKP');
    add('x-private', ['pkcs8', 'jwk'], 'private', 'OKP');
    expected.rsaJwkKeys = ['alg', 'd', 'dp', 'dq', 'e', 'ext', 'key_ops', 'kty', 'n', 'p', 'q', 'qi'];
    expected.aesJwk = ['alg', 'ext', 'k', 'key_ops', 'kty'];
    expected.hmacJwkAlg = 'HS384';
    expect(r).toEqual(expected);
  });

  it('reports spec errors for bad formats, data and usages', async () => {
    const r = await run(`
      const raw16 = new Uint8Array(16);
      const jwk = { kty: 'oct', k: 'AAAAAAAAAAAAAAAAAAAAAA' };
      return {
        badFormat: await errName(subtle.importKey('der', raw16, 'AES-GCM', true, ['encrypt'])),
        badUsage: await errName(subtle.importKey('raw', raw16, 'AES-GCM', true, ['encrypt', 'sign'])),
        unknownUsage: await errName(subtle.importKey('raw', raw16, 'AES-GCM', true, ['frobnicate'])),
        usagesNotIterable: await errName(subtle.importKey('raw', raw16, 'AES-GCM', true, 5)),
        emptyUsages: await errName(subtle.importKey('raw', raw16, 'AES-GCM', true, [])),
        badLength: await errName(subtle.importKey('raw', new Uint8Array(7), 'AES-GCM', true, ['encrypt'])),
        jwkForRaw: await errName(subtle.importKey('raw', jwk, 'AES-GCM', true, ['encrypt'])),
        bufferForJwk: await errName(subtle.importKey('jwk', raw16, 'AES-GCM', true, ['encrypt'])),
        stringKeyData: await errName(subtle.importKey('raw', 'abc', 'AES-GCM', true, ['encrypt'])),
        jwkOk: (await subtle.importKey('jwk', jwk, 'AES-GCM', true, ['encrypt'])).algorithm.length,
        jwkWrongAlg: await errName(subtle.importKey('jwk', { ...jwk, alg: 'A256GCM' }, 'AES-GCM', true, ['encrypt'])),
        jwkExtFalse: await errName(subtle.importKey('jwk', { ...jwk, ext: false }, 'AES-GCM', true, ['encrypt'])),
        jwkKeyOps: await errName(subtle.importKey('jwk', { ...jwk, key_ops: ['decrypt'] }, 'AES-GCM', true, ['encrypt'])),
        jwkKeyOpsNotSequence: await errName(subtle.importKey('jwk', { ...jwk, key_ops: 'encrypt' }, 'AES-GCM', true, ['encrypt'])),
        jwkMissingKty: await errName(subtle.importKey('jwk', { k: jwk.k }, 'AES-GCM', true, ['encrypt'])),
        jwkNull: await errName(subtle.importKey('jwk', null, 'AES-GCM', true, ['encrypt'])),
        badSpki: await errName(subtle.importKey('spki', new Uint8Array([48, 3, 1, 2, 3]), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify'])),
        badCurve: await errName(subtle.importKey('raw', new Uint8Array(65), { name: 'ECDSA', namedCurve: 'P-512' }, true, ['verify'])),
        hmacNoHash: await errName(subtle.importKey('raw', raw16, 'HMAC', true, ['sign'])),
        hmacZeroLength: await errName(subtle.importKey('raw', raw16, { name: 'HMAC', hash: 'SHA-256', length: 0 }, true, ['sign'])),
        missingArgs: await errName(subtle.importKey('raw', raw16, 'AES-GCM', true)),
        exportBadFormat: await errName(subtle.importKey('raw', raw16, 'AES-GCM', true, ['encrypt']).then((k) => subtle.exportKey('spki', k))),
        exportNotKey: await errName(subtle.exportKey('raw', {})),
      };
    `);
    expect(r).toEqual({
      badFormat: 'TypeError(TypeError)', badUsage: 'SyntaxError', unknownUsage: 'TypeError(TypeError)',
      usagesNotIterable: 'TypeError(TypeError)', emptyUsages: 'SyntaxError', badLength: 'DataError',
      jwkForRaw: 'TypeError(TypeError)', bufferForJwk: 'TypeError(TypeError)', stringKeyData: 'TypeError(TypeError)',
      jwkOk: 128, jwkWrongAlg: 'DataError', jwkExtFalse: 'DataError', jwkKeyOps: 'DataError',
      jwkKeyOpsNotSequence: 'TypeError(TypeError)', jwkMissingKty: 'DataError', jwkNull: 'DataError',
      badSpki: 'DataError', badCurve: 'NotSupportedError', hmacNoHash: 'TypeError(TypeError)',
      hmacZeroLength: 'DataError', missingArgs: 'TypeError(TypeError)', exportBadFormat: 'NotSupportedError',
      exportNotKey: 'TypeError(TypeError)',
    });
  });
});

describe('wrapKey / unwrapKey', () => {
  it('wraps raw and jwk with AES-GCM and RSA-OAEP, unwraps to working keys, and enforces the rules', async () => {
    const r = await run(`
      const gcm = await subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['wrapKey', 'unwrapKey']);
      const hmac = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
      const iv = new Uint8Array(12);
      const wrappedJwk = await subtle.wrapKey('jwk', hmac, gcm, { name: 'AES-GCM', iv });
      const unwrapped = await subtle.unwrapKey('jwk', wrappedJwk, gcm, { name: 'AES-GCM', iv }, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
      const msg = ascii('m');
      const sameKey = await subtle.verify('HMAC', unwrapped, await subtle.sign('HMAC', hmac, msg), msg);
      const oaep = await subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1' }, false, ['wrapKey', 'unwrapKey']);
      const aes = await subtle.generateKey({ name: 'AES-CTR', length: 256 }, true, ['encrypt']);
      const wrappedRaw = await subtle.wrapKey('raw', aes, oaep.publicKey, 'RSA-OAEP');
      const back = await subtle.unwrapKey('raw', wrappedRaw, oaep.privateKey, { name: 'RSA-OAEP' }, 'AES-CTR', true, ['encrypt']);
      const nonExtractable = await subtle.generateKey({ name: 'AES-CTR', length: 128 }, false, ['encrypt']);
      return {
        sameKey, unwrappedExtractable: unwrapped.extractable, unwrappedUsages: unwrapped.usages,
        rawBack: hex(await subtle.exportKey('raw', back)) === hex(await subtle.exportKey('raw', aes)),
        wrapNonExtractable: await errName(subtle.wrapKey('raw', nonExtractable, gcm, { name: 'AES-GCM', iv })),
        wrapWithoutUsage: await errName(subtle.wrapKey('raw', aes, hmac, 'HMAC')),
        wrapUnknownAlg: await errName(subtle.wrapKey('raw', aes, gcm, 'AES-XYZ')),
        wrapAlgMismatch: await errName(subtle.wrapKey('raw', aes, gcm, { name: 'AES-CBC', iv: new Uint8Array(16) })),
        wrapWithPublicMissingUsage: await errName(subtle.unwrapKey('raw', wrappedRaw, oaep.publicKey, 'RSA-OAEP', 'AES-CTR', true, ['encrypt'])),
        unwrapBadKeyAlg: await errName(subtle.unwrapKey('raw', wrappedRaw, oaep.privateKey, 'RSA-OAEP', 'AES-NOPE', true, ['encrypt'])),
        unwrapBadUsages: await errName(subtle.unwrapKey('raw', wrappedRaw, oaep.privateKey, 'RSA-OAEP', 'AES-CTR', true, ['sign'])),
        unwrapGarbageJwk: await errName(subtle.encrypt({ name: 'AES-GCM', iv }, await subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']), ascii('{not json'))
          .then(async (ct) => subtle.unwrapKey('jwk', ct, await subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['unwrapKey']), { name: 'AES-GCM', iv }, 'AES-CTR', true, ['encrypt']))),
      };
    `);
    expect(r).toEqual({
      sameKey: true, unwrappedExtractable: false, unwrappedUsages: ['sign', 'verify'], rawBack: true,
      wrapNonExtractable: 'InvalidAccessError', wrapWithoutUsage: 'NotSupportedError', wrapUnknownAlg: 'NotSupportedError',
      wrapAlgMismatch: 'InvalidAccessError', wrapWithPublicMissingUsage: 'InvalidAccessError',
      unwrapBadKeyAlg: 'NotSupportedError', unwrapBadUsages: 'SyntaxError', unwrapGarbageJwk: 'DataError',
    });
  });
});

describe('generateKey errors and their timing', () => {
  it('rejects normalization and parameter errors before queued microtasks, key-operation errors after', async () => {
    const r = await run(`
      const timing = (makePromise) => {
        let microtask = false;
        const p = makePromise().then(() => 'resolved', (e) => [e.name, microtask ? 'after' : 'before']);
        Promise.resolve().then(() => { microtask = true; });
        return p;
      };
      const gen = (alg, usages = ['encrypt']) => () => subtle.generateKey(alg, true, usages);
      return {
        unknown: await timing(gen('AES')),
        empty: await timing(gen({})),
        badHash: await timing(gen({ name: 'HMAC', hash: 'MD5' }, ['sign'])),
        aesLength: await timing(gen({ name: 'AES-GCM', length: 64 })),
        aesLengthRange: await timing(gen({ name: 'AES-GCM', length: 65536 })),
        rsaExponent: await timing(gen({ name: 'RSA-PSS', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 0]), hash: 'SHA-256' }, ['sign'])),
        rsaExponent1: await timing(gen({ name: 'RSA-PSS', modulusLength: 1024, publicExponent: new Uint8Array([1]), hash: 'SHA-256' }, ['sign'])),
        rsaExponentArray: await timing(gen({ name: 'RSA-PSS', modulusLength: 1024, publicExponent: [1, 0, 1], hash: 'SHA-256' }, ['sign'])),
        rsaHuge: await timing(gen({ name: 'RSA-PSS', modulusLength: 16384, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, ['sign'])),
        ecCurve: await timing(gen({ name: 'ECDSA', namedCurve: 'P-512' }, ['sign'])),
        badUsages: await timing(gen({ name: 'AES-GCM', length: 128 }, ['sign'])),
        emptyUsages: await timing(gen({ name: 'AES-GCM', length: 128 }, [])),
        emptyPrivateUsages: await timing(gen({ name: 'ECDSA', namedCurve: 'P-256' }, ['verify'])),
        notEnoughArgs: await timing(() => subtle.generateKey({ name: 'AES-GCM', length: 128 }, true)),
        illegalThis: await timing(() => subtle.generateKey.call({}, { name: 'AES-GCM', length: 128 }, true, ['encrypt'])),
        caseInsensitive: (await subtle.generateKey({ name: 'aEs-KW', length: 128 }, true, ['wrapKey'])).algorithm.name,
        kelvin: await timing(gen({ name: 'AES-\\u212AW', length: 128 }, ['wrapKey'])),
        extractableCoerced: (await subtle.generateKey({ name: 'AES-GCM', length: 128 }, 'RED', ['encrypt'])).extractable,
        hmacDefaultLength: (await subtle.generateKey({ name: 'HMAC', hash: 'SHA-512' }, true, ['sign'])).algorithm.length,
        dedupedUsages: (await subtle.generateKey({ name: 'AES-GCM', length: 128 }, true, ['decrypt', 'encrypt', 'decrypt'])).usages,
      };
    `);
    expect(r).toEqual({
      unknown: ['NotSupportedError', 'before'], empty: ['TypeError', 'before'], badHash: ['NotSupportedError', 'before'],
      aesLength: ['OperationError', 'before'], aesLengthRange: ['TypeError', 'before'],
      rsaExponent: ['OperationError', 'before'], rsaExponent1: ['OperationError', 'before'],
      rsaExponentArray: ['TypeError', 'before'], rsaHuge: ['OperationError', 'before'],
      ecCurve: ['NotSupportedError', 'before'],
      badUsages: ['SyntaxError', 'after'], emptyUsages: ['SyntaxError', 'after'], emptyPrivateUsages: ['SyntaxError', 'after'],
      notEnoughArgs: ['TypeError', 'before'], illegalThis: ['TypeError', 'before'],
      caseInsensitive: 'AES-KW', kelvin: ['NotSupportedError', 'before'], extractableCoerced: true,
      hmacDefaultLength: 1024, dedupedUsages: ['encrypt', 'decrypt'],
    });
  });

  it('settles after microtasks queued before the call (WPT: importKey must not resolve early)', async () => {
    const r = await run(`
      const order = [];
      Promise.resolve().then(() => order.push('queued-before'));
      const p = subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']).then(() => order.push('importKey'));
      Promise.resolve().then(() => order.push('queued-after')).then(() => order.push('queued-after-2'));
      const d = subtle.digest('SHA-256', new Uint8Array(1)).then(() => order.push('digest'));
      await Promise.all([p, d]);
      return order;
    `);
    expect(r.slice(0, 3)).toEqual(['queued-before', 'queued-after', 'queued-after-2']);
    expect(r.slice(3).sort()).toEqual(['digest', 'importKey']);
  });
});

describe('CryptoKey', () => {
  it('exposes cached attribute objects whose mutation changes nothing, and holds no key material', async () => {
    const r = await run(`
      const key = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const alg = key.algorithm, usages = key.usages;
      const sameObjects = alg === key.algorithm && usages === key.usages;
      alg.name = 'AES-GCM'; alg.hash.name = 'SHA-1'; usages.push('verify');
      const stillSigns = (await subtle.sign('HMAC', key, new Uint8Array(1))).byteLength;
      const verifyDenied = await errName(subtle.verify('HMAC', key, new Uint8Array(32), new Uint8Array(1)));
      return {
        sameObjects, stillSigns, verifyDenied,
        mutated: [key.algorithm.name, key.usages.length],
        own: Reflect.ownKeys(key).length,
        json: JSON.stringify(key),
        protoKeys: Object.keys(CryptoKey.prototype),
        instance: key instanceof CryptoKey,
      };
    `);
    expect(r).toEqual({
      sameObjects: true, stillSigns: 32, verifyDenied: 'InvalidAccessError', mutated: ['AES-GCM', 2], own: 0, json: '{}',
      protoKeys: ['type', 'extractable', 'algorithm', 'usages'], instance: true,
    });
  });
});

describe('CryptoKey serialization', () => {
  it('structuredClone gives a new CryptoKey over the same key material', async () => {
    const r = await evalInIsolate(`
      const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-384' }, false, ['sign', 'verify']);
      const copy = structuredClone(key);
      const both = structuredClone({ a: key, b: key });
      const data = new Uint8Array([1, 2, 3]);
      const sig = await crypto.subtle.sign('HMAC', key, data);
      copy.algorithm.hash.name = 'changed';
      return {
        distinct: copy !== key && copy instanceof CryptoKey,
        attributes: [copy.type, copy.extractable, key.algorithm.hash.name, copy.usages],
        freshObjects: copy.algorithm !== key.algorithm && copy.usages !== key.usages,
        sameMaterial: await crypto.subtle.verify('HMAC', copy, sig, data),
        shared: both.a === both.b && both.a !== key,
        stillNotExtractable: await crypto.subtle.exportKey('raw', copy).then(() => 'exported', (e) => e.name),
        notSerializable: [crypto, crypto.subtle].map((v) => { try { structuredClone(v); return 'cloned'; } catch (e) { return e.name; } }),
      };
    `);
    expect(r).toEqual({
      distinct: true, attributes: ['secret', false, 'SHA-384', ['sign', 'verify']], freshObjects: true,
      sameMaterial: true, shared: true, stillNotExtractable: 'InvalidAccessError',
      notSerializable: ['DataCloneError', 'DataCloneError'],
    });
  });
});
