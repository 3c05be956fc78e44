// Readable, tamper-proof inspection of any value for console output (Node-like `util.inspect`).
//
// Everything tenant-controlled is read through property *descriptors* (getters are never invoked,
// only shown as [Getter]), built-in brands are checked with captured internal-slot accessors, and
// every object is formatted inside try/finally so a Proxy whose traps throw, a revoked Proxy or an
// object graph that overflows the stack prints as `[Uninspectable]` instead of breaking console.*.
// The only code of the isolate that inspection runs is: Proxy traps (unavoidable, not detectable
// from JavaScript), V8's native `stack` accessor of errors (and so a tenant's
// `Error.prepareStackTrace`), and the runtime's own WebIDL attribute getters captured at snapshot
// time for Headers / URL / Request / Response / … (see `captureInspectableInterfaces`).
import { safeStack } from '../events/report.ts';
import {
  ArrayBufferPrototypeGetByteLength, ArrayIsArray, ArrayPrototypeJoin, ArrayPrototypePop, ArrayPrototypePush,
  DatePrototypeGetTime, DatePrototypeToISOString, FunctionPrototypeCall, FunctionPrototypeToString,
  MapIteratorPrototypeNext, MapPrototypeEntries, MapPrototypeGetSize, MathFloor, MathMax, MathMin,
  NumberIsNaN, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ObjectHasOwn, ObjectPrototypeIsPrototypeOf,
  ReflectGetOwnPropertyDescriptor, ReflectOwnKeys, SetIteratorPrototypeNext, SetPrototypeGetSize,
  SetPrototypeValues, StringPrototypeCharCodeAt, StringPrototypeIndexOf, StringPrototypePadEnd,
  StringPrototypePadStart, StringPrototypeRepeat, StringPrototypeReplaceAll, StringPrototypeSlice,
  SymbolPrototypeToString, TypedArrayPrototypeGetLength, TypedArrayPrototypeGetSymbolToStringTag, WeakMap,
  WeakMapPrototypeGet, WeakMapPrototypeHas, WeakMapPrototypeSet, WeakSetPrototypeHas, globalThisRef,
  isArrayBuffer, isDataView, uncurryThis, DataViewPrototypeGetBuffer, DataViewPrototypeGetByteLength,
  DataViewPrototypeGetByteOffset, Uint8Array, Error, MathRound,
} from '../intrinsics.ts';

// ---- captures of our own (module load = snapshot time, before any tenant code) ----

const MathSqrt = Math.sqrt;
const getterOf = (proto: object, key: PropertyKey) => {
  const d = ObjectGetOwnPropertyDescriptor(proto, key);
  return d && d.get ? uncurryThis(d.get as (this: unknown) => unknown) : undefined;
};
const NumberValueOf = uncurryThis(Number.prototype.valueOf) as (v: unknown) => number;
const StringValueOf = uncurryThis(String.prototype.valueOf) as (v: unknown) => string;
const BooleanValueOf = uncurryThis(Boolean.prototype.valueOf) as (v: unknown) => boolean;
const SymbolValueOf = uncurryThis(Symbol.prototype.valueOf) as (v: unknown) => symbol;
const BigIntValueOf = uncurryThis(BigInt.prototype.valueOf) as (v: unknown) => bigint;
const RegExpSource = getterOf(RegExp.prototype, 'source')! as (v: unknown) => string;
const RegExpFlags = getterOf(RegExp.prototype, 'flags')! as (v: unknown) => string;
// V8 gives every error the same native `stack` accessor; only that one is safe to call.
const nativeStackGetter = ObjectGetOwnPropertyDescriptor(new Error(), 'stack')?.get;
// `Error.isError` is installed on each context after the snapshot is deserialized: captured at boot.
let ErrorIsError: ((v: unknown) => boolean) | undefined;

/** Per-isolate boot (before tenant code): captures built-ins V8 adds only after deserialization. */
export function captureLateIntrinsics(): void {
  const d = ObjectGetOwnPropertyDescriptor(Error, 'isError');
  if (typeof d?.value === 'function') ErrorIsError = d.value as (v: unknown) => boolean;
}
const FunctionPrototype = Function.prototype;
const AsyncFunctionPrototype = ObjectGetPrototypeOf(async function () {});
const GeneratorFunctionPrototype = ObjectGetPrototypeOf(function* () {});
const AsyncGeneratorFunctionPrototype = ObjectGetPrototypeOf(async function* () {});
// Built-in prototypes by name: an instance is named after them even when a tenant has turned their
// `constructor` into an accessor (which inspection does not call).
const builtinPrototypeNames = new WeakMap<object, string>();
{
  const ctors = [
    Object, Function, Array, Number, Boolean, String, Symbol, BigInt, Date, RegExp, Promise, Map, Set, WeakMap,
    WeakSet, WeakRef, ArrayBuffer, DataView, Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError,
    URIError, AggregateError, Uint8Array, Int8Array, Uint8ClampedArray, Uint16Array, Int16Array, Uint32Array,
    Int32Array, Float32Array, Float64Array, BigUint64Array, BigInt64Array,
  ];
  for (let i = 0; i < ctors.length; i++) WeakMapPrototypeSet(builtinPrototypeNames, ctors[i]!.prototype, ctors[i]!.name);
}
// Prototypes whose `toString` is the built-in one (for `%s`).
const builtinToStringOwners: object[] = [
  Object.prototype, Array.prototype, Error.prototype, Date.prototype, RegExp.prototype, FunctionPrototype,
  Number.prototype, Boolean.prototype, Symbol.prototype, BigInt.prototype,
];

