// HTML structured serialization and structuredClone().
// https://html.spec.whatwg.org/multipage/structured-data.html
//
// Serialization produces an internal record graph (never seen by tenants); deserialization builds
// fresh objects from it. Both sides are in this realm, so byte copies are made once, at
// serialization (postMessage time), as the spec's timing requires.
import {
  ArrayBuffer, ArrayBufferIsView, ArrayBufferPrototypeGetByteLength, ArrayBufferPrototypeGetDetached, ArrayBufferPrototypeSlice,
  ArrayBufferPrototypeTransfer, ArrayIsArray, ArrayPrototypePush, Array, BigInt64Array, BigUint64Array, DataView,
  DataViewPrototypeGetBuffer, DataViewPrototypeGetByteLength, DataViewPrototypeGetByteOffset, Date, DatePrototypeGetTime,
  Error, ErrorConstructors, Float32Array, Float64Array, FunctionPrototypeCall, Int16Array, Int32Array, Int8Array, Map,
  MapPrototypeForEach, MapPrototypeGet, MapPrototypeHas, MapPrototypeSet, Object, ObjectDefineProperty,
  ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ObjectKeys, ObjectPrototype, ObjectPrototypeHasOwnProperty,
  Promise, ReflectGet, RegExp, Set, SetPrototypeAdd, SetPrototypeForEach, SetPrototypeHas, String, Symbol, TypeError,
  TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetByteOffset, TypedArrayPrototypeGetLength,
  TypedArrayPrototypeGetSymbolToStringTag, Uint16Array, Uint32Array, Uint8Array, Uint8ClampedArray, WeakMap, WeakRef,
  WeakSet, FinalizationRegistry, uncurryThis, globalThisRef, Boolean, Number, BigInt, TypedArrayPrototypeSet, ReflectApply,
} from '../intrinsics.ts';
import { exposedInterfaces } from '../globals.ts';
import { DOMException, domExceptionSlots, isDOMException } from '../webidl/dom-exception.ts';
import { dictMember, requiredArguments, toDictionary, toSequence } from '../events/idl.ts';
import { safeStack } from '../events/report.ts';
import { newList } from '../events/list.ts';

// ---- brand checks captured at load -------------------------------------------------------------

const BooleanPrototypeValueOf = uncurryThis(Boolean.prototype.valueOf);
const NumberPrototypeValueOf = uncurryThis(Number.prototype.valueOf);
const StringPrototypeValueOf = uncurryThis(String.prototype.valueOf);
const BigIntPrototypeValueOf = uncurryThis(BigInt.prototype.valueOf);
const SymbolPrototypeValueOf = uncurryThis(Symbol.prototype.valueOf);
const RegExpPrototype = RegExp.prototype;
const regExpGetter = (name: string) =>
  uncurryThis(ObjectGetOwnPropertyDescriptor(RegExpPrototype, name)!.get! as (this: RegExp) => unknown);
