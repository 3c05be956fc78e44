// WebIDL conversions used by Web Crypto (https://webidl.spec.whatwg.org/#es-type-mapping).
// Only what the Crypto, SubtleCrypto and CryptoKey interfaces need: DOMString, boolean,
// [EnforceRange] integers, unsigned long, BufferSource / ArrayBufferView (no [AllowShared], no
// [AllowResizable]), enumerations, sequences (through the iterator protocol, as WebIDL requires)
// and the JsonWebKey dictionary. Every error is a TypeError of this realm.
import {
  ArrayBufferPrototypeGetByteLength, ArrayBufferPrototypeGetDetached, DataViewPrototypeGetBuffer,
  DataViewPrototypeGetByteLength, DataViewPrototypeGetByteOffset, MathTrunc, NumberIsFinite,
  ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ReflectApply, SymbolIterator, TypeError, TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength, TypedArrayPrototypeGetByteOffset, TypedArrayPrototypeGetSymbolToStringTag,
  TypedArrayPrototypeSet, Uint8Array, ArrayBuffer, globalThisRef, isArrayBuffer, isDataView, uncurryThis,
} from '../intrinsics.ts';

const SharedArrayBufferCtor = (globalThisRef as { SharedArrayBuffer?: { prototype: object } }).SharedArrayBuffer;
const sharedByteLength = SharedArrayBufferCtor === undefined ? undefined
  : ObjectGetOwnPropertyDescriptor(SharedArrayBufferCtor.prototype, 'byteLength')?.get;
const SharedArrayBufferPrototypeGetByteLength = sharedByteLength ? uncurryThis(sharedByteLength as (this: unknown) => number) : undefined;

function isSharedArrayBuffer(v: unknown): boolean {
  if (SharedArrayBufferPrototypeGetByteLength === undefined) return false;
  try {
    SharedArrayBufferPrototypeGetByteLength(v);
    return true;
  } catch {
    return false;
  }
}

const resizableGetter = ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get as
  ((this: ArrayBuffer) => boolean) | undefined;
const ArrayBufferPrototypeGetResizable = resizableGetter ? uncurryThis(resizableGetter) : undefined;

export function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** DOMString: ECMAScript ToString, which throws for Symbols. */
export function toDOMString(v: unknown, what: string): string {
  if (typeof v === 'symbol') throw new TypeError(`${what} cannot be converted from a Symbol to a string`);
  return `${v as string}`;
}

/** [EnforceRange] integer types (octet, unsigned short, unsigned long): `max` is the type's maximum. */
export function toEnforcedInteger(v: unknown, max: number, what: string): number {
  const x = +(v as number); // ToNumber: throws a TypeError for Symbol and BigInt
  if (!NumberIsFinite(x)) throw new TypeError(`${what} is not a finite number`);
  const i = MathTrunc(x);
  if (i < 0 || i > max) throw new TypeError(`${what} is outside the range 0 to ${max}`);
  return i + 0; // -0 → +0
}

/** unsigned long (no [EnforceRange]): modulo 2^32. */
export function toUnsignedLong(v: unknown): number {
  const x = +(v as number);
  if (!NumberIsFinite(x) || x === 0) return 0;
  const i = MathTrunc(x) % 4294967296;
  return i < 0 ? i + 4294967296 : i + 0;
}

/** An enumeration value: the string must be one of `values`. */
export function toEnum<T extends string>(v: unknown, values: readonly T[], what: string): T {
  const s = toDOMString(v, what);
  for (let i = 0; i < values.length; i++) if (values[i] === s) return s as T;
  throw new TypeError(`${what}: '${s}' is not a valid value`);
}

/**
 * Appends without [[Set]], so an index accessor a tenant put on Array.prototype never runs.
 */
export function appendTo<T>(list: T[], value: T): void {
  ObjectDefineProperty(list, list.length, { value, writable: true, enumerable: true, configurable: true });
}

/** sequence<T>: iterates `v` through its @@iterator, which WebIDL requires (so a tenant iterator runs). */
export function toSequence<T>(v: unknown, convert: (item: unknown, index: number) => T, what: string): T[] {
  if (!isObject(v)) throw new TypeError(`${what} is not a sequence`);
  const method = (v as { [SymbolIterator]?: unknown })[SymbolIterator];
  if (typeof method !== 'function') throw new TypeError(`${what} is not iterable`);
  const iterator = ReflectApply(method, v, []) as unknown;
  if (!isObject(iterator)) throw new TypeError(`${what}: the iterator is not an object`);
  const next = (iterator as { next?: unknown }).next;
  const out: T[] = [];
  for (let i = 0; ; i++) {
    const result = ReflectApply(next as () => unknown, iterator, []) as unknown;
    if (!isObject(result)) throw new TypeError(`${what}: the iterator result is not an object`);
    if ((result as IteratorResult<unknown>).done) break;
    appendTo(out, convert((result as IteratorResult<unknown>).value, i));
  }
  return out;
}

// ---- buffer sources

export type BufferSourceValue = ArrayBuffer | ArrayBufferView;

function isTypedArray(v: unknown): v is ArrayBufferView {
  return TypedArrayPrototypeGetSymbolToStringTag(v) !== undefined;
}

function checkPlainBuffer(buffer: ArrayBuffer | undefined, what: string): void {
  // A view's buffer that is not an ArrayBuffer is a SharedArrayBuffer: refused without [AllowShared].
  if (buffer === undefined || !isArrayBuffer(buffer)) throw new TypeError(`${what} must not be backed by a SharedArrayBuffer`);
  if (ArrayBufferPrototypeGetResizable !== undefined && ArrayBufferPrototypeGetResizable(buffer)) {
    throw new TypeError(`${what} must not be backed by a resizable ArrayBuffer`);
  }
}

