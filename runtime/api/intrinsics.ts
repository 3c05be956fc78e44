// Captured ECMAScript intrinsics ("primordials").
//
// This module is evaluated when the prelude loads, before any tenant code exists. Everything the
// runtime needs from built-in prototypes is captured here, so a tenant that later replaces
// `Array.prototype.push`, `Promise.prototype.then`, `JSON.parse`, `Symbol.iterator` methods and so
// on cannot break or observe the runtime. Rules for code under runtime/api/:
// - call prototype methods only through the uncurried captures below (or ones captured the same
//   way at module top level in your own file);
// - never iterate tenant-controlled values with `for…of` / spread (they call `Symbol.iterator`
//   through the prototype); index arrays you own, or use `SafeArrayIterator` helpers;
// - prefer `PromisePrototypeThen(p, f, r)` over `await` on promises a tenant could have patched;
// - create every error in this realm (`new TypeError(…)`), never forward host errors.

// Constructors and namespaces (the bindings themselves; tenants may replace the globals, not these).
export const {
  Array, ArrayBuffer, BigInt, Boolean, DataView, Date, Error, EvalError, Map, Number, Object, Promise,
  Proxy, RangeError, ReferenceError, RegExp, Set, String, Symbol, SyntaxError, TypeError, URIError,
  Uint8Array, Uint16Array, Uint32Array, Int8Array, Int16Array, Int32Array, Float32Array, Float64Array,
  Uint8ClampedArray, BigInt64Array, BigUint64Array, WeakMap, WeakSet, WeakRef, FinalizationRegistry,
  JSON, Math, Reflect, AggregateError,
} = globalThis;
export const globalThisRef = globalThis;

const { bind, call, apply } = Function.prototype;
// `call.bind(fn)` makes `(thisArg, ...args) => fn.call(thisArg, ...args)` without ever looking up
// `.call` again, so later changes to Function.prototype cannot reach it.
const uncurryThisImpl = bind.bind(call);
export function uncurryThis<T, A extends unknown[], R>(fn: (this: T, ...args: A) => R): (self: T, ...args: A) => R {
  return uncurryThisImpl(fn) as (self: T, ...args: A) => R;
}
export const FunctionPrototypeCall = uncurryThis(call) as (fn: Function, thisArg: unknown, ...args: unknown[]) => any;
export const ReflectApply = Reflect.apply;
void apply;


// Object / Reflect
export const {
  assign: ObjectAssign, create: ObjectCreate, defineProperty: ObjectDefineProperty,
  defineProperties: ObjectDefineProperties, entries: ObjectEntries, freeze: ObjectFreeze,
  fromEntries: ObjectFromEntries, getOwnPropertyDescriptor: ObjectGetOwnPropertyDescriptor,
  getOwnPropertyDescriptors: ObjectGetOwnPropertyDescriptors, getOwnPropertyNames: ObjectGetOwnPropertyNames,
  getOwnPropertySymbols: ObjectGetOwnPropertySymbols, getPrototypeOf: ObjectGetPrototypeOf,
  setPrototypeOf: ObjectSetPrototypeOf, is: ObjectIs, isFrozen: ObjectIsFrozen, keys: ObjectKeys,
  values: ObjectValues, hasOwn: ObjectHasOwn, preventExtensions: ObjectPreventExtensions, seal: ObjectSeal,
} = Object;
export const ObjectPrototype = Object.prototype;
export const ObjectPrototypeToString = uncurryThis(Object.prototype.toString);
export const ObjectPrototypeHasOwnProperty = uncurryThis(Object.prototype.hasOwnProperty);
export const ObjectPrototypeIsPrototypeOf = uncurryThis(Object.prototype.isPrototypeOf);
export const {
  construct: ReflectConstruct, defineProperty: ReflectDefineProperty, get: ReflectGet,
  getOwnPropertyDescriptor: ReflectGetOwnPropertyDescriptor, getPrototypeOf: ReflectGetPrototypeOf,
  has: ReflectHas, ownKeys: ReflectOwnKeys, set: ReflectSet, deleteProperty: ReflectDeleteProperty,
} = Reflect;

// Function
export const FunctionPrototypeBind = uncurryThis(bind) as (fn: Function, thisArg: unknown, ...args: unknown[]) => any;
export const FunctionPrototypeToString = uncurryThis(Function.prototype.toString);