const RegExpGetSource = regExpGetter('source') as (r: RegExp) => string;
const regExpFlagGetters: [string, (r: RegExp) => unknown][] = [];
{
  // Canonical flag order, as RegExp.prototype.flags builds it.
  const flags: [string, string][] = [
    ['d', 'hasIndices'], ['g', 'global'], ['i', 'ignoreCase'], ['m', 'multiline'], ['s', 'dotAll'],
    ['u', 'unicode'], ['v', 'unicodeSets'], ['y', 'sticky'],
  ];
  for (let i = 0; i < flags.length; i++) {
    const d = ObjectGetOwnPropertyDescriptor(RegExpPrototype, flags[i]![1]);
    if (d?.get) ArrayPrototypePush(regExpFlagGetters, [flags[i]![0], uncurryThis(d.get as (this: RegExp) => unknown)]);
  }
}
const MapPrototypeGetSizeImpl = uncurryThis(ObjectGetOwnPropertyDescriptor(Map.prototype, 'size')!.get!);
const SetPrototypeGetSizeImpl = uncurryThis(ObjectGetOwnPropertyDescriptor(Set.prototype, 'size')!.get!);
const WeakMapPrototypeHasImpl = uncurryThis(WeakMap.prototype.has);
const WeakSetPrototypeHasImpl = uncurryThis(WeakSet.prototype.has);
const WeakRefPrototypeDerefImpl = uncurryThis(WeakRef.prototype.deref);
const FinalizationRegistryPrototypeUnregister = uncurryThis(FinalizationRegistry.prototype.unregister);
const ArrayBufferPrototypeGetResizable = (() => {
  const d = ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable');
  return d?.get ? uncurryThis(d.get as (this: ArrayBuffer) => boolean) : undefined;
})();
const ArrayBufferPrototypeGetMaxByteLength = (() => {
  const d = ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, 'maxByteLength');
  return d?.get ? uncurryThis(d.get as (this: ArrayBuffer) => number) : undefined;
})();
// SharedArrayBuffer and Float16Array are installed when a context is made from the snapshot (they
// are flag-controlled builtins), not while the prelude is evaluated: found on first use instead,
// and only trusted after a brand check that tenant code cannot fake.
let sharedArrayBufferLookedUp = false;
let SharedArrayBufferProto: object | undefined;
let SharedArrayBufferGetByteLength: ((v: unknown) => number) | undefined;
function sharedArrayBuffer(): void {
  if (sharedArrayBufferLookedUp) return;
  sharedArrayBufferLookedUp = true;
  const ctor = ObjectGetOwnPropertyDescriptor(globalThisRef, 'SharedArrayBuffer')?.value as unknown;
  const proto = typeof ctor === 'function' ? (ctor as { prototype?: object }).prototype : undefined;
  const getter = proto && ObjectGetOwnPropertyDescriptor(proto, 'byteLength')?.get;
  if (typeof getter !== 'function') return;
  try {
    // A real SharedArrayBuffer getter rejects an ArrayBuffer.
    FunctionPrototypeCall(getter, new ArrayBuffer(0));
    return;
  } catch {}
  SharedArrayBufferProto = proto;
  SharedArrayBufferGetByteLength = uncurryThis(getter as (this: unknown) => number);
}
const ErrorIsError = (Error as unknown as { isError?: (v: unknown) => boolean }).isError;
const nativeStackGetter = ObjectGetOwnPropertyDescriptor(new Error(), 'stack')?.get;
const PromisePrototypeThenImpl = Promise.prototype.then;
const TypedArrayPrototypeKeys = uncurryThis((ObjectGetPrototypeOf(Uint8Array.prototype) as Uint8Array).keys);

const typedArrayConstructors: Record<string, new (b: ArrayBuffer, o: number, l: number) => ArrayBufferView> = {
  __proto__: null,
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array,
  Float64Array, BigInt64Array, BigUint64Array,
} as never;

/** The constructor for a typed array tag (Float16Array is looked up, and verified, on first use). */
function typedArrayConstructor(tag: string): new (b: ArrayBuffer, o: number, l: number) => ArrayBufferView {
  let ctor = typedArrayConstructors[tag];
  if (ctor === undefined) {
    const candidate = ObjectGetOwnPropertyDescriptor(globalThisRef, tag)?.value as unknown;
    try {
      const C = candidate as new (b: ArrayBuffer, o: number, l: number) => ArrayBufferView;
      if (typeof candidate === 'function' && TypedArrayPrototypeGetSymbolToStringTag(new C(new ArrayBuffer(0), 0, 0)) === tag) {
        ctor = C;
        typedArrayConstructors[tag] = C;
      }
    } catch {}
    if (ctor === undefined) dataCloneError(`${tag} is not available to deserialize into.`);
  }
  return ctor;
}

const errorNames: Record<string, true> = {
  __proto__: null, Error: true, EvalError: true, RangeError: true, ReferenceError: true, SyntaxError: true,
  TypeError: true, URIError: true,
} as never;

