// URLSearchParams (https://url.spec.whatwg.org/#interface-urlsearchparams).
import {
  ArrayIsArray, ArrayPrototypePush, ArrayPrototypeSort, FunctionPrototypeCall, Map,
  MapPrototypeGet, MapPrototypeSet, ObjectDefineProperty, ObjectGetPrototypeOf, ObjectSetPrototypeOf,
  ReflectGet, ReflectGetOwnPropertyDescriptor, ReflectOwnKeys, StringPrototypeCharCodeAt, StringPrototypeSlice,
  SymbolIterator, SymbolToStringTag, TypeError,
} from '../intrinsics.ts';
import { brandCheck, finishInterface, requireArgs, toUSVString } from './idl.ts';
import type { URLRecord } from './parser.ts';
import { parseUrlencoded, serializeUrlencoded } from './urlencoded.ts';

type Pair = [string, string];

interface State {
  list: Pair[];
  /** The URL this object is the query object of (its record is updated in place), or null. */
  url: URLRecord | null;
}

const ArrayValues = Array.prototype[Symbol.iterator];
const ArrayIteratorPrototype = ObjectGetPrototypeOf([][Symbol.iterator]()) as { next: Function };
const ArrayIteratorNext = ArrayIteratorPrototype.next;
const IteratorPrototype = ObjectGetPrototypeOf(ArrayIteratorPrototype) as object;

/** Are arrays still iterated by the built-in iterator (so an index loop is unobservably the same)? */
function isPlainArrayIteration(v: unknown, method: unknown): v is unknown[] {
  return method === ArrayValues && ArrayIsArray(v) && ArrayIteratorPrototype.next === ArrayIteratorNext;
}

/** WebIDL sequence<USVString> / sequence<sequence<USVString>> conversion through the iterator protocol. */
function iterate(obj: object, method: unknown, each: (v: unknown) => void): void {
  if (typeof method !== 'function') throw new TypeError('URLSearchParams: init is not iterable');
  if (isPlainArrayIteration(obj, method)) {
    for (let i = 0; i < obj.length; i++) each(obj[i]);
    return;
  }
  const iterator = FunctionPrototypeCall(method, obj) as unknown;
  if (typeof iterator !== 'object' || iterator === null) throw new TypeError('URLSearchParams: iterator is not an object');
  const next = (iterator as { next: unknown }).next;
  for (;;) {
    const result = FunctionPrototypeCall(next as Function, iterator) as unknown;
    if (typeof result !== 'object' || result === null) throw new TypeError('URLSearchParams: iterator result is not an object');
    if ((result as IteratorResult<unknown>).done) return;
    each((result as IteratorResult<unknown>).value);
  }
}

function pairFrom(v: unknown): Pair {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) {
    throw new TypeError("Failed to construct 'URLSearchParams': The provided value cannot be converted to a sequence.");
  }
  const items: string[] = [];
  iterate(v, (v as { [SymbolIterator]?: unknown })[SymbolIterator], (x) => { items[items.length] = toUSVString(x); });
  if (items.length !== 2) {
    throw new TypeError("Failed to construct 'URLSearchParams': Sequence initializer must only contain pair elements");
  }
  return [items[0]!, items[1]!];
}

let stateOf: (self: unknown, member: string) => State;

function update(state: State): void {
  const url = state.url;
  if (url === null) return;
  const serialized = serializeUrlencoded(state.list);
  url.query = serialized === '' ? null : serialized;
}

export class URLSearchParams {
  #state: State;