// Symbol
export const {
  asyncIterator: SymbolAsyncIterator, hasInstance: SymbolHasInstance, iterator: SymbolIterator, species: SymbolSpecies,
  toPrimitive: SymbolToPrimitive, toStringTag: SymbolToStringTag, for: SymbolFor,
} = Symbol;
export const SymbolPrototypeToString = uncurryThis(Symbol.prototype.toString);
export const SymbolPrototypeGetDescription = uncurryThis(
  ObjectGetOwnPropertyDescriptor(Symbol.prototype, 'description')!.get! as (this: symbol) => string | undefined,
);

// Array
const AP = Array.prototype;
export const ArrayIsArray = Array.isArray;
export const ArrayFrom = Array.from;
export const ArrayOf = Array.of;
export const ArrayPrototypePush = uncurryThis(AP.push) as <T>(a: T[], ...items: T[]) => number;
export const ArrayPrototypePop = uncurryThis(AP.pop) as <T>(a: T[]) => T | undefined;
export const ArrayPrototypeShift = uncurryThis(AP.shift) as <T>(a: T[]) => T | undefined;
export const ArrayPrototypeUnshift = uncurryThis(AP.unshift) as <T>(a: T[], ...items: T[]) => number;
export const ArrayPrototypeSlice = uncurryThis(AP.slice) as <T>(a: readonly T[], start?: number, end?: number) => T[];
export const ArrayPrototypeSplice = uncurryThis(AP.splice) as <T>(a: T[], start: number, deleteCount?: number, ...items: T[]) => T[];
export const ArrayPrototypeJoin = uncurryThis(AP.join) as (a: readonly unknown[], sep?: string) => string;
export const ArrayPrototypeIndexOf = uncurryThis(AP.indexOf) as <T>(a: readonly T[], v: T, from?: number) => number;
export const ArrayPrototypeIncludes = uncurryThis(AP.includes) as <T>(a: readonly T[], v: T) => boolean;
export const ArrayPrototypeMap = uncurryThis(AP.map) as <T, U>(a: readonly T[], f: (v: T, i: number) => U) => U[];
export const ArrayPrototypeFilter = uncurryThis(AP.filter) as <T>(a: readonly T[], f: (v: T, i: number) => unknown) => T[];
export const ArrayPrototypeForEach = uncurryThis(AP.forEach) as <T>(a: readonly T[], f: (v: T, i: number) => void) => void;
export const ArrayPrototypeSome = uncurryThis(AP.some) as <T>(a: readonly T[], f: (v: T, i: number) => unknown) => boolean;
export const ArrayPrototypeEvery = uncurryThis(AP.every) as <T>(a: readonly T[], f: (v: T, i: number) => unknown) => boolean;
export const ArrayPrototypeFind = uncurryThis(AP.find) as <T>(a: readonly T[], f: (v: T, i: number) => unknown) => T | undefined;
export const ArrayPrototypeFindIndex = uncurryThis(AP.findIndex) as <T>(a: readonly T[], f: (v: T, i: number) => unknown) => number;
export const ArrayPrototypeReduce = uncurryThis(AP.reduce) as <T, U>(a: readonly T[], f: (acc: U, v: T, i: number) => U, init: U) => U;
export const ArrayPrototypeSort = uncurryThis(AP.sort) as <T>(a: T[], cmp?: (x: T, y: T) => number) => T[];
export const ArrayPrototypeReverse = uncurryThis(AP.reverse) as <T>(a: T[]) => T[];
export const ArrayPrototypeConcat = uncurryThis(AP.concat) as <T>(a: readonly T[], ...items: (T | readonly T[])[]) => T[];
export const ArrayPrototypeFill = uncurryThis(AP.fill) as <T>(a: T[], v: T, start?: number, end?: number) => T[];
export const ArrayPrototypeAt = uncurryThis(AP.at) as <T>(a: readonly T[], i: number) => T | undefined;
export const ArrayPrototypeSymbolIterator = uncurryThis(AP[Symbol.iterator]) as <T>(a: readonly T[]) => IterableIterator<T>;
const ArrayIteratorPrototype = ObjectGetPrototypeOf([][Symbol.iterator]());
export const ArrayIteratorPrototypeNext = uncurryThis(ArrayIteratorPrototype.next) as <T>(it: Iterator<T>) => IteratorResult<T>;

