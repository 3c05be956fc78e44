// Host ops for Web Crypto (runtime/api/crypto/).
//
// Key material never enters an isolate. Each isolate has its own key table (ctx.state) mapping the
// opaque handle ids its CryptoKey objects carry to Node `CryptoKey`s; the table is emptied when the
// isolate is disposed, and entries are released early when the isolate collects a key object.
// The isolate has already done everything the spec does before "in parallel" (WebIDL conversion,
// algorithm normalization, byte copies). Here the remaining steps run in spec order: the checks on
// the keys' [[algorithm]], [[usages]] and [[extractable]] slots first, then the operation itself,
// which is Node's WebCrypto implementation given the normalized algorithm as plain data.
//
// Async ops answer a tagged result, { ok: true, value } or { ok: false, name, message }, rather than
// rejecting: the isolate rebuilds the error itself, because "SyntaxError" here is the DOMException
// name, which the generic bridge would turn into an ECMAScript SyntaxError. The answer carries an own
// `then: undefined` so that resolving the bridge's internal promise with it never consults a `then`
// a tenant put on Object.prototype (which could otherwise substitute a forged answer).
import { randomFillSync, webcrypto } from 'node:crypto';
import type { OpContext, OpModule } from './types.ts';

type NodeCryptoKey = webcrypto.CryptoKey;
type Json = Record<string, unknown>;
const { subtle } = webcrypto;

/** Live keys one isolate may hold at once (each holds host memory outside the isolate's heap limit). */
export const MAX_KEYS_PER_ISOLATE = 100_000;
/** Crypto operations one isolate may have running at once; the rest wait in order. */
export const MAX_CONCURRENT_OPS = 2;
/**
 * PBKDF2 work runs on the host's shared thread pool, outside the isolate's CPU limits. One million
 * iterations (above OWASP's 2023 recommendation for SHA-256) is the most one derivation may ask for.
 */
export const PBKDF2_MAX_ITERATIONS = 1_000_000;
/** Same reason: RSA key generation cost grows steeply with the modulus. */
export const RSA_MAX_MODULUS_LENGTH = 8192;
const MAX_RANDOM_BYTES = 65536;

interface CryptoState {
  keys: Map<number, NodeCryptoKey>;
  nextId: number;
  running: number;
  waiting: (() => void)[];
}

const STATE = Symbol('crypto');

function state(ctx: OpContext): CryptoState {
  return ctx.state(STATE, () => {
    const s: CryptoState = { keys: new Map(), nextId: 1, running: 0, waiting: [] };
    ctx.onDispose(() => {
      s.keys.clear();
      s.waiting.length = 0;
    });
    return s;
  });
}

/** Live keys and operations of one isolate (tests, metrics). */
export function cryptoStats(ctx: OpContext): { keys: number; running: number; waiting: number } {
  const s = state(ctx);
  return { keys: s.keys.size, running: s.running, waiting: s.waiting.length };
}

function domError(message: string, name: string): Error {
  return new DOMException(message, name);
}

function keyOf(ctx: OpContext, id: unknown): NodeCryptoKey {
  const key = typeof id === 'number' ? state(ctx).keys.get(id) : undefined;
  if (key === undefined) throw domError('The key is no longer available', 'InvalidStateError');
  return key;
}

/** The KeyAlgorithm as plain data, members in WebIDL dictionary order (see crypto-key.ts). */
function describeAlgorithm(a: Json): Json {
  const out: Json = { name: a.name };
  if (a.modulusLength !== undefined) out.modulusLength = a.modulusLength;
  if (a.publicExponent !== undefined) out.publicExponent = new Uint8Array(a.publicExponent as Uint8Array);
  if (a.hash !== undefined) out.hash = { name: (a.hash as Json).name };
  if (a.length !== undefined) out.length = a.length;
  if (a.namedCurve !== undefined) out.namedCurve = a.namedCurve;
  return out;
}

function register(ctx: OpContext, key: NodeCryptoKey): Json {
  const s = state(ctx);
  if (s.keys.size >= MAX_KEYS_PER_ISOLATE) {
    throw domError(`Too many live CryptoKey objects (limit ${MAX_KEYS_PER_ISOLATE})`, 'QuotaExceededError');
  }
  const id = s.nextId++;
  s.keys.set(id, key);
  return {
    id,
    type: key.type,
    extractable: key.extractable,
    algorithm: describeAlgorithm(key.algorithm as unknown as Json),
    usages: [...key.usages],
  };
}

function registerResult(ctx: OpContext, result: NodeCryptoKey | webcrypto.CryptoKeyPair): Json {
  if ('privateKey' in result) {
    return { privateKey: register(ctx, result.privateKey), publicKey: register(ctx, result.publicKey) };
  }
  return register(ctx, result);
}

