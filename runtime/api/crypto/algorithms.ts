// Algorithm normalization: https://w3c.github.io/webcrypto/#algorithm-normalization-normalize-an-algorithm
//
// The registered algorithms of every operation and the IDL dictionary each one's parameters are
// converted to. A normalized algorithm is a null-prototype object holding only IDL values the host can
// take as they are: the registered name, numbers, strings, byte copies (Uint8Array), a normalized
// `hash` ({ name }) and, for ECDH/X25519, the public key's host handle id.
import { StringPrototypeCharCodeAt, StringFromCharCode, TypeError, TypedArrayPrototypeGetSymbolToStringTag } from '../intrinsics.ts';
import { DOMException } from '../webidl/dom-exception.ts';
import { toCryptoKeyId } from './crypto-key.ts';
import {
  copyBytes, isObject, toBufferSource, toDOMString, toEnforcedInteger, type BufferSourceValue,
} from './webidl.ts';

export type Operation =
  | 'encrypt' | 'decrypt' | 'sign' | 'verify' | 'digest' | 'generateKey' | 'deriveBits' | 'importKey'
  | 'wrapKey' | 'unwrapKey' | 'get key length';

/** A normalized algorithm, ready to cross to the host. */
export interface NormalizedAlgorithm {
  name: string;
  [member: string]: unknown;
}

/** The input: WebIDL `AlgorithmIdentifier` = (object or DOMString). */
export type AlgorithmIdentifier = object | string;

// Member types. 'bytes' = BufferSource, 'bigint' = BigInteger (Uint8Array), 'octet' / 'ushort' /
// 'ulong' = [EnforceRange] integers, 'string' = DOMString, 'hash' = HashAlgorithmIdentifier,
// 'key' = CryptoKey.
type MemberType = 'bytes' | 'bigint' | 'octet' | 'ushort' | 'ulong' | 'string' | 'hash' | 'key';
/** [member name, type, required]; a dictionary lists its members in WebIDL conversion order. */
type Member = readonly [string, MemberType, boolean];
type Dictionary = readonly Member[];

const Algorithm: Dictionary = [];
const AesCbcParams: Dictionary = [['iv', 'bytes', true]];
const AesCtrParams: Dictionary = [['counter', 'bytes', true], ['length', 'octet', true]];
const AesGcmParams: Dictionary = [['additionalData', 'bytes', false], ['iv', 'bytes', true], ['tagLength', 'octet', false]];
const AesKeyGenParams: Dictionary = [['length', 'ushort', true]];
const AesDerivedKeyParams = AesKeyGenParams;
const HmacImportParams: Dictionary = [['hash', 'hash', true], ['length', 'ulong', false]];
const HmacKeyGenParams = HmacImportParams;
// RsaKeyGenParams (modulusLength, publicExponent), then RsaHashedKeyGenParams (hash).
const RsaHashedKeyGenParams: Dictionary = [['modulusLength', 'ulong', true], ['publicExponent', 'bigint', true], ['hash', 'hash', true]];
const RsaHashedImportParams: Dictionary = [['hash', 'hash', true]];
const RsaPssParams: Dictionary = [['saltLength', 'ulong', true]];
const RsaOaepParams: Dictionary = [['label', 'bytes', false]];
const EcdsaParams: Dictionary = [['hash', 'hash', true]];
const EcKeyGenParams: Dictionary = [['namedCurve', 'string', true]];
const EcKeyImportParams = EcKeyGenParams;
const EcdhKeyDeriveParams: Dictionary = [['public', 'key', true]];
const HkdfParams: Dictionary = [['hash', 'hash', true], ['info', 'bytes', true], ['salt', 'bytes', true]];
const Pbkdf2Params: Dictionary = [['hash', 'hash', true], ['iterations', 'ulong', true], ['salt', 'bytes', true]];

type Registry = Record<string, readonly [string, Dictionary]>;

/** Builds an operation's table, keyed by the ASCII-lowercased name. */
function registry(entries: readonly (readonly [string, Dictionary])[]): Registry {
  const table = { __proto__: null } as unknown as Registry;
  for (let i = 0; i < entries.length; i++) table[asciiLowercase(entries[i]![0])] = entries[i]!;
  return table;
}

const RSA = ['RSASSA-PKCS1-v1_5', 'RSA-PSS', 'RSA-OAEP'] as const;
const AES = ['AES-CTR', 'AES-CBC', 'AES-GCM', 'AES-KW'] as const;

const cipher = registry([['RSA-OAEP', RsaOaepParams], ['AES-CTR', AesCtrParams], ['AES-CBC', AesCbcParams], ['AES-GCM', AesGcmParams]]);
const signature = registry([
  ['RSASSA-PKCS1-v1_5', Algorithm], ['RSA-PSS', RsaPssParams], ['ECDSA', EcdsaParams], ['HMAC', Algorithm], ['Ed25519', Algorithm],
]);
const keyWrap = registry([['AES-KW', Algorithm]]);

