// Small WebIDL helpers for the URL area's interfaces.
import {
  ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ReflectOwnKeys, StringPrototypeToWellFormed,
  SymbolToStringTag, TypeError,
} from '../intrinsics.ts';

/** WebIDL USVString conversion: ToString (throws on symbols), lone surrogates become U+FFFD. */
export function toUSVString(v: unknown): string {
  return StringPrototypeToWellFormed(typeof v === 'string' ? v : `${v as string}`);
}

/** TypeError for a call with fewer than `required` arguments. */
export function requireArgs(count: number, required: number, where: string): void {
  if (count < required) {
    throw new TypeError(`${where}: ${required} argument${required > 1 ? 's' : ''} required, but only ${count} present.`);
  }
}

/**
 * Gives a class's prototype (and statics) WebIDL's shape: regular operations and attributes are
 * enumerable; `@@toStringTag` is the interface name.
 */
export function finishInterface(cls: Function, name: string): void {
  enumerateAll(cls.prototype as object, true);
  enumerateAll(cls, false);
  ObjectDefineProperty(cls.prototype, SymbolToStringTag, { value: name, writable: false, enumerable: false, configurable: true });
}

function enumerateAll(target: object, isPrototype: boolean): void {
  const keys = ReflectOwnKeys(target);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (typeof key !== 'string') continue;
    if (isPrototype ? key === 'constructor' : key === 'prototype' || key === 'length' || key === 'name') continue;
    const d = ObjectGetOwnPropertyDescriptor(target, key)!;
    d.enumerable = true;
    ObjectDefineProperty(target, key, d);
  }
}
