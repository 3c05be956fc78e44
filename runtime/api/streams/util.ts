// Shared machinery of the Streams Standard (https://streams.spec.whatwg.org/): promise helpers,
// queues, queue-with-sizes, ArrayBuffer transfer, strategy extraction and callback invocation.
// Everything here is tamper-proof: captured intrinsics only, no iteration protocols.
import {
  ArrayBuffer, ArrayBufferPrototypeGetByteLength, ArrayBufferPrototypeGetDetached, ArrayBufferPrototypeSlice,
  ArrayBufferPrototypeTransfer, DataView, DataViewPrototypeGetBuffer, DataViewPrototypeGetByteLength,
  DataViewPrototypeGetByteOffset, Float32Array, Float64Array, Int16Array, Int32Array, Int8Array, BigInt64Array,
  BigUint64Array, NumberIsNaN, Promise, PromisePrototypeThen, PromiseReject, PromiseResolve, RangeError,
  ReflectApply, TypeError, TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset, TypedArrayPrototypeGetLength, TypedArrayPrototypeGetSymbolToStringTag,
  Uint16Array, Uint32Array, Uint8Array, Uint8ClampedArray, isDataView, Number, globalThisRef,
  ObjectGetOwnPropertyDescriptor, uncurryThis, TypedArrayPrototypeSet,
} from '../intrinsics.ts';
import { dictionary, toFunction } from './idl.ts';

// ---------------------------------------------------------------------------------------------
// Promises

/** A promise with its resolving functions and whether it is still pending. */
export interface Deferred<T = unknown> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
  pending: boolean;
}

export function newDeferred<T = unknown>(): Deferred<T> {
  let res!: (v: T) => void;
  let rej!: (e: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    res = resolve;
    rej = reject;
  });
  const d: Deferred<T> = {
    promise,
    pending: true,
    resolve(v: T) {
      if (!d.pending) return;
      d.pending = false;
      res(v);
    },
    reject(e: unknown) {
      if (!d.pending) return;
      d.pending = false;
      rej(e);
    },
  };
  return d;
}

/** A settled deferred (resolved with undefined). */
export function resolvedDeferred(): Deferred<undefined> {
  const d = newDeferred<undefined>();
  d.resolve(undefined);
  return d;
}

/** A settled deferred rejected with `e`, marked as handled. */
export function rejectedDeferred(e: unknown): Deferred<undefined> {
  const d = newDeferred<undefined>();
  d.reject(e);
  setHandled(d.promise);
  return d;
}

const noop = () => {};

export function setHandled(p: Promise<unknown>): void {
  PromisePrototypeThen(p, undefined, noop);
}

export const resolvedWith = <T>(v: T): Promise<T> => PromiseResolve(v);
export const rejectedWith = <T = never>(e: unknown): Promise<T> => PromiseReject(e);
export const resolvedUndefined = (): Promise<undefined> => PromiseResolve(undefined);

/**
 * "Upon fulfillment / rejection" and "react": reaction results are discarded (so no returned
 * promise is ever adopted through a patchable `then`) and never surface as unhandled rejections.
 */
export function react<T>(p: Promise<T>, onFulfilled?: ((v: T) => unknown) | null, onRejected?: ((e: any) => unknown) | null): void {
  PromisePrototypeThen(
    p,
    onFulfilled ? (v: T) => {
      onFulfilled(v);
    } : undefined,
    onRejected ? (e: unknown) => {
      onRejected(e);
    } : noop,
  );
}

/**
 * Resolves `d` with `v`; a native promise is adopted through the captured `then`, so that a
 * tenant's Promise.prototype.then is never consulted for the runtime's own promise chains.
 */
export function adopt<T>(d: Deferred<T>, v: unknown): void {
  if (typeof v === 'object' && v !== null) {
    try {
      // Throws (without side effects) unless `v` is a real promise.
      PromisePrototypeThen(v as Promise<T>, d.resolve, d.reject);
      return;
    } catch {}
  }
  d.resolve(v as T);
}

