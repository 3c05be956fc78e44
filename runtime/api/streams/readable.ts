// ReadableStream, its readers and ReadableStreamDefaultController
// (https://streams.spec.whatwg.org/#rs-model). Byte streams live in byte-controller.ts; piping in
// pipe.ts; tee in tee.ts.
//
// Each public object holds its internal record in one private field; abstract operations work on
// the records. Records are classes whose every field is initialised, so no lookup ever reaches a
// (tenant-patchable) prototype.
import {
  ObjectCreate, ObjectDefineProperty, ObjectGetPrototypeOf, ObjectSetPrototypeOf, SymbolAsyncIterator,
  SymbolIterator, SymbolToStringTag, TypeError, RangeError,
} from '../intrinsics.ts';
import {
  brandCheck, dictionary, isObject, requireArgs, slotReader, toBoolean, toDOMString, toEnforcedUnsignedLongLong,
  webidlInterface,
} from './idl.ts';
import {
  Queue, callbackMember, dequeueValue, enqueueValueWithSize, extractHighWaterMark, extractSizeAlgorithm, invoke,
  invokePromise, isDetachedBuffer, newDeferred, promiseCall, react, rejectedWith, resetQueue, resolvedUndefined,
  resolvedWith, setHandled, toArrayBufferView, toStrategy, transform, type Deferred, type SizeAlgorithm,
  type ValueWithSize, arrayBufferByteLength,
} from './util.ts';
import {
  ByteController, ReadableByteStreamController, byteControllerCancelSteps, byteControllerPullInto,
  byteControllerPullSteps, byteControllerReleaseSteps, setUpByteControllerFromUnderlyingSource,
  setUpReadableByteStreamController,
} from './byte-controller.ts';
import { readableStreamPipeTo } from './pipe.ts';
import { readableStreamTee } from './tee.ts';
import { isAbortSignal } from './abort.ts';
import { isWritableStream, isWritableStreamLocked, writableStreamOf, type WStream } from './writable.ts';

export type ReadableState = 'readable' | 'closed' | 'errored';

export interface ReadRequest {
  chunk(chunk: unknown): void;
  close(): void;
  error(e: unknown): void;
}

export interface ReadIntoRequest {
  chunk(chunk: ArrayBufferView): void;
  close(chunk: ArrayBufferView | undefined): void;
  error(e: unknown): void;
}

/** [[ReadableStream]] internal slots. */
export class RStream {
  state: ReadableState = 'readable';
  reader: DefaultReader | BYOBReader | undefined = undefined;
  storedError: unknown = undefined;
  disturbed = false;
  controller: DefaultController | ByteController = undefined as unknown as DefaultController;
  facade: ReadableStream;
  constructor(facade: ReadableStream) {
    this.facade = facade;
  }
}

/** ReadableStreamDefaultReader / ReadableStreamBYOBReader shared slots. */
export class DefaultReader {
  readonly byob = false;
  stream: RStream | undefined = undefined;
  closed: Deferred<undefined> = undefined as unknown as Deferred<undefined>;
  readRequests = new Queue<ReadRequest>();
  facade: ReadableStreamDefaultReader;
  constructor(facade: ReadableStreamDefaultReader) {
    this.facade = facade;
  }
}

export class BYOBReader {
  readonly byob = true;
  stream: RStream | undefined = undefined;
  closed: Deferred<undefined> = undefined as unknown as Deferred<undefined>;
  readIntoRequests = new Queue<ReadIntoRequest>();
  facade: ReadableStreamBYOBReader;
  constructor(facade: ReadableStreamBYOBReader) {
    this.facade = facade;
  }
}

export type PullAlgorithm = () => Promise<unknown>;
export type CancelAlgorithm = (reason: unknown) => Promise<unknown>;
export type StartAlgorithm = () => unknown;

/** ReadableStreamDefaultController internal slots. */
export class DefaultController {
  readonly byte = false;
  stream: RStream = undefined as unknown as RStream;
  queue = new Queue<ValueWithSize>();
  queueTotalSize = 0;
  started = false;
  closeRequested = false;
  pullAgain = false;
  pulling = false;
  strategyHWM = 1;
  strategySizeAlgorithm: SizeAlgorithm | undefined = undefined;
  pullAlgorithm: PullAlgorithm | undefined = undefined;
  cancelAlgorithm: CancelAlgorithm | undefined = undefined;
  facade: ReadableStreamDefaultController;
  constructor() {
    constructingController = this;
    this.facade = new ReadableStreamDefaultController();
  }
}

// ---------------------------------------------------------------------------------------------
// Facade plumbing: the public constructors adopt a pending internal record when the runtime
// creates an object; tenants calling them get the public behaviour (or "Illegal constructor").

let constructingStream = false;
let constructingController: DefaultController | undefined;

let getStream: (o: ReadableStream) => RStream;
let getDefaultReader: (o: ReadableStreamDefaultReader) => DefaultReader;
let getBYOBReader: (o: ReadableStreamBYOBReader) => BYOBReader;
let getController: (o: ReadableStreamDefaultController) => DefaultController;

export function isReadableStream(v: unknown): v is ReadableStream {
  return typeof v === 'object' && v !== null && streamOf(v) !== undefined;
}

/** The internal record of a ReadableStream, or undefined for anything else. */
export const streamOf = slotReader((o: ReadableStream) => getStream(o));

const thisStream = brandCheck('ReadableStream', streamOf);

// ---------------------------------------------------------------------------------------------
// ReadableStream

