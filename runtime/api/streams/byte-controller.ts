// Readable byte streams: ReadableByteStreamController and ReadableStreamBYOBRequest
// (https://streams.spec.whatwg.org/#rbs-controller-class).
import { ArrayBuffer, MathMin, ReflectConstruct, TypeError, RangeError, Uint8Array } from '../intrinsics.ts';
import { brandCheck, requireArgs, slotReader, toEnforcedUnsignedLongLong, webidlInterface } from './idl.ts';
import {
  Queue, arrayBufferByteLength, arrayBufferSlice, canTransferArrayBuffer, copyBytes, invoke, invokePromise,
  isDetachedBuffer, react, resolvedUndefined, resolvedWith, toArrayBufferView, transferArrayBuffer, viewInfo,
  type ViewInfo,
} from './util.ts';
import {
  readableStreamAddReadIntoRequest, readableStreamAddReadRequest, readableStreamClose, readableStreamError,
  readableStreamFulfillReadIntoRequest, readableStreamFulfillReadRequest, readableStreamGetNumReadIntoRequests,
  readableStreamGetNumReadRequests, readableStreamHasBYOBReader, readableStreamHasDefaultReader, isReadableStreamLocked,
  type CancelAlgorithm, type DefaultReader, type PullAlgorithm, type ReadIntoRequest, type ReadRequest,
  type RStream, type StartAlgorithm,
} from './readable.ts';

type ViewConstructor = ViewInfo['ctor'];

interface PullIntoDescriptor {
  buffer: ArrayBuffer;
  bufferByteLength: number;
  byteOffset: number;
  byteLength: number;
  bytesFilled: number;
  minimumFill: number;
  elementSize: number;
  viewConstructor: ViewConstructor;
  readerType: 'default' | 'byob' | 'none';
}

interface ByteQueueEntry {
  buffer: ArrayBuffer;
  byteOffset: number;
  byteLength: number;
}

/** ReadableStreamBYOBRequest internal slots. */
class BYOBRequestSlots {
  controller: ByteController | undefined = undefined;
  view: ArrayBufferView | null = null;
  facade: ReadableStreamBYOBRequest;
  constructor() {
    constructingRequest = this;
    this.facade = new ReadableStreamBYOBRequest();
  }
}

/** ReadableByteStreamController internal slots. */
export class ByteController {
  readonly byte = true;
  stream: RStream = undefined as unknown as RStream;
  autoAllocateChunkSize: number | undefined = undefined;
  byobRequest: BYOBRequestSlots | null = null;
  cancelAlgorithm: CancelAlgorithm | undefined = undefined;
  closeRequested = false;
  pullAgain = false;
  pullAlgorithm: PullAlgorithm | undefined = undefined;
  pulling = false;
  pendingPullIntos = new Queue<PullIntoDescriptor>();
  queue = new Queue<ByteQueueEntry>();
  queueTotalSize = 0;
  started = false;
  strategyHWM = 0;
  facade: ReadableByteStreamController;
  constructor() {
    constructingController = this;
    this.facade = new ReadableByteStreamController();
  }
}

let constructingController: ByteController | undefined;
let constructingRequest: BYOBRequestSlots | undefined;
let getController: (o: ReadableByteStreamController) => ByteController;
let getRequest: (o: ReadableStreamBYOBRequest) => BYOBRequestSlots;

const thisController = brandCheck('ReadableByteStreamController', slotReader((o: ReadableByteStreamController) => getController(o)));

const thisRequest = brandCheck('ReadableStreamBYOBRequest', slotReader((o: ReadableStreamBYOBRequest) => getRequest(o)));

export class ReadableStreamBYOBRequest {
  #r: BYOBRequestSlots;
  static {
    getRequest = (o) => o.#r;
  }
  constructor() {
    const r = constructingRequest;
    constructingRequest = undefined;
    if (r === undefined) throw new TypeError('Illegal constructor');
    this.#r = r;
  }

  get view(): ArrayBufferView | null {
    return thisRequest(this, 'view').view;
  }

