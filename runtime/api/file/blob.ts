// Blob (https://w3c.github.io/FileAPI/#blob-section).
//
// Storage: a Blob holds a list of immutable byte views ("parts") and its size. Bytes from a
// BufferSource are copied once (the spec requires a snapshot); strings are encoded once; Blob
// parts and slices share the views of the Blob they come from. Reading concatenates the parts on
// first use and keeps the result as the single part. Views held here are never handed to tenant
// code: every read returns a fresh copy.
import {
  PromiseReject, PromiseResolve, StringPrototypeCharCodeAt, StringPrototypeSlice, StringPrototypeToLowerCase, Symbol,
  TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetByteLength, TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeSet, TypedArrayPrototypeSlice, TypedArrayPrototypeSubarray, TypeError, Uint8Array,
  ArrayBufferIsView, ArrayBufferPrototypeGetByteLength, ArrayBufferPrototypeSlice, isArrayBuffer, isDataView, MathMax, MathMin,
  DataViewPrototypeGetBuffer, DataViewPrototypeGetByteLength, DataViewPrototypeGetByteOffset,
} from '../intrinsics.ts';
import { utf8Encode } from '../encoding/utf8.ts';
import { utf8Decode } from '../encoding/decoders.ts';
import {
  brandCheck, dictionary, finishInterface, forEachInSequence, getIteratorMethod, isObject, toClampedLongLong, toDOMString,
  toEnum, toUSVString,
} from '../fetch/idl.ts';
import { readableStreamFromBytes, type ReadableStream } from '../streams/index.ts';

export interface BlobState {
  parts: Uint8Array[];
  size: number;
  type: string;
}

/** Token that lets runtime code (and File) construct a Blob from a ready state. */
export const blobInternal: unique symbol = Symbol('Blob internal') as never;

const EMPTY_PARTS: Uint8Array[] = [];

// Set by the class's static block: the only reader of the private slot outside the class.
let getState: (b: unknown) => BlobState | undefined;

export class Blob {
  #state: BlobState;

  constructor(blobParts: unknown = undefined, options: unknown = undefined) {
    if (blobParts === blobInternal) {
      this.#state = options as BlobState;
      return;
    }
    const parts = convertBlobParts(blobParts, 'Blob constructor');
    const bag = convertBlobPropertyBag(options, 'Blob constructor');
    this.#state = processBlobParts(parts, bag.endings, bag.type);
  }

  get size(): number {
    return stateOf(this, 'size').size;
  }

  get type(): string {
    return stateOf(this, 'type').type;
  }

  slice(start: unknown = undefined, end: unknown = undefined, contentType: unknown = undefined): Blob {
    const state = stateOf(this, 'slice');
    const size = state.size;
    let relativeStart = 0;
    if (start !== undefined) {
      const s = toClampedLongLong(start);
      relativeStart = s < 0 ? MathMax(size + s, 0) : MathMin(s, size);
    }
    let relativeEnd = size;
    if (end !== undefined) {
      const e = toClampedLongLong(end);
      relativeEnd = e < 0 ? MathMax(size + e, 0) : MathMin(e, size);
    }
    let relativeContentType = '';
    if (contentType !== undefined) relativeContentType = normalizeBlobType(toDOMString(contentType));
    const span = MathMax(relativeEnd - relativeStart, 0);
    return createBlob(sliceParts(state.parts, relativeStart, span), span, relativeContentType);
  }

  stream(): ReadableStream {
    const state = stateOf(this, 'stream');
    return readableStreamFromBytes(flatBytes(state));
  }

  text(): Promise<string> {
    let state: BlobState;
    try {
      state = stateOf(this, 'text');
    } catch (e) {
      return PromiseReject(e);
    }
    return PromiseResolve(utf8Decode(flatBytes(state)));
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    let state: BlobState;
    try {
      state = stateOf(this, 'arrayBuffer');
    } catch (e) {
      return PromiseReject(e);
    }
    return PromiseResolve(TypedArrayPrototypeGetBuffer(copyOfBytes(state)) as ArrayBuffer);
  }

