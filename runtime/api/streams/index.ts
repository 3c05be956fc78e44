// The Streams area's classes and the internal helpers other areas use (fetch bodies, compression,
// encoding streams). Helpers take and return the public objects and never go through anything a
// tenant could patch.
import {
  ObjectHasOwn, ReflectApply, TypeError, TypedArrayPrototypeGetLength, TypedArrayPrototypeSet, Uint8Array, ArrayBufferIsView,
} from '../intrinsics.ts';
import {
  byteControllerBYOBRequestView, byteControllerClose, byteControllerEnqueue, byteControllerError, byteControllerRespond,
  type ByteController,
} from './byte-controller.ts';
import {
  ReadableStream, ReadableStreamBYOBReader, ReadableStreamDefaultController, ReadableStreamDefaultReader,
  ReadableByteStreamController, acquireDefaultReader, createReadableByteStream, isReadableStream as isRS,
  isReadableStreamLocked as lockedRS, readableStreamCancel, readableStreamDefaultReaderRead,
  readableStreamDefaultReaderRelease, readableStreamReaderGenericCancel, streamOf, type DefaultReader, type RStream,
} from './readable.ts';
import { ReadableStreamBYOBRequest } from './byte-controller.ts';
import { readableStreamTee } from './tee.ts';
import { deserializeWithTransfer, serializeWithTransfer } from '../messaging/structured-clone.ts';
import {
  TransformStream, TransformStreamDefaultController, createTransformStream, transformStreamDefaultControllerEnqueue,
  transformStreamDefaultControllerError, transformStreamDefaultControllerTerminate, transformStreamOf, type TController,
} from './transform.ts';
import { WritableStream, WritableStreamDefaultController, WritableStreamDefaultWriter, isWritableStream } from './writable.ts';
import { ByteLengthQueuingStrategy, CountQueuingStrategy } from './strategies.ts';
import {
  cloneAsUint8Array, isUint8Array, newDeferred, promiseCall, rejectedWith, resolvedUndefined, resolvedWith, transform,
  viewInfo,
} from './util.ts';

export {
  ReadableStream, ReadableStreamDefaultReader, ReadableStreamBYOBReader, ReadableStreamBYOBRequest,
  ReadableStreamDefaultController, ReadableByteStreamController, WritableStream, WritableStreamDefaultWriter,
  WritableStreamDefaultController, TransformStream, TransformStreamDefaultController, ByteLengthQueuingStrategy,
  CountQueuingStrategy, isWritableStream,
};

function internal(s: ReadableStream, what: string): RStream {
  const stream = streamOf(s);
  if (stream === undefined) throw new TypeError(`${what}: not a ReadableStream.`);
  return stream;
}

/** Is `v` a ReadableStream (brand check)? */
export function isReadableStream(v: unknown): v is ReadableStream {
  return isRS(v);
}

/** IsReadableStreamLocked. */
export function isReadableStreamLocked(s: ReadableStream): boolean {
  return lockedRS(internal(s, 'isReadableStreamLocked'));
}

/** The stream's [[disturbed]] flag: true once it has been read from or cancelled. */
export function isReadableStreamDisturbed(s: ReadableStream): boolean {
  return internal(s, 'isReadableStreamDisturbed').disturbed;
}

/** Is the stream errored? (Fetch: "body is errored".) */
export function isReadableStreamErrored(s: ReadableStream): boolean {
  return internal(s, 'isReadableStreamErrored').state === 'errored';
}

/** Is the stream readable (neither closed nor errored)? */
export function isReadableStreamReadable(s: ReadableStream): boolean {
  return internal(s, 'isReadableStreamReadable').state === 'readable';
}

/** ReadableStreamCancel (no lock check: for the runtime's own streams and bodies). */
export function cancelReadableStream(s: ReadableStream, reason: unknown): Promise<undefined> {
  return readableStreamCancel(internal(s, 'cancelReadableStream'), reason);
}

export interface InternalReadResult {
  done: boolean;
  value: unknown;
}

/** A reader the runtime uses on tenant streams without touching their (patchable) public API. */
export interface InternalReader {
  read(): Promise<InternalReadResult>;
  releaseLock(): void;
  cancel(reason: unknown): Promise<undefined>;
}