  respond(bytesWritten: unknown): void {
    const r = thisRequest(this, 'respond');
    requireArgs(arguments.length, 1, 'ReadableStreamBYOBRequest.respond');
    const n = toEnforcedUnsignedLongLong(bytesWritten, "Failed to execute 'respond' on 'ReadableStreamBYOBRequest': bytesWritten");
    if (r.controller === undefined) throw new TypeError('This BYOB request has been invalidated.');
    const info = viewInfo(r.view)!;
    if (isDetachedBuffer(info.buffer)) throw new TypeError("The BYOB request's buffer has been detached.");
    byteControllerRespond(r.controller, n);
  }

  respondWithNewView(view: unknown): void {
    const r = thisRequest(this, 'respondWithNewView');
    requireArgs(arguments.length, 1, 'ReadableStreamBYOBRequest.respondWithNewView');
    const info = toArrayBufferView(view, "Failed to execute 'respondWithNewView' on 'ReadableStreamBYOBRequest': parameter 1");
    if (r.controller === undefined) throw new TypeError('This BYOB request has been invalidated.');
    if (isDetachedBuffer(info.buffer)) throw new TypeError("The view's buffer has been detached.");
    byteControllerRespondWithNewView(r.controller, info);
  }
}

export class ReadableByteStreamController {
  #c: ByteController;
  static {
    getController = (o) => o.#c;
  }
  constructor() {
    const c = constructingController;
    constructingController = undefined;
    if (c === undefined) throw new TypeError('Illegal constructor');
    this.#c = c;
  }

  get byobRequest(): ReadableStreamBYOBRequest | null {
    const r = byteControllerGetBYOBRequest(thisController(this, 'byobRequest'));
    return r === null ? null : r.facade;
  }

  get desiredSize(): number | null {
    return byteControllerGetDesiredSize(thisController(this, 'desiredSize'));
  }

  close(): void {
    const c = thisController(this, 'close');
    if (c.closeRequested) throw new TypeError('The stream is already closing.');
    if (c.stream.state !== 'readable') throw new TypeError('The stream is not readable.');
    byteControllerClose(c);
  }

  enqueue(chunk: unknown): void {
    const c = thisController(this, 'enqueue');
    requireArgs(arguments.length, 1, 'ReadableByteStreamController.enqueue');
    const info = toArrayBufferView(chunk, "Failed to execute 'enqueue' on 'ReadableByteStreamController': parameter 1");
    if (info.byteLength === 0) throw new TypeError('The chunk must have a non-zero byteLength.');
    if (arrayBufferByteLength(info.buffer) === 0) throw new TypeError("The chunk's buffer must have a non-zero byteLength.");
    if (c.closeRequested) throw new TypeError('The stream is closing.');
    if (c.stream.state !== 'readable') throw new TypeError('The stream is not readable.');
    byteControllerEnqueue(c, info);
  }

  error(e: unknown = undefined): void {
    byteControllerError(thisController(this, 'error'), e);
  }
}

// ---------------------------------------------------------------------------------------------
// Set-up

export function setUpByteControllerFromUnderlyingSource(
  stream: RStream, underlyingSource: unknown, start: Function | undefined, pull: Function | undefined,
  cancel: Function | undefined, autoAllocateChunkSize: number | undefined, highWaterMark: number,
): void {
  const controller = new ByteController();
  const facade = controller.facade;
  const startAlgorithm: StartAlgorithm = start === undefined ? () => undefined : () => invoke(start, underlyingSource, [facade]);
  const pullAlgorithm: PullAlgorithm = pull === undefined ? resolvedUndefined : () => invokePromise(pull, underlyingSource, [facade]);
  const cancelAlgorithm: CancelAlgorithm = cancel === undefined ? resolvedUndefined : (reason) => invokePromise(cancel, underlyingSource, [reason]);
  if (autoAllocateChunkSize === 0) throw new TypeError('autoAllocateChunkSize must be greater than 0.');
  setUpReadableByteStreamController(stream, controller, startAlgorithm, pullAlgorithm, cancelAlgorithm, highWaterMark, autoAllocateChunkSize);
}