/** Converts to BufferSource (ArrayBuffer or ArrayBufferView); keeps the reference, copies nothing. */
export function toBufferSource(v: unknown, what: string): BufferSourceValue {
  if (isSharedArrayBuffer(v)) throw new TypeError(`${what} must not be a SharedArrayBuffer`);
  if (isBufferSource(v)) {
    checkPlainBuffer(isArrayBuffer(v) ? v : bufferOf(v), what);
    return v;
  }
  throw new TypeError(`${what} is not an ArrayBuffer or an ArrayBufferView`);
}

/**
 * Does `v` take the buffer-source branch of a union conversion (an object with [[ArrayBufferData]],
 * [[DataView]] or [[TypedArrayName]])? Shared buffers do, and then fail the conversion.
 */
export function isBufferSource(v: unknown): v is BufferSourceValue {
  return isArrayBuffer(v) || isTypedArray(v) || isDataView(v) || isSharedArrayBuffer(v);
}

/** Converts to ArrayBufferView (getRandomValues): typed arrays and DataViews only. */
export function toArrayBufferView(v: unknown, what: string): ArrayBufferView {
  if (isTypedArray(v) || isDataView(v)) {
    checkPlainBuffer(bufferOf(v), what);
    return v;
  }
  throw new TypeError(`${what} is not an ArrayBufferView`);
}

function bufferOf(view: ArrayBufferView): ArrayBuffer {
  return isDataView(view) ? DataViewPrototypeGetBuffer(view) : TypedArrayPrototypeGetBuffer(view);
}

function isDetached(buffer: ArrayBuffer): boolean {
  if (ArrayBufferPrototypeGetDetached !== undefined) return ArrayBufferPrototypeGetDetached(buffer);
  return ArrayBufferPrototypeGetByteLength(buffer) === 0;
}

/**
 * The bytes a view covers, as a Uint8Array over the same memory, or undefined when the buffer is
 * detached. Never goes through species constructors or prototype lookups a tenant could patch.
 */
export function viewOfBytes(source: BufferSourceValue): Uint8Array | undefined {
  if (isArrayBuffer(source)) return isDetached(source) ? undefined : new Uint8Array(source);
  const buffer = bufferOf(source);
  if (isDetached(buffer)) return undefined;
  if (isDataView(source)) {
    return new Uint8Array(buffer, DataViewPrototypeGetByteOffset(source), DataViewPrototypeGetByteLength(source));
  }
  return new Uint8Array(buffer, TypedArrayPrototypeGetByteOffset(source), TypedArrayPrototypeGetByteLength(source));
}

/** WebIDL "get a copy of the bytes held by the buffer source" (a detached buffer holds none). */
export function copyBytes(source: BufferSourceValue): Uint8Array {
  const view = viewOfBytes(source);
  if (view === undefined) return new Uint8Array(0);
  const copy = new Uint8Array(TypedArrayPrototypeGetByteLength(view));
  TypedArrayPrototypeSet(copy, view);
  return copy;
}

// ---- JsonWebKey (https://w3c.github.io/webcrypto/#JsonWebKey-dictionary)

/** The dictionary after conversion: only present members, with their IDL types. */
export type JsonWebKeyData = Record<string, string | boolean | string[] | Record<string, string>[]>;

// Members in WebIDL dictionary order (lexicographic). 0: DOMString, 1: boolean, 2: sequence<DOMString>,
// 3: sequence<RsaOtherPrimesInfo>.
const jwkMembers: readonly [string, number][] = [
  ['alg', 0], ['crv', 0], ['d', 0], ['dp', 0], ['dq', 0], ['e', 0], ['ext', 1], ['k', 0], ['key_ops', 2],
  ['kty', 0], ['n', 0], ['oth', 3], ['p', 0], ['q', 0], ['qi', 0], ['use', 0], ['x', 0], ['y', 0],
];
const otherPrimesMembers: readonly string[] = ['d', 'r', 't'];

function toOtherPrimesInfo(v: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = { __proto__: null } as unknown as Record<string, string>;
  if (v === undefined || v === null) return out;
  if (!isObject(v)) throw new TypeError(`${what} is not an object`);
  for (let i = 0; i < otherPrimesMembers.length; i++) {
    const key = otherPrimesMembers[i]!;
    const value = (v as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = toDOMString(value, `${what}.${key}`);
  }
  return out;
}

/** Converts `v` (undefined, null or an object) to the JsonWebKey dictionary. */
export function toJsonWebKey(v: unknown): JsonWebKeyData {
  const out: JsonWebKeyData = { __proto__: null } as unknown as JsonWebKeyData;
  if (v === undefined || v === null) return out;
  if (!isObject(v)) throw new TypeError('keyData is not a JsonWebKey dictionary');
  for (let i = 0; i < jwkMembers.length; i++) {
    const member = jwkMembers[i]!;
    const key = member[0], type = member[1];
    const value = (v as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const what = `JsonWebKey.${key}`;
    if (type === 0) out[key] = toDOMString(value, what);
    else if (type === 1) out[key] = !!value;
    else if (type === 2) out[key] = toSequence(value, (item) => toDOMString(item, what), what);
    else out[key] = toSequence(value, (item) => toOtherPrimesInfo(item, what), what);
  }
  return out;
}
