// SubtleCrypto: https://w3c.github.io/webcrypto/#subtlecrypto-interface
//
// Everything the spec does before "return promise and perform the remaining steps in parallel" runs
// here, synchronously and in spec order: WebIDL argument conversion, algorithm normalization, the
// byte copies. An error there rejects the returned promise before any queued microtask runs. The
// remaining steps (key checks, the operation itself, usage and extractability rules) run on the host
// against the key material held there (runtime/host/ops/crypto.ts); the promise settles when the
// host's completion arrives, which is always after microtasks queued by the caller. The host answers
// { ok: true, value } or { ok: false, name, message } (with an own `then: undefined`, so no tenant
// `then` on Object.prototype can intercept it); errors are rebuilt here as DOMExceptions (or
// TypeErrors), since "SyntaxError" from Web Crypto is a DOMException, not the ECMAScript error.
import {
  ObjectDefineProperty, ObjectHasOwn, PromisePrototypeThen, PromiseReject, PromiseWithResolvers, ReflectApply,
  TypeError, TypedArrayPrototypeGetByteLength,
} from '../intrinsics.ts';
import { hostAsync } from '../bridge/host.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import { finishInterface } from '../webidl/interface.ts';
import {
  normalizeAlgorithm, toAlgorithmIdentifier, type AlgorithmIdentifier, type NormalizedAlgorithm,
} from './algorithms.ts';
import { createCryptoKey, own, toCryptoKeyId, type CryptoKey, type KeyDescriptor } from './crypto-key.ts';
import {
  appendTo, copyBytes, isBufferSource, isObject, toBufferSource, toEnum, toJsonWebKey, toSequence, toUnsignedLong,
  type BufferSourceValue, type JsonWebKeyData,
} from './webidl.ts';

type KeyFormat = 'raw' | 'spki' | 'pkcs8' | 'jwk';
const keyFormats: readonly KeyFormat[] = ['raw', 'spki', 'pkcs8', 'jwk'];
const keyUsages: readonly string[] = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'];

/** Operational limits on the host side, mirrored here so the errors come at the same time. */
export const RSA_MAX_MODULUS_LENGTH = 8192;
const RSA_MIN_MODULUS_LENGTH = 512;

const constructing = Symbol('SubtleCrypto');
let instance: SubtleCrypto | undefined;

function toFormat(v: unknown): KeyFormat {
  return toEnum(v, keyFormats, 'format');
}

function toUsages(v: unknown): string[] {
  return toSequence(v, (item) => toEnum(item, keyUsages, 'keyUsages'), 'keyUsages');
}

/**
 * The part of every method WebIDL owns: brand check and argument count. Any exception thrown by
 * `body` (conversion, normalization) becomes a rejected promise, as for every promise-returning
 * operation.
 */
function run(self: unknown, method: string, argc: number, required: number, body: () => Promise<unknown>): Promise<any> {
  try {
    if (self !== instance || instance === undefined) {
      throw new TypeError(`Illegal invocation: SubtleCrypto.prototype.${method} called on a non-SubtleCrypto`);
    }
    if (argc < required) {
      throw new TypeError(`Failed to execute '${method}' on 'SubtleCrypto': ${required} arguments required, but only ${argc} present`);
    }
    return body();
  } catch (e) {
    return PromiseReject(e);
  }
}

/** An error the host reported by name, as this realm's error object. */
function cryptoError(name: unknown, message: unknown): Error {
  const text = typeof message === 'string' ? message : 'The operation failed';
  if (name === 'TypeError') return new TypeError(text);
  return new DOMException(text, typeof name === 'string' ? name : 'OperationError');
}

const identity = <T>(value: T): T => value;

/**
 * Calls a crypto host op and settles a new promise with `map` applied to its value. The host promise
 * is private; its own `constructor` is cleared so `then` builds its derived promise from %Promise%
 * without looking at anything a tenant could have replaced (Promise.prototype.constructor,
 * Promise[@@species]).
 */