// The type parameter only serves TypeScript callers (`ReadableStream<Uint8Array>`).
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export class ReadableStream<R = any> {
  #s: RStream;
  declare readonly __chunkType?: R;

  static {
    getStream = (o) => (o as ReadableStream).#s;
  }

  constructor(underlyingSource: unknown = undefined, strategy: unknown = undefined) {
    this.#s = new RStream(this);
    if (constructingStream) {
      constructingStream = false;
      return;
    }
    const stream = this.#s;
    if (underlyingSource !== undefined && !isObject(underlyingSource)) {
      throw new TypeError("Failed to construct 'ReadableStream': The provided value is not of type 'object'.");
    }
    // WebIDL converts the strategy argument first, then the steps convert the source dictionary.
    const strategyDict = toStrategy(strategy, "Failed to construct 'ReadableStream': strategy");
    const what = "Failed to construct 'ReadableStream': underlyingSource";
    const src = dictionary(underlyingSource === undefined ? null : underlyingSource, what);
    let autoAllocateChunkSize: number | undefined;
    let cancel: Function | undefined;
    let pull: Function | undefined;
    let start: Function | undefined;
    let type: string | undefined;
    if (src !== undefined) {
      const aacs = src.autoAllocateChunkSize;
      if (aacs !== undefined) autoAllocateChunkSize = toEnforcedUnsignedLongLong(aacs, `${what}: autoAllocateChunkSize`);
      cancel = callbackMember(src, 'cancel', what);
      pull = callbackMember(src, 'pull', what);
      start = callbackMember(src, 'start', what);
      const t = src.type;
      if (t !== undefined) {
        type = toDOMString(t);
        if (type !== 'bytes') throw new TypeError(`${what}: '${type}' is not a valid value for enumeration ReadableStreamType.`);
      }
    }
    if (type === 'bytes') {
      if (strategyDict.size !== undefined) throw new RangeError('The strategy for a byte stream cannot have a size function.');
      const highWaterMark = extractHighWaterMark(strategyDict, 0);
      setUpByteControllerFromUnderlyingSource(stream, underlyingSource, start, pull, cancel, autoAllocateChunkSize, highWaterMark);
    } else {
      const sizeAlgorithm = extractSizeAlgorithm(strategyDict);
      const highWaterMark = extractHighWaterMark(strategyDict, 1);
      setUpDefaultControllerFromUnderlyingSource(stream, underlyingSource, start, pull, cancel, highWaterMark, sizeAlgorithm);
    }
  }

  static from(asyncIterable: unknown): ReadableStream {
    requireArgs(arguments.length, 1, 'ReadableStream.from');
    return readableStreamFromIterable(asyncIterable).facade;
  }

  get locked(): boolean {
    return isReadableStreamLocked(thisStream(this, 'locked'));
  }

  cancel(reason: unknown = undefined): Promise<undefined> {
    return promiseCall(() => {
      const stream = thisStream(this, 'cancel');
      if (isReadableStreamLocked(stream)) return rejectedWith(new TypeError('Cannot cancel a locked ReadableStream.'));
      return readableStreamCancel(stream, reason);
    });
  }

  getReader(options: unknown = undefined): ReadableStreamDefaultReader | ReadableStreamBYOBReader {
    const stream = thisStream(this, 'getReader');
    const d = dictionary(options, "Failed to execute 'getReader' on 'ReadableStream': options");
    const modeValue = d === undefined ? undefined : d.mode;
    if (modeValue === undefined) return acquireDefaultReader(stream).facade;
    const mode = toDOMString(modeValue);
    if (mode !== 'byob') throw new TypeError(`Failed to execute 'getReader' on 'ReadableStream': '${mode}' is not a valid value for enumeration ReadableStreamReaderMode.`);
    return acquireBYOBReader(stream).facade;
  }

  pipeThrough(transform: unknown, options: unknown = undefined): ReadableStream {
    const stream = thisStream(this, 'pipeThrough');
    requireArgs(arguments.length, 1, 'ReadableStream.pipeThrough');
    const what = "Failed to execute 'pipeThrough' on 'ReadableStream'";
    // ReadableWritablePair: readable, then writable (both required).
    const pair = dictionary(transform, `${what}: transform`);
    const readableValue = pair === undefined ? undefined : pair.readable;
    if (readableValue === undefined) throw new TypeError(`${what}: required member readable is undefined.`);
    const readable = streamOf(readableValue);
    if (readable === undefined) throw new TypeError(`${what}: member readable is not a ReadableStream.`);
    const writableValue = pair!.writable;
    if (writableValue === undefined) throw new TypeError(`${what}: required member writable is undefined.`);
    if (!isWritableStream(writableValue)) throw new TypeError(`${what}: member writable is not a WritableStream.`);
    const writable = writableStreamOf(writableValue)!;
    const opts = toPipeOptions(options, what);
    if (isReadableStreamLocked(stream)) throw new TypeError(`${what}: the ReadableStream is locked.`);
    if (isWritableStreamLocked(writable)) throw new TypeError(`${what}: the WritableStream is locked.`);
    const promise = readableStreamPipeTo(stream, writable, opts.preventClose, opts.preventAbort, opts.preventCancel, opts.signal);
    setHandled(promise);
    return readable.facade;
  }

  pipeTo(destination: unknown, options: unknown = undefined): Promise<undefined> {
    return promiseCall(() => {
      const stream = thisStream(this, 'pipeTo');
      requireArgs(arguments.length, 1, 'ReadableStream.pipeTo');
      const what = "Failed to execute 'pipeTo' on 'ReadableStream'";
      if (!isWritableStream(destination)) throw new TypeError(`${what}: parameter 1 is not of type 'WritableStream'.`);
      const dest = writableStreamOf(destination)!;
      const opts = toPipeOptions(options, what);
      if (isReadableStreamLocked(stream)) return rejectedWith(new TypeError(`${what}: the ReadableStream is locked.`));
      if (isWritableStreamLocked(dest)) return rejectedWith(new TypeError(`${what}: the WritableStream is locked.`));
      return readableStreamPipeTo(stream, dest, opts.preventClose, opts.preventAbort, opts.preventCancel, opts.signal);
    });
  }

  tee(): ReadableStream[] {
    const stream = thisStream(this, 'tee');
    const branches = readableStreamTee(stream, false);
    return [branches[0].facade, branches[1].facade];
  }

  values(options: unknown = undefined): AsyncIterator<unknown> {
    const stream = thisStream(this, 'values');
    const d = dictionary(options, "Failed to execute 'values' on 'ReadableStream': options");
    const preventCancel = d === undefined ? false : toBoolean(d.preventCancel);
    return createAsyncIterator(stream, preventCancel);
  }
}

