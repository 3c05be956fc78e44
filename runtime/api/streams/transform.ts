// TransformStream and TransformStreamDefaultController (https://streams.spec.whatwg.org/#ts-model).
import { TypeError, RangeError } from '../intrinsics.ts';
import { brandCheck, dictionary, isObject, slotReader, webidlInterface } from './idl.ts';
import {
  adopt, callbackMember, extractHighWaterMark, extractSizeAlgorithm, invoke, invokePromise, newDeferred, react,
  rejectedWith, resolvedUndefined, toStrategy, transform, type Deferred, type SizeAlgorithm,
} from './util.ts';
import {
  createReadableStream, readableStreamDefaultControllerCanCloseOrEnqueue, readableStreamDefaultControllerClose,
  readableStreamDefaultControllerEnqueue, readableStreamDefaultControllerError,
  readableStreamDefaultControllerGetDesiredSize, readableStreamDefaultControllerHasBackpressure,
  type DefaultController, type RStream, type ReadableStream,
} from './readable.ts';
import {
  createWritableStream, writableStreamDefaultControllerErrorIfNeeded, type WStream, type WritableStream,
} from './writable.ts';

export type TransformAlgorithm = (chunk: unknown) => Promise<unknown>;
export type FlushAlgorithm = () => Promise<unknown>;
export type TCancelAlgorithm = (reason: unknown) => Promise<unknown>;

/** [[TransformStream]] internal slots. */
export class TStream {
  backpressure: boolean | undefined = undefined;
  backpressureChangePromise: Deferred<undefined> | undefined = undefined;
  controller: TController = undefined as unknown as TController;
  readable: RStream = undefined as unknown as RStream;
  writable: WStream = undefined as unknown as WStream;
  facade: TransformStream;
  constructor(facade: TransformStream) {
    this.facade = facade;
  }
}

export class TController {
  stream: TStream = undefined as unknown as TStream;
  transformAlgorithm: TransformAlgorithm | undefined = undefined;
  flushAlgorithm: FlushAlgorithm | undefined = undefined;
  cancelAlgorithm: TCancelAlgorithm | undefined = undefined;
  finishPromise: Deferred<undefined> | undefined = undefined;
  facade: TransformStreamDefaultController;
  constructor() {
    constructingController = this;
    this.facade = new TransformStreamDefaultController();
  }
}

let constructingStream = false;
let constructingController: TController | undefined;
let getStream: (o: TransformStream) => TStream;
let getController: (o: TransformStreamDefaultController) => TController;

const thisStream = brandCheck('TransformStream', slotReader((o: TransformStream) => getStream(o)));

const thisController = brandCheck('TransformStreamDefaultController', slotReader((o: TransformStreamDefaultController) => getController(o)));

export class TransformStream {
  #s: TStream;
  static {
    getStream = (o) => o.#s;
  }

  constructor(transformer: unknown = undefined, writableStrategy: unknown = undefined, readableStrategy: unknown = undefined) {
    this.#s = new TStream(this);
    if (constructingStream) {
      constructingStream = false;
      return;
    }
    if (transformer !== undefined && !isObject(transformer)) {
      throw new TypeError("Failed to construct 'TransformStream': The provided value is not of type 'object'.");
    }
    const writableStrategyDict = toStrategy(writableStrategy, "Failed to construct 'TransformStream': writableStrategy");
    const readableStrategyDict = toStrategy(readableStrategy, "Failed to construct 'TransformStream': readableStrategy");
    const what = "Failed to construct 'TransformStream': transformer";
    const t = dictionary(transformer === undefined ? null : transformer, what);
    const cancel = callbackMember(t, 'cancel', what);
    const flush = callbackMember(t, 'flush', what);
    const readableType = t === undefined ? undefined : t.readableType;
    const start = callbackMember(t, 'start', what);
    const transformFn = callbackMember(t, 'transform', what);
    const writableType = t === undefined ? undefined : t.writableType;
    if (readableType !== undefined) throw new RangeError('Invalid readableType specified');
    if (writableType !== undefined) throw new RangeError('Invalid writableType specified');
    const readableHighWaterMark = extractHighWaterMark(readableStrategyDict, 0);
    const readableSizeAlgorithm = extractSizeAlgorithm(readableStrategyDict);
    const writableHighWaterMark = extractHighWaterMark(writableStrategyDict, 1);
    const writableSizeAlgorithm = extractSizeAlgorithm(writableStrategyDict);
    const startPromise = newDeferred<unknown>();
    const stream = this.#s;
    initializeTransformStream(stream, startPromise.promise, writableHighWaterMark, writableSizeAlgorithm, readableHighWaterMark, readableSizeAlgorithm);
    // SetUpTransformStreamDefaultControllerFromTransformer
    const controller = new TController();
    const facade = controller.facade;
    let transformAlgorithm: TransformAlgorithm = (chunk) => {
      try {
        transformStreamDefaultControllerEnqueue(controller, chunk);
        return resolvedUndefined();
      } catch (e) {
        return rejectedWith(e);
      }
    };
    let flushAlgorithm: FlushAlgorithm = resolvedUndefined;
    let cancelAlgorithm: TCancelAlgorithm = resolvedUndefined;
    if (transformFn !== undefined) transformAlgorithm = (chunk) => invokePromise(transformFn, transformer, [chunk, facade]);
    if (flush !== undefined) flushAlgorithm = () => invokePromise(flush, transformer, [facade]);
    if (cancel !== undefined) cancelAlgorithm = (reason) => invokePromise(cancel, transformer, [reason]);
    setUpTransformStreamDefaultController(stream, controller, transformAlgorithm, flushAlgorithm, cancelAlgorithm);
    if (start !== undefined) adopt(startPromise, invoke(start, transformer, [facade]));
    else startPromise.resolve(undefined);
  }