// Error names the spec uses; anything else Node throws (internal errors, OpenSSL codes) is reported
// as an OperationError so nothing host-specific reaches tenants by name.
const specErrorNames = new Set([
  'TypeError', 'NotSupportedError', 'SyntaxError', 'InvalidAccessError', 'DataError', 'OperationError',
  'QuotaExceededError', 'InvalidStateError',
]);

function sanitize(e: unknown): Error {
  if (e instanceof Error && specErrorNames.has(e.name)) {
    if (e.name === 'TypeError') return new TypeError(e.message);
    return domError(e.message, e.name);
  }
  return domError(e instanceof Error ? e.message : 'The operation failed', 'OperationError');
}

type Result =
  | { then: undefined; ok: true; value: unknown }
  | { then: undefined; ok: false; name: string; message: string };

function failure(name: string, message: string): Result {
  return { then: undefined, ok: false, name, message };
}

/**
 * Runs `job` when fewer than MAX_CONCURRENT_OPS of this isolate's operations are running, so one
 * tenant cannot occupy the whole thread pool, and answers its tagged result. Jobs of a disposed
 * isolate that have not started never start.
 */
async function limited(ctx: OpContext, job: () => unknown): Promise<Result> {
  const s = state(ctx);
  // A finishing job hands its slot straight to the next waiter, so `running` never exceeds the limit
  // and a newcomer cannot overtake the queue.
  if (s.running >= MAX_CONCURRENT_OPS) await new Promise<void>((resolve) => s.waiting.push(resolve));
  else s.running++;
  try {
    if (ctx.disposed) return failure('OperationError', 'The isolate was disposed');
    return { then: undefined, ok: true, value: await job() };
  } catch (e) {
    const error = sanitize(e);
    return failure(error.name, error.message);
  } finally {
    const next = s.waiting.shift();
    if (next !== undefined) next();
    else s.running--;
  }
}

// The spec's checks on the keys, made here so they come before anything Node checks inside the
// operation (Node validates some parameters, e.g. PBKDF2 iterations, earlier than the spec does).

/** "If the name member of normalizedAlgorithm is not equal to the name attribute of [[algorithm]]…" */
function checkKey(key: NodeCryptoKey, alg: Json, usage: webcrypto.KeyUsage): NodeCryptoKey {
  if (key.algorithm.name !== alg.name) {
    throw domError(`The key is a ${key.algorithm.name} key, not ${String(alg.name)}`, 'InvalidAccessError');
  }
  if (!key.usages.includes(usage)) throw domError(`The key's usages do not include '${usage}'`, 'InvalidAccessError');
  return key;
}

/** exportKey's (and wrapKey's) checks on the key to export. */
function checkExportable(key: NodeCryptoKey): NodeCryptoKey {
  const name = key.algorithm.name;
  if (name === 'PBKDF2' || name === 'HKDF') throw domError(`${name} keys cannot be exported`, 'NotSupportedError');
  if (!key.extractable) throw domError('The key is not extractable', 'InvalidAccessError');
  return key;
}

function algorithm(alg: Json): webcrypto.AlgorithmIdentifier {
  return alg as unknown as webcrypto.AlgorithmIdentifier;
}

/** The algorithm as Node takes it: `public` (ECDH, X25519) becomes the Node key behind the handle. */
function withKeys(ctx: OpContext, alg: Json): Json {
  if (alg.public === undefined) return alg;
  return { ...alg, public: keyOf(ctx, alg.public) };
}

function checkLimits(alg: Json): void {
  if (alg.name === 'PBKDF2' && typeof alg.iterations === 'number' && alg.iterations > PBKDF2_MAX_ITERATIONS) {
    throw domError(`PBKDF2 iteration counts above ${PBKDF2_MAX_ITERATIONS} are not supported`, 'NotSupportedError');
  }
  if (typeof alg.modulusLength === 'number' && alg.modulusLength > RSA_MAX_MODULUS_LENGTH) {
    throw domError(`RSA modulusLength above ${RSA_MAX_MODULUS_LENGTH} bits is not supported`, 'OperationError');
  }
}

// JsonWebKey members in WebIDL dictionary order, for "converting to an ECMAScript object".
const jwkMembers = ['alg', 'crv', 'd', 'dp', 'dq', 'e', 'ext', 'k', 'key_ops', 'kty', 'n', 'oth', 'p', 'q', 'qi', 'use', 'x', 'y'];

function orderedJwk(jwk: Json): Json {
  const out: Json = {};
  for (const member of jwkMembers) if (jwk[member] !== undefined) out[member] = jwk[member];
  return out;
}

type Bytes = Uint8Array<ArrayBuffer>;