interface PipeOptions {
  preventAbort: boolean;
  preventCancel: boolean;
  preventClose: boolean;
  signal: object | undefined;
}

function toPipeOptions(options: unknown, what: string): PipeOptions {
  const d = dictionary(options, `${what}: options`);
  if (d === undefined) return { preventAbort: false, preventCancel: false, preventClose: false, signal: undefined };
  const preventAbort = toBoolean(d.preventAbort);
  const preventCancel = toBoolean(d.preventCancel);
  const preventClose = toBoolean(d.preventClose);
  const signal = d.signal;
  if (signal !== undefined && !isAbortSignal(signal)) throw new TypeError(`${what}: member signal is not of type 'AbortSignal'.`);
  return { preventAbort, preventCancel, preventClose, signal: signal as object | undefined };
}

// ---------------------------------------------------------------------------------------------
// Async iteration (WebIDL async iterable<any> with ReadableStreamIteratorOptions)

const AsyncIteratorPrototype = ObjectGetPrototypeOf(ObjectGetPrototypeOf(async function* () {}).prototype) as object;

interface IteratorSlots {
  reader: DefaultReader;
  preventCancel: boolean;
  ongoing: Promise<IteratorResult<unknown>> | null;
  finished: boolean;
}

let getIteratorSlots: (o: object) => IteratorSlots;

class ReadableStreamAsyncIterator {
  #i: IteratorSlots;
  static {
    getIteratorSlots = (o) => (o as ReadableStreamAsyncIterator).#i;
  }
  constructor(slots: IteratorSlots) {
    this.#i = slots;
  }
}

function iteratorSlotsOf(v: unknown): IteratorSlots | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  try {
    return getIteratorSlots(v);
  } catch {
    return undefined;
  }
}

const END_OF_ITERATION = ObjectCreate(null) as object;

function iterResult(value: unknown, done: boolean): IteratorResult<unknown> {
  return { value, done } as IteratorResult<unknown>;
}

const asyncIteratorMethods = {
  next(): Promise<IteratorResult<unknown>> {
    const it = iteratorSlotsOf(this);
    if (it === undefined) return rejectedWith(new TypeError('next() called on an object that is not a ReadableStream async iterator.'));
    const nextSteps = (): Promise<IteratorResult<unknown>> => {
      if (it.finished) return resolvedWith(iterResult(undefined, true));
      const nextPromise = iteratorGetNext(it);
      return transform(nextPromise, (next) => {
        it.ongoing = null;
        if (next === END_OF_ITERATION) {
          it.finished = true;
          return iterResult(undefined, true);
        }
        return iterResult(next, false);
      }, (reason) => {
        it.ongoing = null;
        it.finished = true;
        throw reason;
      });
    };
    const ongoing = it.ongoing;
    const after = ongoing !== null ? transform(ongoing, nextSteps, nextSteps) : nextSteps();
    it.ongoing = after;
    return after;
  },
  return(value: unknown): Promise<IteratorResult<unknown>> {
    const it = iteratorSlotsOf(this);
    if (it === undefined) return rejectedWith(new TypeError('return() called on an object that is not a ReadableStream async iterator.'));
    const returnSteps = (): Promise<unknown> => {
      if (it.finished) return resolvedWith(iterResult(value, true));
      it.finished = true;
      return iteratorReturn(it, value);
    };
    const ongoing = it.ongoing;
    const after = ongoing !== null ? transform(ongoing, returnSteps, returnSteps) : returnSteps();
    it.ongoing = after as Promise<IteratorResult<unknown>>;
    return transform(after, () => iterResult(value, true));
  },
};

const ReadableStreamAsyncIteratorPrototype = ReadableStreamAsyncIterator.prototype;
ObjectSetPrototypeOf(ReadableStreamAsyncIteratorPrototype, AsyncIteratorPrototype);
ObjectDefineProperty(ReadableStreamAsyncIteratorPrototype, 'next', { value: asyncIteratorMethods.next, writable: true, enumerable: true, configurable: true });
ObjectDefineProperty(ReadableStreamAsyncIteratorPrototype, 'return', { value: asyncIteratorMethods.return, writable: true, enumerable: true, configurable: true });
ObjectDefineProperty(ReadableStreamAsyncIteratorPrototype, SymbolToStringTag, { value: 'ReadableStream AsyncIterator', writable: false, enumerable: false, configurable: true });
// The prototype has no visible constructor (WebIDL iterator prototypes have none of their own).
delete (ReadableStreamAsyncIteratorPrototype as { constructor?: unknown }).constructor;