/** Acquires a default reader (throws TypeError when the stream is locked). */
export function getInternalReader(s: ReadableStream): InternalReader {
  const reader: DefaultReader = acquireDefaultReader(internal(s, 'getInternalReader'));
  return {
    read(): Promise<InternalReadResult> {
      if (reader.stream === undefined) return rejectedWith(new TypeError('The reader has been released.'));
      const d = newDeferred<InternalReadResult>();
      readableStreamDefaultReaderRead(reader, {
        chunk: (value) => d.resolve({ done: false, value }),
        close: () => d.resolve({ done: true, value: undefined }),
        error: (e) => d.reject(e),
      });
      return d.promise;
    },
    releaseLock(): void {
      if (reader.stream !== undefined) readableStreamDefaultReaderRelease(reader);
    },
    cancel(reason: unknown): Promise<undefined> {
      if (reader.stream === undefined) return rejectedWith(new TypeError('The reader has been released.'));
      return readableStreamReaderGenericCancel(reader, reason);
    },
  };
}

/**
 * Reads a stream of Uint8Array chunks to the end and concatenates them ("read all bytes").
 * Rejects with TypeError when the stream is locked or a chunk is not a Uint8Array, and with the
 * stream's error when it errors.
 */
export function readAllBytes(s: ReadableStream): Promise<Uint8Array> {
  return promiseCall(() => {
    const reader = acquireDefaultReader(internal(s, 'readAllBytes'));
    const result = newDeferred<Uint8Array>();
    const chunks: Uint8Array[] = [];
    let count = 0;
    let total = 0;
    let finished = false;
    const finish = () => {
      const out = new Uint8Array(total);
      let offset = 0;
      for (let i = 0; i < count; i++) {
        TypedArrayPrototypeSet(out, chunks[i]!, offset);
        offset += TypedArrayPrototypeGetLength(chunks[i]!);
      }
      result.resolve(out);
    };
    // Trampolined read loop: chunks already queued arrive synchronously without deep recursion.
    const pump = (): void => {
      for (;;) {
        let sync = true;
        let again = false;
        readableStreamDefaultReaderRead(reader, {
          chunk: (chunk) => {
            if (!isUint8Array(chunk)) {
              finished = true;
              result.reject(new TypeError('The stream produced a chunk that is not a Uint8Array.'));
              return;
            }
            chunks[count++] = chunk;
            total += TypedArrayPrototypeGetLength(chunk);
            if (sync) again = true;
            else pump();
          },
          close: () => {
            finished = true;
            finish();
          },
          error: (e) => {
            finished = true;
            result.reject(e);
          },
        });
        sync = false;
        if (!again || finished) return;
      }
    };
    pump();
    return result.promise;
  });
}

export interface PullStreamOptions {
  /** The byte stream's high-water mark (default 0: pull only when read). */
  highWaterMark?: number;
}

/** What a pull function may use instead of (or besides) resolving with bytes. */
export interface PullStreamController {
  enqueue(chunk: Uint8Array): void;
  close(): void;
  error(e: unknown): void;
}

/**
 * A byte ReadableStream fed by `pull` (host-fed bodies). Each pull either resolves with the next
 * bytes (a Uint8Array), or null at the end, or uses the controller it is given and resolves with
 * undefined; a rejection errors the stream. `cancel` is told when the consumer cancels.
 */
export function createPullStream(
  pull: (controller: PullStreamController) => Promise<Uint8Array | null | void>,
  cancel: (reason: unknown) => unknown,
  options: PullStreamOptions | undefined = undefined,
): ReadableStream<Uint8Array> {
  // Own properties only: a tenant may have put getters on Object.prototype.
  const highWaterMark = options !== undefined && ObjectHasOwn(options, 'highWaterMark') ? options.highWaterMark! : 0;
  let stream: RStream;
  const closeStream = () => {
    const controller = stream.controller as ByteController;
    if (controller.closeRequested || stream.state !== 'readable') return;
    byteControllerClose(controller);
    if (byteControllerBYOBRequestView(controller) !== null) byteControllerRespond(controller, 0);
  };
  const enqueue = (bytes: unknown) => {
    const controller = stream.controller as ByteController;
    if (controller.closeRequested || stream.state !== 'readable') return;
    if (!ArrayBufferIsView(bytes)) throw new TypeError('A pull stream chunk must be a Uint8Array.');
    const info = viewInfo(bytes)!;
    if (info.byteLength === 0) return;
    byteControllerEnqueue(controller, info);
  };
  const api: PullStreamController = {
    enqueue,
    close: closeStream,
    error: (e) => byteControllerError(stream.controller as ByteController, e),
  };
  const pullAlgorithm = (): Promise<unknown> => transform(promiseCall(() => pull(api)), (bytes): unknown => {
    if (bytes === undefined) return undefined;
    if (bytes === null) {
      closeStream();
      return undefined;
    }
    if (viewInfo(bytes) !== undefined && viewInfo(bytes)!.byteLength === 0) return pullAlgorithm(); // nothing yet: ask again
    enqueue(bytes);
    return undefined;
  });
  const cancelAlgorithm = (reason: unknown): Promise<unknown> => {
    try {
      return transform(resolvedWith(cancel(reason)), () => undefined, () => undefined);
    } catch {
      return resolvedUndefined();
    }
  };
  stream = createReadableByteStream(() => undefined, pullAlgorithm, cancelAlgorithm, highWaterMark);
  return stream.facade;
}

