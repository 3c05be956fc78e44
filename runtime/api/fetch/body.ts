// The Body mixin's machinery (https://fetch.spec.whatwg.org/#body-mixin), shared by Request and
// Response: "extract a body", "fully read", "consume body", clone, and the disturbed/locked rules.
//
// A body whose bytes are known up front (string, BufferSource, Blob, FormData, URLSearchParams)
// keeps them as `source` and only builds a ReadableStream when something asks for `.body` (or a
// clone of a streamed body is needed). Reading such a body with text()/json()/… never creates a
// stream: `used` records the consumption so `bodyUsed` and the unusable checks still hold.
import {
  StringPrototypeToWellFormed, JSONParse, PromisePrototypeThen, PromiseReject, PromiseResolve, TypeError, Uint8Array,
  TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetByteLength, TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeSlice, ArrayBufferIsView, ArrayBufferPrototypeGetByteLength, isArrayBuffer, uncurryThis,
  MapPrototypeGet, TypedArrayPrototypeGetSymbolToStringTag, ObjectDefineProperty, ObjectGetOwnPropertyDescriptor,
  ObjectGetOwnPropertyNames,
} from '../intrinsics.ts';
import { utf8Encode } from '../encoding/utf8.ts';
import { utf8Decode } from '../encoding/decoders.ts';
import { isBlob, blobBytes, blobState, createBlob, copyBufferSourceBytes, type Blob } from '../file/blob.ts';
import {
  createPullStream, getInternalReader, isReadableStream, isReadableStreamDisturbed, isReadableStreamLocked, readAllBytes,
  readableStreamFromBytes, teeReadableStream, type ReadableStream,
} from '../streams/index.ts';
import { URLSearchParams } from '../url/index.ts';
import { parseUrlencoded } from '../url/urlencoded.ts';
import { createFormData, formDataEntries, isFormData, type FormData } from './form-data.ts';
import { createBoundary, parseMultipart, serializeMultipart } from './multipart.ts';
import { extractMIMEType, mimeEssence, serializeMIMEType } from './mime.ts';
import { getHeader, type HeadersState } from './headers.ts';
import { brandCheck } from './idl.ts';

export interface BodyState {
  /** The body's stream once materialized (or given as a ReadableStream). */
  stream: ReadableStream | null;
  /** Bytes known up front, while no stream exists. */
  source: Uint8Array | null;
  /** Whether `source` is exclusively this body's (may be handed to the tenant without a copy). */
  owned: boolean;
  /** Length in bytes when known (Content-Length of outgoing requests). */
  length: number | null;
  /** Consumed without a stream, or handed over to another Request. */
  used: boolean;
  /** The body came from a ReadableStream (the spec's body "source" is null). */
  fromStream: boolean;
}

export interface ExtractedBody {
  body: BodyState;
  type: string | null;
}

const searchParamsToString = uncurryThis(URLSearchParams.prototype.toString) as (p: unknown) => string;

function isURLSearchParams(v: object): string | undefined {
  try {
    return searchParamsToString(v);
  } catch {
    return undefined;
  }
}

export function bytesBody(bytes: Uint8Array, owned: boolean): BodyState {
  return { stream: null, source: bytes, owned, length: TypedArrayPrototypeGetByteLength(bytes), used: false, fromStream: false };
}

export function streamBody(stream: ReadableStream, length: number | null = null): BodyState {
  return { stream, source: null, owned: false, length, used: false, fromStream: true };
}

/**
 * WebIDL conversion of a BodyInit argument: Blob, BufferSource, FormData, URLSearchParams and
 * ReadableStream objects stay as they are; anything else becomes a USVString (ToString, which may
 * run tenant code, so it happens when the argument is converted, not when the body is extracted).
 */
