// Headers (https://fetch.spec.whatwg.org/#headers-class).
//
// The header list is a flat array [name, value, name, value, …] with names stored lowercased
// (every way the list is exposed lowercases names, and comparisons are case-insensitive; HTTP/2+
// needs lowercase anyway). The sorted-and-combined view used by iteration is cached until the next
// mutation.
//
// Guards. "immutable" throws on mutation; "request-no-cors" keeps only no-CORS-safelisted
// request-headers, as the spec says. Like workerd, Deno and Node (undici), Isle does NOT drop
// forbidden request-headers (Host, Content-Length, Cookie, …) for the "request" guard nor
// forbidden response-header names (Set-Cookie) for the "response" guard: a server-side runtime
// builds requests for origins and responses for clients, where those headers are the point.
import {
  ArrayPrototypeSort, StringPrototypeCharCodeAt, StringPrototypeSlice, StringPrototypeToLowerCase,
  TypeError, ArrayPrototypeSplice, Array, Symbol, SymbolIterator,
} from '../intrinsics.ts';
import {
  brandCheck, defineIterableMembers, finishInterface, forEachInRecord, forEachInSequence, getIteratorMethod, isObject,
  toByteString,
} from './idl.ts';
import { isHTTPToken, isHTTPWhitespace, mimeEssence, parseMIMEType } from './mime.ts';

export type HeadersGuard = 'immutable' | 'request' | 'request-no-cors' | 'response' | 'none';

export interface HeadersState {
  /** Flat [lowercased name, value, …]. */
  list: string[];
  guard: HeadersGuard;
  /** Sorted-and-combined flat list for iteration, or null when stale. */
  sorted: string[] | null;
}

const headersInternal: unique symbol = Symbol('Headers internal') as never;

// Set by the class's static block: the only reader of the private slot outside the class.
let getState: (h: unknown) => HeadersState | undefined;

export class Headers {
  #state: HeadersState;