export const cryptoOps: OpModule = {
  sync: {
    'crypto.randomBytes': (_ctx, n: unknown) => {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_RANDOM_BYTES) {
        throw new RangeError('invalid entropy request');
      }
      return randomFillSync(new Uint8Array(n));
    },
    'crypto.clone': (ctx, id: unknown) => register(ctx, keyOf(ctx, id)).id,
  },
  send: {
    'crypto.release': (ctx, id: unknown) => {
      if (typeof id === 'number') state(ctx).keys.delete(id);
    },
  },
  async: {
    'crypto.digest': (ctx, alg: Json, data: Bytes) =>
      limited(ctx, () => subtle.digest(alg as unknown as webcrypto.AlgorithmIdentifier, data)),
    'crypto.encrypt': (ctx, alg: Json, id: number, data: Bytes) =>
      limited(ctx, () => subtle.encrypt(algorithm(alg), checkKey(keyOf(ctx, id), alg, 'encrypt'), data)),
    'crypto.decrypt': (ctx, alg: Json, id: number, data: Bytes) =>
      limited(ctx, () => subtle.decrypt(algorithm(alg), checkKey(keyOf(ctx, id), alg, 'decrypt'), data)),
    'crypto.sign': (ctx, alg: Json, id: number, data: Bytes) =>
      limited(ctx, () => subtle.sign(algorithm(alg), checkKey(keyOf(ctx, id), alg, 'sign'), data)),
    'crypto.verify': (ctx, alg: Json, id: number, signature: Bytes, data: Bytes) =>
      limited(ctx, () => subtle.verify(algorithm(alg), checkKey(keyOf(ctx, id), alg, 'verify'), signature, data)),
    'crypto.generateKey': (ctx, alg: Json, extractable: boolean, usages: webcrypto.KeyUsage[]) =>
      limited(ctx, async () => {
        checkLimits(alg);
        const result = await subtle.generateKey(algorithm(alg), extractable, usages);
        return registerResult(ctx, result as NodeCryptoKey | webcrypto.CryptoKeyPair);
      }),
    'crypto.deriveBits': (ctx, alg: Json, id: number, length: number | null) =>
      limited(ctx, () => {
        const baseKey = checkKey(keyOf(ctx, id), alg, 'deriveBits');
        checkLimits(alg);
        return subtle.deriveBits(withKeys(ctx, alg) as unknown as webcrypto.EcdhKeyDeriveParams, baseKey, length);
      }),
    'crypto.deriveKey': (
      ctx, alg: Json, id: number, importAlg: Json, lengthAlg: Json, extractable: boolean, usages: webcrypto.KeyUsage[],
    ) =>
      limited(ctx, async () => {
        const baseKey = checkKey(keyOf(ctx, id), alg, 'deriveKey');
        checkLimits(alg);
        // Node normalizes derivedKeyType for both "importKey" and "get key length": give it the members of both.
        const derivedKeyType = { ...importAlg, ...lengthAlg, name: importAlg.name };
        const key = await subtle.deriveKey(
          withKeys(ctx, alg) as unknown as webcrypto.EcdhKeyDeriveParams, baseKey, algorithm(derivedKeyType), extractable, usages,
        );
        return register(ctx, key);
      }),
    'crypto.importKey': (ctx, format: string, data: Bytes | Json, alg: Json, extractable: boolean, usages: webcrypto.KeyUsage[]) =>
      limited(ctx, async () => {
        const key = await subtle.importKey(format as 'raw', data as Bytes, algorithm(alg), extractable, usages);
        return register(ctx, key);
      }),
    'crypto.exportKey': (ctx, format: string, id: number) =>
      limited(ctx, async () => {
        const result = await subtle.exportKey(format as 'raw', checkExportable(keyOf(ctx, id)));
        return result instanceof ArrayBuffer ? result : orderedJwk(result as unknown as Json);
      }),
    'crypto.wrapKey': (ctx, format: string, id: number, wrappingId: number, alg: Json) =>
      limited(ctx, () => {
        const wrappingKey = checkKey(keyOf(ctx, wrappingId), alg, 'wrapKey');
        return subtle.wrapKey(format as 'raw', checkExportable(keyOf(ctx, id)), wrappingKey, algorithm(alg));
      }),
    'crypto.unwrapKey': (
      ctx, format: string, wrapped: Bytes, unwrappingId: number, alg: Json, keyAlg: Json, extractable: boolean,
      usages: webcrypto.KeyUsage[],
    ) =>
      limited(ctx, async () => {
        const unwrappingKey = checkKey(keyOf(ctx, unwrappingId), alg, 'unwrapKey');
        const key = await subtle.unwrapKey(
          format as 'raw', wrapped, unwrappingKey, algorithm(alg), algorithm(keyAlg), extractable, usages,
        );
        return register(ctx, key);
      }),
  },
};
