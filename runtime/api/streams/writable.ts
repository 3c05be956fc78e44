// WritableStream, WritableStreamDefaultWriter and WritableStreamDefaultController
// (https://streams.spec.whatwg.org/#ws-model).
import { ObjectCreate, TypeError, RangeError } from '../intrinsics.ts';
import { brandCheck, dictionary, isObject, requireArgs, slotReader, webidlInterface } from './idl.ts';
import {
  Queue, callbackMember, dequeueValue, enqueueValueWithSize, extractHighWaterMark, extractSizeAlgorithm, invoke,
  invokePromise, newDeferred, peekQueueValue, promiseCall, react, rejectedWith, resetQueue, resolvedUndefined,
  resolvedWith, setHandled, toStrategy, type Deferred, type SizeAlgorithm, type ValueWithSize,
} from './util.ts';
import { createAbortController, type InternalAbortController } from './abort.ts';

export type WritableState = 'writable' | 'closed' | 'erroring' | 'errored';

interface PendingAbortRequest {
  promise: Deferred<undefined>;
  reason: unknown;
  wasAlreadyErroring: boolean;
}

/** [[WritableStream]] internal slots. */
export class WStream {
  state: WritableState = 'writable';
  storedError: unknown = undefined;
  writer: Writer | undefined = undefined;
  controller: WController = undefined as unknown as WController;
  inFlightWriteRequest: Deferred<undefined> | undefined = undefined;
  closeRequest: Deferred<undefined> | undefined = undefined;
  inFlightCloseRequest: Deferred<undefined> | undefined = undefined;
  pendingAbortRequest: PendingAbortRequest | undefined = undefined;
  writeRequests = new Queue<Deferred<undefined>>();
  backpressure = false;
  facade: WritableStream;
  constructor(facade: WritableStream) {
    this.facade = facade;
  }
}

export class Writer {
  stream: WStream | undefined = undefined;
  ready: Deferred<undefined> = undefined as unknown as Deferred<undefined>;
  closed: Deferred<undefined> = undefined as unknown as Deferred<undefined>;
  facade: WritableStreamDefaultWriter;
  constructor(facade: WritableStreamDefaultWriter) {
    this.facade = facade;
  }
}

export type WriteAlgorithm = (chunk: unknown) => Promise<unknown>;
export type CloseAlgorithm = () => Promise<unknown>;
export type AbortAlgorithm = (reason: unknown) => Promise<unknown>;

export class WController {
  stream: WStream = undefined as unknown as WStream;
  queue = new Queue<ValueWithSize>();
  queueTotalSize = 0;
  started = false;
  strategyHWM = 1;
  strategySizeAlgorithm: SizeAlgorithm | undefined = undefined;
  writeAlgorithm: WriteAlgorithm | undefined = undefined;
  closeAlgorithm: CloseAlgorithm | undefined = undefined;
  abortAlgorithm: AbortAlgorithm | undefined = undefined;
  // [[abortController]], created on first use of `signal` (nothing can observe it before).
  abortController: InternalAbortController | undefined = undefined;
  aborted = false;
  abortReason: unknown = undefined;
  facade: WritableStreamDefaultController;
  constructor() {
    constructingController = this;
    this.facade = new WritableStreamDefaultController();
  }
}

const closeSentinel = ObjectCreate(null) as object;

let constructingStream = false;
let constructingWriter = false;
let constructingController: WController | undefined;
let getStream: (o: WritableStream) => WStream;
let getWriter: (o: WritableStreamDefaultWriter) => Writer;
let getController: (o: WritableStreamDefaultController) => WController;

/** The internal record of a WritableStream, or undefined. */
export const writableStreamOf = slotReader((o: WritableStream) => getStream(o));

export function isWritableStream(v: unknown): v is WritableStream {
  return writableStreamOf(v) !== undefined;
}

const thisStream = brandCheck('WritableStream', writableStreamOf);

