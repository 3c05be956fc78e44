// WebIDL plumbing shared by the events, abort, messaging, timers and performance areas:
// argument conversions and the shape of interface objects (enumerable members, class strings).
import {
  Number, NumberIsFinite, MathTrunc, ObjectDefineProperty, ObjectGetOwnPropertyNames, ReflectGet, String, TypeError,
  Symbol, SymbolIterator, ReflectApply,
  ArrayPrototypePush,
} from '../intrinsics.ts';
import { newList } from './list.ts';

/** WebIDL DOMString: ToString, which throws for symbols. */
export function toDOMString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
  return String(v);
}

/** WebIDL `long`: ToNumber, then modulo 2^32 into the signed range (NaN and ±Infinity become 0). */
export function toLong(v: unknown): number {
  if (typeof v === 'number') return v | 0;
  if (typeof v === 'bigint' || typeof v === 'symbol') throw new TypeError(`Cannot convert a ${typeof v === 'bigint' ? 'BigInt' : 'Symbol'} value to a number`);
  return (+(v as number)) | 0;
}

/** WebIDL `[EnforceRange] unsigned long long`. */
export function toUnsignedLongLongEnforceRange(v: unknown, what: string): number {
  if (typeof v === 'bigint' || typeof v === 'symbol') throw new TypeError(`Cannot convert a ${typeof v === 'bigint' ? 'BigInt' : 'Symbol'} value to a number`);
  const n = typeof v === 'number' ? v : +(v as number);
  if (!NumberIsFinite(n)) throw new TypeError(`${what} is not a finite number`);
  const x = MathTrunc(n) + 0;
  if (x < 0 || x > 9007199254740991) throw new TypeError(`${what} is outside the range of an unsigned long long`);
  return x;
}

/** WebIDL dictionary argument: undefined and null mean "all defaults"; other non-objects throw. */
export function toDictionary(v: unknown, what: string): object | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' && typeof v !== 'function') throw new TypeError(`${what} is not an object`);
  return v as object;
}

/** Reads one dictionary member (undefined when the dictionary is absent). */
export function dictMember(dict: object | undefined, key: string): unknown {
  return dict === undefined ? undefined : ReflectGet(dict, key);
}

/** WebIDL `sequence<T>` from a JS value: uses the value's own @@iterator, as the spec says. */
export function toSequence<T>(v: unknown, what: string, convert: (item: unknown) => T): T[] {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) {
    throw new TypeError(`${what} is not iterable`);
  }
  const method = ReflectGet(v, SymbolIterator);
  if (typeof method !== 'function') throw new TypeError(`${what} is not iterable`);
  const iterator = ReflectApply(method, v, []);
  if ((typeof iterator !== 'object' && typeof iterator !== 'function') || iterator === null) {
    throw new TypeError(`${what}: the iterator is not an object`);
  }
  const next = ReflectGet(iterator, 'next');
  const out = newList<T>();
  for (;;) {
    const step = ReflectApply(next as Function, iterator, []);
    if ((typeof step !== 'object' && typeof step !== 'function') || step === null) {
      throw new TypeError(`${what}: the iterator result is not an object`);
    }
    if (ReflectGet(step, 'done')) return out;
    ArrayPrototypePush(out, convert(ReflectGet(step, 'value')));
  }
}

export function requiredArguments(count: number, required: number, what: string): void {
  if (count < required) {
    throw new TypeError(`Failed to execute '${what}': ${required} argument${required === 1 ? '' : 's'} required, but only ${count} present.`);
  }
}

export function illegalInvocation(): never {
  throw new TypeError('Illegal invocation');
}

export function illegalConstructor(): never {
  throw new TypeError('Illegal constructor');
}

export { finishInterface } from '../webidl/interface.ts';

/** Defines `[key]: value` constants (WebIDL consts) on an interface and its prototype. */
export function defineConstants(cls: Function, table: Record<string, number>): void {
  const keys = ObjectGetOwnPropertyNames(table);
  for (let i = 0; i < keys.length; i++) {
    const d = { value: table[keys[i]!], writable: false, enumerable: true, configurable: false };
    ObjectDefineProperty(cls, keys[i]!, d);
    ObjectDefineProperty(cls.prototype as object, keys[i]!, d);
  }
}

/** Names a function as WebIDL does for attribute getters/setters ("get foo"). */
export function nameFunction<F extends Function>(fn: F, name: string): F {
  ObjectDefineProperty(fn, 'name', { value: name, writable: false, enumerable: false, configurable: true });
  return fn;
}

void Number;
void Symbol;