  bytes(): Promise<Uint8Array> {
    let state: BlobState;
    try {
      state = stateOf(this, 'bytes');
    } catch (e) {
      return PromiseReject(e);
    }
    return PromiseResolve(copyOfBytes(state));
  }

  static {
    getState = (b: unknown) => (isObject(b) && #state in b ? (b as Blob).#state : undefined);
  }
}


finishInterface(Blob, 'Blob');

const stateOf = brandCheck('Blob', (v) => getState(v), '');

// ---------------------------------------------------------------------------------------------
// Runtime-facing helpers

/** Brand check (Blob or File, including subclasses). */
export function isBlob(v: unknown): v is Blob {
  return getState(v) !== undefined;
}

/** Internal state of a Blob (caller has brand-checked). */
export function blobState(b: Blob): BlobState {
  return getState(b)!;
}

/** A new Blob over `parts` (which the Blob takes ownership of). */
export function createBlob(parts: Uint8Array[], size: number, type: string): Blob {
  return new Blob(blobInternal, { parts, size, type });
}

/** The Blob's bytes as one view (shared with the Blob: never give it to tenant code as is). */
export function blobBytes(b: Blob): Uint8Array {
  return flatBytes(getState(b)!);
}

/** The Blob's bytes in a fresh Uint8Array the caller owns. */
export function blobBytesCopy(b: Blob): Uint8Array {
  return copyOfBytes(getState(b)!);
}

function flatBytes(state: BlobState): Uint8Array {
  const parts = state.parts;
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(state.size);
  let offset = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    TypedArrayPrototypeSet(out, p, offset);
    offset += TypedArrayPrototypeGetByteLength(p);
  }
  state.parts = [out];
  return out;
}

function copyOfBytes(state: BlobState): Uint8Array {
  const parts = state.parts;
  if (parts.length === 1) return TypedArrayPrototypeSlice(parts[0]!, 0);
  return parts.length === 0 ? new Uint8Array(0) : TypedArrayPrototypeSlice(flatBytes(state), 0);
}

function sliceParts(parts: Uint8Array[], start: number, span: number): Uint8Array[] {
  if (span === 0) return EMPTY_PARTS;
  const out: Uint8Array[] = [];
  let n = 0;
  let offset = 0;
  const end = start + span;
  for (let i = 0; i < parts.length && offset < end; i++) {
    const p = parts[i]!;
    const len = TypedArrayPrototypeGetByteLength(p);
    const partEnd = offset + len;
    if (partEnd > start) {
      const from = start > offset ? start - offset : 0;
      const to = end < partEnd ? end - offset : len;
      out[n++] = from === 0 && to === len ? p : TypedArrayPrototypeSubarray(p, from, to);
    }
    offset = partEnd;
  }
  return out;
}

/** Blob type normalization: any code unit outside U+0020–U+007E → "", else ASCII lowercase. */
export function normalizeBlobType(t: string): string {
  for (let i = 0; i < t.length; i++) {
    const c = StringPrototypeCharCodeAt(t, i);
    if (c < 0x20 || c > 0x7e) return '';
  }
  return StringPrototypeToLowerCase(t);
}

// ---------------------------------------------------------------------------------------------
// Constructor argument conversion

/** A converted BlobPart: a string (USVString), a byte copy, or a Blob's state. */
export type BlobPart = string | Uint8Array | BlobState;
interface ConvertedPart { kind: 0 | 1 | 2; value: BlobPart }

function isBufferSourceBacked(v: object): boolean {
  return isArrayBuffer(v) || ArrayBufferIsView(v);
}