export function setUpReadableByteStreamController(
  stream: RStream, controller: ByteController, startAlgorithm: StartAlgorithm, pullAlgorithm: PullAlgorithm,
  cancelAlgorithm: CancelAlgorithm, highWaterMark: number, autoAllocateChunkSize: number | undefined,
): void {
  controller.stream = stream;
  controller.pullAgain = controller.pulling = false;
  controller.byobRequest = null;
  controller.queue = new Queue();
  controller.queueTotalSize = 0;
  controller.closeRequested = controller.started = false;
  controller.strategyHWM = highWaterMark;
  controller.pullAlgorithm = pullAlgorithm;
  controller.cancelAlgorithm = cancelAlgorithm;
  controller.autoAllocateChunkSize = autoAllocateChunkSize;
  controller.pendingPullIntos = new Queue();
  stream.controller = controller;
  const startResult = startAlgorithm();
  react(resolvedWith(startResult), () => {
    controller.started = true;
    byteControllerCallPullIfNeeded(controller);
  }, (r) => {
    byteControllerError(controller, r);
  });
}

// ---------------------------------------------------------------------------------------------
// Internal methods

export function byteControllerCancelSteps(controller: ByteController, reason: unknown): Promise<unknown> {
  byteControllerClearPendingPullIntos(controller);
  controller.queue = new Queue();
  controller.queueTotalSize = 0;
  const result = controller.cancelAlgorithm!(reason);
  byteControllerClearAlgorithms(controller);
  return result;
}

export function byteControllerPullSteps(controller: ByteController, readRequest: ReadRequest): void {
  const stream = controller.stream;
  if (controller.queueTotalSize > 0) {
    byteControllerFillReadRequestFromQueue(controller, readRequest);
    return;
  }
  const autoAllocateChunkSize = controller.autoAllocateChunkSize;
  if (autoAllocateChunkSize !== undefined) {
    let buffer: ArrayBuffer;
    try {
      buffer = new ArrayBuffer(autoAllocateChunkSize);
    } catch (e) {
      readRequest.error(e);
      return;
    }
    controller.pendingPullIntos.push({
      buffer, bufferByteLength: autoAllocateChunkSize, byteOffset: 0, byteLength: autoAllocateChunkSize,
      bytesFilled: 0, minimumFill: 1, elementSize: 1, viewConstructor: Uint8Array as unknown as ViewConstructor,
      readerType: 'default',
    });
  }
  readableStreamAddReadRequest(stream, readRequest);
  byteControllerCallPullIfNeeded(controller);
}

export function byteControllerReleaseSteps(controller: ByteController): void {
  if (controller.pendingPullIntos.size > 0) {
    const first = controller.pendingPullIntos.peek();
    first.readerType = 'none';
    controller.pendingPullIntos = new Queue();
    controller.pendingPullIntos.push(first);
  }
}

// ---------------------------------------------------------------------------------------------
// Abstract operations

function byteControllerCallPullIfNeeded(controller: ByteController): void {
  if (!byteControllerShouldCallPull(controller)) return;
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
      byteControllerCallPullIfNeeded(controller);
    }
  }, (e) => {
    byteControllerError(controller, e);
  });
}

function byteControllerClearAlgorithms(controller: ByteController): void {
  controller.pullAlgorithm = undefined;
  controller.cancelAlgorithm = undefined;
}

function byteControllerClearPendingPullIntos(controller: ByteController): void {
  byteControllerInvalidateBYOBRequest(controller);
  controller.pendingPullIntos = new Queue();
}

export function byteControllerClose(controller: ByteController): void {
  const stream = controller.stream;
  if (controller.closeRequested || stream.state !== 'readable') return;
  if (controller.queueTotalSize > 0) {
    controller.closeRequested = true;
    return;
  }
  if (controller.pendingPullIntos.size > 0) {
    const first = controller.pendingPullIntos.peek();
    if (first.bytesFilled % first.elementSize !== 0) {
      const e = new TypeError('Insufficient bytes to fill elements in the given buffer.');
      byteControllerError(controller, e);
      throw e;
    }
  }
  byteControllerClearAlgorithms(controller);
  readableStreamClose(stream);
}