  constructor(init: unknown = undefined) {
    if (init === headersInternal) {
      this.#state = pendingState!;
      pendingState = undefined;
      return;
    }
    this.#state = { list: [], guard: 'none', sorted: null };
    if (init !== undefined) fillHeaders(this.#state, init, 'Headers constructor');
  }

  append(name: unknown, value: unknown): void {
    const state = stateOf(this, 'append');
    checkArgs(arguments.length, 2, 'append');
    appendHeader(state, toByteString(name, 'Headers.append'), toByteString(value, 'Headers.append'));
  }

  delete(name: unknown): void {
    const state = stateOf(this, 'delete');
    checkArgs(arguments.length, 1, 'delete');
    const n = toByteString(name, 'Headers.delete');
    if (!isHTTPToken(n)) throw new TypeError(`Headers.delete: '${n}' is not a valid header name`);
    if (state.guard === 'immutable') throw new TypeError('Headers.delete: the headers are immutable');
    const lower = StringPrototypeToLowerCase(n);
    if (state.guard === 'request-no-cors' && !isNoCORSSafelistedName(lower) && lower !== 'range') return;
    if (!removeAll(state, lower)) return;
    if (state.guard === 'request-no-cors') removePrivilegedNoCORSHeaders(state);
  }

  get(name: unknown): string | null {
    const state = stateOf(this, 'get');
    checkArgs(arguments.length, 1, 'get');
    const n = toByteString(name, 'Headers.get');
    if (!isHTTPToken(n)) throw new TypeError(`Headers.get: '${n}' is not a valid header name`);
    return getHeader(state, StringPrototypeToLowerCase(n));
  }

  getSetCookie(): string[] {
    const state = stateOf(this, 'getSetCookie');
    const list = state.list;
    const out: string[] = [];
    let n = 0;
    for (let i = 0; i < list.length; i += 2) if (list[i] === 'set-cookie') out[n++] = list[i + 1]!;
    return out;
  }

  has(name: unknown): boolean {
    const state = stateOf(this, 'has');
    checkArgs(arguments.length, 1, 'has');
    const n = toByteString(name, 'Headers.has');
    if (!isHTTPToken(n)) throw new TypeError(`Headers.has: '${n}' is not a valid header name`);
    return indexOfHeader(state.list, StringPrototypeToLowerCase(n)) !== -1;
  }

  set(name: unknown, value: unknown): void {
    const state = stateOf(this, 'set');
    checkArgs(arguments.length, 2, 'set');
    const n = toByteString(name, 'Headers.set');
    const v = normalizeHeaderValue(toByteString(value, 'Headers.set'));
    validateHeader(state, n, v, 'Headers.set');
    const lower = StringPrototypeToLowerCase(n);
    if (state.guard === 'request-no-cors' && !isNoCORSSafelistedRequestHeader(lower, v)) return;
    setHeader(state, lower, v);
    if (state.guard === 'request-no-cors') removePrivilegedNoCORSHeaders(state);
  }

  static {
    getState = (h: unknown) => (isObject(h) && #state in h ? (h as Headers).#state : undefined);
  }
}

let pendingState: HeadersState | undefined;

const stateOf = brandCheck('Headers', (v) => getState(v), '');

function checkArgs(given: number, needed: number, member: string): void {
  if (given < needed) {
    throw new TypeError(`Headers.${member}: ${needed} argument${needed > 1 ? 's' : ''} required, but only ${given} present`);
  }
}

finishInterface(Headers, 'Headers');
defineIterableMembers(Headers, 'Headers', stateOf, sortAndCombine);

// ---------------------------------------------------------------------------------------------
// Runtime-facing helpers

/** A Headers object over `state` (no validation). */
export function createHeaders(state: HeadersState): Headers {
  pendingState = state;
  return new Headers(headersInternal);
}

export function isHeaders(v: unknown): v is Headers {
  return getState(v) !== undefined;
}

/** State of a Headers object created by the runtime (caller guarantees the brand). */
export function headersState(h: Headers): HeadersState {
  return getState(h)!;
}

/**
 * Takes a flat host-provided list (names in any case, values already valid header values) as a
 * header list. Only lowercases names; no other validation (hot path for incoming requests).
 */
export function headerListFromTrustedFlat(flat: readonly string[]): string[] {
  const n = flat.length & ~1;
  const list: string[] = new Array(n) as string[];
  for (let i = 0; i < n; i += 2) {
    list[i] = StringPrototypeToLowerCase(flat[i]!);
    list[i + 1] = flat[i + 1]!;
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// Header list algorithms

export function indexOfHeader(list: readonly string[], lowerName: string, from = 0): number {
  for (let i = from; i < list.length; i += 2) if (list[i] === lowerName) return i;
  return -1;
}

/** "get" a header: values of `lowerName` joined with ", ", or null. */
export function getHeader(state: HeadersState, lowerName: string): string | null {
  const list = state.list;
  let out: string | null = null;
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] === lowerName) out = out === null ? list[i + 1]! : `${out}, ${list[i + 1]!}`;
  }
  return out;
}

export function hasHeader(state: HeadersState, lowerName: string): boolean {
  return indexOfHeader(state.list, lowerName) !== -1;
}

function removeAll(state: HeadersState, lowerName: string): boolean {
  const list = state.list;
  let w = 0;
  for (let r = 0; r < list.length; r += 2) {
    if (list[r] !== lowerName) {
      if (w !== r) {
        list[w] = list[r]!;
        list[w + 1] = list[r + 1]!;
      }
      w += 2;
    }
  }
  if (w === list.length) return false;
  list.length = w;
  state.sorted = null;
  return true;
}

/** "set": replaces the first occurrence's value and removes the others, or appends. */
export function setHeader(state: HeadersState, lowerName: string, value: string): void {
  const list = state.list;
  const first = indexOfHeader(list, lowerName);
  state.sorted = null;
  if (first === -1) {
    const n = list.length;
    list[n] = lowerName;
    list[n + 1] = value;
    return;
  }
  list[first + 1] = value;
  let next = indexOfHeader(list, lowerName, first + 2);
  while (next !== -1) {
    ArrayPrototypeSplice(list, next, 2);
    next = indexOfHeader(list, lowerName, next);
  }
}

/** Appends without validation (runtime-produced names/values: Content-Type and the like). */
export function appendHeaderUnchecked(state: HeadersState, lowerName: string, value: string): void {
  const list = state.list;
  const n = list.length;
  list[n] = lowerName;
  list[n + 1] = value;
  state.sorted = null;
}

/** Strips leading and trailing HTTP whitespace from a header value. */
export function normalizeHeaderValue(v: string): string {
  let start = 0;
  let end = v.length;
  while (start < end && isHTTPWhitespace(StringPrototypeCharCodeAt(v, start))) start++;
  while (end > start && isHTTPWhitespace(StringPrototypeCharCodeAt(v, end - 1))) end--;
  return start === 0 && end === v.length ? v : StringPrototypeSlice(v, start, end);
}

/** Is `v` (already normalized) a header value: no NUL, CR or LF? */
export function isHeaderValue(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = StringPrototypeCharCodeAt(v, i);
    if (c === 0 || c === 0x0a || c === 0x0d) return false;
  }
  return true;
}

function validateHeader(state: HeadersState, name: string, value: string, what: string): void {
  if (!isHTTPToken(name)) throw new TypeError(`${what}: '${name}' is not a valid header name`);
  if (!isHeaderValue(value)) throw new TypeError(`${what}: the value of '${name}' is not a valid header value`);
  if (state.guard === 'immutable') throw new TypeError(`${what}: the headers are immutable`);
}

/** The "append" algorithm of the Headers class (normalizes and validates). */
export function appendHeader(state: HeadersState, name: string, value: string, what = 'Headers.append'): void {
  const v = normalizeHeaderValue(value);
  validateHeader(state, name, v, what);
  const lower = StringPrototypeToLowerCase(name);
  if (state.guard === 'request-no-cors') {
    const existing = getHeader(state, lower);
    const temporary = existing === null ? v : `${existing}, ${v}`;
    if (!isNoCORSSafelistedRequestHeader(lower, temporary)) return;
  }
  appendHeaderUnchecked(state, lower, v);
  if (state.guard === 'request-no-cors') removePrivilegedNoCORSHeaders(state);
}