const thisWriter = brandCheck('WritableStreamDefaultWriter', slotReader((o: WritableStreamDefaultWriter) => getWriter(o)));

const thisController = brandCheck('WritableStreamDefaultController', slotReader((o: WritableStreamDefaultController) => getController(o)));

// ---------------------------------------------------------------------------------------------
// WritableStream

export class WritableStream {
  #s: WStream;
  static {
    getStream = (o) => o.#s;
  }

  constructor(underlyingSink: unknown = undefined, strategy: unknown = undefined) {
    this.#s = new WStream(this);
    if (constructingStream) {
      constructingStream = false;
      return;
    }
    if (underlyingSink !== undefined && !isObject(underlyingSink)) {
      throw new TypeError("Failed to construct 'WritableStream': The provided value is not of type 'object'.");
    }
    const strategyDict = toStrategy(strategy, "Failed to construct 'WritableStream': strategy");
    const what = "Failed to construct 'WritableStream': underlyingSink";
    const sink = dictionary(underlyingSink === undefined ? null : underlyingSink, what);
    const abort = callbackMember(sink, 'abort', what);
    const close = callbackMember(sink, 'close', what);
    const start = callbackMember(sink, 'start', what);
    const type = sink === undefined ? undefined : sink.type;
    const write = callbackMember(sink, 'write', what);
    if (type !== undefined) throw new RangeError('Invalid type is specified');
    const sizeAlgorithm = extractSizeAlgorithm(strategyDict);
    const highWaterMark = extractHighWaterMark(strategyDict, 1);
    const stream = this.#s;
    const controller = new WController();
    const facade = controller.facade;
    const startAlgorithm = start === undefined ? () => undefined : () => invoke(start, underlyingSink, [facade]);
    const writeAlgorithm: WriteAlgorithm = write === undefined ? resolvedUndefined : (chunk) => invokePromise(write, underlyingSink, [chunk, facade]);
    const closeAlgorithm: CloseAlgorithm = close === undefined ? resolvedUndefined : () => invokePromise(close, underlyingSink, []);
    const abortAlgorithm: AbortAlgorithm = abort === undefined ? resolvedUndefined : (reason) => invokePromise(abort, underlyingSink, [reason]);
    setUpWritableStreamDefaultController(stream, controller, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, highWaterMark, sizeAlgorithm);
  }

  get locked(): boolean {
    return isWritableStreamLocked(thisStream(this, 'locked'));
  }

  abort(reason: unknown = undefined): Promise<undefined> {
    return promiseCall(() => {
      const stream = thisStream(this, 'abort');
      if (isWritableStreamLocked(stream)) return rejectedWith(new TypeError('Cannot abort a locked WritableStream.'));
      return writableStreamAbort(stream, reason);
    });
  }

  close(): Promise<undefined> {
    return promiseCall(() => {
      const stream = thisStream(this, 'close');
      if (isWritableStreamLocked(stream)) return rejectedWith(new TypeError('Cannot close a locked WritableStream.'));
      if (writableStreamCloseQueuedOrInFlight(stream)) return rejectedWith(new TypeError('The WritableStream is already closing.'));
      return writableStreamClose(stream);
    });
  }

  getWriter(): WritableStreamDefaultWriter {
    return acquireWritableStreamDefaultWriter(thisStream(this, 'getWriter')).facade;
  }
}

// ---------------------------------------------------------------------------------------------
// WritableStreamDefaultWriter

export class WritableStreamDefaultWriter {
  #w: Writer;
  static {
    getWriter = (o) => o.#w;
  }

