// The shape WebIDL gives an interface object and its prototype, applied to a class once it is
// defined (at snapshot time): https://webidl.spec.whatwg.org/#es-interfaces
import {
  ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ObjectGetOwnPropertyNames, StringPrototypeSlice,
  SymbolToStringTag, TypeError,
} from '../intrinsics.ts';

/**
 * Makes the class's operations and attributes (prototype members other than `constructor`, and
 * static members) enumerable, sets `@@toStringTag` to the interface name and, when given, the
 * operation lengths: `lengths` maps a prototype member, `.name` for a static one, or `constructor`
 * (the interface object) to its number of required arguments.
 */
export function finishInterface(cls: Function, name: string, lengths?: Record<string, number>): void {
  const proto = cls.prototype as object;
  markEnumerable(proto, false);
  markEnumerable(cls, true);
  ObjectDefineProperty(proto, SymbolToStringTag, { value: name, writable: false, enumerable: false, configurable: true });
  if (lengths === undefined) return;
  const keys = ObjectGetOwnPropertyNames(lengths);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = lengths[key]!;
    if (key === 'constructor') {
      ObjectDefineProperty(cls, 'length', { value, writable: false, enumerable: false, configurable: true });
      continue;
    }
    const isStatic = key[0] === '.';
    const d = ObjectGetOwnPropertyDescriptor(isStatic ? cls : proto, isStatic ? StringPrototypeSlice(key, 1) : key);
    if (d !== undefined && typeof d.value === 'function') {
      ObjectDefineProperty(d.value, 'length', { value, writable: false, enumerable: false, configurable: true });
    }
  }
}

function markEnumerable(obj: object, statics: boolean): void {
  const names = ObjectGetOwnPropertyNames(obj);
  for (let i = 0; i < names.length; i++) {
    const key = names[i]!;
    if (key === 'constructor' || (statics && (key === 'prototype' || key === 'length' || key === 'name'))) continue;
    const d = ObjectGetOwnPropertyDescriptor(obj, key)!;
    if (!d.configurable || d.enumerable) continue;
    d.enumerable = true;
    ObjectDefineProperty(obj, key, d);
  }
}

/**
 * Reads an object's internal slots through `read` (a class's private-field accessor, which throws
 * on objects of another class): the slots, or undefined when `v` is not such an object.
 */
export function slotReader<O, S>(read: (o: O) => S): (v: unknown) => S | undefined {
  return (v) => {
    if (typeof v !== 'object' || v === null) return undefined;
    try {
      return read(v as O);
    } catch {
      return undefined;
    }
  };
}

/**
 * The brand check of an interface's members: the slots of `self`, else a TypeError "Illegal
 * invocation: <name>.prototype.<member> called on an object that is not a <name><end>" (the
 * streams and encoding areas end it with a period, the fetch and file areas do not).
 */
export function brandCheck<S>(
  name: string, slotsOf: (v: unknown) => S | undefined, end: '.' | '' = '.',
): (self: unknown, member: string) => S {
  return (self, member) => {
    const s = slotsOf(self);
    if (s === undefined) throw new TypeError(`Illegal invocation: ${name}.prototype.${member} called on an object that is not a ${name}${end}`);
    return s;
  };
}

/** WebIDL: too few arguments is a TypeError. */
