// WebIDL plumbing shared by the Fetch and File API classes: argument conversions (DOMString,
// USVString, ByteString, integers, enums, sequences, records), interface finishing (enumerable
// members, @@toStringTag) and the "pair iterator" objects of `iterable<K, V>` declarations.
// https://webidl.spec.whatwg.org/
import {
  ArrayIsArray, FunctionPrototypeCall, MathFloor, NumberIsFinite, ObjectCreate, ObjectDefineProperty,
  ObjectGetPrototypeOf, ReflectGetOwnPropertyDescriptor, ReflectOwnKeys,
  StringPrototypeCharCodeAt, StringPrototypeToWellFormed, SymbolIterator, SymbolToStringTag, TypeError,
  Number as NumberCtor, ObjectGetOwnPropertyDescriptor, WeakMap as WeakMapCtor,
  WeakMapPrototypeGet as weakGet, WeakMapPrototypeSet as weakSet, ObjectHasOwn,
} from '../intrinsics.ts';

// ---------------------------------------------------------------------------------------------
// Scalar conversions

export function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/** WebIDL DOMString: ToString, which throws a TypeError for symbols. */
export function toDOMString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
  return `${v as string}`;
}

/** WebIDL USVString: DOMString with lone surrogates replaced by U+FFFD. */
export function toUSVString(v: unknown): string {
  return StringPrototypeToWellFormed(toDOMString(v));
}

/** WebIDL ByteString: DOMString whose code units are all ≤ 0xFF, else TypeError. */
export function toByteString(v: unknown, what: string): string {
  const s = toDOMString(v);
  for (let i = 0; i < s.length; i++) {
    if (StringPrototypeCharCodeAt(s, i) > 0xff) {
      throw new TypeError(`${what}: the string contains a character outside the Latin-1 range (ByteString)`);
    }
  }
  return s;
}

/** ToNumber (throws for symbols and BigInts, like the spec's abstract operation). */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') throw new TypeError('Cannot convert a BigInt value to a number');
  return NumberCtor(v);
}

function integerPart(n: number): number {
  const r = MathFloor(n < 0 ? -n : n);
  return n < 0 ? -r : r;
}

/** WebIDL `unsigned short` (no [EnforceRange]/[Clamp]): modulo 2^16. */
export function toUnsignedShort(v: unknown): number {
  const n = toNumber(v);
  if (!NumberIsFinite(n) || n === 0) return 0;
  let x = integerPart(n) % 65536;
  if (x < 0) x += 65536;
  return x;
}

/** WebIDL `long long` (no [EnforceRange]/[Clamp]): modulo 2^64, exact within the safe range. */
export function toLongLong(v: unknown): number {
  const n = toNumber(v);
  if (!NumberIsFinite(n) || n === 0) return 0;
  const x = integerPart(n);
  const two63 = 9223372036854775808;
  if (x >= -two63 && x < two63) return x === 0 ? 0 : x;
  // Beyond the range: wrap modulo 2^64 (exact for doubles this large, which are multiples of 2^11).
  const two64 = 18446744073709551616;
  let m = x % two64;
  if (m < 0) m += two64;
  return m >= two63 ? m - two64 : m;
}

/** WebIDL `long long` with [Clamp]: round to nearest (ties to even), clamp to the safe range. */
export function toClampedLongLong(v: unknown): number {
  let n = toNumber(v);
  if (n !== n) return 0;
  const max = 9007199254740991;
  if (n > max) n = max;
  if (n < -max) n = -max;
  const f = MathFloor(n);
  const diff = n - f;
  let r = f;
  if (diff > 0.5 || (diff === 0.5 && f % 2 !== 0)) r = f + 1;
  return r === 0 ? 0 : r;
}

/** WebIDL enumeration: the string value must be one of `values`, else TypeError. */
export function toEnum<T extends string>(v: unknown, values: readonly T[], what: string): T {
  const s = toDOMString(v);
  for (let i = 0; i < values.length; i++) if (values[i] === s) return s as T;
  throw new TypeError(`${what}: '${s}' is not a valid value`);
}