/** Throws a DataCloneError DOMException. */
export function dataCloneError(message: string): never {
  throw new DOMException(message, 'DataCloneError');
}

function passes(check: (v: never) => unknown, v: unknown): boolean {
  try {
    check(v as never);
    return true;
  } catch {
    return false;
  }
}

// ---- extension points for other areas -----------------------------------------------------------

interface Serializable {
  /** A brand check that cannot be faked (internal slots). */
  is: (v: unknown) => boolean;
  /** Data for deserialize; may be any internal value (it never leaves this realm). */
  serialize: (v: object) => unknown;
  deserialize: (data: unknown) => object;
}

interface Transferable {
  is: (v: unknown) => boolean;
  isDetached: (v: object) => boolean;
  /** Detaches `v` and returns the data the receiving side needs. */
  transfer: (v: object) => unknown;
  receive: (data: unknown) => object;
}

const serializables: Serializable[] = [];
const transferables: Transferable[] = [];

/**
 * Registers a serializable platform class (HTML [Serializable]): `structuredClone`, `postMessage`
 * will use `serialize`/`deserialize` for objects passing `is`. Call at prelude load.
 */
export function registerSerializable(
  is: (v: unknown) => boolean, serialize: (v: object) => unknown, deserialize: (data: unknown) => object,
): void {
  ArrayPrototypePush(serializables, { is, serialize, deserialize });
}

/** Registers a transferable platform class (HTML [Transferable]). Call at prelude load. */
export function registerTransferable(
  is: (v: unknown) => boolean, isDetached: (v: object) => boolean, transfer: (v: object) => unknown,
  receive: (data: unknown) => object,
): void {
  ArrayPrototypePush(transferables, { is, isDetached, transfer, receive });
}

registerSerializable(
  isDOMException,
  // [[Name]] and [[Message]] from the slots (the prototype getters may be tenant-replaced).
  (v) => ({ name: domExceptionSlots(v)!.name, message: domExceptionSlots(v)!.message, stack: safeStack(v) }),
  (data) => {
    const d = data as { name: string; message: string; stack: string | undefined };
    const e = new DOMException(d.message, d.name);
    if (d.stack !== undefined) ObjectDefineProperty(e, 'stack', { value: d.stack, writable: true, enumerable: false, configurable: true });
    return e;
  },
);

// ---- classification by prototype ----------------------------------------------------------------

const enum_ = {
  Boolean: 1, Number: 2, String: 3, BigInt: 4, Symbol: 5, Date: 6, RegExp: 7, ArrayBuffer: 8, SharedArrayBuffer: 9,
  Map: 10, Set: 11, Error: 12, Promise: 13, WeakMap: 14, WeakSet: 15, WeakRef: 16, FinalizationRegistry: 17,
  Platform: 18,
} as const;

let protoKinds: Map<object, number> | undefined;

function kinds(): Map<object, number> {
  if (protoKinds !== undefined) return protoKinds;
  const m = new Map<object, number>();
  MapPrototypeSet(m, Boolean.prototype, enum_.Boolean);
  MapPrototypeSet(m, Number.prototype, enum_.Number);
  MapPrototypeSet(m, String.prototype, enum_.String);
  MapPrototypeSet(m, BigInt.prototype, enum_.BigInt);
  MapPrototypeSet(m, Symbol.prototype, enum_.Symbol);
  MapPrototypeSet(m, Date.prototype, enum_.Date);
  MapPrototypeSet(m, RegExpPrototype, enum_.RegExp);
  MapPrototypeSet(m, ArrayBuffer.prototype, enum_.ArrayBuffer);
  sharedArrayBuffer();
  if (SharedArrayBufferProto !== undefined) MapPrototypeSet(m, SharedArrayBufferProto, enum_.SharedArrayBuffer);
  MapPrototypeSet(m, Map.prototype, enum_.Map);
  MapPrototypeSet(m, Set.prototype, enum_.Set);
  MapPrototypeSet(m, Error.prototype, enum_.Error);
  MapPrototypeSet(m, Promise.prototype, enum_.Promise);
  MapPrototypeSet(m, WeakMap.prototype, enum_.WeakMap);
  MapPrototypeSet(m, WeakSet.prototype, enum_.WeakSet);
  MapPrototypeSet(m, WeakRef.prototype, enum_.WeakRef);
  MapPrototypeSet(m, FinalizationRegistry.prototype, enum_.FinalizationRegistry);
  const ifaces = exposedInterfaces();
  for (let i = 0; i < ifaces.length; i++) {
    const proto = ifaces[i]!.prototype as object;
    if (typeof proto === 'object' && proto !== null && !MapPrototypeHas(m, proto)) MapPrototypeSet(m, proto, enum_.Platform);
  }
  protoKinds = m;
  return m;
}

