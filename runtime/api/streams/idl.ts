// Small WebIDL helpers shared by the streams and encoding areas: class shape (enumerable members,
// @@toStringTag), argument counts, dictionary member reads and numeric conversions.
import {
  NumberIsFinite, NumberIsNaN, String, TypeError, MathTrunc, RangeError, Number,
} from '../intrinsics.ts';

export { finishInterface as webidlInterface } from '../webidl/interface.ts';

export { brandCheck, slotReader } from '../webidl/interface.ts';

export function requireArgs(count: number, required: number, what: string): void {
  if (count < required) {
    throw new TypeError(`Failed to execute '${what}': ${required} argument${required === 1 ? '' : 's'} required, but only ${count} present.`);
  }
}

/** Is `v` an object in the WebIDL sense (object or function)? */
export function isObject(v: unknown): v is object {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/**
 * WebIDL dictionary: `undefined`/`null` is the empty dictionary; any other non-object is a
 * TypeError. Returns the object to read members from, or undefined.
 */
export function dictionary(v: unknown, what: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new TypeError(`${what} is not an object.`);
  return v as Record<string, unknown>;
}

/** WebIDL `boolean`. */
export function toBoolean(v: unknown): boolean {
  return !!v;
}

/** WebIDL `DOMString`. */
export function toDOMString(v: unknown): string {
  // ToString: unlike String(v), throws a TypeError for symbols.
  return `${v as string}`;
}

/** WebIDL `unrestricted double`. */
export function toUnrestrictedDouble(v: unknown): number {
  return Number(v);
}

/** WebIDL `[EnforceRange] unsigned long long`. */
export function toEnforcedUnsignedLongLong(v: unknown, what: string): number {
  const x = Number(v);
  if (NumberIsNaN(x) || !NumberIsFinite(x)) throw new TypeError(`${what} is not a finite number.`);
  const t = MathTrunc(x);
  if (t < 0 || t > 9007199254740991) throw new TypeError(`${what} is outside the accepted range.`);
  return t === 0 ? 0 : t;
}

/** A function check for callback members. */
export function toFunction(v: unknown, what: string): Function {
  if (typeof v !== 'function') throw new TypeError(`${what} is not a function.`);
  return v;
}

void RangeError;