/** A byte ReadableStream that yields a copy of `bytes` and closes. */
export function readableStreamFromBytes(bytes: Uint8Array): ReadableStream {
  const copy = cloneAsUint8Array(viewInfo(bytes)!);
  const stream = createReadableByteStream(() => undefined, resolvedUndefined, resolvedUndefined, 0);
  const controller = stream.controller as ByteController;
  if (TypedArrayPrototypeGetLength(copy) > 0) byteControllerEnqueue(controller, viewInfo(copy)!);
  byteControllerClose(controller);
  return stream.facade;
}

/** StructuredDeserialize(StructuredSerialize(chunk)): throws a DataCloneError for what cannot be cloned. */
function structuredCloneChunk(chunk: unknown): unknown {
  return deserializeWithTransfer(serializeWithTransfer(chunk, [])).value;
}

/**
 * Tees a stream for another specification (Fetch's body clone, "ReadableStreamTee(stream, true)"):
 * for default streams branch 2 gets a structured clone of every chunk (same view type, offset and
 * length over a copy of its buffer); a chunk that cannot be cloned errors both branches.
 */
export function teeReadableStream(s: ReadableStream): [ReadableStream, ReadableStream] {
  const branches = readableStreamTee(internal(s, 'teeReadableStream'), structuredCloneChunk);
  return [branches[0].facade, branches[1].facade];
}

/** What a runtime-defined transform's hooks get to act on the stream. */
export interface TransformHooksController {
  enqueue(chunk: unknown): void;
  error(reason: unknown): void;
  terminate(): void;
}

export interface TransformHooks {
  transform(chunk: unknown, controller: TransformHooksController): void | Promise<unknown>;
  flush?(controller: TransformHooksController): void | Promise<unknown>;
  cancel?(reason: unknown): void | Promise<unknown>;
}

/**
 * A TransformStream driven by runtime hooks (TextEncoderStream, CompressionStream, …): returns the
 * readable and writable sides; thrown errors or rejections error the stream.
 */
export function createTransform(hooks: TransformHooks): { readable: ReadableStream; writable: WritableStream } {
  // Own properties only: a tenant may have put getters or functions on Object.prototype.
  const transformHook = hooks.transform;
  const flushHook = ObjectHasOwn(hooks, 'flush') ? hooks.flush : undefined;
  const cancelHook = ObjectHasOwn(hooks, 'cancel') ? hooks.cancel : undefined;
  let controller: TController;
  const api: TransformHooksController = {
    enqueue: (chunk) => transformStreamDefaultControllerEnqueue(controller, chunk),
    error: (reason) => transformStreamDefaultControllerError(controller, reason),
    terminate: () => transformStreamDefaultControllerTerminate(controller),
  };
  const call = (fn: () => unknown): Promise<unknown> => {
    try {
      return resolvedWith(fn());
    } catch (e) {
      return rejectedWith(e);
    }
  };
  const t = createTransformStream(
    (chunk) => call(() => ReflectApply(transformHook, hooks, [chunk, api])),
    () => call(() => (flushHook === undefined ? undefined : ReflectApply(flushHook, hooks, [api]))),
    (reason) => call(() => (cancelHook === undefined ? undefined : ReflectApply(cancelHook, hooks, [reason]))),
  );
  controller = t.controller;
  return { readable: t.readable.facade, writable: t.writable.facade };
}

/** Is `v` a TransformStream (brand check)? */
export function isTransformStream(v: unknown): v is TransformStream {
  return transformStreamOf(v) !== undefined;
}