/** The kind of built-in or platform object `v` claims to be by its prototype chain (0: none). */
function claimedKind(v: object): number {
  const m = kinds();
  let p = ObjectGetPrototypeOf(v);
  for (let depth = 0; p !== null && depth < 64; depth++) {
    if (p === ObjectPrototype) return 0;
    const k = MapPrototypeGet(m, p);
    if (k !== undefined) return k;
    p = ObjectGetPrototypeOf(p);
  }
  return 0;
}

function hasErrorData(v: object): boolean {
  if (ErrorIsError !== undefined) return ErrorIsError(v);
  const d = ObjectGetOwnPropertyDescriptor(v, 'stack');
  return d !== undefined && d.get !== undefined && d.get === nativeStackGetter;
}

function isPromise(v: object): boolean {
  // `then` brand-checks first; the reaction it adds to a real promise is harmless (it is about to be
  // refused anyway).
  try {
    ReflectApply(PromisePrototypeThenImpl, v, [undefined, () => {}]);
    return true;
  } catch {
    return false;
  }
}

// ---- records ------------------------------------------------------------------------------------

const T = {
  Boolean: 1, Number: 2, String: 3, BigInt: 4, Date: 5, RegExp: 6, ArrayBuffer: 7, View: 8, Map: 9, Set: 10,
  Error: 11, Array: 12, Object: 13, Platform: 14, Transferred: 15,
} as const;

interface Rec {
  t: number;
  // Boolean/Number/String/BigInt/Date value; RegExp source; Error name; view constructor name
  a: unknown;
  // RegExp flags; Error message; view byte offset; Array length; Platform deserializer
  b: unknown;
  // View length; Error stack
  c: unknown;
  // Map/Set/Array/Object members, Error cause ([hasCause, cause]); ArrayBuffer bytes
  items: unknown[];
}

function rec(t: number, a: unknown = undefined, b: unknown = undefined, c: unknown = undefined): Rec {
  return { t, a, b, c, items: newList() };
}

interface SerializeState {
  memory: Map<object, Rec>;
}