// String
const SP = String.prototype;
export const StringFromCharCode = String.fromCharCode;
export const StringFromCodePoint = String.fromCodePoint;
export const StringPrototypeCharCodeAt = uncurryThis(SP.charCodeAt);
export const StringPrototypeCodePointAt = uncurryThis(SP.codePointAt);
export const StringPrototypeCharAt = uncurryThis(SP.charAt);
export const StringPrototypeIndexOf = uncurryThis(SP.indexOf);
export const StringPrototypeLastIndexOf = uncurryThis(SP.lastIndexOf);
export const StringPrototypeIncludes = uncurryThis(SP.includes);
export const StringPrototypeStartsWith = uncurryThis(SP.startsWith);
export const StringPrototypeEndsWith = uncurryThis(SP.endsWith);
export const StringPrototypeSlice = uncurryThis(SP.slice);
export const StringPrototypeSubstring = uncurryThis(SP.substring);
export const StringPrototypeToLowerCase = uncurryThis(SP.toLowerCase);
export const StringPrototypeToUpperCase = uncurryThis(SP.toUpperCase);
export const StringPrototypeTrim = uncurryThis(SP.trim);
export const StringPrototypeSplit = uncurryThis(SP.split) as unknown as (s: string, sep: string, limit?: number) => string[];
export const StringPrototypeReplace = uncurryThis(SP.replace) as unknown as (s: string, pattern: string | RegExp, replacement: string) => string;
export const StringPrototypeReplaceAll = uncurryThis(SP.replaceAll) as unknown as (s: string, pattern: string | RegExp, replacement: string) => string;
export const StringPrototypePadStart = uncurryThis(SP.padStart);
export const StringPrototypePadEnd = uncurryThis(SP.padEnd);
export const StringPrototypeRepeat = uncurryThis(SP.repeat);
export const StringPrototypeNormalize = uncurryThis(SP.normalize);
export const StringPrototypeIsWellFormed = uncurryThis(SP.isWellFormed);
export const StringPrototypeToWellFormed = uncurryThis(SP.toWellFormed);
export const StringPrototypeValueOf = uncurryThis(SP.valueOf);

// RegExp: exec and test only through these; never `str.replace(regexp)` on the prototype chain.
export const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
export const RegExpPrototypeTest = uncurryThis(RegExp.prototype.test);
export const RegExpPrototypeSymbolReplace = uncurryThis(RegExp.prototype[Symbol.replace]) as unknown as (re: RegExp, s: string, replacement: string) => string;

// Number / Math / JSON / BigInt / Date
export const { isFinite: NumberIsFinite, isInteger: NumberIsInteger, isNaN: NumberIsNaN, isSafeInteger: NumberIsSafeInteger,
  parseInt: NumberParseInt, parseFloat: NumberParseFloat, MAX_SAFE_INTEGER: NumberMAX_SAFE_INTEGER } = Number;
export const NumberPrototypeToString = uncurryThis(Number.prototype.toString);
export const NumberPrototypeToFixed = uncurryThis(Number.prototype.toFixed);
export const { abs: MathAbs, floor: MathFloor, ceil: MathCeil, max: MathMax, min: MathMin, pow: MathPow,
  round: MathRound, trunc: MathTrunc, random: MathRandom, sign: MathSign } = Math;
export const { parse: JSONParse, stringify: JSONStringify } = JSON;
export const DateNow = Date.now;
export const DatePrototypeGetTime = uncurryThis(Date.prototype.getTime);
export const DatePrototypeToISOString = uncurryThis(Date.prototype.toISOString);
export const BigIntPrototypeToString = uncurryThis(BigInt.prototype.toString);
export const ErrorCaptureStackTrace = (Error as unknown as { captureStackTrace?: (o: object, f?: Function) => void }).captureStackTrace;
export const ErrorPrototypeToString = uncurryThis(Error.prototype.toString);