function createAsyncIterator(stream: RStream, preventCancel: boolean): AsyncIterator<unknown> {
  const reader = acquireDefaultReader(stream);
  return new ReadableStreamAsyncIterator({ reader, preventCancel, ongoing: null, finished: false }) as unknown as AsyncIterator<unknown>;
}

function iteratorGetNext(it: IteratorSlots): Promise<unknown> {
  const reader = it.reader;
  const d = newDeferred<unknown>();
  readableStreamDefaultReaderRead(reader, {
    chunk: (chunk) => d.resolve(chunk),
    close: () => {
      readableStreamDefaultReaderRelease(reader);
      d.resolve(END_OF_ITERATION);
    },
    error: (e) => {
      readableStreamDefaultReaderRelease(reader);
      d.reject(e);
    },
  });
  return d.promise;
}

function iteratorReturn(it: IteratorSlots, arg: unknown): Promise<unknown> {
  const reader = it.reader;
  if (reader.stream === undefined) return resolvedUndefined();
  if (!it.preventCancel) {
    const result = readableStreamReaderGenericCancel(reader, arg);
    readableStreamDefaultReaderRelease(reader);
    return result;
  }
  readableStreamDefaultReaderRelease(reader);
  return resolvedUndefined();
}

// ---------------------------------------------------------------------------------------------
// ReadableStream.from (ReadableStreamFromIterable)

function readableStreamFromIterable(asyncIterable: unknown): RStream {
  // GetIterator(asyncIterable, async), with CreateAsyncFromSyncIterator for sync iterables.
  let isSync = false;
  let method = asyncIterable === undefined || asyncIterable === null ? undefined : (asyncIterable as Record<symbol, unknown>)[SymbolAsyncIterator];
  if (asyncIterable === undefined || asyncIterable === null) throw new TypeError('ReadableStream.from: the argument is not iterable.');
  if (method === undefined || method === null) {
    method = (asyncIterable as Record<symbol, unknown>)[SymbolIterator];
    if (method === undefined || method === null) throw new TypeError('ReadableStream.from: the argument is not async iterable or iterable.');
    isSync = true;
  }
  if (typeof method !== 'function') throw new TypeError('ReadableStream.from: the iterator method is not a function.');
  const iterator = invoke(method, asyncIterable, []);
  if (!isObject(iterator)) throw new TypeError('ReadableStream.from: the iterator is not an object.');
  const nextMethod = (iterator as Record<string, unknown>).next;
  let stream: RStream;

  // AsyncFromSyncIterator continuation: awaits the value; closes the sync iterator if it rejects.
  const syncContinuation = (result: unknown, closeOnRejection: boolean): Promise<unknown> => {
    if (!isObject(result)) return rejectedWith(new TypeError('The iterator result is not an object.'));
    const done = toBoolean((result as IteratorResult<unknown>).done);
    const value = (result as IteratorResult<unknown>).value;
    let valueWrapper: Promise<unknown>;
    try {
      valueWrapper = resolvedWith(value);
    } catch (e) {
      return rejectedWith(e);
    }
    return transform(valueWrapper, (v) => iterResult(v, done), (e) => {
      if (!done && closeOnRejection) {
        const ret = (iterator as Record<string, unknown>).return;
        if (ret !== undefined && ret !== null) invoke(ret as Function, iterator, []);
      }
      throw e;
    });
  };

  const pullAlgorithm = (): Promise<unknown> => {
    let nextResult: unknown;
    try {
      if (typeof nextMethod !== 'function') throw new TypeError('The iterator next method is not a function.');
      nextResult = invoke(nextMethod, iterator, []);
    } catch (e) {
      return rejectedWith(e);
    }
    const nextPromise = isSync ? syncContinuation(nextResult, true) : resolvedWith(nextResult);
    return transform(nextPromise, (iterResultValue) => {
      if (!isObject(iterResultValue)) throw new TypeError('The iterator result is not an object.');
      const done = toBoolean((iterResultValue as IteratorResult<unknown>).done);
      if (done) {
        readableStreamDefaultControllerClose(stream.controller as DefaultController);
      } else {
        const value = (iterResultValue as IteratorResult<unknown>).value;
        readableStreamDefaultControllerEnqueue(stream.controller as DefaultController, value);
      }
      return undefined;
    });
  };

  const cancelAlgorithm = (reason: unknown): Promise<unknown> => {
    let returnResult: unknown;
    try {
      const returnMethod = (iterator as Record<string, unknown>).return;
      if (returnMethod === undefined || returnMethod === null) return resolvedUndefined();
      if (typeof returnMethod !== 'function') throw new TypeError('The iterator return method is not a function.');
      returnResult = invoke(returnMethod, iterator, [reason]);
    } catch (e) {
      return rejectedWith(e);
    }
    const returnPromise = isSync ? syncContinuation(returnResult, false) : resolvedWith(returnResult);
    return transform(returnPromise, (iterResultValue) => {
      if (!isObject(iterResultValue)) throw new TypeError('The iterator return() result is not an object.');
      return undefined;
    });
  };

  stream = createReadableStream(() => undefined, pullAlgorithm, cancelAlgorithm, 0, undefined);
  return stream;
}

// ---------------------------------------------------------------------------------------------
// Readers