const kMaxArrayLength = 100;
const kMaxStringLength = 10_000;
const kMaxObjectKeys = 1_000;
const kMaxBufferBytes = 50;
const kBreakLength = 80;
const kCompact = 3;
/** Nesting is never followed deeper than this, whatever `depth` says. */
const kMaxNesting = 500;
/**
 * Work budget of one inspection, in characters produced (nested output counts once per level).
 * Past it, remaining values print as `[…]`: a huge or deep graph costs bounded time and memory.
 */
const kWorkBudget = 8 << 20;

export interface InspectOptions {
  /** Nesting depth to show (default 2); `Infinity` for all. */
  depth?: number;
  /** Also show non-enumerable own properties. */
  showHidden?: boolean;
}

interface Ctx {
  depth: number;
  showHidden: boolean;
  seen: object[];
  indentationLvl: number;
  currentDepth: number;
  work: number;
}

// ---- runtime interfaces (Headers, URL, Request, …): shown through their own attribute getters ----

interface InterfaceInfo {
  name: string;
  /** [name, getter] for each WebIDL attribute of the prototype, in definition order. */
  getters: [string, (self: unknown) => unknown][];
  /** The interface's own `forEach` (Headers, URLSearchParams, FormData), captured. */
  forEach: ((self: unknown, cb: (v: unknown, k: unknown) => void) => void) | undefined;
  arrows: boolean;
}
const interfaces = new WeakMap<object, InterfaceInfo>();
const INSPECTABLE_INTERFACES = [
  'URL', 'URLSearchParams', 'URLPattern', 'Headers', 'Request', 'Response', 'Blob', 'File', 'FormData',
  'AbortController', 'AbortSignal', 'Event', 'EventTarget', 'CustomEvent', 'ErrorEvent', 'MessageEvent',
  'PromiseRejectionEvent', 'MessageChannel', 'MessagePort', 'TextEncoder', 'TextDecoder', 'TextEncoderStream',
  'TextDecoderStream', 'ReadableStream', 'WritableStream', 'TransformStream', 'ReadableStreamDefaultReader',
  'ReadableStreamBYOBReader', 'WritableStreamDefaultWriter', 'ByteLengthQueuingStrategy', 'CountQueuingStrategy',
  'CompressionStream', 'DecompressionStream', 'CryptoKey', 'Crypto', 'SubtleCrypto', 'Performance',
  'PerformanceEntry', 'PerformanceMark', 'PerformanceMeasure', 'Navigator',
];

/**
 * Records the attribute getters of the runtime's Web API classes present on the global right now.
 * Called at snapshot time (after the areas that define them are installed), never at request time,
 * so tenant replacements of those getters are never invoked by inspection. Idempotent.
 */
export function captureInspectableInterfaces(): void {
  for (let i = 0; i < INSPECTABLE_INTERFACES.length; i++) {
    const name = INSPECTABLE_INTERFACES[i]!;
    const d = ObjectGetOwnPropertyDescriptor(globalThisRef, name);
    const ctor = d?.value as { prototype?: unknown } | undefined;
    if (typeof ctor !== 'function') continue;
    const protoDesc = ObjectGetOwnPropertyDescriptor(ctor, 'prototype');
    const proto = protoDesc?.value as object | undefined;
    if (typeof proto !== 'object' || proto === null || WeakMapPrototypeHas(interfaces, proto)) continue;
    const getters: [string, (self: unknown) => unknown][] = [];
    // Attributes of the interface and its inherited interfaces (Event → CustomEvent, Blob → File…).
    const chain: object[] = [];
    for (let p: object | null = proto; p !== null && p !== Object.prototype; p = ObjectGetPrototypeOf(p)) {
      ArrayPrototypePush(chain, p);
    }
    for (let c = chain.length - 1; c >= 0; c--) {
      const keys = ReflectOwnKeys(chain[c]!);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (typeof key !== 'string') continue;
        const kd = ObjectGetOwnPropertyDescriptor(chain[c]!, key)!;
        if (kd.get !== undefined) ArrayPrototypePush(getters, [key, uncurryThis(kd.get as (this: unknown) => unknown)]);
      }
    }
    const fe = ObjectGetOwnPropertyDescriptor(proto, 'forEach');
    const forEach = typeof fe?.value === 'function'
      ? uncurryThis(fe.value as (this: unknown, cb: (v: unknown, k: unknown) => void) => void)
      : undefined;
    if (getters.length === 0 && forEach === undefined) continue;
    WeakMapPrototypeSet(interfaces, proto, { name, getters, forEach, arrows: name === 'URLSearchParams' });
  }
}

// ---- primitives ----