  constructor(init: unknown = '') {
    const list: Pair[] = [];
    this.#state = { list, url: null };
    if ((typeof init === 'object' && init !== null) || typeof init === 'function') {
      const method = (init as { [SymbolIterator]?: unknown })[SymbolIterator];
      const source = method === entries && IteratorProto.next === iteratorNext && #state in init ? init.#state.list : null;
      if (source !== null) {
        // Another URLSearchParams iterated by the built-in iterator: the same pairs, without
        // running the (tenant-patchable) array iterator over each pair.
        for (let i = 0; i < source.length; i++) list[i] = [source[i]![0], source[i]![1]];
      } else if (method !== undefined && method !== null) {
        iterate(init, method, (v) => { list[list.length] = pairFrom(v); });
      } else {
        // record<USVString, USVString>
        const keys = ReflectOwnKeys(init);
        const seen = new Map<string, number>();
        for (let i = 0; i < keys.length; i++) {
          const key = keys[i]!;
          const desc = ReflectGetOwnPropertyDescriptor(init, key);
          if (desc === undefined || !desc.enumerable) continue;
          const name = toUSVString(key);
          const value = toUSVString(ReflectGet(init, key));
          const at = MapPrototypeGet(seen, name);
          if (at === undefined) {
            MapPrototypeSet(seen, name, list.length);
            list[list.length] = [name, value];
          } else {
            list[at]![1] = value;
          }
        }
      }
    } else {
      let s = toUSVString(init);
      if (s.length > 0 && StringPrototypeCharCodeAt(s, 0) === 0x3f) s = StringPrototypeSlice(s, 1);
      this.#state.list = parseUrlencoded(s);
    }
  }

  get size(): number {
    return stateOf(this, 'size').list.length;
  }

  append(name: unknown, value: unknown): void {
    const state = stateOf(this, 'append');
    requireArgs(arguments.length, 2, "Failed to execute 'append' on 'URLSearchParams'");
    ArrayPrototypePush(state.list, [toUSVString(name), toUSVString(value)]);
    update(state);
  }