export class ReadableStreamDefaultReader {
  #r: DefaultReader;
  static {
    getDefaultReader = (o) => o.#r;
  }
  constructor(stream: unknown) {
    this.#r = new DefaultReader(this);
    if (constructingReader) {
      constructingReader = false;
      return;
    }
    requireArgs(arguments.length, 1, "Failed to construct 'ReadableStreamDefaultReader'");
    const s = streamOf(stream);
    if (s === undefined) throw new TypeError("Failed to construct 'ReadableStreamDefaultReader': parameter 1 is not of type 'ReadableStream'.");
    setUpDefaultReader(this.#r, s);
  }

  get closed(): Promise<undefined> {
    return promiseCall(() => thisDefaultReader(this, 'closed').closed.promise);
  }

  cancel(reason: unknown = undefined): Promise<undefined> {
    return promiseCall(() => {
      const reader = thisDefaultReader(this, 'cancel');
      if (reader.stream === undefined) return rejectedWith(new TypeError('The reader has been released.'));
      return readableStreamReaderGenericCancel(reader, reason);
    });
  }

  read(): Promise<ReadableStreamReadResult> {
    return promiseCall(() => {
      const reader = thisDefaultReader(this, 'read');
      if (reader.stream === undefined) return rejectedWith(new TypeError('The reader has been released.'));
      const d = newDeferred<ReadableStreamReadResult>();
      readableStreamDefaultReaderRead(reader, {
        chunk: (chunk) => d.resolve({ value: chunk, done: false }),
        close: () => d.resolve({ value: undefined, done: true }),
        error: (e) => d.reject(e),
      });
      return d.promise;
    });
  }

  releaseLock(): void {
    const reader = thisDefaultReader(this, 'releaseLock');
    if (reader.stream === undefined) return;
    readableStreamDefaultReaderRelease(reader);
  }
}

export interface ReadableStreamReadResult {
  value: unknown;
  done: boolean;
}

const defaultReaderOf = slotReader((o: ReadableStreamDefaultReader) => getDefaultReader(o));

const thisDefaultReader = brandCheck('ReadableStreamDefaultReader', defaultReaderOf);

export class ReadableStreamBYOBReader {
  #r: BYOBReader;
  static {
    getBYOBReader = (o) => o.#r;
  }
  constructor(stream: unknown) {
    this.#r = new BYOBReader(this);
    if (constructingReader) {
      constructingReader = false;
      return;
    }
    requireArgs(arguments.length, 1, "Failed to construct 'ReadableStreamBYOBReader'");
    const s = streamOf(stream);
    if (s === undefined) throw new TypeError("Failed to construct 'ReadableStreamBYOBReader': parameter 1 is not of type 'ReadableStream'.");
    setUpBYOBReader(this.#r, s);
  }

  get closed(): Promise<undefined> {
    return promiseCall(() => thisBYOBReader(this, 'closed').closed.promise);
  }

  cancel(reason: unknown = undefined): Promise<undefined> {
    return promiseCall(() => {
      const reader = thisBYOBReader(this, 'cancel');
      if (reader.stream === undefined) return rejectedWith(new TypeError('The reader has been released.'));
      return readableStreamReaderGenericCancel(reader, reason);
    });
  }

  read(view: unknown, options: unknown = undefined): Promise<ReadableStreamReadResult> {
    return promiseCall(() => {
      const reader = thisBYOBReader(this, 'read');
      requireArgs(arguments.length, 1, 'ReadableStreamBYOBReader.read');
      const what = "Failed to execute 'read' on 'ReadableStreamBYOBReader'";
      const info = toArrayBufferView(view, `${what}: parameter 1`);
      const d = dictionary(options, `${what}: options`);
      const minValue = d === undefined ? undefined : d.min;
      const min = minValue === undefined ? 1 : toEnforcedUnsignedLongLong(minValue, `${what}: min`);
      if (info.byteLength === 0) return rejectedWith(new TypeError(`${what}: the view must have a non-zero byteLength.`));
      if (arrayBufferByteLength(info.buffer) === 0) return rejectedWith(new TypeError(`${what}: the view's buffer must have a non-zero byteLength.`));
      if (isDetachedBuffer(info.buffer)) return rejectedWith(new TypeError(`${what}: the view's buffer is detached.`));
      if (min === 0) return rejectedWith(new TypeError(`${what}: options.min must be greater than 0.`));
      if (!info.isDataView) {
        if (min > info.length) return rejectedWith(new RangeError(`${what}: options.min must not exceed the view's length.`));
      } else if (min > info.byteLength) {
        return rejectedWith(new RangeError(`${what}: options.min must not exceed the view's byteLength.`));
      }
      if (reader.stream === undefined) return rejectedWith(new TypeError('The reader has been released.'));
      const p = newDeferred<ReadableStreamReadResult>();
      readableStreamBYOBReaderRead(reader, view as ArrayBufferView, min, {
        chunk: (chunk) => p.resolve({ value: chunk, done: false }),
        close: (chunk) => p.resolve({ value: chunk, done: true }),
        error: (e) => p.reject(e),
      });
      return p.promise;
    });
  }

  releaseLock(): void {
    const reader = thisBYOBReader(this, 'releaseLock');
    if (reader.stream === undefined) return;
    readableStreamBYOBReaderRelease(reader);
  }
}

const byobReaderOf = slotReader((o: ReadableStreamBYOBReader) => getBYOBReader(o));

const thisBYOBReader = brandCheck('ReadableStreamBYOBReader', byobReaderOf);

// ---------------------------------------------------------------------------------------------
// ReadableStreamDefaultController

export class ReadableStreamDefaultController {
  #c: DefaultController;
  static {
    getController = (o) => o.#c;
  }
  constructor() {
    const c = constructingController;
    constructingController = undefined;
    if (c === undefined) throw new TypeError('Illegal constructor');
    this.#c = c;
  }