function isIdentifier(key: string): boolean {
  if (key.length === 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = StringPrototypeCharCodeAt(key, i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

const hex = '0123456789abcdef';
function escapeChar(c: number): string {
  switch (c) {
    case 8: return '\\b';
    case 9: return '\\t';
    case 10: return '\\n';
    case 12: return '\\f';
    case 13: return '\\r';
    case 92: return '\\\\';
  }
  if (c < 0x100) return '\\x' + hex[c >> 4]! + hex[c & 15]!;
  return '\\u' + hex[(c >> 12) & 15]! + hex[(c >> 8) & 15]! + hex[(c >> 4) & 15]! + hex[c & 15]!;
}

/** A string as a quoted literal: single quotes unless the text contains them, escapes as needed. */
export function quoteString(s: string): string {
  let quote = 39; // '
  if (StringPrototypeIndexOf(s, "'") !== -1) {
    if (StringPrototypeIndexOf(s, '"') === -1) quote = 34;
    else if (StringPrototypeIndexOf(s, '`') === -1 && StringPrototypeIndexOf(s, '${') === -1) quote = 96;
  }
  let truncated = 0;
  if (s.length > kMaxStringLength) {
    truncated = s.length - kMaxStringLength;
    s = StringPrototypeSlice(s, 0, kMaxStringLength);
  }
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = StringPrototypeCharCodeAt(s, i);
    let esc: string | undefined;
    if (c === quote || c === 92 || c < 32 || c === 127) {
      esc = c === quote ? '\\' + s[i]! : escapeChar(c);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // Lone surrogates are escaped; well-formed pairs pass through.
      const next = i + 1 < s.length ? StringPrototypeCharCodeAt(s, i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      esc = escapeChar(c);
    }
    if (esc !== undefined) {
      out += StringPrototypeSlice(s, last, i) + esc;
      last = i + 1;
    }
  }
  const q = quote === 39 ? "'" : quote === 34 ? '"' : '`';
  out = q + out + StringPrototypeSlice(s, last) + q;
  if (truncated > 0) out += `... ${truncated} more character${truncated > 1 ? 's' : ''}`;
  return out;
}

function formatNumber(n: number): string {
  if (n === 0 && 1 / n < 0) return '-0';
  return '' + n;
}

/** A primitive as it appears nested in inspected output (strings quoted). */
export function formatPrimitive(v: unknown): string {
  switch (typeof v) {
    case 'string': return quoteString(v);
    case 'number': return formatNumber(v);
    case 'bigint': return '' + v + 'n';
    case 'boolean': return v ? 'true' : 'false';
    case 'undefined': return 'undefined';
    case 'symbol': return SymbolPrototypeToString(v);
    default: return 'null';
  }
}

function formatKey(key: string | symbol, enumerable: boolean): string {
  const name = typeof key === 'symbol' ? '[' + SymbolPrototypeToString(key) + ']' : isIdentifier(key) ? key : quoteString(key);
  return enumerable ? name : (typeof key === 'symbol' ? name : '[' + name + ']');
}

// ---- property access without getters ----

/** Own data value of `obj[key]`, or undefined if absent or an accessor. */
function ownData(obj: object, key: PropertyKey): unknown {
  const d = ReflectGetOwnPropertyDescriptor(obj, key);
  return d !== undefined && ObjectHasOwn(d, 'value') ? d.value : undefined;
}

/** `obj[key]` looked up along the prototype chain, data properties only. */
function dataProperty(obj: object, key: PropertyKey): unknown {
  let p: object | null = obj;
  for (let n = 0; p !== null && n < 1000; n++) {
    const d = ReflectGetOwnPropertyDescriptor(p, key);
    if (d !== undefined) return ObjectHasOwn(d, 'value') ? d.value : undefined;
    p = ObjectGetPrototypeOf(p);
  }
  return undefined;
}

function functionName(fn: unknown): string {
  if (typeof fn !== 'function') return '';
  const name = ownData(fn, 'name');
  return typeof name === 'string' ? name : '';
}

/** The constructor name along the prototype chain (null for a null-prototype object). */
function constructorName(obj: object): string | null {
  let p: object | null = obj;
  for (let n = 0; p !== null && n < 1000; n++) {
    if (p !== obj) {
      const builtin = WeakMapPrototypeGet(builtinPrototypeNames, p);
      if (builtin !== undefined) return builtin;
    }
    const ctor = ownData(p, 'constructor');
    if (typeof ctor === 'function') {
      const name = functionName(ctor);
      const proto = ownData(ctor, 'prototype');
      if (name !== '' && (typeof proto === 'object' || typeof proto === 'function') && proto !== null &&
        ObjectPrototypeIsPrototypeOf(proto, obj)) return name;
    }
    p = ObjectGetPrototypeOf(p);
  }
  return null;
}

function toStringTag(obj: object, ctor: string | null): string {
  const tag = dataProperty(obj, Symbol.toStringTag);
  return typeof tag === 'string' && tag !== '' && tag !== ctor ? tag : '';
}

function prefixFor(ctor: string | null, tag: string, fallback: string, size = ''): string {
  if (ctor === null) {
    return tag !== '' && fallback !== tag ? `[${fallback}${size}: null prototype] [${tag}] ` : `[${fallback}${size}: null prototype] `;
  }
  return tag !== '' && ctor !== tag ? `${ctor}${size} [${tag}] ` : `${ctor}${size} `;
}

// ---- brands ----

function tryBrand(check: (v: unknown) => unknown, v: unknown): boolean {
  try {
    check(v);
    return true;
  } catch {
    return false;
  }
}
const isMap = (v: object) => tryBrand(MapPrototypeGetSize as (v: unknown) => unknown, v);
const isSet = (v: object) => tryBrand(SetPrototypeGetSize as (v: unknown) => unknown, v);
const isWeakMap = (v: object) => tryBrand((x) => WeakMapPrototypeHas(x as WeakMap<object, unknown>, v), v);
const isWeakSet = (v: object) => tryBrand((x) => WeakSetPrototypeHas(x as WeakSet<object>, v), v);
const isDate = (v: object) => tryBrand(DatePrototypeGetTime as (v: unknown) => unknown, v);
const isRegExp = (v: object) => v !== RegExp.prototype && tryBrand(RegExpSource, v);
function isError(v: object): boolean {
  if (ErrorIsError !== undefined) return ErrorIsError(v);
  // Without Error.isError (prepare time): V8's own `stack` accessor marks errors.
  const d = ReflectGetOwnPropertyDescriptor(v, 'stack');
  return d !== undefined && d.get !== undefined && d.get === nativeStackGetter;
}

function boxedPrimitive(v: object): [string, unknown] | undefined {
  try { return ['Number', NumberValueOf(v)]; } catch {}
  try { return ['String', StringValueOf(v)]; } catch {}
  try { return ['Boolean', BooleanValueOf(v)]; } catch {}
  try { return ['Symbol', SymbolValueOf(v)]; } catch {}
  try { return ['BigInt', BigIntValueOf(v)]; } catch {}
  return undefined;
}

// ---- entry point ----

/** Formats any value; never throws. */
export function inspect(value: unknown, options?: InspectOptions): string {
  const depth = options?.depth;
  const ctx: Ctx = {
    depth: typeof depth === 'number' && !NumberIsNaN(depth) ? depth : 2,
    showHidden: options?.showHidden === true,
    seen: [],
    indentationLvl: 0,
    currentDepth: 0,
    work: 0,
  };
  try {
    return formatValue(ctx, value, 0);
  } catch {
    return '[Uninspectable]';
  }
}

function formatValue(ctx: Ctx, value: unknown, recurseTimes: number): string {
  if (typeof value !== 'object' && typeof value !== 'function') return formatPrimitive(value);
  if (value === null) return 'null';
  if (ctx.work > kWorkBudget) return '[…]';
  const seen = ctx.seen;
  for (let i = 0; i < seen.length; i++) if (seen[i] === value) return '[Circular]';
  const savedIndent = ctx.indentationLvl;
  const savedSeen = seen.length;
  try {
    const out = formatRaw(ctx, value, recurseTimes);
    ctx.work += out.length;
    return out;
  } catch {
    ctx.indentationLvl = savedIndent;
    seen.length = savedSeen;
    return '[Uninspectable]';
  }
}

type Formatter = (ctx: Ctx, value: any, recurseTimes: number, output: string[]) => void;
const kObject = 0;
const kArray = 1;

function formatRaw(ctx: Ctx, value: object, recurseTimes: number): string {
  const ctor = constructorName(value);
  const tag = toStringTag(value, ctor);
  let base = '';
  let braces: [string, string] = ['{', '}'];
  let formatter: Formatter | undefined;
  let extrasType = kObject;
  let keys: (string | symbol)[];
  let iface: InterfaceInfo | undefined;
  let numericEntries = true;

  if (ArrayIsArray(value)) {
    const length = ownData(value, 'length') as number;
    const prefix = ctor !== 'Array' || tag !== '' ? prefixFor(ctor, tag, 'Array', `(${length})`) : '';
    keys = ownKeys(ctx, value, true);
    braces = [prefix + '[', ']'];
    extrasType = kArray;
    if (length === 0 && keys.length === 0) return braces[0] + ']';
    formatter = (c, v, r, out) => { numericEntries = formatArray(c, v, r, out, length); };
  } else if (TypedArrayPrototypeGetSymbolToStringTag(value) !== undefined) {
    const kind = TypedArrayPrototypeGetSymbolToStringTag(value)!;
    const length = TypedArrayPrototypeGetLength(value as Uint8Array);
    keys = ownKeys(ctx, value, true);
    braces = [prefixFor(ctor, ctor === kind ? '' : tag, kind, `(${length})`) + '[', ']'];
    extrasType = kArray;
    if (length === 0 && keys.length === 0) return braces[0] + ']';
    formatter = (c, v, r, out) => formatTypedArray(v, length, out);
  } else if (isMap(value)) {
    const size = MapPrototypeGetSize(value as Map<unknown, unknown>);
    keys = ownKeys(ctx, value, false);
    braces = [prefixFor(ctor, tag, 'Map', `(${size})`) + '{', '}'];
    if (size === 0 && keys.length === 0) return braces[0] + '}';
    formatter = formatMap;
  } else if (isSet(value)) {
    const size = SetPrototypeGetSize(value as Set<unknown>);
    keys = ownKeys(ctx, value, false);
    braces = [prefixFor(ctor, tag, 'Set', `(${size})`) + '{', '}'];
    if (size === 0 && keys.length === 0) return braces[0] + '}';
    formatter = formatSet;
  } else if (typeof value === 'function') {
    base = functionBase(value, ctor, tag);
    keys = ownKeys(ctx, value, false);
    if (keys.length === 0) return base;
  } else if (isError(value)) {
    base = formatError(ctx, value);
    keys = ownKeys(ctx, value, false);
    // `cause` and AggregateError's `errors` are own but non-enumerable; show them anyway.
    if (!ctx.showHidden) {
      const c = ReflectGetOwnPropertyDescriptor(value, 'cause');
      if (c !== undefined && !c.enumerable) ArrayPrototypePush(keys, 'cause');
      const e = ReflectGetOwnPropertyDescriptor(value, 'errors');
      if (e !== undefined && !e.enumerable && ArrayIsArray(ownData(value, 'errors'))) ArrayPrototypePush(keys, 'errors');
    }
    removeKey(keys, 'stack');
    removeKey(keys, 'message');
    if (keys.length === 0) return base;
  } else if (isDate(value)) {
    const t = DatePrototypeGetTime(value as Date);
    base = NumberIsNaN(t) ? 'Invalid Date' : DatePrototypeToISOString(value as Date);
    if (ctor !== 'Date') base = prefixFor(ctor, tag, 'Date') + base;
    keys = ownKeys(ctx, value, false);
    if (keys.length === 0) return base;
  } else if (isRegExp(value)) {
    base = '/' + RegExpSource(value) + '/' + RegExpFlags(value);
    if (ctor !== 'RegExp') base = prefixFor(ctor, tag, 'RegExp') + base;
    keys = ownKeys(ctx, value, false);
    removeKey(keys, 'lastIndex');
    if (keys.length === 0) return base;
  } else if (isArrayBuffer(value)) {
    keys = ownKeys(ctx, value, false);
    braces = [prefixFor(ctor, tag, 'ArrayBuffer') + '{', '}'];
    formatter = formatArrayBuffer;
  } else if (isDataView(value)) {
    keys = ownKeys(ctx, value, false);
    braces = [prefixFor(ctor, tag, 'DataView') + '{', '}'];
    formatter = formatDataView;
  } else if (isWeakMap(value) || isWeakSet(value)) {
    return prefixFor(ctor, tag, isWeakMap(value) ? 'WeakMap' : 'WeakSet') + '{ <items unknown> }';
  } else {
    const boxed = boxedPrimitive(value);
    keys = ownKeys(ctx, value, false);
    if (boxed !== undefined) {
      const [type, prim] = boxed;
      if (type === 'String') {
        // Drop the string's index keys and its length.
        const n = (prim as string).length;
        const rest: (string | symbol)[] = [];
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          if (typeof k === 'string' && (k === 'length' || isIndexBelow(k, n))) continue;
          ArrayPrototypePush(rest, k);
        }
        keys = rest;
      }
      base = '[' + type + (ctor === null ? ' (null prototype)' : ctor !== type ? ` (${ctor})` : '') + ': ' + formatPrimitive(prim) + ']';
      if (tag !== '' && tag !== ctor) base += ` [${tag}]`;
      if (keys.length === 0) return base;
    } else {
      const proto = ObjectGetPrototypeOf(value);
      iface = proto !== null ? WeakMapPrototypeGet(interfaces, proto) : undefined;
      if (iface !== undefined && !probeInterface(iface, value)) iface = undefined;
      if (iface !== undefined) {
        // The interface's global name: classes may carry a bundler-renamed `name`.
        braces = [iface.name + ' {', '}'];
        formatter = (c, v, r, out) => formatInterface(c, v, r, out, iface!);
      } else {
        braces = [prefixFor(ctor, tag, 'Object') === 'Object ' ? '{' : prefixFor(ctor, tag, 'Object') + '{', '}'];
        if (keys.length === 0) return braces[0] + '}';
      }
    }
  }

  if (recurseTimes > ctx.depth || recurseTimes > kMaxNesting) {
    if (base !== '') {
      const nl = StringPrototypeIndexOf(base, '\n');
      return nl === -1 ? base : '[' + StringPrototypeSlice(base, 0, nl) + ']';
    }
    const name = ctor === null ? `${tag || 'Object'}: null prototype` : (tag !== '' && ctor !== tag ? `${ctor} [${tag}]` : ctor);
    return '[' + (iface?.name ?? (ArrayIsArray(value) ? (ctor === 'Array' ? 'Array' : name) : name)) + ']';
  }

  ctx.seen[ctx.seen.length] = value;
  ctx.currentDepth = recurseTimes;
  const output: string[] = [];
  if (formatter !== undefined) formatter(ctx, value, recurseTimes, output);
  const limit = MathMin(keys.length, kMaxObjectKeys);
  for (let i = 0; i < limit; i++) {
    ArrayPrototypePush(output, formatProperty(ctx, value, recurseTimes, keys[i]!, kObject));
  }
  if (keys.length > limit) ArrayPrototypePush(output, `... ${keys.length - limit} more propert${keys.length - limit > 1 ? 'ies' : 'y'}`);
  ArrayPrototypePop(ctx.seen);

  if (output.length === 0) return base !== '' ? base : braces[0] + braces[1];
  return reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, numericEntries);
}

function removeKey(keys: (string | symbol)[], key: string): void {
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === key) {
      for (let j = i; j < keys.length - 1; j++) keys[j] = keys[j + 1]!;
      keys.length--;
      return;
    }
  }
}