const supportedAlgorithms: Record<Operation, Registry> = {
  encrypt: cipher,
  decrypt: cipher,
  sign: signature,
  verify: signature,
  digest: registry([['SHA-1', Algorithm], ['SHA-256', Algorithm], ['SHA-384', Algorithm], ['SHA-512', Algorithm]]),
  generateKey: registry([
    [RSA[0], RsaHashedKeyGenParams], [RSA[1], RsaHashedKeyGenParams], [RSA[2], RsaHashedKeyGenParams],
    ['ECDSA', EcKeyGenParams], ['ECDH', EcKeyGenParams],
    [AES[0], AesKeyGenParams], [AES[1], AesKeyGenParams], [AES[2], AesKeyGenParams], [AES[3], AesKeyGenParams],
    ['HMAC', HmacKeyGenParams], ['Ed25519', Algorithm], ['X25519', Algorithm],
  ]),
  deriveBits: registry([['ECDH', EcdhKeyDeriveParams], ['HKDF', HkdfParams], ['PBKDF2', Pbkdf2Params], ['X25519', EcdhKeyDeriveParams]]),
  importKey: registry([
    [RSA[0], RsaHashedImportParams], [RSA[1], RsaHashedImportParams], [RSA[2], RsaHashedImportParams],
    ['ECDSA', EcKeyImportParams], ['ECDH', EcKeyImportParams], ['HMAC', HmacImportParams],
    [AES[0], Algorithm], [AES[1], Algorithm], [AES[2], Algorithm], [AES[3], Algorithm],
    ['PBKDF2', Algorithm], ['HKDF', Algorithm], ['Ed25519', Algorithm], ['X25519', Algorithm],
  ]),
  wrapKey: keyWrap,
  unwrapKey: keyWrap,
  'get key length': registry([
    [AES[0], AesDerivedKeyParams], [AES[1], AesDerivedKeyParams], [AES[2], AesDerivedKeyParams], [AES[3], AesDerivedKeyParams],
    ['HMAC', HmacImportParams], ['HKDF', Algorithm], ['PBKDF2', Algorithm],
  ]),
};

/** ASCII lowercase only: "AES-\u212AW" (Kelvin sign) must not match "AES-KW". */
function asciiLowercase(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    out += c >= 0x41 && c <= 0x5a ? StringFromCharCode(c + 0x20) : StringFromCharCode(c);
  }
  return out;
}

/** WebIDL conversion of an AlgorithmIdentifier argument: objects stay, anything else is a DOMString. */
export function toAlgorithmIdentifier(v: unknown, what: string): AlgorithmIdentifier {
  return isObject(v) ? v : toDOMString(v, what);
}

function convertMember(type: MemberType, value: unknown, what: string): unknown {
  switch (type) {
    case 'bytes': return toBufferSource(value, what);
    case 'bigint':
      // BigInteger is `typedef Uint8Array`: only a Uint8Array converts.
      if (TypedArrayPrototypeGetSymbolToStringTag(value) !== 'Uint8Array') throw new TypeError(`${what} is not a Uint8Array`);
      return toBufferSource(value, what);
    case 'octet': return toEnforcedInteger(value, 0xff, what);
    case 'ushort': return toEnforcedInteger(value, 0xffff, what);
    case 'ulong': return toEnforcedInteger(value, 0xffffffff, what);
    case 'string': return toDOMString(value, what);
    case 'hash': return toAlgorithmIdentifier(value, what);
    case 'key': return toCryptoKeyId(value, what);
  }
}

/**
 * Normalizes `alg` for `op`. Throws what the spec says to return: a NotSupportedError DOMException for
 * an unregistered name, a TypeError for a dictionary that does not convert.
 */
export function normalizeAlgorithm(alg: AlgorithmIdentifier, op: Operation): NormalizedAlgorithm {
  // 1. A string is shorthand for { name: alg }.
  const object: object = typeof alg === 'string' ? { name: alg } : alg;
  // 2–3. Convert to the Algorithm dictionary: `name` is required.
  const initialName = (object as { name?: unknown }).name;
  if (initialName === undefined) throw new TypeError('Algorithm: name is required');
  const algName = toDOMString(initialName, 'Algorithm.name');
  // 4. Look the name up, case-insensitively (ASCII).
  const entry = supportedAlgorithms[op][asciiLowercase(algName)];
  if (entry === undefined) throw new DOMException(`Unrecognized algorithm name '${algName}' for ${op}`, 'NotSupportedError');
  // Index access, not destructuring: destructuring runs the (tenant-replaceable) array iterator.
  const registeredName = entry[0];
  const dictionary = entry[1];
  // 5. Convert to the algorithm's dictionary type: every member after `name`, in order. `name` is
  // not read a second time (as browsers, Node and WPT do: a getter on it runs once).
  const normalized = { __proto__: null } as unknown as NormalizedAlgorithm;
  for (let i = 0; i < dictionary.length; i++) {
    const member = dictionary[i]!;
    const key = member[0], type = member[1], required = member[2];
    const value = (object as Record<string, unknown>)[key];
    const what = `${registeredName}: ${key}`;
    if (value === undefined) {
      if (required) throw new TypeError(`${what} is required`);
      continue;
    }
    normalized[key] = convertMember(type, value, what);
  }
  // 6. The name is the registered one.
  normalized.name = registeredName;
  // 7. Byte members become copies taken now; hash identifiers are normalized as digests.
  for (let i = 0; i < dictionary.length; i++) {
    const member = dictionary[i]!;
    const key = member[0], type = member[1];
    const value = normalized[key];
    if (value === undefined) continue;
    if (type === 'bytes' || type === 'bigint') normalized[key] = copyBytes(value as BufferSourceValue);
    else if (type === 'hash') normalized[key] = { name: normalizeAlgorithm(value as AlgorithmIdentifier, 'digest').name };
  }
  return normalized;
}