// Map / Set / WeakMap / WeakSet
const MP = Map.prototype;
export const MapPrototypeGet = uncurryThis(MP.get) as <K, V>(m: Map<K, V>, k: K) => V | undefined;
export const MapPrototypeSet = uncurryThis(MP.set) as <K, V>(m: Map<K, V>, k: K, v: V) => Map<K, V>;
export const MapPrototypeHas = uncurryThis(MP.has) as <K, V>(m: Map<K, V>, k: K) => boolean;
export const MapPrototypeDelete = uncurryThis(MP.delete) as <K, V>(m: Map<K, V>, k: K) => boolean;
export const MapPrototypeClear = uncurryThis(MP.clear) as <K, V>(m: Map<K, V>) => void;
export const MapPrototypeForEach = uncurryThis(MP.forEach) as <K, V>(m: Map<K, V>, f: (v: V, k: K) => void) => void;
export const MapPrototypeGetSize = uncurryThis(ObjectGetOwnPropertyDescriptor(MP, 'size')!.get!) as (m: Map<unknown, unknown>) => number;
export const MapPrototypeEntries = uncurryThis(MP.entries) as <K, V>(m: Map<K, V>) => IterableIterator<[K, V]>;
export const MapPrototypeKeys = uncurryThis(MP.keys) as <K, V>(m: Map<K, V>) => IterableIterator<K>;
export const MapPrototypeValues = uncurryThis(MP.values) as <K, V>(m: Map<K, V>) => IterableIterator<V>;
const MapIteratorPrototype = ObjectGetPrototypeOf(new Map()[Symbol.iterator]());
export const MapIteratorPrototypeNext = uncurryThis(MapIteratorPrototype.next) as <T>(it: Iterator<T>) => IteratorResult<T>;
const STP = Set.prototype;
export const SetPrototypeAdd = uncurryThis(STP.add) as <T>(s: Set<T>, v: T) => Set<T>;
export const SetPrototypeHas = uncurryThis(STP.has) as <T>(s: Set<T>, v: T) => boolean;
export const SetPrototypeDelete = uncurryThis(STP.delete) as <T>(s: Set<T>, v: T) => boolean;
export const SetPrototypeClear = uncurryThis(STP.clear) as <T>(s: Set<T>) => void;
export const SetPrototypeForEach = uncurryThis(STP.forEach) as <T>(s: Set<T>, f: (v: T) => void) => void;
export const SetPrototypeGetSize = uncurryThis(ObjectGetOwnPropertyDescriptor(STP, 'size')!.get!) as (s: Set<unknown>) => number;
export const SetPrototypeValues = uncurryThis(STP.values) as <T>(s: Set<T>) => IterableIterator<T>;
const SetIteratorPrototype = ObjectGetPrototypeOf(new Set()[Symbol.iterator]());
export const SetIteratorPrototypeNext = uncurryThis(SetIteratorPrototype.next) as <T>(it: Iterator<T>) => IteratorResult<T>;
export const WeakMapPrototypeGet = uncurryThis(WeakMap.prototype.get) as <K extends object, V>(m: WeakMap<K, V>, k: K) => V | undefined;
export const WeakMapPrototypeSet = uncurryThis(WeakMap.prototype.set) as <K extends object, V>(m: WeakMap<K, V>, k: K, v: V) => WeakMap<K, V>;
export const WeakMapPrototypeHas = uncurryThis(WeakMap.prototype.has) as <K extends object, V>(m: WeakMap<K, V>, k: K) => boolean;
export const WeakMapPrototypeDelete = uncurryThis(WeakMap.prototype.delete) as <K extends object, V>(m: WeakMap<K, V>, k: K) => boolean;
export const WeakSetPrototypeAdd = uncurryThis(WeakSet.prototype.add) as <T extends object>(s: WeakSet<T>, v: T) => WeakSet<T>;
export const WeakSetPrototypeHas = uncurryThis(WeakSet.prototype.has) as <T extends object>(s: WeakSet<T>, v: T) => boolean;
export const WeakRefPrototypeDeref = uncurryThis(WeakRef.prototype.deref) as <T extends object>(r: WeakRef<T>) => T | undefined;