export function convertBodyInit(object: unknown): unknown {
  if (typeof object === 'string') return StringPrototypeToWellFormed(object);
  if ((typeof object === 'object' && object !== null) || typeof object === 'function') {
    if (isBlob(object) || isArrayBuffer(object) || ArrayBufferIsView(object) || isFormData(object) ||
        isReadableStream(object) || isURLSearchParams(object) !== undefined) {
      return object;
    }
  }
  if (typeof object === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string');
  return StringPrototypeToWellFormed(`${object as string}`);
}

/** "Extract a body" from a converted BodyInit (see convertBodyInit). */
export function extractBody(object: unknown, keepalive: boolean, what: string): ExtractedBody {
  if (typeof object === 'string') {
    return { body: bytesBody(utf8Encode(object), true), type: 'text/plain;charset=UTF-8' };
  }
  const o = object as object;
  if (isBlob(o)) {
    const type = blobState(o).type;
    return { body: bytesBody(blobBytes(o), false), type: type.length === 0 ? null : type };
  }
  if (isArrayBuffer(o) || ArrayBufferIsView(o)) {
    return { body: bytesBody(copyBufferSourceBytes(o, what), true), type: null };
  }
  if (isFormData(o)) {
    const boundary = createBoundary();
    const bytes = serializeMultipart(formDataEntries(o), boundary);
    return { body: bytesBody(bytes, true), type: `multipart/form-data; boundary=${boundary}` };
  }
  if (isReadableStream(o)) {
    if (keepalive) throw new TypeError(`${what}: a keepalive request cannot have a ReadableStream body`);
    if (isReadableStreamDisturbed(o) || isReadableStreamLocked(o)) {
      throw new TypeError(`${what}: the ReadableStream body is disturbed or locked`);
    }
    return { body: streamBody(o as ReadableStream), type: null };
  }
  const query = isURLSearchParams(o)!;
  return { body: bytesBody(utf8Encode(query), true), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
}

export function bodyUsed(body: BodyState | null): boolean {
  if (body === null) return false;
  if (body.used) return true;
  return body.stream !== null && isReadableStreamDisturbed(body.stream);
}

/** "Unusable": body non-null and its stream disturbed or locked. */
export function bodyUnusable(body: BodyState | null): boolean {
  if (body === null) return false;
  if (body.used) return true;
  const s = body.stream;
  return s !== null && (isReadableStreamDisturbed(s) || isReadableStreamLocked(s));
}

/** The body's ReadableStream (materialized on first request). */
export function bodyStream(body: BodyState): ReadableStream {
  if (body.stream !== null) return body.stream;
  let stream: ReadableStream;
  if (body.used) {
    // Consumed through the fast path: what the spec leaves behind is a disturbed, locked stream.
    stream = readableStreamFromBytes(new Uint8Array(0));
    markHandled(getInternalReader(stream).read());
  } else {
    stream = readableStreamFromBytes(body.source!); // copies
  }
  body.stream = stream;
  body.source = null;
  return stream;
}

function markHandled(p: Promise<unknown>): void {
  PromisePrototypeThen(p, undefined, () => {});
}

/** Clones a body (the caller checked it is usable): shares known bytes or tees the stream. */
export function cloneBody(body: BodyState): BodyState {
  if (body.stream === null) {
    body.owned = false;
    return { stream: null, source: body.source, owned: false, length: body.length, used: false, fromStream: body.fromStream };
  }
  const branches = teeReadableStream(body.stream);
  body.stream = branches[0];
  return { stream: branches[1], source: null, owned: false, length: body.length, used: false, fromStream: body.fromStream };
}

/**
 * Takes the body over for a new Request ("create a proxy" in the spec): the new body reads what
 * the old one would have; the old one becomes disturbed (its stream, if any, stays locked to the
 * proxy, as a pipe would leave it).
 */
export function takeBody(body: BodyState): BodyState {
  let taken: BodyState;
  if (body.stream === null) {
    taken = {
      stream: null, source: body.source, owned: body.owned, length: body.length, used: false, fromStream: body.fromStream,
    };
    body.source = null;
    body.owned = false;
  } else {
    const reader = getInternalReader(body.stream);
    const proxy = createPullStream(
      (controller) => PromisePrototypeThen(reader.read(), (r) => {
        if (r.done) return null;
        if (!isUint8Array(r.value)) {
          const e = new TypeError('The body stream produced a chunk that is not a Uint8Array');
          controller.error(e);
          markHandled(reader.cancel(e));
          return undefined;
        }
        controller.enqueue(copyView(r.value as Uint8Array));
        return undefined;
      }),
      (reason) => reader.cancel(reason),
    );
    taken = streamBody(proxy, body.length);
    taken.fromStream = body.fromStream;
  }
  body.used = true;
  return taken;
}

function isUint8Array(v: unknown): boolean {
  return TypedArrayPrototypeGetSymbolToStringTag(v) === 'Uint8Array';
}

/** A copy of a view's bytes in a buffer of its own (the byte stream will transfer it). */
function copyView(v: Uint8Array): Uint8Array {
  return TypedArrayPrototypeSlice(v, 0);
}

const EMPTY_BYTES = new Uint8Array(0);

function settle<T>(fn: () => T): Promise<T> {
  try {
    return PromiseResolve(fn());
  } catch (e) {
    return PromiseReject(e);
  }
}

/**
 * "Consume body": rejects with TypeError when unusable, else fully reads the body and converts
 * the bytes (`owned`: the caller may keep them without a copy). Known bytes are converted without
 * a stream; no promise is ever resolved with an internal object (a tenant's Object.prototype.then
 * must not see runtime intermediates).
 */
export function consumeBody<T>(body: BodyState | null, what: string, convert: (bytes: Uint8Array, owned: boolean) => T): Promise<T> {
  if (bodyUnusable(body)) {
    return PromiseReject(new TypeError(`${what}: the body has already been used or is locked`));
  }
  if (body === null) return settle(() => convert(EMPTY_BYTES, false));
  if (body.stream === null) {
    const bytes = body.source!;
    const owned = body.owned;
    body.used = true;
    body.source = null;
    body.owned = false;
    return settle(() => convert(bytes, owned));
  }
  let read: Promise<Uint8Array>;
  try {
    read = readAllBytes(body.stream);
  } catch (e) {
    return PromiseReject(e);
  }
  return PromisePrototypeThen(read, (bytes: Uint8Array) => convert(bytes, true));
}

// ---------------------------------------------------------------------------------------------
// Conversions of the consume-body methods

export function bytesToArrayBuffer(bytes: Uint8Array, owned: boolean): ArrayBuffer {
  const buffer = TypedArrayPrototypeGetBuffer(bytes) as ArrayBuffer;
  if (owned && TypedArrayPrototypeGetByteOffset(bytes) === 0 &&
      ArrayBufferPrototypeGetByteLength(buffer) === TypedArrayPrototypeGetByteLength(bytes)) {
    return buffer;
  }
  return TypedArrayPrototypeGetBuffer(TypedArrayPrototypeSlice(bytes, 0)) as ArrayBuffer;
}

export function bytesToUint8Array(bytes: Uint8Array, owned: boolean): Uint8Array {
  return new Uint8Array(bytesToArrayBuffer(bytes, owned));
}

export function bytesToText(bytes: Uint8Array): string {
  return utf8Decode(bytes);
}

export function bytesToJSON(bytes: Uint8Array): unknown {
  return JSONParse(utf8Decode(bytes));
}

/** The MIME type of a Request/Response (from its Content-Type), or null. */
export function bodyMIMEType(headers: HeadersState) {
  return extractMIMEType(getHeader(headers, 'content-type'));
}

// Blobs and Files made from body bytes share them without a copy: body bytes are never written
// to (sources are fresh encodings, snapshots or Blob parts), and a Blob never hands its memory out.
export function bytesToBlob(bytes: Uint8Array, headers: HeadersState): Blob {
  const mime = bodyMIMEType(headers);
  const type = mime === null ? '' : serializeMIMEType(mime);
  const size = TypedArrayPrototypeGetByteLength(bytes);
  return createBlob(size === 0 ? [] : [bytes], size, type);
}

export function bytesToFormData(bytes: Uint8Array, headers: HeadersState, what: string): FormData {
  const mime = bodyMIMEType(headers);
  if (mime !== null) {
    const essence = mimeEssence(mime);
    if (essence === 'multipart/form-data') {
      const boundary = MapPrototypeGet(mime.parameters, 'boundary');
      if (boundary === undefined) throw new TypeError(`${what}: multipart/form-data without a boundary parameter`);
      const entries = parseMultipart(bytes, boundary);
      if (entries === null) throw new TypeError(`${what}: the multipart/form-data body could not be parsed`);
      return createFormData(entries);
    }
    if (essence === 'application/x-www-form-urlencoded') {
      const pairs = parseUrlencoded(bytes);
      const list: string[] = [];
      for (let i = 0; i < pairs.length; i++) {
        list[i * 2] = pairs[i]![0];
        list[i * 2 + 1] = pairs[i]![1];
      }
      return createFormData(list);
    }
  }
  throw new TypeError(`${what}: the body's Content-Type is neither multipart/form-data nor application/x-www-form-urlencoded`);
}


// ---------------------------------------------------------------------------------------------
// The Body interface mixin's members (`Request includes Body; Response includes Body;`)

/** The slots the Body members read: the body and the headers (for the MIME type). */
export interface BodyHolder {
  headers: HeadersState;
  body: BodyState | null;
}

/** The Body members as they appear on Request.prototype and Response.prototype. */
export interface Body {
  readonly body: ReadableStream | null;
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  blob(): Promise<Blob>;
  bytes(): Promise<Uint8Array>;
  formData(): Promise<FormData>;
  json(): Promise<unknown>;
  text(): Promise<string>;
}

/**
 * Defines the Body mixin's members on `proto` (after the interface's own members, in IDL order:
 * body, bodyUsed, arrayBuffer, blob, bytes, formData, json, text). `holder` is the interface's
 * brand check: the state of a genuine instance, else undefined. Call it before finishInterface,
 * which makes the members enumerable. Each interface gets functions of its own (distinct
 * identities, as WebIDL requires), with the usual names and lengths.
 */
export function installBodyMixin(proto: object, name: string, holder: (v: unknown) => BodyHolder | undefined): void {
  const stateOf = brandCheck(name, holder, '');
  const consume = <T>(self: unknown, member: string, convert: (s: BodyHolder, bytes: Uint8Array, owned: boolean) => T): Promise<T> => {
    let s: BodyHolder;
    try {
      s = stateOf(self, member);
    } catch (e) {
      return PromiseReject(e);
    }
    return consumeBody(s.body, `${name}.${member}`, (bytes, owned) => convert(s, bytes, owned));
  };
  const members = {
    get body(): ReadableStream | null {
      const b = stateOf(this, 'body').body;
      return b === null ? null : bodyStream(b);
    },
    get bodyUsed(): boolean { return bodyUsed(stateOf(this, 'bodyUsed').body); },
    arrayBuffer(): Promise<ArrayBuffer> {
      return consume(this, 'arrayBuffer', (s, bytes, owned) => bytesToArrayBuffer(bytes, owned));
    },
    blob(): Promise<Blob> {
      return consume(this, 'blob', (s, bytes) => bytesToBlob(bytes, s.headers));
    },
    bytes(): Promise<Uint8Array> {
      return consume(this, 'bytes', (s, bytes, owned) => bytesToUint8Array(bytes, owned));
    },
    formData(): Promise<FormData> {
      return consume(this, 'formData', (s, bytes) => bytesToFormData(bytes, s.headers, `${name}.formData`));
    },
    json(): Promise<unknown> {
      return consume(this, 'json', (s, bytes) => bytesToJSON(bytes));
    },
    text(): Promise<string> {
      return consume(this, 'text', (s, bytes) => bytesToText(bytes));
    },
  };
  const keys = ObjectGetOwnPropertyNames(members);
  for (let i = 0; i < keys.length; i++) {
    const desc = ObjectGetOwnPropertyDescriptor(members, keys[i]!)!;
    // Class-member attributes; finishInterface turns on enumerable like the interface's own members.
    desc.enumerable = false;
    ObjectDefineProperty(proto, keys[i]!, desc);
  }
}