  get readable(): ReadableStream {
    return thisStream(this, 'readable').readable.facade;
  }

  get writable(): WritableStream {
    return thisStream(this, 'writable').writable.facade;
  }
}

export class TransformStreamDefaultController {
  #c: TController;
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
    const c = thisController(this, 'desiredSize');
    return readableStreamDefaultControllerGetDesiredSize(c.stream.readable.controller as DefaultController);
  }

  enqueue(chunk: unknown = undefined): void {
    transformStreamDefaultControllerEnqueue(thisController(this, 'enqueue'), chunk);
  }

  error(reason: unknown = undefined): void {
    transformStreamError(thisController(this, 'error').stream, reason);
  }

  terminate(): void {
    transformStreamDefaultControllerTerminate(thisController(this, 'terminate'));
  }
}

// ---------------------------------------------------------------------------------------------
// Abstract operations

/** A TransformStream built from algorithms (used by TextEncoderStream, TextDecoderStream, …). */
export function createTransformStream(
  transformAlgorithm: TransformAlgorithm, flushAlgorithm: FlushAlgorithm = resolvedUndefined,
  cancelAlgorithm: TCancelAlgorithm = resolvedUndefined, writableHighWaterMark = 1, readableHighWaterMark = 0,
): TStream {
  constructingStream = true;
  const stream = getStream(new TransformStream());
  const startPromise = newDeferred<unknown>();
  startPromise.resolve(undefined);
  initializeTransformStream(stream, startPromise.promise, writableHighWaterMark, () => 1, readableHighWaterMark, () => 1);
  const controller = new TController();
  setUpTransformStreamDefaultController(stream, controller, transformAlgorithm, flushAlgorithm, cancelAlgorithm);
  return stream;
}

/** The internal record of a TransformStream, or undefined. */
export function transformStreamOf(v: unknown): TStream | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  try {
    return getStream(v as TransformStream);
  } catch {
    return undefined;
  }
}

function initializeTransformStream(
  stream: TStream, startPromise: Promise<unknown>, writableHighWaterMark: number, writableSizeAlgorithm: SizeAlgorithm,
  readableHighWaterMark: number, readableSizeAlgorithm: SizeAlgorithm,
): void {
  const startAlgorithm = () => startPromise;
  stream.writable = createWritableStream(
    startAlgorithm,
    (chunk) => transformStreamDefaultSinkWriteAlgorithm(stream, chunk),
    () => transformStreamDefaultSinkCloseAlgorithm(stream),
    (reason) => transformStreamDefaultSinkAbortAlgorithm(stream, reason),
    writableHighWaterMark, writableSizeAlgorithm,
  );
  stream.readable = createReadableStream(
    startAlgorithm,
    () => transformStreamDefaultSourcePullAlgorithm(stream),
    (reason) => transformStreamDefaultSourceCancelAlgorithm(stream, reason),
    readableHighWaterMark, readableSizeAlgorithm,
  );
  stream.backpressure = undefined;
  stream.backpressureChangePromise = undefined;
  transformStreamSetBackpressure(stream, true);
  stream.controller = undefined as unknown as TController;
}

function transformStreamError(stream: TStream, e: unknown): void {
  readableStreamDefaultControllerError(stream.readable.controller as DefaultController, e);
  transformStreamErrorWritableAndUnblockWrite(stream, e);
}

function transformStreamErrorWritableAndUnblockWrite(stream: TStream, e: unknown): void {
  transformStreamDefaultControllerClearAlgorithms(stream.controller);
  writableStreamDefaultControllerErrorIfNeeded(stream.writable.controller, e);
  transformStreamUnblockWrite(stream);
}

function transformStreamUnblockWrite(stream: TStream): void {
  if (stream.backpressure === true) transformStreamSetBackpressure(stream, false);
}

function transformStreamSetBackpressure(stream: TStream, backpressure: boolean): void {
  if (stream.backpressureChangePromise !== undefined) stream.backpressureChangePromise.resolve(undefined);
  stream.backpressureChangePromise = newDeferred<undefined>();
  stream.backpressure = backpressure;
}

function setUpTransformStreamDefaultController(
  stream: TStream, controller: TController, transformAlgorithm: TransformAlgorithm, flushAlgorithm: FlushAlgorithm,
  cancelAlgorithm: TCancelAlgorithm,
): void {
  controller.stream = stream;
  stream.controller = controller;
  controller.transformAlgorithm = transformAlgorithm;
  controller.flushAlgorithm = flushAlgorithm;
  controller.cancelAlgorithm = cancelAlgorithm;
}