// Promise: `PromisePrototypeThen` is the only way runtime code chains promises.
//
// Species-free. The native `then` runs SpeciesConstructor(p): it reads `p.constructor` (through
// Promise.prototype, which tenant code may replace) and that constructor's @@species, and would
// then construct the derived promise with whatever the tenant put there, handing it the resolve
// functions of the runtime's own promise chain. WebIDL's "react to a promise" (and the Streams and
// Fetch algorithms built on it) is PerformPromiseThen, which consults neither. So:
// - while Promise.prototype.constructor is still %Promise% (a data property) and Promise[@@species]
//   still the original getter, and `p` is an ordinary promise, the native `then` runs as is (the
//   lookups it makes then reach no tenant code) — the common case, a few checks;
// - otherwise `p` gets an own `constructor: undefined` for the duration of the call
//   (SpeciesConstructor then returns %Promise% without any lookup), removed (or the previous own
//   property restored) right after; no tenant code can run in between.
// The derived promise is always a plain %Promise%.
const PromiseThenImpl = Promise.prototype.then;
const PromisePrototype = Promise.prototype;
const PromiseSpeciesGetter = ReflectGetOwnPropertyDescriptor(Promise, Symbol.species)!.get;
const speciesFree = { __proto__: null, value: undefined, writable: true, enumerable: false, configurable: true } as PropertyDescriptor;
/** Would SpeciesConstructor(p) / PromiseResolve's constructor check reach only the intrinsics? */
function promiseLookupsIntact(p: object): boolean {
  if (ReflectGetPrototypeOf(p) !== PromisePrototype || ObjectHasOwn(p, 'constructor')) return false;
  const c = ReflectGetOwnPropertyDescriptor(PromisePrototype, 'constructor');
  if (c === undefined || c.value !== Promise) return false;
  const species = ReflectGetOwnPropertyDescriptor(Promise, Symbol.species);
  return species !== undefined && species.get === PromiseSpeciesGetter;
}
export const PromisePrototypeThen = function PromisePrototypeThen(
  p: Promise<unknown>, onFulfilled?: ((v: any) => unknown) | null, onRejected?: ((e: any) => unknown) | null,
): Promise<unknown> {
  if ((typeof p === 'object' && p !== null) || typeof p === 'function') {
    if (promiseLookupsIntact(p)) return ReflectApply(PromiseThenImpl, p, [onFulfilled, onRejected]);
    const own = ReflectGetOwnPropertyDescriptor(p, 'constructor');
    if (own === undefined) {
      if (ReflectDefineProperty(p, 'constructor', speciesFree)) {
        try {
          return ReflectApply(PromiseThenImpl, p, [onFulfilled, onRejected]);
        } finally {
          ReflectDeleteProperty(p, 'constructor');
        }
      }
    } else if (!('value' in own && own.value === undefined) && own.configurable) {
      // A tenant's own `constructor` on its promise: swapped out, then put back exactly.
      const saved = { __proto__: null, value: own.value, get: own.get, set: own.set, writable: own.writable,
        enumerable: own.enumerable, configurable: true } as PropertyDescriptor;
      if ('value' in own) { delete saved.get; delete saved.set; } else { delete saved.value; delete saved.writable; }
      ReflectDefineProperty(p, 'constructor', speciesFree);
      try {
        return ReflectApply(PromiseThenImpl, p, [onFulfilled, onRejected]);
      } finally {
        ReflectDefineProperty(p, 'constructor', saved);
      }
    }
  }
  // Not an object (the native `then` throws its TypeError), already species-free, or a promise a
  // tenant made non-extensible / gave a non-configurable own `constructor`.
  return ReflectApply(PromiseThenImpl, p, [onFulfilled, onRejected]);
} as <T, R1 = T, R2 = never>(
  p: Promise<T>, onFulfilled?: ((v: T) => R1 | PromiseLike<R1>) | null, onRejected?: ((e: any) => R2 | PromiseLike<R2>) | null,
) => Promise<R1 | R2>;
export const PromisePrototypeCatch = <T, R = never>(p: Promise<T>, onRejected: (e: any) => R | PromiseLike<R>): Promise<T | R> =>
  PromisePrototypeThen(p, undefined, onRejected);
/** `finally` for a synchronous callback, species-free like PromisePrototypeThen. */
export const PromisePrototypeFinally = <T>(p: Promise<T>, f: () => void): Promise<T> =>
  PromisePrototypeThen(p, (v) => {
    f();
    return v;
  }, (e) => {
    f();
    throw e;
  });