/** A dictionary argument: undefined/null → no members; objects read; anything else → TypeError. */
export function dictionary(v: unknown, what: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new TypeError(`${what}: the argument is not an object`);
  return v as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Sequences and records

const IteratorPrototype = ObjectGetPrototypeOf(ObjectGetPrototypeOf(([] as unknown as { [SymbolIterator](): object })[SymbolIterator]())) as object;
const ArrayPrototype = ObjectGetPrototypeOf([]) as object;
const originalArrayIterator = ObjectGetOwnPropertyDescriptor(ArrayPrototype, SymbolIterator)!.value as Function;

/**
 * Converts `value` to a WebIDL sequence, calling `each` with every element in order.
 *
 * Genuine arrays are walked by index (re-reading `length` each step, exactly what
 * %ArrayIteratorPrototype%.next does) when their @@iterator is the built-in one or comes from a
 * replaced `Array.prototype[Symbol.iterator]`: a tenant that patched the shared array iteration
 * machinery cannot disturb the runtime's conversions. (Deliberate deviation: WebIDL would call the
 * replaced method. An @@iterator defined on the array object itself is honoured.) Anything else
 * goes through the iterator protocol as the spec says. `method` is the already-looked-up
 * @@iterator (unions look it up first to choose between a sequence and a record).
 */
export function forEachInSequence(value: object, method: unknown, each: (v: unknown) => void, what: string): void {
  if (typeof method !== 'function') throw new TypeError(`${what}: the value is not iterable`);
  if (ArrayIsArray(value) && (method === originalArrayIterator ||
      (ObjectGetPrototypeOf(value) === ArrayPrototype && !ObjectHasOwn(value, SymbolIterator)))) {
    const a = value as unknown[];
    for (let i = 0; i < a.length; i++) each(a[i]);
    return;
  }
  const iterator = FunctionPrototypeCall(method, value) as { next?: unknown };
  if (!isObject(iterator)) throw new TypeError(`${what}: the iterator is not an object`);
  const next = iterator.next;
  for (;;) {
    const result = FunctionPrototypeCall(next as Function, iterator) as { done?: unknown; value?: unknown };
    if (!isObject(result)) throw new TypeError(`${what}: the iterator result is not an object`);
    if (result.done) return;
    each(result.value);
  }
}

/** Looks up @@iterator as GetMethod does (undefined/null → undefined, non-callable → TypeError). */
export function getIteratorMethod(value: object, what: string): Function | undefined {
  const method = (value as { [SymbolIterator]?: unknown })[SymbolIterator];
  if (method === undefined || method === null) return undefined;
  if (typeof method !== 'function') throw new TypeError(`${what}: @@iterator is not callable`);
  return method as Function;
}

/** WebIDL sequence conversion of an argument (must be an iterable object). */
export function toSequence<T>(value: unknown, convert: (v: unknown) => T, what: string): T[] {
  if (!isObject(value)) throw new TypeError(`${what}: the value is not an iterable object`);
  const method = getIteratorMethod(value, what);
  if (method === undefined) throw new TypeError(`${what}: the value is not iterable`);
  const out: T[] = [];
  let n = 0;
  forEachInSequence(value, method, (v) => { out[n++] = convert(v); }, what);
  return out;
}

/**
 * WebIDL record<K, V> conversion: own enumerable keys in [[OwnPropertyKeys]] order; each key is
 * converted (`convertKey`, which may throw) before its value is read with [[Get]].
 */
export function forEachInRecord<K>(
  value: object, convertKey: (key: PropertyKey) => K, each: (key: K, v: unknown) => void,
): void {
  const keys = ReflectOwnKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const desc = ReflectGetOwnPropertyDescriptor(value, key);
    if (desc === undefined || !desc.enumerable) continue;
    const typedKey = convertKey(key);
    each(typedKey, (value as Record<PropertyKey, unknown>)[key]);
  }
}

// ---------------------------------------------------------------------------------------------
// Interfaces

export { brandCheck, finishInterface } from '../webidl/interface.ts';

export type IteratorKind = 'key' | 'value' | 'key+value';

interface PairIteratorState<T> {
  target: T;
  kind: IteratorKind;
  index: number;
}

/**
 * Builds the "default iterator" machinery of an `iterable<K, V>` interface. `pairs(target)`
 * returns the current flat [k0, v0, k1, v1, …] list; it is called on every `next()` so changes made
 * while iterating are observed, as WebIDL requires.
 */
export function createPairIterator<T extends object>(
  interfaceName: string, pairs: (target: T) => readonly unknown[],
): (target: T, kind: IteratorKind) => object {
  const states = new WeakMapCtor<object, PairIteratorState<T>>();
  const proto = ObjectCreate(IteratorPrototype) as object;
  const methods = {
    next(this: unknown): IteratorResult<unknown> {
      const state = isObject(this) ? weakGet(states, this) : undefined;
      if (state === undefined) throw new TypeError(`next() called on an object that is not a ${interfaceName} Iterator`);
      const list = pairs(state.target);
      const len = list.length >> 1;
      const index = state.index;
      if (index >= len) return { value: undefined, done: true };
      state.index = index + 1;
      const k = list[index * 2];
      const v = list[index * 2 + 1];
      if (state.kind === 'key') return { value: k, done: false };
      if (state.kind === 'value') return { value: v, done: false };
      return { value: [k, v], done: false };
    },
  };
  ObjectDefineProperty(proto, 'next', { value: methods.next, writable: true, enumerable: true, configurable: true });
  ObjectDefineProperty(proto, SymbolToStringTag, { value: `${interfaceName} Iterator`, configurable: true });
  return (target: T, kind: IteratorKind): object => {
    const it = ObjectCreate(proto) as object;
    weakSet(states, it, { target, kind, index: 0 });
    return it;
  };
}

/**
 * Adds `entries`, `keys`, `values`, `forEach` and @@iterator (= entries) to an iterable
 * interface's prototype.
 */
export function defineIterableMembers<T extends object>(
  ctor: Function, interfaceName: string, brand: (self: unknown, member: string) => T,
  pairs: (target: T) => readonly unknown[],
): void {
  const make = createPairIterator<T>(interfaceName, pairs);
  const proto = ctor.prototype as object;
  const members = {
    entries(this: unknown): object { return make(brand(this, 'entries'), 'key+value'); },
    keys(this: unknown): object { return make(brand(this, 'keys'), 'key'); },
    values(this: unknown): object { return make(brand(this, 'values'), 'value'); },
    forEach(this: unknown, callback: unknown, thisArg: unknown = undefined): void {
      const target = brand(this, 'forEach');
      if (typeof callback !== 'function') throw new TypeError(`${interfaceName}.forEach: the callback is not a function`);
      let list = pairs(target);
      for (let i = 0; i < list.length >> 1; i++) {
        FunctionPrototypeCall(callback, thisArg, list[i * 2 + 1], list[i * 2], this);
        list = pairs(target);
      }
    },
  };
  const names = ['entries', 'keys', 'values', 'forEach'] as const;
  for (let i = 0; i < names.length; i++) {
    ObjectDefineProperty(proto, names[i]!, { value: members[names[i]!], writable: true, enumerable: true, configurable: true });
  }
  ObjectDefineProperty(proto, SymbolIterator, { value: members.entries, writable: true, enumerable: false, configurable: true });
}