function serialize(value: unknown, st: SerializeState): unknown {
  if (typeof value !== 'object' && typeof value !== 'function') {
    if (typeof value === 'symbol') dataCloneError('Symbol values cannot be cloned.');
    return value;
  }
  if (value === null) return null;
  const existing = MapPrototypeGet(st.memory, value);
  if (existing !== undefined) return existing;
  if (typeof value === 'function') dataCloneError('Functions cannot be cloned.');

  // Typed arrays and DataViews (no exceptions needed to tell them apart).
  if (ArrayBufferIsView(value)) return serializeView(value as ArrayBufferView, st);
  if (ArrayIsArray(value)) {
    const lengthDesc = ObjectGetOwnPropertyDescriptor(value, 'length');
    const r = rec(T.Array, undefined, lengthDesc === undefined ? 0 : lengthDesc.value);
    MapPrototypeSet(st.memory, value, r);
    serializeProperties(value, r, st);
    return r;
  }

  const kind = claimedKind(value);
  let r: Rec | undefined;
  switch (kind) {
    case enum_.Boolean:
      if (passes(BooleanPrototypeValueOf, value)) r = rec(T.Boolean, BooleanPrototypeValueOf(value as never));
      break;
    case enum_.Number:
      if (passes(NumberPrototypeValueOf, value)) r = rec(T.Number, NumberPrototypeValueOf(value as never));
      break;
    case enum_.String:
      if (passes(StringPrototypeValueOf, value)) r = rec(T.String, StringPrototypeValueOf(value as never));
      break;
    case enum_.BigInt:
      if (passes(BigIntPrototypeValueOf, value)) r = rec(T.BigInt, BigIntPrototypeValueOf(value as never));
      break;
    case enum_.Symbol:
      if (passes(SymbolPrototypeValueOf, value)) dataCloneError('Symbol objects cannot be cloned.');
      break;
    case enum_.Date:
      if (passes(DatePrototypeGetTime, value)) r = rec(T.Date, DatePrototypeGetTime(value as Date));
      break;
    case enum_.RegExp:
      if (value !== RegExpPrototype && passes(RegExpGetSource, value)) {
        let flags = '';
        for (let i = 0; i < regExpFlagGetters.length; i++) {
          if (regExpFlagGetters[i]![1](value as RegExp)) flags += regExpFlagGetters[i]![0];
        }
        r = rec(T.RegExp, RegExpGetSource(value as RegExp), flags);
      }
      break;
    case enum_.ArrayBuffer:
      if (passes(ArrayBufferPrototypeGetByteLength, value)) return serializeArrayBuffer(value as ArrayBuffer, st);
      break;
    case enum_.SharedArrayBuffer:
      if (SharedArrayBufferGetByteLength && passes(SharedArrayBufferGetByteLength, value)) {
        dataCloneError('SharedArrayBuffer cannot be cloned: this context is not cross-origin isolated.');
      }
      break;
    case enum_.Map:
      if (passes(MapPrototypeGetSizeImpl, value)) {
        r = rec(T.Map);
        MapPrototypeSet(st.memory, value, r);
        // The entries are listed first, then serialized (they may change while getters run).
        const copied = newList<unknown>();
        MapPrototypeForEach(value as Map<unknown, unknown>, (v, k) => {
          ArrayPrototypePush(copied, k, v);
        });
        for (let i = 0; i < copied.length; i++) ArrayPrototypePush(r.items, serialize(copied[i], st));
        return r;
      }
      break;
    case enum_.Set:
      if (passes(SetPrototypeGetSizeImpl, value)) {
        r = rec(T.Set);
        MapPrototypeSet(st.memory, value, r);
        const copied = newList<unknown>();
        SetPrototypeForEach(value as Set<unknown>, (v) => {
          ArrayPrototypePush(copied, v);
        });
        for (let i = 0; i < copied.length; i++) ArrayPrototypePush(r.items, serialize(copied[i], st));
        return r;
      }
      break;
    case enum_.Error:
      if (hasErrorData(value)) return serializeError(value, st);
      break;
    case enum_.Promise:
      if (isPromise(value)) dataCloneError('Promise objects cannot be cloned.');
      break;
    case enum_.WeakMap:
      if (passes((v: object) => WeakMapPrototypeHasImpl(v as WeakMap<object, unknown>, {}), value)) dataCloneError('WeakMap objects cannot be cloned.');
      break;
    case enum_.WeakSet:
      if (passes((v: object) => WeakSetPrototypeHasImpl(v as WeakSet<object>, {}), value)) dataCloneError('WeakSet objects cannot be cloned.');
      break;
    case enum_.WeakRef:
      if (passes(WeakRefPrototypeDerefImpl, value)) dataCloneError('WeakRef objects cannot be cloned.');
      break;
    case enum_.FinalizationRegistry:
      if (passes((v: object) => FinalizationRegistryPrototypeUnregister(v as FinalizationRegistry<unknown>, {}), value)) {
        dataCloneError('FinalizationRegistry objects cannot be cloned.');
      }
      break;
    case enum_.Platform: {
      for (let i = 0; i < serializables.length; i++) {
        const s = serializables[i]!;
        if (s.is(value)) {
          r = rec(T.Platform, s.serialize(value), s.deserialize);
          MapPrototypeSet(st.memory, value, r);
          return r;
        }
      }
      dataCloneError(`${describePlatform(value)} object could not be cloned.`);
    }
  }
  if (r !== undefined) {
    MapPrototypeSet(st.memory, value, r);
    return r;
  }
  // A platform object that lost its prototype is still not cloneable.
  for (let i = 0; i < serializables.length; i++) {
    const s = serializables[i]!;
    if (s.is(value)) {
      r = rec(T.Platform, s.serialize(value), s.deserialize);
      MapPrototypeSet(st.memory, value, r);
      return r;
    }
  }
  // An ordinary object.
  r = rec(T.Object);
  MapPrototypeSet(st.memory, value, r);
  serializeProperties(value, r, st);
  return r;
}