const PromiseResolveImpl = Promise.resolve;
const PromiseRejectImpl = Promise.reject;
const PromiseAllImpl = Promise.all;
const PromiseRaceImpl = Promise.race;
const PromiseWithResolversImpl = Promise.withResolvers;
/**
 * PromiseResolve(%Promise%, v): a native promise is returned as is, anything else becomes a new
 * promise resolved with it. The native `Promise.resolve` decides "native promise" by reading
 * `v.constructor` (through Promise.prototype, which tenant code may replace) and otherwise wraps
 * `v`, which later calls `v.then` (tenant code, again) — so a replaced Promise.prototype.constructor
 * would pull tenant code into every runtime promise that passes through here. So when that
 * lookup is not intact (see PromisePrototypeThen), an object inheriting from Promise.prototype gets
 * an own `constructor: %Promise%` for the duration of the call. Thenables that are not native
 * promises are still resolved through their `then`, as specified.
 */
const promiseConstructorDescriptor = { __proto__: null, value: Promise, writable: true, enumerable: false, configurable: true } as PropertyDescriptor;
export const PromiseResolve = <T>(v: T | PromiseLike<T>): Promise<T> => {
  if (typeof v === 'object' && v !== null && ReflectGetPrototypeOf(v) === PromisePrototype && !promiseLookupsIntact(v) &&
      !ObjectHasOwn(v, 'constructor') && ReflectDefineProperty(v, 'constructor', promiseConstructorDescriptor)) {
    try {
      return ReflectApply(PromiseResolveImpl, Promise, [v]) as Promise<T>;
    } finally {
      ReflectDeleteProperty(v, 'constructor');
    }
  }
  return ReflectApply(PromiseResolveImpl, Promise, [v]) as Promise<T>;
};
export const PromiseReject = <T = never>(e: unknown): Promise<T> => ReflectApply(PromiseRejectImpl, Promise, [e]);
export interface Deferred<T> { promise: Promise<T>; resolve: (v: T | PromiseLike<T>) => void; reject: (e: unknown) => void }
export const PromiseWithResolvers = <T>(): Deferred<T> => ReflectApply(PromiseWithResolversImpl, Promise, []) as Deferred<T>;
// Promise.all / Promise.race for the runtime's own arrays. The natives iterate their argument (the
// array iterator), look up `Promise.resolve` and call `then` through the prototype: all of it
// tenant-replaceable. These use an index loop, PromiseResolve and PromisePrototypeThen instead. The
// values array has no prototype while it resolves the result promise (so no `then` is found on it).
void PromiseAllImpl;
void PromiseRaceImpl;
export const PromiseAll = <T>(ps: readonly (T | PromiseLike<T>)[]): Promise<T[]> => {
  const d = PromiseWithResolvers<T[]>();
  const n = ps.length;
  const values = ObjectSetPrototypeOf([], null) as T[];
  let remaining = n;
  const done = () => {
    d.resolve(values);
    ObjectSetPrototypeOf(values, AP);
  };
  if (n === 0) done();
  for (let i = 0; i < n; i++) {
    PromisePrototypeThen(PromiseResolve(ps[i]!), (v: T) => {
      values[i] = v;
      if (--remaining === 0) done();
    }, d.reject);
  }
  return d.promise;
};
export const PromiseRace = <T>(ps: readonly (T | PromiseLike<T>)[]): Promise<T> => {
  const d = PromiseWithResolvers<T>();
  for (let i = 0; i < ps.length; i++) PromisePrototypeThen(PromiseResolve(ps[i]!), d.resolve, d.reject);
  return d.promise;
};
/** Marks a promise as handled so it never reports an unhandled rejection. */
export function markPromiseHandled(p: Promise<unknown>): void {
  PromisePrototypeThen(p, undefined, () => {});
}

// ArrayBuffer and typed arrays
export const ArrayBufferIsView = ArrayBuffer.isView;
export const ArrayBufferPrototypeGetByteLength = uncurryThis(
  ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get! as (this: ArrayBuffer) => number);
const abTransfer = (ArrayBuffer.prototype as unknown as { transfer?: (this: ArrayBuffer, n?: number) => ArrayBuffer }).transfer;
export const ArrayBufferPrototypeTransfer = abTransfer ? uncurryThis(abTransfer) : undefined;
const abDetached = ObjectGetOwnPropertyDescriptor(ArrayBuffer.prototype, 'detached')?.get as ((this: ArrayBuffer) => boolean) | undefined;
export const ArrayBufferPrototypeGetDetached = abDetached ? uncurryThis(abDetached) : undefined;
const TypedArray = ObjectGetPrototypeOf(Uint8Array) as { prototype: object };
const TAP = TypedArray.prototype as Uint8Array;
const getter = <T>(proto: object, name: string) =>
  uncurryThis(ObjectGetOwnPropertyDescriptor(proto, name)!.get! as (this: unknown) => T);