/** "0" … "n-1"? (canonical array index below n) */
function isIndexBelow(k: string, n: number): boolean {
  if (k.length === 0 || k.length > 16) return false;
  let v = 0;
  for (let i = 0; i < k.length; i++) {
    const c = StringPrototypeCharCodeAt(k, i);
    if (c < 48 || c > 57 || (i === 0 && c === 48 && k.length > 1)) return false;
    v = v * 10 + (c - 48);
  }
  return v < n;
}

/** Own keys to list: enumerable ones (all with showHidden), without array indices for array-likes. */
function ownKeys(ctx: Ctx, obj: object, skipIndices: boolean): (string | symbol)[] {
  const all = ReflectOwnKeys(obj);
  const out: (string | symbol)[] = [];
  // Integer keys come first in [[OwnPropertyKeys]] order: skip them in one pass for array-likes.
  for (let i = 0; i < all.length; i++) {
    const k = all[i]!;
    if (skipIndices && typeof k === 'string' && isIndexBelow(k, 4294967295)) continue;
    if (skipIndices && k === 'length') continue;
    if (!ctx.showHidden) {
      const d = ReflectGetOwnPropertyDescriptor(obj, k);
      if (d === undefined || !d.enumerable) continue;
    }
    out[out.length] = k;
  }
  return out;
}