function describePlatform(v: object): string {
  try {
    const tag = ReflectGet(v, Symbol.toStringTag);
    if (typeof tag === 'string') return tag;
  } catch {}
  return 'The';
}

function serializeProperties(value: object, r: Rec, st: SerializeState): void {
  const keys = ObjectKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!ObjectPrototypeHasOwnProperty(value, key)) continue;
    const v = ReflectGet(value, key);
    ArrayPrototypePush(r.items, key, serialize(v, st));
  }
}

function serializeArrayBuffer(buffer: ArrayBuffer, st: SerializeState): Rec {
  if (ArrayBufferPrototypeGetDetached !== undefined && ArrayBufferPrototypeGetDetached(buffer)) {
    dataCloneError('An ArrayBuffer is detached and could not be cloned.');
  }
  const resizable = ArrayBufferPrototypeGetResizable !== undefined && ArrayBufferPrototypeGetResizable(buffer);
  let copy: ArrayBuffer;
  if (resizable) {
    const length = ArrayBufferPrototypeGetByteLength(buffer);
    copy = new ArrayBuffer(length, { __proto__: null, maxByteLength: ArrayBufferPrototypeGetMaxByteLength!(buffer) } as never);
    TypedArrayPrototypeSet(new Uint8Array(copy), new Uint8Array(buffer, 0, length));
  } else {
    copy = ArrayBufferPrototypeSlice(buffer, 0);
  }
  const r = rec(T.ArrayBuffer, copy);
  MapPrototypeSet(st.memory, buffer, r);
  return r;
}

function serializeView(view: ArrayBufferView, st: SerializeState): Rec {
  const tag = TypedArrayPrototypeGetSymbolToStringTag(view);
  let buffer: ArrayBuffer;
  let offset: number;
  let length: number;
  if (tag === undefined) {
    buffer = DataViewPrototypeGetBuffer(view as DataView);
    try {
      // These getters throw for a view that is out of bounds of its (resized or detached) buffer.
      offset = DataViewPrototypeGetByteOffset(view as DataView);
      length = DataViewPrototypeGetByteLength(view as DataView);
    } catch {
      dataCloneError('A DataView out of bounds of its buffer cannot be cloned.');
    }
  } else {
    buffer = TypedArrayPrototypeGetBuffer(view);
    // keys() validates the typed array (throws when out of bounds or detached) in O(1).
    if (!passes(TypedArrayPrototypeKeys, view)) {
      dataCloneError('A typed array out of bounds of its buffer cannot be cloned.');
    }
    offset = TypedArrayPrototypeGetByteOffset(view);
    length = TypedArrayPrototypeGetLength(view);
  }
  const bufferRec = serialize(buffer, st) as Rec;
  const r = rec(T.View, tag === undefined ? 'DataView' : tag, offset, length);
  ArrayPrototypePush(r.items, bufferRec);
  MapPrototypeSet(st.memory, view, r);
  return r;
}