  get desiredSize(): number | null {
    return readableStreamDefaultControllerGetDesiredSize(thisController(this, 'desiredSize'));
  }

  close(): void {
    const c = thisController(this, 'close');
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(c)) throw new TypeError('The stream is not in a state that permits close.');
    readableStreamDefaultControllerClose(c);
  }

  enqueue(chunk: unknown = undefined): void {
    const c = thisController(this, 'enqueue');
    if (!readableStreamDefaultControllerCanCloseOrEnqueue(c)) throw new TypeError('The stream is not in a state that permits enqueue.');
    readableStreamDefaultControllerEnqueue(c, chunk);
  }

  error(e: unknown = undefined): void {
    readableStreamDefaultControllerError(thisController(this, 'error'), e);
  }
}

const thisController = brandCheck('ReadableStreamDefaultController', slotReader((o: ReadableStreamDefaultController) => getController(o)));

// ---------------------------------------------------------------------------------------------
// Abstract operations: creation

/** CreateReadableStream: a default-controller stream from algorithms. */
export function createReadableStream(
  startAlgorithm: StartAlgorithm, pullAlgorithm: PullAlgorithm, cancelAlgorithm: CancelAlgorithm,
  highWaterMark = 1, sizeAlgorithm: SizeAlgorithm | undefined = undefined,
): RStream {
  const stream = newRStream();
  const controller = new DefaultController();
  setUpReadableStreamDefaultController(stream, controller, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, sizeAlgorithm ?? (() => 1));
  return stream;
}

/** CreateReadableByteStream. */
export function createReadableByteStream(
  startAlgorithm: StartAlgorithm, pullAlgorithm: PullAlgorithm, cancelAlgorithm: CancelAlgorithm,
  highWaterMark = 0, autoAllocateChunkSize: number | undefined = undefined,
): RStream {
  const stream = newRStream();
  const controller = new ByteController();
  setUpReadableByteStreamController(stream, controller, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, autoAllocateChunkSize);
  return stream;
}

/** A ReadableStream object with fresh, uninitialised internals (InitializeReadableStream). */
export function newRStream(): RStream {
  constructingStream = true;
  const facade = new ReadableStream();
  return getStream(facade);
}

function setUpDefaultControllerFromUnderlyingSource(
  stream: RStream, underlyingSource: unknown, start: Function | undefined, pull: Function | undefined,
  cancel: Function | undefined, highWaterMark: number, sizeAlgorithm: SizeAlgorithm,
): void {
  const controller = new DefaultController();
  const facade = controller.facade;
  const startAlgorithm: StartAlgorithm = start === undefined ? () => undefined : () => invoke(start, underlyingSource, [facade]);
  const pullAlgorithm: PullAlgorithm = pull === undefined ? resolvedUndefined : () => invokePromise(pull, underlyingSource, [facade]);
  const cancelAlgorithm: CancelAlgorithm = cancel === undefined ? resolvedUndefined : (reason) => invokePromise(cancel, underlyingSource, [reason]);
  setUpReadableStreamDefaultController(stream, controller, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, sizeAlgorithm);
}

export function setUpReadableStreamDefaultController(
  stream: RStream, controller: DefaultController, startAlgorithm: StartAlgorithm, pullAlgorithm: PullAlgorithm,
  cancelAlgorithm: CancelAlgorithm, highWaterMark: number, sizeAlgorithm: SizeAlgorithm,
): void {
  controller.stream = stream;
  resetQueue(controller);
  controller.started = controller.closeRequested = controller.pullAgain = controller.pulling = false;
  controller.strategySizeAlgorithm = sizeAlgorithm;
  controller.strategyHWM = highWaterMark;
  controller.pullAlgorithm = pullAlgorithm;
  controller.cancelAlgorithm = cancelAlgorithm;
  stream.controller = controller;
  const startResult = startAlgorithm();
  react(resolvedWith(startResult), () => {
    controller.started = true;
    readableStreamDefaultControllerCallPullIfNeeded(controller);
  }, (r) => {
    readableStreamDefaultControllerError(controller, r);
  });
}

// ---------------------------------------------------------------------------------------------
// Abstract operations: ReadableStream

export function isReadableStreamLocked(stream: RStream): boolean {
  return stream.reader !== undefined;
}

// Readers created by the runtime skip the public constructor's argument handling through this flag.
let constructingReader = false;

export function acquireDefaultReader(stream: RStream): DefaultReader {
  constructingReader = true;
  const reader = getDefaultReader(new ReadableStreamDefaultReader(undefined));
  setUpDefaultReader(reader, stream);
  return reader;
}

export function acquireBYOBReader(stream: RStream): BYOBReader {
  constructingReader = true;
  const reader = getBYOBReader(new ReadableStreamBYOBReader(undefined));
  setUpBYOBReader(reader, stream);
  return reader;
}

function setUpDefaultReader(reader: DefaultReader, stream: RStream): void {
  if (isReadableStreamLocked(stream)) throw new TypeError('Cannot create a reader for a locked ReadableStream.');
  readableStreamReaderGenericInitialize(reader, stream);
  reader.readRequests = new Queue();
}

function setUpBYOBReader(reader: BYOBReader, stream: RStream): void {
  if (isReadableStreamLocked(stream)) throw new TypeError('Cannot create a reader for a locked ReadableStream.');
  if (!stream.controller.byte) throw new TypeError('Cannot create a BYOB reader for a stream that is not a byte stream.');
  readableStreamReaderGenericInitialize(reader, stream);
  reader.readIntoRequests = new Queue();
}

export function readableStreamAddReadRequest(stream: RStream, readRequest: ReadRequest): void {
  (stream.reader as DefaultReader).readRequests.push(readRequest);
}

export function readableStreamAddReadIntoRequest(stream: RStream, readIntoRequest: ReadIntoRequest): void {
  (stream.reader as BYOBReader).readIntoRequests.push(readIntoRequest);
}

export function readableStreamCancel(stream: RStream, reason: unknown): Promise<undefined> {
  stream.disturbed = true;
  if (stream.state === 'closed') return resolvedUndefined();
  if (stream.state === 'errored') return rejectedWith(stream.storedError);
  readableStreamClose(stream);
  const reader = stream.reader;
  if (reader !== undefined && reader.byob) {
    const requests = reader.readIntoRequests;
    reader.readIntoRequests = new Queue();
    while (requests.size > 0) requests.shift().close(undefined);
  }
  const controller = stream.controller;
  const sourceCancelPromise = controller.byte ? byteControllerCancelSteps(controller, reason) : defaultControllerCancelSteps(controller, reason);
  return transform(sourceCancelPromise, () => undefined);
}

export function readableStreamClose(stream: RStream): void {
  stream.state = 'closed';
  const reader = stream.reader;
  if (reader === undefined) return;
  reader.closed.resolve(undefined);
  if (!reader.byob) {
    const requests = reader.readRequests;
    reader.readRequests = new Queue();
    while (requests.size > 0) requests.shift().close();
  }
}

export function readableStreamError(stream: RStream, e: unknown): void {
  stream.state = 'errored';
  stream.storedError = e;
  const reader = stream.reader;
  if (reader === undefined) return;
  reader.closed.reject(e);
  setHandled(reader.closed.promise);
  if (!reader.byob) readableStreamDefaultReaderErrorReadRequests(reader, e);
  else readableStreamBYOBReaderErrorReadIntoRequests(reader, e);
}

export function readableStreamFulfillReadRequest(stream: RStream, chunk: unknown, done: boolean): void {
  const reader = stream.reader as DefaultReader;
  const readRequest = reader.readRequests.shift();
  if (done) readRequest.close();
  else readRequest.chunk(chunk);
}

export function readableStreamFulfillReadIntoRequest(stream: RStream, chunk: ArrayBufferView, done: boolean): void {
  const reader = stream.reader as BYOBReader;
  const readIntoRequest = reader.readIntoRequests.shift();
  if (done) readIntoRequest.close(chunk);
  else readIntoRequest.chunk(chunk);
}

export function readableStreamGetNumReadRequests(stream: RStream): number {
  return (stream.reader as DefaultReader).readRequests.size;
}

export function readableStreamGetNumReadIntoRequests(stream: RStream): number {
  return (stream.reader as BYOBReader).readIntoRequests.size;
}

export function readableStreamHasDefaultReader(stream: RStream): boolean {
  const reader = stream.reader;
  return reader !== undefined && !reader.byob;
}

export function readableStreamHasBYOBReader(stream: RStream): boolean {
  const reader = stream.reader;
  return reader !== undefined && reader.byob;
}

// ---------------------------------------------------------------------------------------------
// Abstract operations: readers

function readableStreamReaderGenericInitialize(reader: DefaultReader | BYOBReader, stream: RStream): void {
  reader.stream = stream;
  stream.reader = reader;
  const d = newDeferred<undefined>();
  if (stream.state === 'closed') {
    d.resolve(undefined);
  } else if (stream.state === 'errored') {
    d.reject(stream.storedError);
    setHandled(d.promise);
  }
  reader.closed = d;
}

export function readableStreamReaderGenericCancel(reader: DefaultReader | BYOBReader, reason: unknown): Promise<undefined> {
  return readableStreamCancel(reader.stream!, reason);
}

function readableStreamReaderGenericRelease(reader: DefaultReader | BYOBReader): void {
  const stream = reader.stream!;
  const e = new TypeError('The reader was released and can no longer be used to monitor the stream.');
  if (stream.state === 'readable') {
    reader.closed.reject(e);
  } else {
    reader.closed = newDeferred<undefined>();
    reader.closed.reject(e);
  }
  setHandled(reader.closed.promise);
  const controller = stream.controller;
  if (controller.byte) byteControllerReleaseSteps(controller);
  stream.reader = undefined;
  reader.stream = undefined;
}

export function readableStreamDefaultReaderRead(reader: DefaultReader, readRequest: ReadRequest): void {
  const stream = reader.stream!;
  stream.disturbed = true;
  if (stream.state === 'closed') {
    readRequest.close();
  } else if (stream.state === 'errored') {
    readRequest.error(stream.storedError);
  } else {
    const controller = stream.controller;
    if (controller.byte) byteControllerPullSteps(controller, readRequest);
    else defaultControllerPullSteps(controller, readRequest);
  }
}

export function readableStreamDefaultReaderRelease(reader: DefaultReader): void {
  readableStreamReaderGenericRelease(reader);
  readableStreamDefaultReaderErrorReadRequests(reader, new TypeError('The reader was released.'));
}

function readableStreamDefaultReaderErrorReadRequests(reader: DefaultReader, e: unknown): void {
  const requests = reader.readRequests;
  reader.readRequests = new Queue();
  while (requests.size > 0) requests.shift().error(e);
}

export function readableStreamBYOBReaderRead(reader: BYOBReader, view: ArrayBufferView, min: number, readIntoRequest: ReadIntoRequest): void {
  const stream = reader.stream!;
  stream.disturbed = true;
  if (stream.state === 'errored') readIntoRequest.error(stream.storedError);
  else byteControllerPullInto(stream.controller as ByteController, view, min, readIntoRequest);
}

export function readableStreamBYOBReaderRelease(reader: BYOBReader): void {
  readableStreamReaderGenericRelease(reader);
  readableStreamBYOBReaderErrorReadIntoRequests(reader, new TypeError('The reader was released.'));
}

function readableStreamBYOBReaderErrorReadIntoRequests(reader: BYOBReader, e: unknown): void {
  const requests = reader.readIntoRequests;
  reader.readIntoRequests = new Queue();
  while (requests.size > 0) requests.shift().error(e);
}

// ---------------------------------------------------------------------------------------------
// Abstract operations: ReadableStreamDefaultController

function defaultControllerCancelSteps(controller: DefaultController, reason: unknown): Promise<unknown> {
  resetQueue(controller);
  const result = controller.cancelAlgorithm!(reason);
  readableStreamDefaultControllerClearAlgorithms(controller);
  return result;
}

function defaultControllerPullSteps(controller: DefaultController, readRequest: ReadRequest): void {
  const stream = controller.stream;
  if (controller.queue.size > 0) {
    const chunk = dequeueValue(controller);
    if (controller.closeRequested && controller.queue.size === 0) {
      readableStreamDefaultControllerClearAlgorithms(controller);
      readableStreamClose(stream);
    } else {
      readableStreamDefaultControllerCallPullIfNeeded(controller);
    }
    readRequest.chunk(chunk);
  } else {
    readableStreamAddReadRequest(stream, readRequest);
    readableStreamDefaultControllerCallPullIfNeeded(controller);
  }
}

function readableStreamDefaultControllerCallPullIfNeeded(controller: DefaultController): void {
  if (!readableStreamDefaultControllerShouldCallPull(controller)) return;
  if (controller.pulling) {
    controller.pullAgain = true;
    return;
  }
  controller.pulling = true;
  const pullPromise = controller.pullAlgorithm!();
  react(pullPromise, () => {
    controller.pulling = false;
    if (controller.pullAgain) {
      controller.pullAgain = false;
      readableStreamDefaultControllerCallPullIfNeeded(controller);
    }
  }, (e) => {
    readableStreamDefaultControllerError(controller, e);
  });
}

function readableStreamDefaultControllerShouldCallPull(controller: DefaultController): boolean {
  const stream = controller.stream;
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) return false;
  if (!controller.started) return false;
  if (isReadableStreamLocked(stream) && readableStreamHasDefaultReader(stream) && readableStreamGetNumReadRequests(stream) > 0) return true;
  const desiredSize = readableStreamDefaultControllerGetDesiredSize(controller);
  return desiredSize! > 0;
}