function settle<T>(d: Deferred<T>, fn: (arg: any) => unknown, arg: unknown): void {
  let result: unknown;
  try {
    result = fn(arg);
  } catch (e) {
    d.reject(e);
    return;
  }
  adopt(d, result);
}

/**
 * "Transform a promise": a new promise from the reactions' results. Unlike a bare `then`, a
 * promise returned by a reaction is adopted through the captured `then` (see adopt).
 */
export function transform<T, R>(p: Promise<T>, onFulfilled?: ((v: T) => R | PromiseLike<R>) | null, onRejected?: ((e: any) => R | PromiseLike<R>) | null): Promise<R> {
  const d = newDeferred<R>();
  PromisePrototypeThen(
    p,
    onFulfilled ? (v: T) => settle(d, onFulfilled, v) : (v: T) => d.resolve(v as unknown as R),
    onRejected ? (e: unknown) => settle(d, onRejected, e) : d.reject,
  );
  return d.promise;
}

/** Like Promise.all for the runtime's own promises, without iteration or `Promise.resolve` lookups. */
export function waitForAll(promises: Promise<unknown>[], count: number): Promise<undefined> {
  const d = newDeferred<undefined>();
  let remaining = count;
  if (remaining === 0) d.resolve(undefined);
  for (let i = 0; i < count; i++) {
    PromisePrototypeThen(promises[i]!, () => {
      if (--remaining === 0) d.resolve(undefined);
    }, d.reject);
  }
  return d.promise;
}