function callHost<T>(op: string, args: unknown[], map: (value: any) => T): Promise<T> {
  // No spread: it would run %ArrayIteratorPrototype%.next, which a tenant can replace.
  const callArgs: unknown[] = [`crypto.${op}`];
  for (let i = 0; i < args.length; i++) appendTo(callArgs, args[i]);
  const hostPromise = ReflectApply(hostAsync, undefined, callArgs) as Promise<unknown>;
  const deferred = PromiseWithResolvers<T>();
  ObjectDefineProperty(hostPromise, 'constructor', { value: undefined });
  PromisePrototypeThen(hostPromise, (answer) => {
    let result: T;
    try {
      const tagged = answer as object;
      if (own(tagged, 'ok') !== true) throw cryptoError(own(tagged, 'name'), own(tagged, 'message'));
      result = map(own(tagged, 'value'));
    } catch (e) {
      deferred.reject(e);
      return;
    }
    deferred.resolve(result);
  }, deferred.reject);
  return deferred.promise;
}

function toKey(d: KeyDescriptor): CryptoKey {
  return createCryptoKey(d);
}

interface KeyPairDescriptor { privateKey: KeyDescriptor; publicKey: KeyDescriptor }

function toKeyOrPair(d: KeyDescriptor | KeyPairDescriptor): object {
  if (!ObjectHasOwn(d, 'privateKey')) return toKey(d as KeyDescriptor);
  // CryptoKeyPair dictionary → ECMAScript object: members in lexicographic order.
  const pair = d as KeyPairDescriptor;
  return { privateKey: toKey(pair.privateKey), publicKey: toKey(pair.publicKey) };
}

/**
 * Rejections the spec raises while normalizing generateKey's parameters are reported synchronously
 * here, as browsers do (WPT generateKey/failures.js checks the timing): AES key lengths, RSA modulus
 * length and public exponent, EC curve names. Everything else is left to the host.
 */
function checkGenerateParameters(alg: NormalizedAlgorithm): void {
  switch (alg.name) {
    case 'AES-CTR': case 'AES-CBC': case 'AES-GCM': case 'AES-KW': {
      const length = alg.length as number;
      if (length !== 128 && length !== 192 && length !== 256) {
        throw new DOMException('AES key length must be 128, 192 or 256 bits', 'OperationError');
      }
      return;
    }
    case 'RSASSA-PKCS1-v1_5': case 'RSA-PSS': case 'RSA-OAEP': {
      const modulusLength = alg.modulusLength as number;
      if (modulusLength < RSA_MIN_MODULUS_LENGTH || modulusLength > RSA_MAX_MODULUS_LENGTH) {
        throw new DOMException(
          `RSA modulusLength must be between ${RSA_MIN_MODULUS_LENGTH} and ${RSA_MAX_MODULUS_LENGTH} bits`, 'OperationError');
      }
      const e = alg.publicExponent as Uint8Array;
      const n = TypedArrayPrototypeGetByteLength(e);
      let start = 0;
      while (start < n && e[start] === 0) start++;
      let value = 0;
      for (let i = start; i < n; i++) value = value * 256 + e[i]!;
      if (n - start > 4 || value < 3 || value % 2 === 0) {
        throw new DOMException('RSA publicExponent must be an odd integer from 3 to 2^32 - 1', 'OperationError');
      }
      return;
    }
    case 'ECDSA': case 'ECDH': {
      const curve = alg.namedCurve;
      if (curve !== 'P-256' && curve !== 'P-384' && curve !== 'P-521') {
        throw new DOMException(`Unsupported namedCurve '${curve as string}'`, 'NotSupportedError');
      }
      return;
    }
  }
}

/** Normalization for wrapKey/unwrapKey: the key-wrap algorithms, then the ciphers. */
function normalizeWrapAlgorithm(alg: AlgorithmIdentifier, op: 'wrapKey' | 'unwrapKey'): NormalizedAlgorithm {
  try {
    return normalizeAlgorithm(alg, op);
  } catch {
    return normalizeAlgorithm(alg, op === 'wrapKey' ? 'encrypt' : 'decrypt');
  }
}

function cipher(op: 'encrypt' | 'decrypt', algorithm: unknown, key: unknown, data: unknown): Promise<unknown> {
  const alg = toAlgorithmIdentifier(algorithm, 'algorithm');
  const keyId = toCryptoKeyId(key, 'key');
  const source = toBufferSource(data, 'data');
  const normalized = normalizeAlgorithm(alg, op);
  const bytes = copyBytes(source);
  return callHost(op, [normalized, keyId, bytes], identity);
}