function formatProperty(ctx: Ctx, obj: object, recurseTimes: number, key: string | symbol, type: number): string {
  const desc = ReflectGetOwnPropertyDescriptor(obj, key);
  let str: string;
  if (desc === undefined) {
    str = 'undefined';
  } else if (ObjectHasOwn(desc, 'value')) {
    ctx.indentationLvl += 2;
    str = formatValue(ctx, desc.value, recurseTimes + 1);
    ctx.indentationLvl -= 2;
  } else if (desc.get !== undefined) {
    str = desc.set !== undefined ? '[Getter/Setter]' : '[Getter]';
  } else {
    str = desc.set !== undefined ? '[Setter]' : 'undefined';
  }
  if (type === kArray) return str;
  const enumerable = desc === undefined || desc.enumerable === true;
  // Error `cause` / `errors` are shown as [cause] even though they are not enumerable.
  return formatKey(key, enumerable) + ': ' + str;
}

// ---- containers ----

function formatArray(ctx: Ctx, arr: unknown[], recurseTimes: number, output: string[], length: number): boolean {
  let numeric = true;
  let i = 0;
  let indexKeys: number[] | undefined;
  let cursor = 0;
  while (i < length && output.length < kMaxArrayLength) {
    const d = ReflectGetOwnPropertyDescriptor(arr, i);
    if (d !== undefined) {
      if (ObjectHasOwn(d, 'value')) {
        const v = d.value;
        if (typeof v !== 'number' && typeof v !== 'bigint') numeric = false;
        ctx.indentationLvl += 2;
        ArrayPrototypePush(output, formatValue(ctx, v, recurseTimes + 1));
        ctx.indentationLvl -= 2;
      } else {
        numeric = false;
        ArrayPrototypePush(output, d.get !== undefined ? (d.set !== undefined ? '[Getter/Setter]' : '[Getter]') : '[Setter]');
      }
      i++;
      continue;
    }
    // A hole: find the next present index without walking every missing one (sparse arrays).
    numeric = false;
    if (indexKeys === undefined) {
      indexKeys = [];
      const all = ReflectOwnKeys(arr);
      for (let k = 0; k < all.length; k++) {
        const key = all[k]!;
        if (typeof key === 'string' && isIndexBelow(key, length)) ArrayPrototypePush(indexKeys, +key);
      }
    }
    while (cursor < indexKeys.length && indexKeys[cursor]! <= i) cursor++;
    const next = cursor < indexKeys.length ? indexKeys[cursor]! : length;
    const holes = next - i;
    ArrayPrototypePush(output, `<${holes} empty item${holes > 1 ? 's' : ''}>`);
    i = next;
  }
  if (i < length) {
    const remaining = length - i;
    ArrayPrototypePush(output, `... ${remaining} more item${remaining > 1 ? 's' : ''}`);
  }
  return numeric;
}