  delete(name: unknown, value: unknown = undefined): void {
    const state = stateOf(this, 'delete');
    requireArgs(arguments.length, 1, "Failed to execute 'delete' on 'URLSearchParams'");
    const n = toUSVString(name);
    const v = value === undefined ? undefined : toUSVString(value);
    const list = state.list;
    const kept: Pair[] = [];
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p[0] !== n || (v !== undefined && p[1] !== v)) kept[kept.length] = p;
    }
    state.list = kept;
    update(state);
  }

  get(name: unknown): string | null {
    const state = stateOf(this, 'get');
    requireArgs(arguments.length, 1, "Failed to execute 'get' on 'URLSearchParams'");
    const n = toUSVString(name);
    const list = state.list;
    for (let i = 0; i < list.length; i++) if (list[i]![0] === n) return list[i]![1];
    return null;
  }

  getAll(name: unknown): string[] {
    const state = stateOf(this, 'getAll');
    requireArgs(arguments.length, 1, "Failed to execute 'getAll' on 'URLSearchParams'");
    const n = toUSVString(name);
    const list = state.list;
    const out: string[] = [];
    for (let i = 0; i < list.length; i++) if (list[i]![0] === n) out[out.length] = list[i]![1];
    return out;
  }

  has(name: unknown, value: unknown = undefined): boolean {
    const state = stateOf(this, 'has');
    requireArgs(arguments.length, 1, "Failed to execute 'has' on 'URLSearchParams'");
    const n = toUSVString(name);
    const v = value === undefined ? undefined : toUSVString(value);
    const list = state.list;
    for (let i = 0; i < list.length; i++) {
      if (list[i]![0] === n && (v === undefined || list[i]![1] === v)) return true;
    }
    return false;
  }

  set(name: unknown, value: unknown): void {
    const state = stateOf(this, 'set');
    requireArgs(arguments.length, 2, "Failed to execute 'set' on 'URLSearchParams'");
    const n = toUSVString(name);
    const v = toUSVString(value);
    const list = state.list;
    const kept: Pair[] = [];
    let found = false;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p[0] !== n) {
        kept[kept.length] = p;
      } else if (!found) {
        found = true;
        p[1] = v;
        kept[kept.length] = p;
      }
    }
    if (!found) kept[kept.length] = [n, v];
    state.list = kept;
    update(state);
  }

  sort(): void {
    const state = stateOf(this, 'sort');
    // Array.prototype.sort is stable; `<` on strings compares code units, as the spec requires.
    ArrayPrototypeSort(state.list, compareNames);
    update(state);
  }

  forEach(callback: unknown, thisArg: unknown = undefined): void {
    const state = stateOf(this, 'forEach');
    requireArgs(arguments.length, 1, "Failed to execute 'forEach' on 'URLSearchParams'");
    if (typeof callback !== 'function') {
      throw new TypeError("Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'Function'.");
    }
    for (let i = 0; i < state.list.length; i++) {
      const p = state.list[i]!;
      FunctionPrototypeCall(callback, thisArg, p[1], p[0], this);
    }
  }

  entries(): IterableIterator<Pair> {
    stateOf(this, 'entries');
    return newIterator(this, KIND_ENTRIES) as unknown as IterableIterator<Pair>;
  }

  keys(): IterableIterator<string> {
    stateOf(this, 'keys');
    return newIterator(this, KIND_KEYS) as unknown as IterableIterator<string>;
  }

  values(): IterableIterator<string> {
    stateOf(this, 'values');
    return newIterator(this, KIND_VALUES) as unknown as IterableIterator<string>;
  }

  toString(): string {
    return serializeUrlencoded(stateOf(this, 'toString').list);
  }

  declare [Symbol.iterator]: () => IterableIterator<Pair>;

  static {
    stateOf = brandCheck('URLSearchParams', (v) =>
      (typeof v === 'object' && v !== null && #state in v ? (v as URLSearchParams).#state : undefined), '');
  }
}

function compareNames(a: Pair, b: Pair): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

finishInterface(URLSearchParams, 'URLSearchParams');
const entries = URLSearchParams.prototype.entries;
ObjectDefineProperty(URLSearchParams.prototype, SymbolIterator, {
  value: entries, writable: true, enumerable: false, configurable: true,
});

// The "URLSearchParams Iterator" (WebIDL default iterator objects).
const KIND_ENTRIES = 0;
const KIND_KEYS = 1;
const KIND_VALUES = 2;

class URLSearchParamsIterator {
  #target: URLSearchParams;
  #kind: number;
  #index = 0;
  constructor(target: URLSearchParams, kind: number) {
    this.#target = target;
    this.#kind = kind;
  }
  next(): IteratorResult<unknown> {
    if (typeof this !== 'object' || this === null || !(#target in this)) {
      throw new TypeError('Illegal invocation: next called on an object that is not a URLSearchParams Iterator');
    }
    const list = stateOf(this.#target, 'next').list;
    const i = this.#index;
    if (i >= list.length) return { value: undefined, done: true };
    this.#index = i + 1;
    const p = list[i]!;
    const kind = this.#kind;
    return { value: kind === KIND_KEYS ? p[0] : kind === KIND_VALUES ? p[1] : [p[0], p[1]], done: false };
  }
}
const IteratorProto = URLSearchParamsIterator.prototype;
delete (IteratorProto as { constructor?: unknown }).constructor;
ObjectSetPrototypeOf(IteratorProto, IteratorPrototype);
ObjectDefineProperty(IteratorProto, 'next', { enumerable: true });
const iteratorNext = IteratorProto.next;
ObjectDefineProperty(IteratorProto, SymbolToStringTag, {
  value: 'URLSearchParams Iterator', writable: false, enumerable: false, configurable: true,
});

function newIterator(target: URLSearchParams, kind: number): URLSearchParamsIterator {
  return new URLSearchParamsIterator(target, kind);
}

/** The query object of a URL: its list mirrors the record's query and its changes write it back. */
export function newSearchParamsForURL(url: URLRecord): URLSearchParams {
  const params = new URLSearchParams();
  const state = stateOf(params, '');
  state.url = url;
  state.list = url.query === null ? [] : parseUrlencoded(url.query);
  return params;
}

/** Replaces the list (URL's href and search setters). */
export function setSearchParamsList(params: URLSearchParams, list: Pair[]): void {
  stateOf(params, '').list = list;
}