function byteControllerCommitPullIntoDescriptor(stream: RStream, pullIntoDescriptor: PullIntoDescriptor): void {
  let done = false;
  if (stream.state === 'closed') done = true;
  const filledView = byteControllerConvertPullIntoDescriptor(pullIntoDescriptor);
  if (pullIntoDescriptor.readerType === 'default') readableStreamFulfillReadRequest(stream, filledView, done);
  else readableStreamFulfillReadIntoRequest(stream, filledView, done);
}

function byteControllerConvertPullIntoDescriptor(pd: PullIntoDescriptor): ArrayBufferView {
  const buffer = transferArrayBuffer(pd.buffer);
  return ReflectConstruct(pd.viewConstructor, [buffer, pd.byteOffset, pd.bytesFilled / pd.elementSize]) as ArrayBufferView;
}

export function byteControllerEnqueue(controller: ByteController, chunk: ViewInfo): void {
  const stream = controller.stream;
  if (controller.closeRequested || stream.state !== 'readable') return;
  const { buffer, byteOffset, byteLength } = chunk;
  if (isDetachedBuffer(buffer)) throw new TypeError("The chunk's buffer is detached.");
  const transferredBuffer = transferArrayBuffer(buffer);
  if (controller.pendingPullIntos.size > 0) {
    const first = controller.pendingPullIntos.peek();
    if (isDetachedBuffer(first.buffer)) throw new TypeError("The BYOB request's buffer has been detached.");
    byteControllerInvalidateBYOBRequest(controller);
    first.buffer = transferArrayBuffer(first.buffer);
    if (first.readerType === 'none') byteControllerEnqueueDetachedPullIntoToQueue(controller, first);
  }
  if (readableStreamHasDefaultReader(stream)) {
    byteControllerProcessReadRequestsUsingQueue(controller);
    if (readableStreamGetNumReadRequests(stream) === 0) {
      byteControllerEnqueueChunkToQueue(controller, transferredBuffer, byteOffset, byteLength);
    } else {
      if (controller.pendingPullIntos.size > 0) byteControllerShiftPendingPullInto(controller);
      const transferredView = new Uint8Array(transferredBuffer, byteOffset, byteLength);
      readableStreamFulfillReadRequest(stream, transferredView, false);
    }
  } else if (readableStreamHasBYOBReader(stream)) {
    byteControllerEnqueueChunkToQueue(controller, transferredBuffer, byteOffset, byteLength);
    const filled = byteControllerProcessPullIntoDescriptorsUsingQueue(controller);
    for (let i = 0; i < filled.length; i++) byteControllerCommitPullIntoDescriptor(stream, filled[i]!);
  } else {
    byteControllerEnqueueChunkToQueue(controller, transferredBuffer, byteOffset, byteLength);
  }
  byteControllerCallPullIfNeeded(controller);
}

function byteControllerEnqueueChunkToQueue(controller: ByteController, buffer: ArrayBuffer, byteOffset: number, byteLength: number): void {
  controller.queue.push({ buffer, byteOffset, byteLength });
  controller.queueTotalSize += byteLength;
}

function byteControllerEnqueueClonedChunkToQueue(controller: ByteController, buffer: ArrayBuffer, byteOffset: number, byteLength: number): void {
  let clone: ArrayBuffer;
  try {
    clone = arrayBufferSlice(buffer, byteOffset, byteOffset + byteLength);
  } catch (e) {
    byteControllerError(controller, e);
    throw e;
  }
  byteControllerEnqueueChunkToQueue(controller, clone, 0, byteLength);
}

function byteControllerEnqueueDetachedPullIntoToQueue(controller: ByteController, pd: PullIntoDescriptor): void {
  if (pd.bytesFilled > 0) byteControllerEnqueueClonedChunkToQueue(controller, pd.buffer, pd.byteOffset, pd.bytesFilled);
  byteControllerShiftPendingPullInto(controller);
}