function transformStreamDefaultControllerClearAlgorithms(controller: TController): void {
  controller.transformAlgorithm = undefined;
  controller.flushAlgorithm = undefined;
  controller.cancelAlgorithm = undefined;
}

export function transformStreamDefaultControllerEnqueue(controller: TController, chunk: unknown): void {
  const stream = controller.stream;
  const readableController = stream.readable.controller as DefaultController;
  if (!readableStreamDefaultControllerCanCloseOrEnqueue(readableController)) {
    throw new TypeError('Readable side is not in a state that permits enqueue.');
  }
  try {
    readableStreamDefaultControllerEnqueue(readableController, chunk);
  } catch (e) {
    transformStreamErrorWritableAndUnblockWrite(stream, e);
    throw stream.readable.storedError;
  }
  const backpressure = readableStreamDefaultControllerHasBackpressure(readableController);
  if (backpressure !== stream.backpressure) transformStreamSetBackpressure(stream, true);
}

export function transformStreamDefaultControllerError(controller: TController, e: unknown): void {
  transformStreamError(controller.stream, e);
}

function transformStreamDefaultControllerPerformTransform(controller: TController, chunk: unknown): Promise<unknown> {
  const transformPromise = controller.transformAlgorithm!(chunk);
  return transform(transformPromise, undefined, (r) => {
    transformStreamError(controller.stream, r);
    throw r;
  });
}

export function transformStreamDefaultControllerTerminate(controller: TController): void {
  const stream = controller.stream;
  readableStreamDefaultControllerClose(stream.readable.controller as DefaultController);
  const error = new TypeError('TransformStream terminated');
  transformStreamErrorWritableAndUnblockWrite(stream, error);
}

function transformStreamDefaultSinkWriteAlgorithm(stream: TStream, chunk: unknown): Promise<unknown> {
  const controller = stream.controller;
  if (stream.backpressure === true) {
    const backpressureChangePromise = stream.backpressureChangePromise!.promise;
    return transform(backpressureChangePromise, () => {
      const writable = stream.writable;
      if (writable.state === 'erroring') throw writable.storedError;
      return transformStreamDefaultControllerPerformTransform(controller, chunk);
    });
  }
  return transformStreamDefaultControllerPerformTransform(controller, chunk);
}

function transformStreamDefaultSinkAbortAlgorithm(stream: TStream, reason: unknown): Promise<unknown> {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
  const readable = stream.readable;
  const finish = newDeferred<undefined>();
  controller.finishPromise = finish;
  const cancelPromise = controller.cancelAlgorithm!(reason);
  transformStreamDefaultControllerClearAlgorithms(controller);
  react(cancelPromise, () => {
    if (readable.state === 'errored') {
      finish.reject(readable.storedError);
    } else {
      readableStreamDefaultControllerError(readable.controller as DefaultController, reason);
      finish.resolve(undefined);
    }
  }, (r) => {
    readableStreamDefaultControllerError(readable.controller as DefaultController, r);
    finish.reject(r);
  });
  return finish.promise;
}

function transformStreamDefaultSinkCloseAlgorithm(stream: TStream): Promise<unknown> {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
  const readable = stream.readable;
  const finish = newDeferred<undefined>();
  controller.finishPromise = finish;
  const flushPromise = controller.flushAlgorithm!();
  transformStreamDefaultControllerClearAlgorithms(controller);
  react(flushPromise, () => {
    if (readable.state === 'errored') {
      finish.reject(readable.storedError);
    } else {
      readableStreamDefaultControllerClose(readable.controller as DefaultController);
      finish.resolve(undefined);
    }
  }, (r) => {
    readableStreamDefaultControllerError(readable.controller as DefaultController, r);
    finish.reject(r);
  });
  return finish.promise;
}

function transformStreamDefaultSourcePullAlgorithm(stream: TStream): Promise<unknown> {
  transformStreamSetBackpressure(stream, false);
  return stream.backpressureChangePromise!.promise;
}

function transformStreamDefaultSourceCancelAlgorithm(stream: TStream, reason: unknown): Promise<unknown> {
  const controller = stream.controller;
  if (controller.finishPromise !== undefined) return controller.finishPromise.promise;
  const writable = stream.writable;
  const finish = newDeferred<undefined>();
  controller.finishPromise = finish;
  const cancelPromise = controller.cancelAlgorithm!(reason);
  transformStreamDefaultControllerClearAlgorithms(controller);
  react(cancelPromise, () => {
    if (writable.state === 'errored') {
      finish.reject(writable.storedError);
    } else {
      writableStreamDefaultControllerErrorIfNeeded(writable.controller, reason);
      transformStreamUnblockWrite(stream);
      finish.resolve(undefined);
    }
  }, (r) => {
    writableStreamDefaultControllerErrorIfNeeded(writable.controller, r);
    transformStreamUnblockWrite(stream);
    finish.reject(r);
  });
  return finish.promise;
}

webidlInterface(TransformStream, 'TransformStream');
webidlInterface(TransformStreamDefaultController, 'TransformStreamDefaultController');