function formatTypedArray(arr: Uint8Array, length: number, output: string[]): void {
  const n = MathMin(length, kMaxArrayLength);
  for (let i = 0; i < n; i++) ArrayPrototypePush(output, formatPrimitive(arr[i]));
  if (length > n) ArrayPrototypePush(output, `... ${length - n} more item${length - n > 1 ? 's' : ''}`);
}

function formatSet(ctx: Ctx, set: Set<unknown>, recurseTimes: number, output: string[]): void {
  const it = SetPrototypeValues(set);
  ctx.indentationLvl += 2;
  let n = 0;
  for (;;) {
    const r = SetIteratorPrototypeNext(it);
    if (r.done) break;
    if (n++ >= kMaxArrayLength) {
      const rest = SetPrototypeGetSize(set) - kMaxArrayLength;
      ArrayPrototypePush(output, `... ${rest} more item${rest > 1 ? 's' : ''}`);
      break;
    }
    ArrayPrototypePush(output, formatValue(ctx, r.value, recurseTimes + 1));
  }
  ctx.indentationLvl -= 2;
}

function formatMap(ctx: Ctx, map: Map<unknown, unknown>, recurseTimes: number, output: string[]): void {
  const it = MapPrototypeEntries(map);
  ctx.indentationLvl += 2;
  let n = 0;
  for (;;) {
    const r = MapIteratorPrototypeNext(it) as IteratorResult<[unknown, unknown]>;
    if (r.done) break;
    if (n++ >= kMaxArrayLength) {
      const rest = MapPrototypeGetSize(map) - kMaxArrayLength;
      ArrayPrototypePush(output, `... ${rest} more item${rest > 1 ? 's' : ''}`);
      break;
    }
    const entry = r.value;
    ArrayPrototypePush(output, formatValue(ctx, entry[0], recurseTimes + 1) + ' => ' + formatValue(ctx, entry[1], recurseTimes + 1));
  }
  ctx.indentationLvl -= 2;
}

