// CompressionStream and DecompressionStream (https://compression.spec.whatwg.org/).
//
// Each is a GenericTransformStream whose transform hands BufferSource chunks to the host's native
// zlib / brotli (runtime/host/ops/compression.ts) and enqueues what comes back. Backpressure is the
// TransformStream's: a chunk's transform resolves only when the host has consumed it, and the
// output of one chunk arrives in batches of at most 1 MiB. Invalid data (corrupt, truncated at
// close, bytes after the end) errors both sides with a TypeError after the output decoded so far
// has been enqueued. The host's per-stream state is dropped when the stream ends, errors, is
// cancelled or aborted, and with the isolate.
import { hostAsync, hostSend } from '../bridge/host.ts';
import { finishInterface } from '../webidl/interface.ts';
import {
  ArrayBufferIsView, ArrayBufferPrototypeGetDetached, ArrayPrototypeIncludes, Uint8Array, DataViewPrototypeGetBuffer,
  PromisePrototypeThen, PromiseWithResolvers, TypeError, TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength, TypedArrayPrototypeGetSymbolToStringTag, WeakMap, WeakMapPrototypeGet,
  WeakMapPrototypeSet, copyBufferSource, isArrayBuffer, isDataView,
} from '../intrinsics.ts';
import { createTransform, type ReadableStream, type TransformHooksController, type WritableStream } from '../streams/index.ts';

const FORMATS = ['deflate', 'deflate-raw', 'gzip', 'brotli'];

interface Slots {
  iface: string;
  readable: ReadableStream;
  writable: WritableStream;
}
const slots = new WeakMap<object, Slots>();
let nextId = 1;

interface Batch {
  bytes: Uint8Array;
  more: boolean;
  error: string | null;
}

/** WebIDL enum CompressionFormat. */
function toFormat(args: number, format: unknown, iface: string): string {
  if (args < 1) throw new TypeError(`Failed to construct '${iface}': 1 argument required, but only 0 present.`);
  const s = `${format as string}`;
  if (!ArrayPrototypeIncludes(FORMATS, s)) {
    throw new TypeError(`Failed to construct '${iface}': Unsupported compression format: '${s}'`);
  }
  return s;
}

/** A copy of a BufferSource chunk's bytes; TypeError for anything else (incl. shared memory). */
function chunkBytes(chunk: unknown): Uint8Array {
  let buffer: unknown;
  if (isArrayBuffer(chunk)) buffer = chunk;
  else if (isDataView(chunk)) buffer = DataViewPrototypeGetBuffer(chunk);
  else if (ArrayBufferIsView(chunk) && TypedArrayPrototypeGetSymbolToStringTag(chunk) !== undefined) {
    buffer = TypedArrayPrototypeGetBuffer(chunk);
  }
  if (buffer === undefined || !isArrayBuffer(buffer)) {
    throw new TypeError('The chunk must be an ArrayBuffer or an ArrayBufferView on a (non-shared) ArrayBuffer.');
  }
  // WebIDL: the bytes of a detached buffer are the empty byte sequence.
  if (ArrayBufferPrototypeGetDetached !== undefined && ArrayBufferPrototypeGetDetached(buffer)) return new Uint8Array(0);
  return copyBufferSource(chunk as ArrayBuffer | ArrayBufferView);
}

function isBatch(b: unknown): b is Batch {
  if (typeof b !== 'object' || b === null) return false;
  const { bytes, more, error } = b as Batch;
  return TypedArrayPrototypeGetSymbolToStringTag(bytes) === 'Uint8Array' && typeof more === 'boolean' &&
    (error === null || typeof error === 'string');
}

function setUp(self: object, iface: string, kind: string): void {
  const id = nextId++;
  let open = true;
  const release = () => {
    if (open) {
      open = false;
      hostSend('compression.close', id);
    }
  };
  // One host round trip and everything it returns: enqueues each batch, follows `more`, and turns a
  // host-reported data error into the stream's TypeError (after enqueuing the output before it).
  // Reactions never return promises, so no `then` of a tenant-patched prototype is ever looked up.
  const run = (request: Promise<unknown>, controller: TransformHooksController, last: boolean): Promise<unknown> => {
    const done = PromiseWithResolvers<unknown>();
    const fail = (e: unknown) => {
      release();
      done.reject(e);
    };
    const onBatch = (b: unknown): void => {
      try {
        if (!isBatch(b)) throw new TypeError('Compression failed.');
        if (TypedArrayPrototypeGetByteLength(b.bytes) > 0) controller.enqueue(b.bytes);
        if (b.error !== null) {
          open = false; // the host has already dropped it
          throw new TypeError(b.error);
        }
        if (b.more) {
          PromisePrototypeThen(hostAsync('compression.pull', id), onBatch, fail);
          return;
        }
        if (last) open = false; // the host drops a stream once its last batch is out
        done.resolve(undefined);
      } catch (e) {
        fail(e);
      }
    };
    PromisePrototypeThen(request, onBatch, fail);
    return done.promise;
  };
  const { readable, writable } = createTransform({
    transform(chunk, controller) {
      let bytes: Uint8Array;
      try {
        bytes = chunkBytes(chunk);
      } catch (e) {
        release();
        throw e;
      }
      if (TypedArrayPrototypeGetByteLength(bytes) === 0) return undefined;
      return run(hostAsync('compression.write', id, kind, bytes), controller, false);
    },
    flush(controller) {
      return run(hostAsync('compression.finish', id, kind), controller, true);
    },
    cancel() {
      release();
    },
  });
  WeakMapPrototypeSet(slots, self, { iface, readable, writable });
}

function slotsOf(self: unknown, iface: string, member: string): Slots {
  const s = typeof self === 'object' && self !== null ? WeakMapPrototypeGet(slots, self) : undefined;
  if (s === undefined || s.iface !== iface) throw new TypeError(`Illegal invocation: ${iface}.prototype.${member} called on an object that is not a ${iface}`);
  return s;
}

export class CompressionStream {
  constructor(format: unknown) {
    setUp(this, 'CompressionStream', 'c:' + toFormat(arguments.length, format, 'CompressionStream'));
  }
  get readable(): ReadableStream {
    return slotsOf(this, 'CompressionStream', 'readable').readable;
  }
  get writable(): WritableStream {
    return slotsOf(this, 'CompressionStream', 'writable').writable;
  }
}

export class DecompressionStream {
  constructor(format: unknown) {
    setUp(this, 'DecompressionStream', 'd:' + toFormat(arguments.length, format, 'DecompressionStream'));
  }
  get readable(): ReadableStream {
    return slotsOf(this, 'DecompressionStream', 'readable').readable;
  }
  get writable(): WritableStream {
    return slotsOf(this, 'DecompressionStream', 'writable').writable;
  }
}

finishInterface(CompressionStream, 'CompressionStream');
finishInterface(DecompressionStream, 'DecompressionStream');