function byteControllerFillPullIntoDescriptorFromQueue(controller: ByteController, pd: PullIntoDescriptor): boolean {
  const maxBytesToCopy = MathMin(controller.queueTotalSize, pd.byteLength - pd.bytesFilled);
  const maxBytesFilled = pd.bytesFilled + maxBytesToCopy;
  let totalBytesToCopyRemaining = maxBytesToCopy;
  let ready = false;
  const remainderBytes = maxBytesFilled % pd.elementSize;
  const maxAlignedBytes = maxBytesFilled - remainderBytes;
  if (maxAlignedBytes >= pd.minimumFill) {
    totalBytesToCopyRemaining = maxAlignedBytes - pd.bytesFilled;
    ready = true;
  }
  const queue = controller.queue;
  while (totalBytesToCopyRemaining > 0) {
    const head = queue.peek();
    const bytesToCopy = MathMin(totalBytesToCopyRemaining, head.byteLength);
    const destStart = pd.byteOffset + pd.bytesFilled;
    copyBytes(pd.buffer, destStart, head.buffer, head.byteOffset, bytesToCopy);
    if (head.byteLength === bytesToCopy) {
      queue.shift();
    } else {
      head.byteOffset += bytesToCopy;
      head.byteLength -= bytesToCopy;
    }
    controller.queueTotalSize -= bytesToCopy;
    byteControllerFillHeadPullIntoDescriptor(controller, bytesToCopy, pd);
    totalBytesToCopyRemaining -= bytesToCopy;
  }
  return ready;
}

function byteControllerFillReadRequestFromQueue(controller: ByteController, readRequest: ReadRequest): void {
  const entry = controller.queue.shift();
  controller.queueTotalSize -= entry.byteLength;
  byteControllerHandleQueueDrain(controller);
  const view = new Uint8Array(entry.buffer, entry.byteOffset, entry.byteLength);
  readRequest.chunk(view);
}

export function byteControllerGetBYOBRequest(controller: ByteController): BYOBRequestSlots | null {
  if (controller.byobRequest === null && controller.pendingPullIntos.size > 0) {
    const first = controller.pendingPullIntos.peek();
    const view = new Uint8Array(first.buffer, first.byteOffset + first.bytesFilled, first.byteLength - first.bytesFilled);
    const request = new BYOBRequestSlots();
    request.controller = controller;
    request.view = view;
    controller.byobRequest = request;
  }
  return controller.byobRequest;
}

/** The [[view]] of the current BYOB request, or null (used by the byte-stream tee). */
export function byteControllerBYOBRequestView(controller: ByteController): ArrayBufferView | null {
  const r = byteControllerGetBYOBRequest(controller);
  return r === null ? null : r.view;
}

export function byteControllerGetDesiredSize(controller: ByteController): number | null {
  const state = controller.stream.state;
  if (state === 'errored') return null;
  if (state === 'closed') return 0;
  return controller.strategyHWM - controller.queueTotalSize;
}

function byteControllerHandleQueueDrain(controller: ByteController): void {
  if (controller.queueTotalSize === 0 && controller.closeRequested) {
    byteControllerClearAlgorithms(controller);
    readableStreamClose(controller.stream);
  } else {
    byteControllerCallPullIfNeeded(controller);
  }
}

function byteControllerInvalidateBYOBRequest(controller: ByteController): void {
  const request = controller.byobRequest;
  if (request === null) return;
  request.controller = undefined;
  request.view = null;
  controller.byobRequest = null;
}

function byteControllerProcessPullIntoDescriptorsUsingQueue(controller: ByteController): PullIntoDescriptor[] {
  const filled: PullIntoDescriptor[] = [];
  let n = 0;
  while (controller.pendingPullIntos.size > 0) {
    if (controller.queueTotalSize === 0) break;
    const pd = controller.pendingPullIntos.peek();
    if (byteControllerFillPullIntoDescriptorFromQueue(controller, pd)) {
      byteControllerShiftPendingPullInto(controller);
      filled[n++] = pd;
    }
  }
  return filled;
}