function hexBytes(bytes: Uint8Array): string {
  const length = TypedArrayPrototypeGetLength(bytes);
  const n = MathMin(length, kMaxBufferBytes);
  let s = '';
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    s += (i === 0 ? '' : ' ') + hex[b >> 4]! + hex[b & 15]!;
  }
  if (length > n) s += ` ... ${length - n} more byte${length - n > 1 ? 's' : ''}`;
  return '<' + s + '>';
}

function formatArrayBuffer(_ctx: Ctx, buf: ArrayBuffer, _r: number, output: string[]): void {
  let contents: string;
  try {
    contents = hexBytes(new Uint8Array(buf));
  } catch {
    contents = '(detached)';
  }
  ArrayPrototypePush(output, '[Uint8Contents]: ' + contents, 'byteLength: ' + ArrayBufferPrototypeGetByteLength(buf));
}

function formatDataView(ctx: Ctx, view: DataView, recurseTimes: number, output: string[]): void {
  ArrayPrototypePush(output, 'byteLength: ' + DataViewPrototypeGetByteLength(view), 'byteOffset: ' + DataViewPrototypeGetByteOffset(view));
  ctx.indentationLvl += 2;
  ArrayPrototypePush(output, 'buffer: ' + formatValue(ctx, DataViewPrototypeGetBuffer(view), recurseTimes + 1));
  ctx.indentationLvl -= 2;
}

/** Is `value` really an instance (its attribute getters accept it as `this`)? */
function probeInterface(iface: InterfaceInfo, value: object): boolean {
  try {
    if (iface.getters.length > 0) iface.getters[0]![1](value);
    else iface.forEach!(value, () => {});
    return true;
  } catch {
    return false;
  }
}

function formatInterface(ctx: Ctx, value: object, recurseTimes: number, output: string[], iface: InterfaceInfo): void {
  ctx.indentationLvl += 2;
  if (iface.forEach !== undefined) {
    let n = 0;
    iface.forEach(value, (v, k) => {
      if (n++ >= kMaxArrayLength) return;
      const key = typeof k === 'string' ? (iface.arrows ? quoteString(k) : formatKey(k, true)) : formatValue(ctx, k, recurseTimes + 1);
      ArrayPrototypePush(output, key + (iface.arrows ? ' => ' : ': ') + formatValue(ctx, v, recurseTimes + 1));
    });
    if (n > kMaxArrayLength) ArrayPrototypePush(output, `... ${n - kMaxArrayLength} more items`);
  } else {
    const getters = iface.getters;
    for (let i = 0; i < getters.length; i++) {
      const [name, get] = getters[i]!;
      let str: string;
      try {
        const v = get(value);
        if (typeof v === 'function') continue;
        str = formatValue(ctx, v, recurseTimes + 1);
      } catch {
        continue;
      }
      ArrayPrototypePush(output, formatKey(name, true) + ': ' + str);
    }
  }
  ctx.indentationLvl -= 2;
}

// ---- functions and errors ----

function functionBase(fn: Function, ctor: string | null, tag: string): string {
  let source = '';
  try {
    source = FunctionPrototypeToString(fn);
  } catch {}
  const name = functionName(fn);
  if (StringPrototypeSlice(source, 0, 6) === 'class ' || StringPrototypeSlice(source, 0, 6) === 'class{') {
    let base = '[class ' + (name || '(anonymous)');
    const superClass = ObjectGetPrototypeOf(fn);
    if (superClass !== FunctionPrototype && superClass !== null) {
      const superName = functionName(superClass);
      if (superName !== '') base += ' extends ' + superName;
    }
    return base + ']' + (tag !== '' && tag !== name ? ` [${tag}]` : '');
  }
  const proto = ObjectGetPrototypeOf(fn);
  let type = 'Function';
  if (proto === AsyncFunctionPrototype) type = 'AsyncFunction';
  else if (proto === GeneratorFunctionPrototype) type = 'GeneratorFunction';
  else if (proto === AsyncGeneratorFunctionPrototype) type = 'AsyncGeneratorFunction';
  let base = '[' + type;
  if (ctor === null) base += ' (null prototype)';
  base += name === '' ? ' (anonymous)' : ': ' + name;
  base += ']';
  if (ctor !== null && ctor !== type && ctor !== 'Function') base += ` ${ctor}`;
  if (tag !== '' && tag !== ctor) base += ` [${tag}]`;
  return base;
}

function errorStack(err: object): string | undefined {
  const d = ReflectGetOwnPropertyDescriptor(err, 'stack');
  if (d === undefined) return undefined;
  if (ObjectHasOwn(d, 'value')) return typeof d.value === 'string' ? d.value : undefined;
  if (d.get !== undefined && d.get === nativeStackGetter) {
    // The events area's reader: V8's first read formats the header through Get(err, 'name' /
    // 'message'); for a DOMException it supplies the slots instead of the prototype getters.
    return safeStack(err);
  }
  return undefined;
}