/** Runs `fn` and turns a throw into a rejected promise (WebIDL promise-returning operations). */
export function promiseCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return PromiseReject(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Queue: a linked list of nodes created as literals, so nothing goes through Array.prototype.

interface QueueNode<T> {
  value: T;
  next: QueueNode<T> | null;
}

export class Queue<T> {
  head: QueueNode<T> | null = null;
  tail: QueueNode<T> | null = null;
  size = 0;

  push(value: T): void {
    const node: QueueNode<T> = { value, next: null };
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.size++;
  }

  shift(): T {
    const node = this.head!;
    this.head = node.next;
    if (this.head === null) this.tail = null;
    this.size--;
    return node.value;
  }

  peek(): T {
    return this.head!.value;
  }

  clear(): void {
    this.head = this.tail = null;
    this.size = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Queue-with-sizes (https://streams.spec.whatwg.org/#queue-with-sizes)

export interface ValueWithSize {
  value: unknown;
  size: number;
}

export interface QueueContainer {
  queue: Queue<ValueWithSize>;
  queueTotalSize: number;
}

export function isNonNegativeNumber(v: unknown): boolean {
  return typeof v === 'number' && !NumberIsNaN(v) && v >= 0;
}

export function enqueueValueWithSize(c: QueueContainer, value: unknown, size: unknown): void {
  if (!isNonNegativeNumber(size)) throw new RangeError('The chunk size must be a non-negative number.');
  if (size === Infinity) throw new RangeError('The chunk size must be finite.');
  c.queue.push({ value, size: size as number });
  c.queueTotalSize += size as number;
}

export function dequeueValue(c: QueueContainer): unknown {
  const pair = c.queue.shift();
  c.queueTotalSize -= pair.size;
  if (c.queueTotalSize < 0) c.queueTotalSize = 0; // rounding errors
  return pair.value;
}

export function peekQueueValue(c: QueueContainer): unknown {
  return c.queue.peek().value;
}

export function resetQueue(c: QueueContainer): void {
  c.queue = new Queue();
  c.queueTotalSize = 0;
}

// ---------------------------------------------------------------------------------------------
// ArrayBuffers and views

export function isDetachedBuffer(buffer: ArrayBuffer): boolean {
  if (ArrayBufferPrototypeGetDetached !== undefined) return ArrayBufferPrototypeGetDetached(buffer);
  try {
    ArrayBufferPrototypeSlice(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** TransferArrayBuffer: detaches `buffer` and returns a new ArrayBuffer with its contents. */
export function transferArrayBuffer(buffer: ArrayBuffer): ArrayBuffer {
  if (ArrayBufferPrototypeTransfer === undefined) throw new TypeError('ArrayBuffer transfer is not supported.');
  // Throws a TypeError for detached or non-detachable buffers (e.g. WebAssembly.Memory's).
  return ArrayBufferPrototypeTransfer(buffer);
}

/** CanTransferArrayBuffer. */
export function canTransferArrayBuffer(buffer: ArrayBuffer): boolean {
  return !isDetachedBuffer(buffer);
}

export function arrayBufferByteLength(buffer: ArrayBuffer): number {
  return ArrayBufferPrototypeGetByteLength(buffer);
}

export function arrayBufferSlice(buffer: ArrayBuffer, begin: number, end: number): ArrayBuffer {
  return ArrayBufferPrototypeSlice(buffer, begin, end);
}

/** CopyDataBlockBytes between two ArrayBuffers. */
export function copyBytes(dest: ArrayBuffer, destOffset: number, src: ArrayBuffer, srcOffset: number, count: number): void {
  TypedArrayPrototypeSet(new Uint8Array(dest, destOffset, count), new Uint8Array(src, srcOffset, count));
}

type ViewConstructor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;

export interface ViewInfo {
  buffer: ArrayBuffer;
  byteOffset: number;
  byteLength: number;
  /** [[ArrayLength]] for typed arrays; byteLength for DataViews. */
  length: number;
  elementSize: number;
  ctor: ViewConstructor;
  isDataView: boolean;
}

const typedArrayInfo: Record<string, { ctor: ViewConstructor; size: number }> = {
  __proto__: null,
  Int8Array: { ctor: Int8Array, size: 1 },
  Uint8Array: { ctor: Uint8Array, size: 1 },
  Uint8ClampedArray: { ctor: Uint8ClampedArray, size: 1 },
  Int16Array: { ctor: Int16Array, size: 2 },
  Uint16Array: { ctor: Uint16Array, size: 2 },
  Int32Array: { ctor: Int32Array, size: 4 },
  Uint32Array: { ctor: Uint32Array, size: 4 },
  Float32Array: { ctor: Float32Array, size: 4 },
  Float64Array: { ctor: Float64Array, size: 8 },
  BigInt64Array: { ctor: BigInt64Array as unknown as ViewConstructor, size: 8 },
  BigUint64Array: { ctor: BigUint64Array as unknown as ViewConstructor, size: 8 },
} as unknown as Record<string, { ctor: ViewConstructor; size: number }>;
const Float16ArrayCtor = (globalThisRef as { Float16Array?: ViewConstructor }).Float16Array;
if (Float16ArrayCtor !== undefined) typedArrayInfo.Float16Array = { ctor: Float16ArrayCtor, size: 2 };

/** The internal slots of an ArrayBufferView, or undefined when `v` is not one. */
export function viewInfo(v: unknown): ViewInfo | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const tag = TypedArrayPrototypeGetSymbolToStringTag(v);
  if (tag !== undefined) {
    const info = typedArrayInfo[tag]!;
    const view = v as ArrayBufferView;
    return {
      buffer: TypedArrayPrototypeGetBuffer(view),
      byteOffset: TypedArrayPrototypeGetByteOffset(view),
      byteLength: TypedArrayPrototypeGetByteLength(view),
      length: TypedArrayPrototypeGetLength(view),
      elementSize: info.size,
      ctor: info.ctor,
      isDataView: false,
    };
  }
  if (isDataView(v)) {
    const byteLength = DataViewPrototypeGetByteLength(v);
    return {
      buffer: DataViewPrototypeGetBuffer(v),
      byteOffset: DataViewPrototypeGetByteOffset(v),
      byteLength,
      length: byteLength,
      elementSize: 1,
      ctor: DataView as unknown as ViewConstructor,
      isDataView: true,
    };
  }
  return undefined;
}

const sabGetter = (globalThisRef as { SharedArrayBuffer?: { prototype: object } }).SharedArrayBuffer
  ? ObjectGetOwnPropertyDescriptor((globalThisRef as unknown as { SharedArrayBuffer: { prototype: object } }).SharedArrayBuffer.prototype, 'byteLength')?.get
  : undefined;
const SharedArrayBufferByteLength = sabGetter ? uncurryThis(sabGetter as (this: unknown) => number) : undefined;

/** WebIDL ArrayBufferView conversion (not [AllowShared]): the view's slots, or a TypeError. */
export function toArrayBufferView(v: unknown, what: string): ViewInfo {
  const info = viewInfo(v);
  if (info === undefined) throw new TypeError(`${what} is not an ArrayBufferView.`);
  if (SharedArrayBufferByteLength !== undefined) {
    let shared = true;
    try {
      SharedArrayBufferByteLength(info.buffer);
    } catch {
      shared = false;
    }
    if (shared) throw new TypeError(`${what} must not be backed by a SharedArrayBuffer.`);
  }
  return info;
}

/** CloneAsUint8Array: a new Uint8Array with a copy of the view's bytes. */
export function cloneAsUint8Array(info: ViewInfo): Uint8Array {
  const buffer = arrayBufferSlice(info.buffer, info.byteOffset, info.byteOffset + info.byteLength);
  return new Uint8Array(buffer);
}

export function isUint8Array(v: unknown): v is Uint8Array {
  return TypedArrayPrototypeGetSymbolToStringTag(v) === 'Uint8Array';
}

export { ArrayBuffer };

// ---------------------------------------------------------------------------------------------
// Strategies and callbacks

export type SizeAlgorithm = (chunk: unknown) => number;

const defaultSize: SizeAlgorithm = () => 1;

/** A converted QueuingStrategy dictionary ({ highWaterMark?, size? }). */
export interface StrategyDict {
  highWaterMark: number | undefined;
  size: Function | undefined;
}

/** WebIDL conversion of a QueuingStrategy dictionary (members read in lexicographic order). */
export function toStrategy(v: unknown, what: string): StrategyDict {
  const d = dictionary(v, what);
  if (d === undefined) return { highWaterMark: undefined, size: undefined };
  const hwm = d.highWaterMark;
  const highWaterMark = hwm === undefined ? undefined : Number(hwm);
  const sizeValue = d.size;
  const size = sizeValue === undefined ? undefined : toFunction(sizeValue, `${what}: size`);
  return { highWaterMark, size };
}

export function extractHighWaterMark(strategy: StrategyDict, defaultHWM: number): number {
  if (strategy.highWaterMark === undefined) return defaultHWM;
  const hwm = strategy.highWaterMark;
  if (NumberIsNaN(hwm) || hwm < 0) throw new RangeError('The highWaterMark must be a non-negative number.');
  return hwm;
}

export function extractSizeAlgorithm(strategy: StrategyDict): SizeAlgorithm {
  const size = strategy.size;
  if (size === undefined) return defaultSize;
  // WebIDL callback invocation: `this` is undefined; the result is converted to unrestricted double.
  return (chunk: unknown) => Number(ReflectApply(size, undefined, [chunk]));
}

/** Invokes a callback member with `thisArg`; for promise-returning callbacks use invokePromise. */
export function invoke(fn: Function, thisArg: unknown, args: unknown[]): unknown {
  return ReflectApply(fn, thisArg, args);
}

/** Invokes a callback whose IDL return type is a promise: throws become rejections. */
export function invokePromise(fn: Function, thisArg: unknown, args: unknown[]): Promise<unknown> {
  try {
    return PromiseResolve(ReflectApply(fn, thisArg, args));
  } catch (e) {
    return PromiseReject(e);
  }
}

/** Reads an optional callback member of a dictionary. */
export function callbackMember(d: Record<string, unknown> | undefined, name: string, what: string): Function | undefined {
  if (d === undefined) return undefined;
  const v = d[name];
  if (v === undefined) return undefined;
  return toFunction(v, `${what}: ${name}`);
}