function byteControllerProcessReadRequestsUsingQueue(controller: ByteController): void {
  const reader = controller.stream.reader as DefaultReader;
  while (reader.readRequests.size > 0) {
    if (controller.queueTotalSize === 0) return;
    const readRequest = reader.readRequests.shift();
    byteControllerFillReadRequestFromQueue(controller, readRequest);
  }
}

export function byteControllerPullInto(controller: ByteController, view: ArrayBufferView, min: number, readIntoRequest: ReadIntoRequest): void {
  const stream = controller.stream;
  const info = viewInfo(view)!;
  const elementSize = info.elementSize;
  const ctor = info.ctor;
  const minimumFill = min * elementSize;
  const byteOffset = info.byteOffset;
  const byteLength = info.byteLength;
  let buffer: ArrayBuffer;
  try {
    buffer = transferArrayBuffer(info.buffer);
  } catch (e) {
    readIntoRequest.error(e);
    return;
  }
  const pd: PullIntoDescriptor = {
    buffer, bufferByteLength: arrayBufferByteLength(buffer), byteOffset, byteLength, bytesFilled: 0, minimumFill,
    elementSize, viewConstructor: ctor, readerType: 'byob',
  };
  if (controller.pendingPullIntos.size > 0) {
    controller.pendingPullIntos.push(pd);
    readableStreamAddReadIntoRequest(stream, readIntoRequest);
    return;
  }
  if (stream.state === 'closed') {
    const emptyView = ReflectConstruct(ctor, [pd.buffer, pd.byteOffset, 0]) as ArrayBufferView;
    readIntoRequest.close(emptyView);
    return;
  }
  if (controller.queueTotalSize > 0) {
    if (byteControllerFillPullIntoDescriptorFromQueue(controller, pd)) {
      const filledView = byteControllerConvertPullIntoDescriptor(pd);
      byteControllerHandleQueueDrain(controller);
      readIntoRequest.chunk(filledView);
      return;
    }
    if (controller.closeRequested) {
      const e = new TypeError('Insufficient bytes to fill elements in the given buffer.');
      byteControllerError(controller, e);
      readIntoRequest.error(e);
      return;
    }
  }
  controller.pendingPullIntos.push(pd);
  readableStreamAddReadIntoRequest(stream, readIntoRequest);
  byteControllerCallPullIfNeeded(controller);
}

export function byteControllerRespond(controller: ByteController, bytesWritten: number): void {
  const first = controller.pendingPullIntos.peek();
  const state = controller.stream.state;
  if (state === 'closed') {
    if (bytesWritten !== 0) throw new TypeError('bytesWritten must be 0 when calling respond() on a closed stream.');
  } else {
    if (bytesWritten === 0) throw new TypeError('bytesWritten must be greater than 0 when calling respond() on a readable stream.');
    if (first.bytesFilled + bytesWritten > first.byteLength) throw new RangeError('bytesWritten out of range.');
  }
  first.buffer = transferArrayBuffer(first.buffer);
  byteControllerRespondInternal(controller, bytesWritten);
}

function byteControllerRespondInClosedState(controller: ByteController, first: PullIntoDescriptor): void {
  if (first.readerType === 'none') byteControllerShiftPendingPullInto(controller);
  const stream = controller.stream;
  if (readableStreamHasBYOBReader(stream)) {
    const filled: PullIntoDescriptor[] = [];
    let n = 0;
    while (n < readableStreamGetNumReadIntoRequests(stream)) filled[n++] = byteControllerShiftPendingPullInto(controller);
    for (let i = 0; i < n; i++) byteControllerCommitPullIntoDescriptor(stream, filled[i]!);
  }
}