  constructor(stream: unknown) {
    this.#w = new Writer(this);
    if (constructingWriter) {
      constructingWriter = false;
      return;
    }
    requireArgs(arguments.length, 1, "Failed to construct 'WritableStreamDefaultWriter'");
    const s = writableStreamOf(stream);
    if (s === undefined) throw new TypeError("Failed to construct 'WritableStreamDefaultWriter': parameter 1 is not of type 'WritableStream'.");
    setUpWritableStreamDefaultWriter(this.#w, s);
  }

  get closed(): Promise<undefined> {
    return promiseCall(() => thisWriter(this, 'closed').closed.promise);
  }

  get desiredSize(): number | null {
    const writer = thisWriter(this, 'desiredSize');
    if (writer.stream === undefined) throw new TypeError('The writer has been released.');
    return writableStreamDefaultWriterGetDesiredSize(writer);
  }

  get ready(): Promise<undefined> {
    return promiseCall(() => thisWriter(this, 'ready').ready.promise);
  }

  abort(reason: unknown = undefined): Promise<undefined> {
    return promiseCall(() => {
      const writer = thisWriter(this, 'abort');
      if (writer.stream === undefined) return rejectedWith(new TypeError('The writer has been released.'));
      return writableStreamAbort(writer.stream, reason);
    });
  }

  close(): Promise<undefined> {
    return promiseCall(() => {
      const writer = thisWriter(this, 'close');
      const stream = writer.stream;
      if (stream === undefined) return rejectedWith(new TypeError('The writer has been released.'));
      if (writableStreamCloseQueuedOrInFlight(stream)) return rejectedWith(new TypeError('The WritableStream is already closing.'));
      return writableStreamClose(stream);
    });
  }

  releaseLock(): void {
    const writer = thisWriter(this, 'releaseLock');
    if (writer.stream === undefined) return;
    writableStreamDefaultWriterRelease(writer);
  }

  write(chunk: unknown = undefined): Promise<undefined> {
    return promiseCall(() => {
      const writer = thisWriter(this, 'write');
      if (writer.stream === undefined) return rejectedWith(new TypeError('The writer has been released.'));
      return writableStreamDefaultWriterWrite(writer, chunk);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// WritableStreamDefaultController

export class WritableStreamDefaultController {
  #c: WController;
  static {
    getController = (o) => o.#c;
  }
  constructor() {
    const c = constructingController;
    constructingController = undefined;
    if (c === undefined) throw new TypeError('Illegal constructor');
    this.#c = c;
  }

  get signal(): AbortSignalLike {
    const c = thisController(this, 'signal');
    if (c.abortController === undefined) {
      c.abortController = createAbortController();
      if (c.aborted) c.abortController.abort(c.abortReason);
    }
    return c.abortController.signal as AbortSignalLike;
  }

  error(e: unknown = undefined): void {
    const c = thisController(this, 'error');
    if (c.stream.state !== 'writable') return;
    writableStreamDefaultControllerError(c, e);
  }
}

type AbortSignalLike = object;

// ---------------------------------------------------------------------------------------------
// Abstract operations: creation

/** CreateWritableStream. */
export function createWritableStream(
  startAlgorithm: () => unknown, writeAlgorithm: WriteAlgorithm, closeAlgorithm: CloseAlgorithm,
  abortAlgorithm: AbortAlgorithm, highWaterMark = 1, sizeAlgorithm: SizeAlgorithm = () => 1,
): WStream {
  constructingStream = true;
  const stream = getStream(new WritableStream());
  const controller = new WController();
  setUpWritableStreamDefaultController(stream, controller, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, highWaterMark, sizeAlgorithm);
  return stream;
}

export function acquireWritableStreamDefaultWriter(stream: WStream): Writer {
  constructingWriter = true;
  const writer = getWriter(new WritableStreamDefaultWriter(undefined));
  setUpWritableStreamDefaultWriter(writer, stream);
  return writer;
}

function setUpWritableStreamDefaultController(
  stream: WStream, controller: WController, startAlgorithm: () => unknown, writeAlgorithm: WriteAlgorithm,
  closeAlgorithm: CloseAlgorithm, abortAlgorithm: AbortAlgorithm, highWaterMark: number, sizeAlgorithm: SizeAlgorithm,
): void {
  controller.stream = stream;
  stream.controller = controller;
  resetQueue(controller);
  controller.started = false;
  controller.strategySizeAlgorithm = sizeAlgorithm;
  controller.strategyHWM = highWaterMark;
  controller.writeAlgorithm = writeAlgorithm;
  controller.closeAlgorithm = closeAlgorithm;
  controller.abortAlgorithm = abortAlgorithm;
  const backpressure = writableStreamDefaultControllerGetBackpressure(controller);
  writableStreamUpdateBackpressure(stream, backpressure);
  const startResult = startAlgorithm();
  react(resolvedWith(startResult), () => {
    controller.started = true;
    writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
  }, (r) => {
    controller.started = true;
    writableStreamDealWithRejection(stream, r);
  });
}

function setUpWritableStreamDefaultWriter(writer: Writer, stream: WStream): void {
  if (isWritableStreamLocked(stream)) throw new TypeError('Cannot create a writer for a locked WritableStream.');
  writer.stream = stream;
  stream.writer = writer;
  const state = stream.state;
  if (state === 'writable') {
    const ready = newDeferred<undefined>();
    if (writableStreamCloseQueuedOrInFlight(stream) || !stream.backpressure) ready.resolve(undefined);
    writer.ready = ready;
    writer.closed = newDeferred<undefined>();
  } else if (state === 'erroring') {
    writer.ready = newDeferred<undefined>();
    writer.ready.reject(stream.storedError);
    setHandled(writer.ready.promise);
    writer.closed = newDeferred<undefined>();
  } else if (state === 'closed') {
    writer.ready = newDeferred<undefined>();
    writer.ready.resolve(undefined);
    writer.closed = newDeferred<undefined>();
    writer.closed.resolve(undefined);
  } else {
    const storedError = stream.storedError;
    writer.ready = newDeferred<undefined>();
    writer.ready.reject(storedError);
    setHandled(writer.ready.promise);
    writer.closed = newDeferred<undefined>();
    writer.closed.reject(storedError);
    setHandled(writer.closed.promise);
  }
}

// ---------------------------------------------------------------------------------------------
// Abstract operations: WritableStream

export function isWritableStreamLocked(stream: WStream): boolean {
  return stream.writer !== undefined;
}

function signalAbortOnController(controller: WController, reason: unknown): void {
  if (controller.aborted) return;
  controller.aborted = true;
  controller.abortReason = reason;
  if (controller.abortController !== undefined) controller.abortController.abort(reason);
}

export function writableStreamAbort(stream: WStream, reason: unknown): Promise<undefined> {
  if (stream.state === 'closed' || stream.state === 'errored') return resolvedUndefined();
  signalAbortOnController(stream.controller, reason);
  const state = stream.state as WritableState;
  if (state === 'closed' || state === 'errored') return resolvedUndefined();
  if (stream.pendingAbortRequest !== undefined) return stream.pendingAbortRequest.promise.promise;
  let wasAlreadyErroring = false;
  if (state === 'erroring') {
    wasAlreadyErroring = true;
    reason = undefined;
  }
  const promise = newDeferred<undefined>();
  stream.pendingAbortRequest = { promise, reason, wasAlreadyErroring };
  if (!wasAlreadyErroring) writableStreamStartErroring(stream, reason);
  return promise.promise;
}

export function writableStreamClose(stream: WStream): Promise<undefined> {
  const state = stream.state;
  if (state === 'closed' || state === 'errored') return rejectedWith(new TypeError('The stream is closed or errored.'));
  const promise = newDeferred<undefined>();
  stream.closeRequest = promise;
  const writer = stream.writer;
  if (writer !== undefined && stream.backpressure && state === 'writable') writer.ready.resolve(undefined);
  writableStreamDefaultControllerClose(stream.controller);
  return promise.promise;
}

function writableStreamAddWriteRequest(stream: WStream): Promise<undefined> {
  const promise = newDeferred<undefined>();
  stream.writeRequests.push(promise);
  return promise.promise;
}

export function writableStreamCloseQueuedOrInFlight(stream: WStream): boolean {
  return stream.closeRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}

function writableStreamDealWithRejection(stream: WStream, error: unknown): void {
  if (stream.state === 'writable') {
    writableStreamStartErroring(stream, error);
    return;
  }
  writableStreamFinishErroring(stream);
}

function writableStreamFinishErroring(stream: WStream): void {
  stream.state = 'errored';
  resetQueue(stream.controller); // [[ErrorSteps]]
  const storedError = stream.storedError;
  const requests = stream.writeRequests;
  stream.writeRequests = new Queue();
  while (requests.size > 0) requests.shift().reject(storedError);
  const abortRequest = stream.pendingAbortRequest;
  if (abortRequest === undefined) {
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  stream.pendingAbortRequest = undefined;
  if (abortRequest.wasAlreadyErroring) {
    abortRequest.promise.reject(storedError);
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
    return;
  }
  // [[AbortSteps]]
  const controller = stream.controller;
  const promise = controller.abortAlgorithm!(abortRequest.reason);
  writableStreamDefaultControllerClearAlgorithms(controller);
  react(promise, () => {
    abortRequest.promise.resolve(undefined);
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
  }, (reason) => {
    abortRequest.promise.reject(reason);
    writableStreamRejectCloseAndClosedPromiseIfNeeded(stream);
  });
}

function writableStreamFinishInFlightClose(stream: WStream): void {
  stream.inFlightCloseRequest!.resolve(undefined);
  stream.inFlightCloseRequest = undefined;
  if (stream.state === 'erroring') {
    stream.storedError = undefined;
    if (stream.pendingAbortRequest !== undefined) {
      stream.pendingAbortRequest.promise.resolve(undefined);
      stream.pendingAbortRequest = undefined;
    }
  }
  stream.state = 'closed';
  const writer = stream.writer;
  if (writer !== undefined) writer.closed.resolve(undefined);
}

function writableStreamFinishInFlightCloseWithError(stream: WStream, error: unknown): void {
  stream.inFlightCloseRequest!.reject(error);
  stream.inFlightCloseRequest = undefined;
  if (stream.pendingAbortRequest !== undefined) {
    stream.pendingAbortRequest.promise.reject(error);
    stream.pendingAbortRequest = undefined;
  }
  writableStreamDealWithRejection(stream, error);
}

function writableStreamFinishInFlightWrite(stream: WStream): void {
  stream.inFlightWriteRequest!.resolve(undefined);
  stream.inFlightWriteRequest = undefined;
}

function writableStreamFinishInFlightWriteWithError(stream: WStream, error: unknown): void {
  stream.inFlightWriteRequest!.reject(error);
  stream.inFlightWriteRequest = undefined;
  writableStreamDealWithRejection(stream, error);
}

function writableStreamHasOperationMarkedInFlight(stream: WStream): boolean {
  return stream.inFlightWriteRequest !== undefined || stream.inFlightCloseRequest !== undefined;
}

function writableStreamMarkCloseRequestInFlight(stream: WStream): void {
  stream.inFlightCloseRequest = stream.closeRequest;
  stream.closeRequest = undefined;
}

function writableStreamMarkFirstWriteRequestInFlight(stream: WStream): void {
  stream.inFlightWriteRequest = stream.writeRequests.shift();
}

function writableStreamRejectCloseAndClosedPromiseIfNeeded(stream: WStream): void {
  if (stream.closeRequest !== undefined) {
    stream.closeRequest.reject(stream.storedError);
    stream.closeRequest = undefined;
  }
  const writer = stream.writer;
  if (writer !== undefined) {
    writer.closed.reject(stream.storedError);
    setHandled(writer.closed.promise);
  }
}

function writableStreamStartErroring(stream: WStream, reason: unknown): void {
  const controller = stream.controller;
  stream.state = 'erroring';
  stream.storedError = reason;
  const writer = stream.writer;
  if (writer !== undefined) writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, reason);
  if (!writableStreamHasOperationMarkedInFlight(stream) && controller.started) writableStreamFinishErroring(stream);
}

function writableStreamUpdateBackpressure(stream: WStream, backpressure: boolean): void {
  const writer = stream.writer;
  if (writer !== undefined && backpressure !== stream.backpressure) {
    if (backpressure) writer.ready = newDeferred<undefined>();
    else writer.ready.resolve(undefined);
  }
  stream.backpressure = backpressure;
}

// ---------------------------------------------------------------------------------------------
// Abstract operations: writers

export function writableStreamDefaultWriterCloseWithErrorPropagation(writer: Writer): Promise<undefined> {
  const stream = writer.stream!;
  const state = stream.state;
  if (writableStreamCloseQueuedOrInFlight(stream) || state === 'closed') return resolvedUndefined();
  if (state === 'errored') return rejectedWith(stream.storedError);
  return writableStreamClose(stream);
}

function writableStreamDefaultWriterEnsureClosedPromiseRejected(writer: Writer, error: unknown): void {
  if (writer.closed.pending) writer.closed.reject(error);
  else {
    writer.closed = newDeferred<undefined>();
    writer.closed.reject(error);
  }
  setHandled(writer.closed.promise);
}

function writableStreamDefaultWriterEnsureReadyPromiseRejected(writer: Writer, error: unknown): void {
  if (writer.ready.pending) writer.ready.reject(error);
  else {
    writer.ready = newDeferred<undefined>();
    writer.ready.reject(error);
  }
  setHandled(writer.ready.promise);
}

export function writableStreamDefaultWriterGetDesiredSize(writer: Writer): number | null {
  const stream = writer.stream!;
  const state = stream.state;
  if (state === 'errored' || state === 'erroring') return null;
  if (state === 'closed') return 0;
  return writableStreamDefaultControllerGetDesiredSize(stream.controller);
}

export function writableStreamDefaultWriterRelease(writer: Writer): void {
  const stream = writer.stream!;
  const releasedError = new TypeError('The writer was released.');
  writableStreamDefaultWriterEnsureReadyPromiseRejected(writer, releasedError);
  writableStreamDefaultWriterEnsureClosedPromiseRejected(writer, releasedError);
  stream.writer = undefined;
  writer.stream = undefined;
}

export function writableStreamDefaultWriterWrite(writer: Writer, chunk: unknown): Promise<undefined> {
  const stream = writer.stream!;
  const controller = stream.controller;
  const chunkSize = writableStreamDefaultControllerGetChunkSize(controller, chunk);
  if (stream !== writer.stream) return rejectedWith(new TypeError('The writer was released.'));
  const state = stream.state;
  if (state === 'errored') return rejectedWith(stream.storedError);
  if (writableStreamCloseQueuedOrInFlight(stream) || state === 'closed') return rejectedWith(new TypeError('The stream is closing or closed.'));
  if (state === 'erroring') return rejectedWith(stream.storedError);
  const promise = writableStreamAddWriteRequest(stream);
  writableStreamDefaultControllerWrite(controller, chunk, chunkSize);
  return promise;
}

// ---------------------------------------------------------------------------------------------
// Abstract operations: controller

function writableStreamDefaultControllerAdvanceQueueIfNeeded(controller: WController): void {
  const stream = controller.stream;
  if (!controller.started) return;
  if (stream.inFlightWriteRequest !== undefined) return;
  const state = stream.state;
  if (state === 'erroring') {
    writableStreamFinishErroring(stream);
    return;
  }
  if (controller.queue.size === 0) return;
  const value = peekQueueValue(controller);
  if (value === closeSentinel) writableStreamDefaultControllerProcessClose(controller);
  else writableStreamDefaultControllerProcessWrite(controller, value);
}

function writableStreamDefaultControllerClearAlgorithms(controller: WController): void {
  controller.writeAlgorithm = undefined;
  controller.closeAlgorithm = undefined;
  controller.abortAlgorithm = undefined;
  controller.strategySizeAlgorithm = undefined;
}

function writableStreamDefaultControllerClose(controller: WController): void {
  enqueueValueWithSize(controller, closeSentinel, 0);
  writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
}

function writableStreamDefaultControllerError(controller: WController, error: unknown): void {
  const stream = controller.stream;
  writableStreamDefaultControllerClearAlgorithms(controller);
  writableStreamStartErroring(stream, error);
}

export function writableStreamDefaultControllerErrorIfNeeded(controller: WController, error: unknown): void {
  if (controller.stream.state === 'writable') writableStreamDefaultControllerError(controller, error);
}

function writableStreamDefaultControllerGetBackpressure(controller: WController): boolean {
  return writableStreamDefaultControllerGetDesiredSize(controller) <= 0;
}

function writableStreamDefaultControllerGetChunkSize(controller: WController, chunk: unknown): number {
  const size = controller.strategySizeAlgorithm;
  if (size === undefined) return 1;
  try {
    return size(chunk);
  } catch (e) {
    writableStreamDefaultControllerErrorIfNeeded(controller, e);
    return 1;
  }
}

function writableStreamDefaultControllerGetDesiredSize(controller: WController): number {
  return controller.strategyHWM - controller.queueTotalSize;
}

function writableStreamDefaultControllerProcessClose(controller: WController): void {
  const stream = controller.stream;
  writableStreamMarkCloseRequestInFlight(stream);
  dequeueValue(controller);
  const sinkClosePromise = controller.closeAlgorithm!();
  writableStreamDefaultControllerClearAlgorithms(controller);
  react(sinkClosePromise, () => {
    writableStreamFinishInFlightClose(stream);
  }, (reason) => {
    writableStreamFinishInFlightCloseWithError(stream, reason);
  });
}

function writableStreamDefaultControllerProcessWrite(controller: WController, chunk: unknown): void {
  const stream = controller.stream;
  writableStreamMarkFirstWriteRequestInFlight(stream);
  const sinkWritePromise = controller.writeAlgorithm!(chunk);
  react(sinkWritePromise, () => {
    writableStreamFinishInFlightWrite(stream);
    const state = stream.state;
    dequeueValue(controller);
    if (!writableStreamCloseQueuedOrInFlight(stream) && state === 'writable') {
      const backpressure = writableStreamDefaultControllerGetBackpressure(controller);
      writableStreamUpdateBackpressure(stream, backpressure);
    }
    writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
  }, (reason) => {
    if (stream.state === 'writable') writableStreamDefaultControllerClearAlgorithms(controller);
    writableStreamFinishInFlightWriteWithError(stream, reason);
  });
}

function writableStreamDefaultControllerWrite(controller: WController, chunk: unknown, chunkSize: number): void {
  try {
    enqueueValueWithSize(controller, chunk, chunkSize);
  } catch (e) {
    writableStreamDefaultControllerErrorIfNeeded(controller, e);
    return;
  }
  const stream = controller.stream;
  if (!writableStreamCloseQueuedOrInFlight(stream) && stream.state === 'writable') {
    const backpressure = writableStreamDefaultControllerGetBackpressure(controller);
    writableStreamUpdateBackpressure(stream, backpressure);
  }
  writableStreamDefaultControllerAdvanceQueueIfNeeded(controller);
}

webidlInterface(WritableStream, 'WritableStream');
webidlInterface(WritableStreamDefaultWriter, 'WritableStreamDefaultWriter');
webidlInterface(WritableStreamDefaultController, 'WritableStreamDefaultController');
