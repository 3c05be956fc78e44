// CryptoKey: https://w3c.github.io/webcrypto/#cryptokey-interface
//
// A CryptoKey in the isolate is an opaque handle: the key material lives on the host (a per-isolate
// table of Node KeyObjects, runtime/host/ops/crypto.ts) and this object holds only the table id and
// the spec attributes. The internal slots ([[type]], [[extractable]], [[algorithm]], [[usages]]) are
// kept here, out of the tenant's reach; the `algorithm` and `usages` attributes return cached
// ECMAScript objects built from them on first read, so a tenant mutating those objects changes
// nothing the runtime relies on.
import {
  FinalizationRegistry, ObjectCreate, ObjectDefineProperty, ObjectHasOwn, ObjectPrototype,
  TypeError, TypedArrayPrototypeGetByteLength, TypedArrayPrototypeSet, Uint8Array, WeakMap,
  WeakMapPrototypeGet, WeakMapPrototypeSet, uncurryThis,
} from '../intrinsics.ts';
import { hostSend, hostSync } from '../bridge/host.ts';
import { finishInterface } from '../webidl/interface.ts';
import { appendTo } from './webidl.ts';

export type KeyType = 'public' | 'private' | 'secret';

/** The key algorithm as the host describes it (a KeyAlgorithm dictionary and its descendants). */
export interface KeyAlgorithmData {
  name: string;
  modulusLength?: number;
  publicExponent?: Uint8Array;
  hash?: { name: string };
  length?: number;
  namedCurve?: string;
}

/** What a host op answers for a new key. */
export interface KeyDescriptor {
  id: number;
  type: KeyType;
  extractable: boolean;
  algorithm: KeyAlgorithmData;
  usages: string[];
}

interface KeySlots {
  id: number;
  type: KeyType;
  extractable: boolean;
  algorithm: KeyAlgorithmData;
  usages: string[];
  algorithmCached: object | undefined;
  usagesCached: string[] | undefined;
}

const slots = new WeakMap<object, KeySlots>();
const constructing = Symbol('CryptoKey');

// Releases the host's table entry when a key object is collected. Created on first use, never in the
// snapshot, so every isolate gets its own.
let registry: FinalizationRegistry<number> | undefined;
const FinalizationRegistryPrototypeRegister = uncurryThis(FinalizationRegistry.prototype.register) as
  (registry: FinalizationRegistry<number>, target: object, held: number) => void;
function releaseLater(key: object, id: number): void {
  registry ??= new FinalizationRegistry<number>((heldId) => hostSend('crypto.release', heldId));
  FinalizationRegistryPrototypeRegister(registry, key, id);
}

function slotsOf(self: unknown, member: string): KeySlots {
  const s = typeof self === 'object' && self !== null ? WeakMapPrototypeGet(slots, self) : undefined;
  if (s === undefined) throw new TypeError(`Illegal invocation: CryptoKey.prototype.${member} called on a non-CryptoKey`);
  return s;
}

export class CryptoKey {
  constructor(token?: unknown) {
    if (token !== constructing) throw new TypeError('Illegal constructor');
  }

  get type(): KeyType {
    return slotsOf(this, 'type').type;
  }

  get extractable(): boolean {
    return slotsOf(this, 'extractable').extractable;
  }

  get algorithm(): object {
    const s = slotsOf(this, 'algorithm');
    s.algorithmCached ??= algorithmToObject(s.algorithm);
    return s.algorithmCached;
  }

  get usages(): string[] {
    const s = slotsOf(this, 'usages');
    if (s.usagesCached === undefined) {
      const list: string[] = [];
      for (let i = 0; i < s.usages.length; i++) appendTo(list, s.usages[i]!);
      s.usagesCached = list;
    }
    return s.usagesCached;
  }
}

// No constructor in the IDL: the interface object's length is 0.
finishInterface(CryptoKey, 'CryptoKey', { constructor: 0 });

/**
 * An own property of an object the host answered, or undefined. Reading an absent property would
 * walk up to Object.prototype, where a tenant's accessor could run.
 */
export function own<T = unknown>(data: object, key: string): T | undefined {
  return ObjectHasOwn(data, key) ? (data as Record<string, T>)[key] : undefined;
}

function define(target: object, key: string, value: unknown): void {
  ObjectDefineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function copyOfBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(TypedArrayPrototypeGetByteLength(bytes));
  TypedArrayPrototypeSet(out, bytes);
  return out;
}

// "Converting [[algorithm]] to an ECMAScript object": members of each KeyAlgorithm dictionary in
// inheritance order, then lexicographic within one (RsaHashedKeyAlgorithm: name, modulusLength,
// publicExponent, hash; HmacKeyAlgorithm: name, hash, length; AesKeyAlgorithm: name, length;
// EcKeyAlgorithm: name, namedCurve).
function algorithmToObject(a: KeyAlgorithmData): object {
  const out = ObjectCreate(ObjectPrototype) as object;
  define(out, 'name', own(a, 'name'));
  const modulusLength = own(a, 'modulusLength');
  if (modulusLength !== undefined) define(out, 'modulusLength', modulusLength);
  const publicExponent = own<Uint8Array>(a, 'publicExponent');
  if (publicExponent !== undefined) define(out, 'publicExponent', copyOfBytes(publicExponent));
  const hashData = own<object>(a, 'hash');
  if (hashData !== undefined) {
    const hash = ObjectCreate(ObjectPrototype) as object;
    define(hash, 'name', own(hashData, 'name'));
    define(out, 'hash', hash);
  }
  const length = own(a, 'length');
  if (length !== undefined) define(out, 'length', length);
  const namedCurve = own(a, 'namedCurve');
  if (namedCurve !== undefined) define(out, 'namedCurve', namedCurve);
  return out;
}

/** Wraps a host key descriptor in a new CryptoKey of this realm. */
export function createCryptoKey(d: KeyDescriptor): CryptoKey {
  const key = new CryptoKey(constructing);
  WeakMapPrototypeSet(slots, key, {
    id: d.id,
    type: d.type,
    extractable: d.extractable,
    algorithm: d.algorithm,
    usages: d.usages,
    algorithmCached: undefined,
    usagesCached: undefined,
  });
  releaseLater(key, d.id);
  return key;
}

export function isCryptoKey(v: unknown): v is CryptoKey {
  return typeof v === 'object' && v !== null && WeakMapPrototypeGet(slots, v) !== undefined;
}

/** WebIDL conversion to the CryptoKey interface type: the host handle id of the key. */
export function toCryptoKeyId(v: unknown, what: string): number {
  const s = typeof v === 'object' && v !== null ? WeakMapPrototypeGet(slots, v) : undefined;
  if (s === undefined) throw new TypeError(`${what} is not a CryptoKey`);
  return s.id;
}

/**
 * Structured clone of a CryptoKey within this isolate (HTML serialization steps for [Serializable]:
 * the copy shares the key material, [[type]], [[extractable]], [[algorithm]] and [[usages]]). The host
 * gives the copy its own table entry so each object's collection releases only its own handle.
 * Keys cannot leave the isolate: their material never enters it.
 */
export function cloneCryptoKey(key: CryptoKey): CryptoKey {
  const s = slotsOf(key, 'clone');
  const id = hostSync<number>('crypto.clone', s.id);
  return createCryptoKey({ id, type: s.type, extractable: s.extractable, algorithm: s.algorithm, usages: s.usages });
}