function byteControllerRespondInReadableState(controller: ByteController, bytesWritten: number, pd: PullIntoDescriptor): void {
  byteControllerFillHeadPullIntoDescriptor(controller, bytesWritten, pd);
  if (pd.readerType === 'none') {
    byteControllerEnqueueDetachedPullIntoToQueue(controller, pd);
    const filled = byteControllerProcessPullIntoDescriptorsUsingQueue(controller);
    for (let i = 0; i < filled.length; i++) byteControllerCommitPullIntoDescriptor(controller.stream, filled[i]!);
    return;
  }
  if (pd.bytesFilled < pd.minimumFill) return;
  byteControllerShiftPendingPullInto(controller);
  const remainderSize = pd.bytesFilled % pd.elementSize;
  if (remainderSize > 0) {
    const end = pd.byteOffset + pd.bytesFilled;
    byteControllerEnqueueClonedChunkToQueue(controller, pd.buffer, end - remainderSize, remainderSize);
  }
  pd.bytesFilled -= remainderSize;
  const filled = byteControllerProcessPullIntoDescriptorsUsingQueue(controller);
  byteControllerCommitPullIntoDescriptor(controller.stream, pd);
  for (let i = 0; i < filled.length; i++) byteControllerCommitPullIntoDescriptor(controller.stream, filled[i]!);
}

function byteControllerRespondInternal(controller: ByteController, bytesWritten: number): void {
  const first = controller.pendingPullIntos.peek();
  void canTransferArrayBuffer;
  byteControllerInvalidateBYOBRequest(controller);
  if (controller.stream.state === 'closed') byteControllerRespondInClosedState(controller, first);
  else byteControllerRespondInReadableState(controller, bytesWritten, first);
  byteControllerCallPullIfNeeded(controller);
}

export function byteControllerRespondWithNewView(controller: ByteController, view: ViewInfo): void {
  const first = controller.pendingPullIntos.peek();
  const state = controller.stream.state;
  if (state === 'closed') {
    if (view.byteLength !== 0) throw new TypeError("The view's length must be 0 when calling respondWithNewView() on a closed stream.");
  } else if (view.byteLength === 0) {
    throw new TypeError("The view's length must be greater than 0 when calling respondWithNewView() on a readable stream.");
  }
  if (first.byteOffset + first.bytesFilled !== view.byteOffset) throw new RangeError('The region specified by view does not match byobRequest.');
  if (first.bufferByteLength !== arrayBufferByteLength(view.buffer)) throw new RangeError('The buffer of view has different capacity than byobRequest.');
  if (first.bytesFilled + view.byteLength > first.byteLength) throw new RangeError('The region specified by view is larger than byobRequest.');
  const viewByteLength = view.byteLength;
  first.buffer = transferArrayBuffer(view.buffer);
  byteControllerRespondInternal(controller, viewByteLength);
}

function byteControllerShiftPendingPullInto(controller: ByteController): PullIntoDescriptor {
  return controller.pendingPullIntos.shift();
}

function byteControllerShouldCallPull(controller: ByteController): boolean {
  const stream = controller.stream;
  if (stream.state !== 'readable') return false;
  if (controller.closeRequested) return false;
  if (!controller.started) return false;
  if (readableStreamHasDefaultReader(stream) && readableStreamGetNumReadRequests(stream) > 0) return true;
  if (readableStreamHasBYOBReader(stream) && readableStreamGetNumReadIntoRequests(stream) > 0) return true;
  return byteControllerGetDesiredSize(controller)! > 0;
}

export function byteControllerError(controller: ByteController, e: unknown): void {
  const stream = controller.stream;
  if (stream.state !== 'readable') return;
  byteControllerClearPendingPullIntos(controller);
  controller.queue = new Queue();
  controller.queueTotalSize = 0;
  byteControllerClearAlgorithms(controller);
  readableStreamError(stream, e);
}

function byteControllerFillHeadPullIntoDescriptor(controller: ByteController, size: number, pd: PullIntoDescriptor): void {
  void controller;
  pd.bytesFilled += size;
}

void isReadableStreamLocked;

webidlInterface(ReadableByteStreamController, 'ReadableByteStreamController');
webidlInterface(ReadableStreamBYOBRequest, 'ReadableStreamBYOBRequest');