function serializeError(value: object, st: SerializeState): Rec {
  const r = rec(T.Error);
  MapPrototypeSet(st.memory, value, r);
  const name = ReflectGet(value, 'name');
  r.a = typeof name === 'string' && errorNames[name] === true ? name : 'Error';
  const messageDesc = ObjectGetOwnPropertyDescriptor(value, 'message');
  r.b = messageDesc !== undefined && 'value' in messageDesc ? String(messageDesc.value) : undefined;
  r.c = safeStack(value);
  const causeDesc = ObjectGetOwnPropertyDescriptor(value, 'cause');
  if (causeDesc !== undefined && 'value' in causeDesc) {
    ArrayPrototypePush(r.items, true, serialize(causeDesc.value, st));
  }
  return r;
}

// ---- deserialization ----------------------------------------------------------------------------

function defineData(o: object, key: string, value: unknown, enumerable = true): void {
  ObjectDefineProperty(o, key, { value, writable: true, enumerable, configurable: true });
}

function deserialize(v: unknown, memory: Map<Rec, object>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const r = v as Rec;
  const existing = MapPrototypeGet(memory, r);
  if (existing !== undefined) return existing;
  let out: object;
  switch (r.t) {
    case T.Boolean: out = new Boolean(r.a as boolean); break;
    case T.Number: out = new Number(r.a as number); break;
    case T.String: out = new String(r.a as string); break;
    case T.BigInt: out = Object(r.a as bigint) as object; break;
    case T.Date: out = new Date(r.a as number); break;
    case T.RegExp: out = new RegExp(r.a as string, r.b as string); break;
    case T.ArrayBuffer: out = r.a as ArrayBuffer; break;
    case T.Transferred: out = r.a as object; break;
    case T.View: {
      const buffer = deserialize(r.items[0], memory) as ArrayBuffer;
      out = r.a === 'DataView'
        ? new DataView(buffer, r.b as number, r.c as number)
        : new (typedArrayConstructor(r.a as string))(buffer, r.b as number, r.c as number);
      break;
    }
    case T.Map: {
      const m = new Map<unknown, unknown>();
      MapPrototypeSet(memory, r, m);
      for (let i = 0; i < r.items.length; i += 2) {
        MapPrototypeSet(m, deserialize(r.items[i], memory), deserialize(r.items[i + 1], memory));
      }
      return m;
    }
    case T.Set: {
      const s = new Set<unknown>();
      MapPrototypeSet(memory, r, s);
      for (let i = 0; i < r.items.length; i++) SetPrototypeAdd(s, deserialize(r.items[i], memory));
      return s;
    }
    case T.Error: {
      const Ctor = ErrorConstructors[r.a as keyof typeof ErrorConstructors] ?? Error;
      const e = new Ctor();
      MapPrototypeSet(memory, r, e);
      if (r.b !== undefined) defineData(e, 'message', r.b, false);
      if (r.c !== undefined) defineData(e, 'stack', r.c, false);
      if (r.items.length === 2) defineData(e, 'cause', deserialize(r.items[1], memory), false);
      return e;
    }
    case T.Array: {
      const a = new Array(r.b as number);
      MapPrototypeSet(memory, r, a);
      for (let i = 0; i < r.items.length; i += 2) defineData(a, r.items[i] as string, deserialize(r.items[i + 1], memory));
      return a;
    }
    case T.Object: {
      const o = {};
      MapPrototypeSet(memory, r, o);
      for (let i = 0; i < r.items.length; i += 2) defineData(o, r.items[i] as string, deserialize(r.items[i + 1], memory));
      return o;
    }
    case T.Platform: out = (r.b as (d: unknown) => object)(r.a); break;
    default: throw new TypeError('corrupt serialized data');
  }
  MapPrototypeSet(memory, r, out);
  return out;
}

// ---- with transfer ------------------------------------------------------------------------------

export interface Serialized {
  value: unknown;
  /** Per transferred object: its handler and data, received at deserialization. */
  transfers: { rec: Rec; handler: Transferable | null; data: unknown }[];
}