function readableStreamDefaultControllerClearAlgorithms(controller: DefaultController): void {
  controller.pullAlgorithm = undefined;
  controller.cancelAlgorithm = undefined;
  controller.strategySizeAlgorithm = undefined;
}

export function readableStreamDefaultControllerClose(controller: DefaultController): void {
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) return;
  const stream = controller.stream;
  controller.closeRequested = true;
  if (controller.queue.size === 0) {
    readableStreamDefaultControllerClearAlgorithms(controller);
    readableStreamClose(stream);
  }
}

export function readableStreamDefaultControllerEnqueue(controller: DefaultController, chunk: unknown): void {
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(controller)) return;
  const stream = controller.stream;
  if (isReadableStreamLocked(stream) && readableStreamGetNumReadRequests(stream) > 0) {
    readableStreamFulfillReadRequest(stream, chunk, false);
  } else {
    let chunkSize: number;
    try {
      chunkSize = controller.strategySizeAlgorithm!(chunk);
    } catch (e) {
      readableStreamDefaultControllerError(controller, e);
      throw e;
    }
    try {
      enqueueValueWithSize(controller, chunk, chunkSize);
    } catch (e) {
      readableStreamDefaultControllerError(controller, e);
      throw e;
    }
  }
  readableStreamDefaultControllerCallPullIfNeeded(controller);
}