/**
 * WebIDL conversion of a HeadersInit (sequence<sequence<ByteString>> or record<ByteString,
 * ByteString>) into a flat [name, value, …] list. Validation happens later, in "fill".
 */
export function convertHeadersInit(init: unknown, what: string): string[] {
  if (!isObject(init)) throw new TypeError(`${what}: the headers init is not an object`);
  const method = getIteratorMethod(init, what);
  const pairs: string[] = [];
  let n = 0;
  if (method !== undefined) {
    const otherState = getState(init);
    if (otherState !== undefined && method === defaultHeadersIterator) {
      // A Headers object with the built-in iterator: the pairs iterating it would give.
      const sorted = sortAndCombine(otherState);
      for (let i = 0; i < sorted.length; i++) pairs[i] = sorted[i]!;
      return pairs;
    }
    forEachInSequence(init, method, (pair) => {
      if (!isObject(pair)) throw new TypeError(`${what}: a header pair is not a sequence`);
      let count = 0;
      let name = '';
      let value = '';
      forEachInSequence(pair, getIteratorMethod(pair, what), (item) => {
        if (count === 0) name = toByteString(item, what);
        else if (count === 1) value = toByteString(item, what);
        count++;
      }, what);
      if (count !== 2) throw new TypeError(`${what}: a header pair must have exactly two items, not ${count}`);
      pairs[n++] = name;
      pairs[n++] = value;
    }, what);
    return pairs;
  }
  forEachInRecord(init, (key) => toByteString(key, what), (key, value) => {
    pairs[n++] = key;
    pairs[n++] = toByteString(value, what);
  });
  return pairs;
}

/** "Fill" headers from a converted HeadersInit (appends with validation and guard checks). */
export function fillHeadersFrom(state: HeadersState, pairs: readonly string[], what: string): void {
  for (let i = 0; i < pairs.length; i += 2) appendHeader(state, pairs[i]!, pairs[i + 1]!, what);
}

/** Converts and fills (the Headers constructor). */
export function fillHeaders(state: HeadersState, init: unknown, what: string): void {
  fillHeadersFrom(state, convertHeadersInit(init, what), what);
}

const defaultHeadersIterator = (Headers.prototype as unknown as Record<symbol, unknown>)[SymbolIterator];

/** "Sort and combine": names sorted, values of equal names joined, set-cookie kept apart. */
export function sortAndCombine(state: HeadersState): string[] {
  if (state.sorted !== null) return state.sorted;
  const list = state.list;
  const count = list.length >> 1;
  const order: number[] = new Array(count) as number[];
  for (let i = 0; i < count; i++) order[i] = i * 2;
  ArrayPrototypeSort(order, (a, b) => {
    const x = list[a]!;
    const y = list[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const out: string[] = [];
  let n = 0;
  for (let i = 0; i < count; i++) {
    const name = list[order[i]!]!;
    const value = list[order[i]! + 1]!;
    if (name === 'set-cookie' || n === 0 || out[n - 2] !== name) {
      out[n++] = name;
      out[n++] = value;
    } else {
      out[n - 1] = `${out[n - 1]!}, ${value}`;
    }
  }
  state.sorted = out;
  return out;
}

// ---------------------------------------------------------------------------------------------
// CORS safelisting (only the "request-no-cors" guard needs it)

function isNoCORSSafelistedName(lower: string): boolean {
  return lower === 'accept' || lower === 'accept-language' || lower === 'content-language' || lower === 'content-type';
}

function isCORSUnsafeByte(c: number): boolean {
  return (c < 0x20 && c !== 0x09) || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3a || c === 0x3c ||
    c === 0x3e || c === 0x3f || c === 0x40 || c === 0x5b || c === 0x5c || c === 0x5d || c === 0x7b ||
    c === 0x7d || c === 0x7f;
}

function hasCORSUnsafeByte(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (isCORSUnsafeByte(StringPrototypeCharCodeAt(v, i))) return true;
  return false;
}

function isNoCORSSafelistedRequestHeader(lower: string, value: string): boolean {
  if (!isNoCORSSafelistedName(lower) || value.length > 128) return false;
  if (lower === 'accept') return !hasCORSUnsafeByte(value);
  if (lower === 'content-type') {
    if (hasCORSUnsafeByte(value)) return false;
    const mime = parseMIMEType(value);
    if (mime === null) return false;
    const essence = mimeEssence(mime);
    return essence === 'application/x-www-form-urlencoded' || essence === 'multipart/form-data' || essence === 'text/plain';
  }
  // accept-language, content-language
  for (let i = 0; i < value.length; i++) {
    const c = StringPrototypeCharCodeAt(value, i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c === 0x20 || c === 0x2a || c === 0x2c || c === 0x2d || c === 0x2e || c === 0x3b || c === 0x3d;
    if (!ok) return false;
  }
  return true;
}

function removePrivilegedNoCORSHeaders(state: HeadersState): void {
  removeAll(state, 'range');
}