export class SubtleCrypto {
  constructor(token?: unknown) {
    if (token !== constructing) throw new TypeError('Illegal constructor');
  }

  encrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return run(this, 'encrypt', arguments.length, 3, () => cipher('encrypt', algorithm, key, data));
  }

  decrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return run(this, 'decrypt', arguments.length, 3, () => cipher('decrypt', algorithm, key, data));
  }

  sign(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return run(this, 'sign', arguments.length, 3, () => {
      const alg = toAlgorithmIdentifier(algorithm, 'algorithm');
      const keyId = toCryptoKeyId(key, 'key');
      const source = toBufferSource(data, 'data');
      const normalized = normalizeAlgorithm(alg, 'sign');
      const bytes = copyBytes(source);
      return callHost('sign', [normalized, keyId, bytes], identity);
    });
  }

  verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): Promise<boolean> {
    return run(this, 'verify', arguments.length, 4, () => {
      const alg = toAlgorithmIdentifier(algorithm, 'algorithm');
      const keyId = toCryptoKeyId(key, 'key');
      const signatureSource = toBufferSource(signature, 'signature');
      const dataSource = toBufferSource(data, 'data');
      const normalized = normalizeAlgorithm(alg, 'verify');
      const signatureBytes = copyBytes(signatureSource);
      const bytes = copyBytes(dataSource);
      return callHost('verify', [normalized, keyId, signatureBytes, bytes], identity);
    });
  }

  digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
    return run(this, 'digest', arguments.length, 2, () => {
      const alg = toAlgorithmIdentifier(algorithm, 'algorithm');
      const source = toBufferSource(data, 'data');
      const normalized = normalizeAlgorithm(alg, 'digest');
      const bytes = copyBytes(source);
      return callHost('digest', [normalized, bytes], identity);
    });
  }

  generateKey(algorithm: unknown, extractable: unknown, keyUsages: unknown): Promise<CryptoKey | object> {
    return run(this, 'generateKey', arguments.length, 3, () => {
      const alg = toAlgorithmIdentifier(algorithm, 'algorithm');
      const isExtractable = !!extractable;
      const usages = toUsages(keyUsages);
      const normalized = normalizeAlgorithm(alg, 'generateKey');
      checkGenerateParameters(normalized);
      return callHost('generateKey', [normalized, isExtractable, usages], toKeyOrPair);
    });
  }

  deriveKey(algorithm: unknown, baseKey: unknown, derivedKeyType: unknown, extractable: unknown, keyUsages: unknown): Promise<CryptoKey> {
    return run(this, 'deriveKey', arguments.length, 5, () => {
      const alg = toAlgorithmIdentifier(algorithm, 'algorithm');
      const baseKeyId = toCryptoKeyId(baseKey, 'baseKey');
      const derivedAlg = toAlgorithmIdentifier(derivedKeyType, 'derivedKeyType');
      const isExtractable = !!extractable;
      const usages = toUsages(keyUsages);
      const normalized = normalizeAlgorithm(alg, 'deriveBits');
      const importAlgorithm = normalizeAlgorithm(derivedAlg, 'importKey');
      const lengthAlgorithm = normalizeAlgorithm(derivedAlg, 'get key length');
      return callHost('deriveKey', [normalized, baseKeyId, importAlgorithm, lengthAlgorithm, isExtractable, usages], toKey);
    });
  }

  deriveBits(algorithm: unknown, baseKey: unknown, length: unknown = null): Promise<ArrayBuffer> {
    return run(this, 'deriveBits', arguments.length, 2, () => {
      const alg = toAlgorithmIdentifier(algorithm, 'algorithm');
      const baseKeyId = toCryptoKeyId(baseKey, 'baseKey');
      // `optional unsigned long? length = null`
      const bits = length === undefined || length === null ? null : toUnsignedLong(length);
      const normalized = normalizeAlgorithm(alg, 'deriveBits');
      return callHost('deriveBits', [normalized, baseKeyId, bits], identity);
    });
  }

  importKey(format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, keyUsages: unknown): Promise<CryptoKey> {
    return run(this, 'importKey', arguments.length, 5, () => {
      const keyFormat = toFormat(format);
      // (BufferSource or JsonWebKey): buffers first, then any other object (or null/undefined) as a dictionary.
      let source: BufferSourceValue | undefined;
      let jwk: JsonWebKeyData | undefined;
      if (isBufferSource(keyData)) source = toBufferSource(keyData, 'keyData');
      else if (keyData === undefined || keyData === null || isObject(keyData)) jwk = toJsonWebKey(keyData);
      else throw new TypeError('keyData is neither a BufferSource nor a JsonWebKey');
      const alg = toAlgorithmIdentifier(algorithm, 'algorithm');
      const isExtractable = !!extractable;
      const usages = toUsages(keyUsages);
      const normalized = normalizeAlgorithm(alg, 'importKey');
      let data: Uint8Array | JsonWebKeyData;
      if (keyFormat === 'jwk') {
        if (jwk === undefined) throw new TypeError("keyData must be a JsonWebKey dictionary for the 'jwk' format");
        data = jwk;
      } else {
        if (source === undefined) throw new TypeError(`keyData must be a BufferSource for the '${keyFormat}' format`);
        data = copyBytes(source);
      }
      return callHost('importKey', [keyFormat, data, normalized, isExtractable, usages], toKey);
    });
  }

  exportKey(format: unknown, key: unknown): Promise<ArrayBuffer | object> {
    return run(this, 'exportKey', arguments.length, 2, () => {
      const keyFormat = toFormat(format);
      const keyId = toCryptoKeyId(key, 'key');
      // The host answers an ArrayBuffer, or for 'jwk' a fresh object with the JsonWebKey members in
      // dictionary order, both created in this realm by the copy.
      return callHost('exportKey', [keyFormat, keyId], identity);
    });
  }

  wrapKey(format: unknown, key: unknown, wrappingKey: unknown, wrapAlgorithm: unknown): Promise<ArrayBuffer> {
    return run(this, 'wrapKey', arguments.length, 4, () => {
      const keyFormat = toFormat(format);
      const keyId = toCryptoKeyId(key, 'key');
      const wrappingKeyId = toCryptoKeyId(wrappingKey, 'wrappingKey');
      const alg = toAlgorithmIdentifier(wrapAlgorithm, 'wrapAlgorithm');
      const normalized = normalizeWrapAlgorithm(alg, 'wrapKey');
      return callHost('wrapKey', [keyFormat, keyId, wrappingKeyId, normalized], identity);
    });
  }

  unwrapKey(
    format: unknown, wrappedKey: unknown, unwrappingKey: unknown, unwrapAlgorithm: unknown,
    unwrappedKeyAlgorithm: unknown, extractable: unknown, keyUsages: unknown,
  ): Promise<CryptoKey> {
    return run(this, 'unwrapKey', arguments.length, 7, () => {
      const keyFormat = toFormat(format);
      const source = toBufferSource(wrappedKey, 'wrappedKey');
      const unwrappingKeyId = toCryptoKeyId(unwrappingKey, 'unwrappingKey');
      const alg = toAlgorithmIdentifier(unwrapAlgorithm, 'unwrapAlgorithm');
      const keyAlg = toAlgorithmIdentifier(unwrappedKeyAlgorithm, 'unwrappedKeyAlgorithm');
      const isExtractable = !!extractable;
      const usages = toUsages(keyUsages);
      const normalized = normalizeWrapAlgorithm(alg, 'unwrapKey');
      const normalizedKeyAlgorithm = normalizeAlgorithm(keyAlg, 'importKey');
      const bytes = copyBytes(source);
      return callHost('unwrapKey', [keyFormat, bytes, unwrappingKeyId, normalized, normalizedKeyAlgorithm, isExtractable, usages], toKey);
    });
  }
}

// WebIDL: operations are enumerable; `length` counts required arguments. No constructor in the IDL:
// the interface object's length is 0.
finishInterface(SubtleCrypto, 'SubtleCrypto', {
  constructor: 0, encrypt: 3, decrypt: 3, sign: 3, verify: 4, digest: 2, generateKey: 3, deriveKey: 5,
  deriveBits: 2, importKey: 5, exportKey: 2, wrapKey: 4, unwrapKey: 7,
});

/** Creates the one SubtleCrypto object of this global (crypto.subtle); called once by install. */
export function createSubtle(): SubtleCrypto {
  instance ??= new SubtleCrypto(constructing);
  return instance;
}