export function readableStreamDefaultControllerError(controller: DefaultController, e: unknown): void {
  const stream = controller.stream;
  if (stream.state !== 'readable') return;
  resetQueue(controller);
  readableStreamDefaultControllerClearAlgorithms(controller);
  readableStreamError(stream, e);
}

export function readableStreamDefaultControllerGetDesiredSize(controller: DefaultController): number | null {
  const state = controller.stream.state;
  if (state === 'errored') return null;
  if (state === 'closed') return 0;
  return controller.strategyHWM - controller.queueTotalSize;
}

export function readableStreamDefaultControllerHasBackpressure(controller: DefaultController): boolean {
  return !readableStreamDefaultControllerShouldCallPull(controller);
}

export function readableStreamDefaultControllerCanCloseOrEnqueue(controller: DefaultController): boolean {
  return !controller.closeRequested && controller.stream.state === 'readable';
}

// ---------------------------------------------------------------------------------------------
// Interface shape

webidlInterface(ReadableStream, 'ReadableStream');
webidlInterface(ReadableStreamDefaultReader, 'ReadableStreamDefaultReader');
webidlInterface(ReadableStreamBYOBReader, 'ReadableStreamBYOBReader');
webidlInterface(ReadableStreamDefaultController, 'ReadableStreamDefaultController');
// @@asyncIterator is the same function object as values().
ObjectDefineProperty(ReadableStream.prototype, SymbolAsyncIterator, {
  value: ReadableStream.prototype.values, writable: true, enumerable: false, configurable: true,
});

export { ReadableByteStreamController };
export type { WStream };