/** HTML StructuredSerializeWithTransfer. */
export function serializeWithTransfer(value: unknown, transferList: readonly object[]): Serialized {
  const memory = new Map<object, Rec>();
  const transfers = newList<Serialized['transfers'][number]>();
  const handlers = newList<Transferable | null>();
  for (let i = 0; i < transferList.length; i++) {
    const t = transferList[i]!;
    let handler: Transferable | null = null;
    if (isArrayBufferObject(t)) {
      if (SharedArrayBufferGetByteLength && passes(SharedArrayBufferGetByteLength, t)) {
        dataCloneError('A SharedArrayBuffer cannot be transferred.');
      }
    } else {
      for (let j = 0; j < transferables.length; j++) {
        if (transferables[j]!.is(t)) {
          handler = transferables[j]!;
          break;
        }
      }
      if (handler === null) dataCloneError('Value in the transfer list is not transferable.');
    }
    if (MapPrototypeHas(memory, t)) dataCloneError('An object appears more than once in the transfer list.');
    const r = rec(T.Transferred);
    MapPrototypeSet(memory, t, r);
    ArrayPrototypePush(transfers, { rec: r, handler, data: undefined });
    ArrayPrototypePush(handlers, handler);
  }
  const serialized = serialize(value, { memory });
  for (let i = 0; i < transferList.length; i++) {
    const t = transferList[i]!;
    const entry = transfers[i]!;
    if (entry.handler === null) {
      const buffer = t as ArrayBuffer;
      if (ArrayBufferPrototypeGetDetached !== undefined && ArrayBufferPrototypeGetDetached(buffer)) {
        dataCloneError('An ArrayBuffer is detached and could not be transferred.');
      }
      let moved: ArrayBuffer;
      try {
        moved = ArrayBufferPrototypeTransfer!(buffer);
      } catch {
        // e.g. a WebAssembly.Memory buffer, whose [[ArrayBufferDetachKey]] is not undefined.
        dataCloneError('An ArrayBuffer could not be transferred.');
      }
      entry.data = moved;
    } else {
      if (entry.handler.isDetached(t)) dataCloneError('A transferred object is detached.');
      entry.data = entry.handler.transfer(t);
    }
  }
  return { value: serialized, transfers };
}

function isArrayBufferObject(v: object): boolean {
  sharedArrayBuffer();
  return passes(ArrayBufferPrototypeGetByteLength, v) || (SharedArrayBufferGetByteLength !== undefined && passes(SharedArrayBufferGetByteLength, v));
}

/** HTML StructuredDeserializeWithTransfer: returns the value and the transferred objects, in order. */
export function deserializeWithTransfer(s: Serialized): { value: unknown; transferred: object[] } {
  const memory = new Map<Rec, object>();
  const transferred = newList<object>();
  for (let i = 0; i < s.transfers.length; i++) {
    const entry = s.transfers[i]!;
    const obj = entry.handler === null ? (entry.data as object) : entry.handler.receive(entry.data);
    MapPrototypeSet(memory, entry.rec, obj);
    ArrayPrototypePush(transferred, obj);
  }
  return { value: deserialize(s.value, memory), transferred };
}

/** WebIDL conversion of StructuredSerializeOptions' `transfer` (sequence<object>). */
export function readTransferOption(options: unknown, what: string): object[] {
  const dict = toDictionary(options, what);
  const transfer = dictMember(dict, 'transfer');
  if (transfer === undefined) return [];
  return toSequence(transfer, `${what}: transfer`, (item) => {
    if ((typeof item !== 'object' && typeof item !== 'function') || item === null) {
      throw new TypeError(`${what}: transfer contains a value that is not an object.`);
    }
    return item as object;
  });
}

/** `structuredClone(value, { transfer })`. */
export function structuredClone(value: unknown, options: unknown = undefined): unknown {
  requiredArguments(arguments.length, 1, 'structuredClone');
  const transfer = readTransferOption(options, "Failed to execute 'structuredClone'");
  return deserializeWithTransfer(serializeWithTransfer(value, transfer)).value;
}

void FunctionPrototypeCall;
void SetPrototypeHas;