export const TypedArrayPrototype = TAP;
export const TypedArrayPrototypeGetBuffer = getter<ArrayBuffer>(TAP, 'buffer') as (a: ArrayBufferView) => ArrayBuffer;
export const TypedArrayPrototypeGetByteLength = getter<number>(TAP, 'byteLength') as (a: ArrayBufferView) => number;
export const TypedArrayPrototypeGetByteOffset = getter<number>(TAP, 'byteOffset') as (a: ArrayBufferView) => number;
export const TypedArrayPrototypeGetLength = getter<number>(TAP, 'length') as (a: ArrayBufferView) => number;
/** `undefined` for non-typed-arrays (DataView, plain objects): a brand check that cannot be faked. */
export const TypedArrayPrototypeGetSymbolToStringTag = getter<string | undefined>(TAP, Symbol.toStringTag as unknown as string) as (a: unknown) => string | undefined;
export const TypedArrayPrototypeSet = uncurryThis(TAP.set) as (a: ArrayBufferView, src: ArrayLike<number>, offset?: number) => void;
// slice / subarray / ArrayBuffer slice, species-free. The native ones construct their result
// through SpeciesConstructor(a), i.e. `a.constructor[@@species]`, reachable from tenant code
// (Uint8Array.prototype.constructor, ArrayBuffer.prototype.constructor, …). These build the result
// with the intrinsic constructor of the same kind instead; otherwise they behave as the natives
// (relative indices, clamping, TypeError on a detached buffer).
const nativeTypedArraySlice = uncurryThis(TAP.slice);
const nativeArrayBufferSlice = uncurryThis(ArrayBuffer.prototype.slice);
type TypedArrayConstructor = new (...args: any[]) => ArrayBufferView;
const typedArrayConstructors: { [tag: string]: TypedArrayConstructor } = { __proto__: null } as never;
{
  const all: TypedArrayConstructor[] = [Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array,
    Float32Array, Float64Array, Uint8ClampedArray, BigInt64Array, BigUint64Array];
  const f16 = (globalThis as unknown as { Float16Array?: TypedArrayConstructor }).Float16Array;
  if (f16 !== undefined) all[all.length] = f16;
  for (let i = 0; i < all.length; i++) typedArrayConstructors[all[i]!.name] = all[i]!;
}
function relativeIndex(value: number | undefined, length: number, fallback: number): number {
  if (value === undefined) return fallback;
  let n = +value;
  n = n !== n ? 0 : MathTrunc(n);
  if (n < 0) return n === -Infinity ? 0 : MathMax(length + n, 0);
  return MathMin(n, length);
}
function typedArrayKind(a: ArrayBufferView): TypedArrayConstructor {
  const tag = TypedArrayPrototypeGetSymbolToStringTag(a);
  const C = tag === undefined ? undefined : typedArrayConstructors[tag];
  if (C === undefined) throw new TypeError('this is not a typed array.');
  return C;
}
function checkAttached(buffer: ArrayBuffer): void {
  if (ArrayBufferPrototypeGetDetached !== undefined && ArrayBufferPrototypeGetDetached(buffer)) {
    throw new TypeError('Cannot perform this operation on a detached ArrayBuffer');
  }
}
export const TypedArrayPrototypeSubarray = function TypedArrayPrototypeSubarray(a: ArrayBufferView, start?: number, end?: number) {
  const C = typedArrayKind(a);
  const length = TypedArrayPrototypeGetLength(a);
  const begin = relativeIndex(start, length, 0);
  const count = MathMax(relativeIndex(end, length, length) - begin, 0);
  const bpe = (C as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  return new C(TypedArrayPrototypeGetBuffer(a), TypedArrayPrototypeGetByteOffset(a) + begin * bpe, count);
} as <T extends ArrayBufferView>(a: T, start?: number, end?: number) => T;
export const TypedArrayPrototypeSlice = function TypedArrayPrototypeSlice(a: ArrayBufferView, start?: number, end?: number) {
  const C = typedArrayKind(a);
  const buffer = TypedArrayPrototypeGetBuffer(a);
  checkAttached(buffer);
  const length = TypedArrayPrototypeGetLength(a);
  const begin = relativeIndex(start, length, 0);
  const count = MathMax(relativeIndex(end, length, length) - begin, 0);
  const out = new C(count);
  if (count > 0) {
    const bpe = (C as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    TypedArrayPrototypeSet(out, new C(buffer, TypedArrayPrototypeGetByteOffset(a) + begin * bpe, count) as unknown as ArrayLike<number>);
  }
  return out;
} as <T extends ArrayBufferView>(a: T, start?: number, end?: number) => T;
void nativeTypedArraySlice;
export const ArrayBufferPrototypeSlice = function ArrayBufferPrototypeSlice(buffer: ArrayBuffer, start?: number, end?: number): ArrayBuffer {
  const length = ArrayBufferPrototypeGetByteLength(buffer); // brand check: TypeError unless an ArrayBuffer
  checkAttached(buffer);
  const begin = relativeIndex(start, length, 0);
  const count = MathMax(relativeIndex(end, length, length) - begin, 0);
  const out = new ArrayBuffer(count);
  if (count > 0) TypedArrayPrototypeSet(new Uint8Array(out), new Uint8Array(buffer, begin, count));
  return out;
};
void nativeArrayBufferSlice;
export const TypedArrayPrototypeFill = uncurryThis(TAP.fill) as <T extends ArrayBufferView>(a: T, v: number, start?: number, end?: number) => T;
export const TypedArrayPrototypeIndexOf = uncurryThis(TAP.indexOf) as (a: ArrayBufferView, v: number, from?: number) => number;
export const DataViewPrototypeGetBuffer = getter<ArrayBuffer>(DataView.prototype, 'buffer') as (a: DataView) => ArrayBuffer;
export const DataViewPrototypeGetByteLength = getter<number>(DataView.prototype, 'byteLength') as (a: DataView) => number;
export const DataViewPrototypeGetByteOffset = getter<number>(DataView.prototype, 'byteOffset') as (a: DataView) => number;

/** Is `v` a real ArrayBuffer (not a SharedArrayBuffer, not a lookalike)? */
export function isArrayBuffer(v: unknown): v is ArrayBuffer {
  try {
    ArrayBufferPrototypeGetByteLength(v as ArrayBuffer);
    return true;
  } catch {
    return false;
  }
}
/** Is `v` a real DataView? */
export function isDataView(v: unknown): v is DataView {
  try {
    DataViewPrototypeGetByteLength(v as DataView);
    return true;
  } catch {
    return false;
  }
}

/** The view's bytes as a Uint8Array over the same memory (no copy). */
export function viewBytes(view: ArrayBufferView): Uint8Array {
  if (isDataView(view)) {
    return new Uint8Array(DataViewPrototypeGetBuffer(view), DataViewPrototypeGetByteOffset(view), DataViewPrototypeGetByteLength(view));
  }
  return new Uint8Array(TypedArrayPrototypeGetBuffer(view), TypedArrayPrototypeGetByteOffset(view), TypedArrayPrototypeGetByteLength(view));
}

/** A copy of a BufferSource's bytes (WebIDL "get a copy of the bytes held by the buffer source"). */
export function copyBufferSource(source: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (isArrayBuffer(source)) return new Uint8Array(ArrayBufferPrototypeSlice(source, 0));
  return TypedArrayPrototypeSlice(viewBytes(source), 0);
}

/**
 * Iterate an array the runtime owns without touching `Array.prototype[Symbol.iterator]`.
 * Usage: `for (let i = 0; i < a.length; i++)` is preferred; this exists for code that wants an
 * iterator object (e.g. to hand to a constructor expecting an iterable).
 */
export function SafeArrayIterator<T>(a: readonly T[]): IterableIterator<T> {
  let i = 0;
  const it = {
    next(): IteratorResult<T> {
      if (i < a.length) return { value: a[i++]!, done: false };
      return { value: undefined as never, done: true };
    },
    [Symbol.iterator]() { return it; },
  };
  return it as IterableIterator<T>;
}

// Errors created in this realm
export const ErrorConstructors = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

// A bare V8 context has no queueMicrotask; a resolved promise's reaction job is a microtask.
const resolvedPromise = PromiseResolve(undefined);
export function enqueueMicrotask(cb: () => void): void {
  PromisePrototypeThen(resolvedPromise, cb);
}