/** `Name: message` from data properties only (or the runtime's own DOMException getters). */
function errorHeader(err: object): string {
  let name = dataProperty(err, 'name');
  let message = dataProperty(err, 'message');
  const proto = ObjectGetPrototypeOf(err);
  const iface = proto !== null ? WeakMapPrototypeGet(interfaces, proto) : undefined;
  if (iface !== undefined) {
    for (let i = 0; i < iface.getters.length; i++) {
      const [k, get] = iface.getters[i]!;
      try {
        if (k === 'name') name = get(err);
        else if (k === 'message') message = get(err);
      } catch {}
    }
  }
  const n = typeof name === 'string' ? name : 'Error';
  const m = typeof message === 'string' ? message : '';
  return n === '' ? m : m === '' ? n : n + ': ' + m;
}

function formatError(ctx: Ctx, err: object): string {
  const stack = errorStack(err);
  let base: string;
  if (stack === undefined || stack === '') {
    base = '[' + errorHeader(err) + ']';
  } else {
    base = stack;
    // A prepareStackTrace that dropped the header: put it back, as `Name: message` then frames.
    const header = errorHeader(err);
    if (StringPrototypeIndexOf(base, header) === -1 && StringPrototypeSlice(base, 0, 4) === '    ') base = header + '\n' + base;
  }
  if (ctx.indentationLvl !== 0) {
    base = StringPrototypeReplaceAll(base, '\n', '\n' + StringPrototypeRepeat(' ', ctx.indentationLvl));
  }
  return base;
}

// ---- layout ----

function isBelowBreakLength(ctx: Ctx, output: string[], start: number, base: string): boolean {
  let total = output.length + start;
  if (total + output.length > kBreakLength) return false;
  for (let i = 0; i < output.length; i++) {
    total += output[i]!.length;
    if (total > kBreakLength) return false;
  }
  return base === '' || StringPrototypeIndexOf(base, '\n') === -1;
}

/** Packs many short array entries into aligned columns (numbers right-aligned). */
function groupArrayElements(ctx: Ctx, output: string[], numeric: boolean): string[] {
  let count = output.length;
  const hasMore = count > 0 && StringPrototypeSlice(output[count - 1]!, 0, 4) === '... ';
  if (hasMore) count--;
  let maxLength = 0;
  let totalLength = 0;
  for (let i = 0; i < count; i++) {
    const len = output[i]!.length;
    if (StringPrototypeIndexOf(output[i]!, '\n') !== -1) return output;
    totalLength += len + 2;
    if (len > maxLength) maxLength = len;
  }
  const cell = maxLength + 2;
  if (cell * 3 + ctx.indentationLvl >= kBreakLength || (totalLength / cell <= 5 && maxLength > 6)) return output;
  // About 2.5 times wider than high: columns² · width / count ≈ 2.5.
  const columns = MathMin(
    MathMax(MathRound(MathSqrt((2.5 * count) / MathMax(maxLength, 1))), 1),
    MathFloor((kBreakLength - ctx.indentationLvl) / cell),
    kCompact * 4 + 4,
    16,
  );
  if (columns <= 1) return output;
  const widths: number[] = [];
  for (let c = 0; c < columns; c++) {
    let w = 0;
    for (let j = c; j < count; j += columns) if (output[j]!.length > w) w = output[j]!.length;
    widths[c] = w;
  }
  const grouped: string[] = [];
  for (let i = 0; i < count; i += columns) {
    const end = MathMin(i + columns, count);
    let line = '';
    for (let j = i; j < end; j++) {
      const last = j === end - 1;
      const cellText = last ? output[j]! : output[j]! + ',';
      const width = widths[j - i]! + (last ? 0 : 1);
      if (numeric) line += StringPrototypePadStart(cellText, width, ' ');
      else line += last ? cellText : StringPrototypePadEnd(cellText, width, ' ');
      if (!last) line += ' ';
    }
    ArrayPrototypePush(grouped, line);
  }
  if (hasMore) ArrayPrototypePush(grouped, output[count]!);
  return grouped;
}

function reduceToSingleString(
  ctx: Ctx, output: string[], base: string, braces: [string, string], extrasType: number, recurseTimes: number,
  numeric: boolean,
): string {
  const entries = output.length;
  if (extrasType === kArray && entries > 6) output = groupArrayElements(ctx, output, numeric);
  // Up to `kCompact` innermost levels may share a line when short enough.
  if (ctx.currentDepth - recurseTimes < kCompact && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(ctx, output, start, base)) {
      const joined = ArrayPrototypeJoin(output, ', ');
      if (StringPrototypeIndexOf(joined, '\n') === -1) {
        return (base !== '' ? base + ' ' : '') + braces[0] + ' ' + joined + ' ' + braces[1];
      }
    }
  }
  const indentation = '\n' + StringPrototypeRepeat(' ', ctx.indentationLvl);
  return (base !== '' ? base + ' ' : '') + braces[0] + indentation + '  ' +
    ArrayPrototypeJoin(output, ',' + indentation + '  ') + indentation + braces[1];
}

// ---- helpers for the console's formatter ----

/** Does `%s` show `value` through its own (non-built-in) toString? */
export function hasUserToString(value: object): boolean {
  let p: object | null = value;
  for (let n = 0; p !== null && n < 1000; n++) {
    const d = ReflectGetOwnPropertyDescriptor(p, 'toString');
    if (d !== undefined) {
      for (let i = 0; i < builtinToStringOwners.length; i++) if (builtinToStringOwners[i] === p) return false;
      return true;
    }
    p = ObjectGetPrototypeOf(p);
  }
  return false;
}
