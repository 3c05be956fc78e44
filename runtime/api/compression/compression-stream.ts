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
import {
  ArrayBufferIsView, ArrayPrototypeIncludes, DataViewPrototypeGetBuffer, ObjectDefineProperty,
  PromisePrototypeThen, SymbolToStringTag, TypeError, TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength, TypedArrayPrototypeGetSymbolToStringTag, WeakMap, WeakMapPrototypeGet,
  WeakMapPrototypeSet, copyBufferSource, isArrayBuffer, isDataView,
} from '../intrinsics.ts';
import { createTransform, type ReadableStream, type TransformHooksController, type WritableStream } from '../streams/index.ts';

const FORMATS = ['deflate', 'deflate-raw', 'gzip', 'brotli'];

interface Slots {
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
  return copyBufferSource(chunk as ArrayBuffer | ArrayBufferView);
}

function isBatch(b: unknown): b is Batch {
  if (typeof b !== 'object' || b === null) return false;
  const { bytes, more, error } = b as Batch;
  return TypedArrayPrototypeGetSymbolToStringTag(bytes) === 'Uint8Array' && typeof more === 'boolean' &&
    (error === null || typeof error === 'string');
}

function setUp(self: object, kind: string): void {
  const id = nextId++;
  let open = true;
  const release = () => {
    if (open) {
      open = false;
      hostSend('compression.close', id);
    }
  };
  // Enqueues a batch; follows `more`; turns a host-reported data error into the stream's TypeError.
  const deliver = (b: unknown, controller: TransformHooksController): unknown => {
    if (!isBatch(b)) {
      release();
      throw new TypeError('Compression failed.');
    }
    if (TypedArrayPrototypeGetByteLength(b.bytes) > 0) controller.enqueue(b.bytes);
    if (b.error !== null) {
      open = false; // the host already dropped it
      throw new TypeError(b.error);
    }
    if (b.more) return PromisePrototypeThen(hostAsync('compression.pull', id), (next) => deliver(next, controller), fail);
    return undefined;
  };
  const fail = (e: unknown): never => {
    release();
    throw e;
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
      return PromisePrototypeThen(hostAsync('compression.write', id, kind, bytes), (b) => deliver(b, controller), fail);
    },
    flush(controller) {
      return PromisePrototypeThen(hostAsync('compression.finish', id, kind), (b) => {
        const r = deliver(b, controller);
        open = false; // the host drops a stream once its last batch is out
        return r;
      }, fail);
    },
    cancel() {
      release();
    },
  });
  WeakMapPrototypeSet(slots, self, { readable, writable });
}

function slotsOf(self: unknown, iface: string, member: string): Slots {
  const s = typeof self === 'object' && self !== null ? WeakMapPrototypeGet(slots, self) : undefined;
  if (s === undefined) throw new TypeError(`Illegal invocation: ${iface}.prototype.${member} called on an object that is not a ${iface}`);
  return s;
}

export class CompressionStream {
  constructor(format: unknown) {
    setUp(this, 'c:' + toFormat(arguments.length, format, 'CompressionStream'));
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
    setUp(this, 'd:' + toFormat(arguments.length, format, 'DecompressionStream'));
  }
  get readable(): ReadableStream {
    return slotsOf(this, 'DecompressionStream', 'readable').readable;
  }
  get writable(): WritableStream {
    return slotsOf(this, 'DecompressionStream', 'writable').writable;
  }
}

// WebIDL shape: attributes enumerable, @@toStringTag the interface name.
for (const [C, name] of [[CompressionStream, 'CompressionStream'], [DecompressionStream, 'DecompressionStream']] as const) {
  for (const key of ['readable', 'writable']) ObjectDefineProperty(C.prototype, key, { enumerable: true });
  ObjectDefineProperty(C.prototype, SymbolToStringTag, { value: name, writable: false, enumerable: false, configurable: true });
}