/** Copies a BufferSource's bytes (TypeError for views over a SharedArrayBuffer). */
export function copyBufferSourceBytes(v: object, what: string): Uint8Array {
  // A detached buffer (byte length 0) holds no bytes; slicing it would throw.
  if (isArrayBuffer(v)) {
    if (ArrayBufferPrototypeGetByteLength(v as ArrayBuffer) === 0) return new Uint8Array(0);
    return new Uint8Array(ArrayBufferPrototypeSlice(v as ArrayBuffer, 0));
  }
  let buffer: ArrayBuffer;
  let offset: number;
  let length: number;
  if (isDataView(v)) {
    buffer = DataViewPrototypeGetBuffer(v as DataView) as ArrayBuffer;
    offset = DataViewPrototypeGetByteOffset(v as DataView);
    length = DataViewPrototypeGetByteLength(v as DataView);
  } else {
    buffer = TypedArrayPrototypeGetBuffer(v as Uint8Array) as ArrayBuffer;
    offset = TypedArrayPrototypeGetByteOffset(v as Uint8Array);
    length = TypedArrayPrototypeGetByteLength(v as Uint8Array);
  }
  if (!isArrayBuffer(buffer)) throw new TypeError(`${what}: a view on a SharedArrayBuffer is not allowed`);
  if (length === 0) return new Uint8Array(0);
  return new Uint8Array(ArrayBufferPrototypeSlice(buffer, offset, offset + length));
}

function convertBlobPart(v: unknown, what: string): ConvertedPart {
  if (isObject(v)) {
    const s = getState(v);
    if (s !== undefined) return { kind: 2, value: s };
    if (isBufferSourceBacked(v)) return { kind: 1, value: copyBufferSourceBytes(v, what) };
  }
  return { kind: 0, value: toUSVString(v) };
}

/** WebIDL sequence<BlobPart> (undefined → empty). */
export function convertBlobParts(v: unknown, what: string): ConvertedPart[] {
  const out: ConvertedPart[] = [];
  if (v === undefined) return out;
  if (!isObject(v)) throw new TypeError(`${what}: the first argument is not a sequence`);
  const method = getIteratorMethod(v, what);
  if (method === undefined) throw new TypeError(`${what}: the first argument is not iterable`);
  let n = 0;
  forEachInSequence(v, method, (item) => { out[n++] = convertBlobPart(item, what); }, what);
  return out;
}

export interface BlobPropertyBag { endings: 'transparent' | 'native'; type: string }
const ENDINGS = ['transparent', 'native'] as const;

/** BlobPropertyBag members, read in lexicographic order (endings, type). */
export function convertBlobPropertyBag(v: unknown, what: string): BlobPropertyBag {
  const d = dictionary(v, what);
  let endings: 'transparent' | 'native' = 'transparent';
  let type = '';
  if (d !== undefined) {
    const e = d.endings;
    if (e !== undefined) endings = toEnum(e, ENDINGS, `${what}: endings`);
    const t = d.type;
    if (t !== undefined) type = toDOMString(t);
  }
  return { endings, type };
}

/** Converts CR and CRLF to LF (the native line ending of Isle's platform). */
function toNativeLineEndings(s: string): string {
  let out = '';
  let start = 0;
  let changed = false;
  for (let i = 0; i < s.length; i++) {
    if (StringPrototypeCharCodeAt(s, i) === 0x0d) {
      changed = true;
      out += `${StringPrototypeSlice(s, start, i)}\n`;
      if (i + 1 < s.length && StringPrototypeCharCodeAt(s, i + 1) === 0x0a) i++;
      start = i + 1;
    }
  }
  return changed ? out + StringPrototypeSlice(s, start) : s;
}

/** "Process blob parts" plus type normalization: the state of a new Blob. */
export function processBlobParts(parts: ConvertedPart[], endings: 'transparent' | 'native', type: string): BlobState {
  const out: Uint8Array[] = [];
  let n = 0;
  let size = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.kind === 0) {
      let s = p.value as string;
      if (endings === 'native') s = toNativeLineEndings(s);
      if (s.length === 0) continue;
      const bytes = utf8Encode(s);
      out[n++] = bytes;
      size += TypedArrayPrototypeGetByteLength(bytes);
    } else if (p.kind === 1) {
      const bytes = p.value as Uint8Array;
      const len = TypedArrayPrototypeGetByteLength(bytes);
      if (len === 0) continue;
      out[n++] = bytes;
      size += len;
    } else {
      const s = p.value as BlobState;
      const src = s.parts;
      for (let j = 0; j < src.length; j++) out[n++] = src[j]!;
      size += s.size;
    }
  }
  return { parts: out, size, type: normalizeBlobType(type) };
}

